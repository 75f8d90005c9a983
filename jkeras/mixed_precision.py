"""`keras.mixed_precision`: Keras's legacy names for dtype policies.

`LossScaleOptimizer` lives in `jkeras.optimizers` (written with the optimizers); it is
re-exported here when that module provides it.
"""
from jkeras import optimizers as _optimizers
from jkeras.core.dtype_policy import DTypePolicy, dtype_policy, set_dtype_policy

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "Policy", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy"]

# Note: present only once jkeras.optimizers.LossScaleOptimizer exists (another branch adds it).
LossScaleOptimizer = getattr(_optimizers, "LossScaleOptimizer", None)
if LossScaleOptimizer is None:
    del LossScaleOptimizer
else:
    __all__.append("LossScaleOptimizer")
