"""`keras.ops` on JAX: NumPy-style, neural-network, image, linear-algebra, math and core ops.

Every op is exported flat (`jkeras.ops.relu`), and also from its Keras module
(`jkeras.ops.nn.relu`, `jkeras.ops.image.resize`, `jkeras.ops.linalg.svd`). Ops take and
return jax arrays (NumPy arrays, Python values and jkeras Variables are accepted as inputs),
so they work under `jax.jit`, `jax.grad` and `jax.vmap`.
"""
from jkeras.ops import image, linalg, nn
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

__all__ = sorted({*_core_all, *_linalg_all, *_math_all, *_nn_all, *_numpy_all, "rearrange",
                  "image", "linalg", "nn"})
