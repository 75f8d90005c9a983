"""`keras.ops` on JAX: NumPy-style, neural-network, image, linear-algebra, math and core ops.

Every op is exported flat (`jkeras.ops.relu`), and also from its Keras module
(`jkeras.ops.nn.relu`, `jkeras.ops.image.resize`, `jkeras.ops.linalg.svd`). Ops take and
return jax arrays (NumPy arrays, Python values and jkeras Variables are accepted as inputs),
so they work under `jax.jit`, `jax.grad` and `jax.vmap`. Called on symbolic tensors
(`jkeras.Input`), an op records a functional node (see symbolic.py).
"""
from jkeras.ops import core, einops, image, linalg, math, nn, numpy
from jkeras.ops.symbolic import symbolic_aware

for _module in (core, einops, image, linalg, math, nn, numpy):
    for _name in getattr(_module, "__all__", ["rearrange"]):
        setattr(_module, _name, symbolic_aware(getattr(_module, _name)))

from jkeras.ops.core import *  # noqa: F401,F403
from jkeras.ops.core import __all__ as _core_all
from jkeras.ops.einops import rearrange
from jkeras.ops.linalg import *  # noqa: F401,F403
from jkeras.ops.linalg import __all__ as _linalg_all
from jkeras.ops.math import *  # noqa: F401,F403
from jkeras.ops.math import __all__ as _math_all
from jkeras.ops.nn import *  # noqa: F401,F403
from jkeras.ops.nn import __all__ as _nn_all
from jkeras.ops.numpy import *  # noqa: F401,F403
from jkeras.ops.numpy import __all__ as _numpy_all

# Public names of `keras.ops` (and ops.nn / ops.image / ops.linalg) that jkeras does not
# provide, with the reason. The API-coverage test reads this.
UNSUPPORTED = {}

del _module, _name
__all__ = sorted({*_core_all, *_linalg_all, *_math_all, *_nn_all, *_numpy_all, "rearrange",
                  "image", "linalg", "nn"})
