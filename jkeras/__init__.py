"""jkeras: the Keras model-building API on JAX, as a small pure-functional library."""
from jkeras import activations, initializers, layers, losses, metrics, models, optimizers, utils
from jkeras import callbacks, distribution, saving
from jkeras.ensemble import Ensemble
from jkeras.layers import Input
from jkeras.models import Model, Sequential
from jkeras import backend, config, ops, random, tree
from jkeras import constraints, regularizers
from jkeras import applications  # noqa: E402  (after models and saving, which it builds on)

from jkeras import dtype_policies, mixed_precision  # noqa: E402
from jkeras.dtype_policies import DTypePolicy, FloatDTypePolicy  # noqa: E402

__version__ = "0.1.0"

# `jkeras.testing` (parity against tf.keras) is imported on demand: `import jkeras.testing`.
__all__ = ["Sequential", "Model", "Input", "Ensemble", "layers", "models", "activations",
           "initializers", "losses", "metrics", "optimizers", "callbacks", "utils",
           "distribution", "saving", "ops", "random", "config", "backend", "tree",
           "applications"]
__all__ += ["regularizers", "constraints"]
__all__ += ["dtype_policies", "mixed_precision", "DTypePolicy", "FloatDTypePolicy"]
from jkeras import preprocessing  # noqa: E402
__all__ += ["preprocessing"]
from jkeras import quantizers  # noqa: E402
from jkeras.quantizers import Quantizer  # noqa: E402
__all__ += ["quantizers", "Quantizer"]
from jkeras import datasets  # noqa: E402
__all__ += ["datasets"]
from jkeras import wrappers  # noqa: E402  (scikit-learn is imported on first use)
__all__ += ["wrappers"]
from jkeras import visualization  # noqa: E402  (OpenCV / matplotlib imported on first use)
__all__ += ["visualization"]

# Keras 3's top-level aliases of its base classes, and `version()`.
from jkeras.core.input_spec import InputSpec  # noqa: E402
from jkeras.core.layer import Layer  # noqa: E402
from jkeras.core.symbolic import KerasTensor  # noqa: E402
from jkeras.initializers import Initializer  # noqa: E402
from jkeras.losses import Loss  # noqa: E402
from jkeras.metrics import Metric  # noqa: E402
from jkeras.optimizers import Optimizer  # noqa: E402
from jkeras.regularizers import Regularizer  # noqa: E402


def version():
    """jkeras's version string (Keras's `keras.version()` gives `keras.__version__`)."""
    return __version__


__all__ += ["Layer", "Loss", "Metric", "Optimizer", "Initializer", "Regularizer", "InputSpec",
            "KerasTensor", "version"]
from jkeras.core.standalone_variable import Variable  # noqa: E402
from jkeras.core.name_scope import name_scope  # noqa: E402
from jkeras.core.scopes import StatelessScope, SymbolicScope  # noqa: E402
__all__ += ["Variable", "name_scope", "StatelessScope", "SymbolicScope"]
from jkeras.core.remat import RematScope, remat  # noqa: E402
__all__ += ["RematScope", "remat"]
from jkeras.core.device import device  # noqa: E402
__all__ += ["device"]
from jkeras.core.function import Function  # noqa: E402
__all__ += ["Function"]
from jkeras import distillation  # noqa: E402
__all__ += ["distillation"]
