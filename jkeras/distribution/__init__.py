"""Data- and model-parallel training over several devices (Keras 3's `keras.distribution` names) on
`jax.sharding`; `initialize()` starts multi-host JAX. See docs/distribution.md."""
from jkeras.distribution.current import distribution, set_distribution
from jkeras.distribution.data_parallel import DataParallel, Distribution
from jkeras.distribution.devices import get_device_count, initialize, list_devices
from jkeras.distribution.layout_map import LayoutMap, distribute_tensor
from jkeras.distribution.mesh import DeviceMesh, TensorLayout
from jkeras.distribution.model_parallel import ModelParallel

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "distribution", "set_distribution",
           "list_devices", "get_device_count", "initialize", "ModelParallel", "LayoutMap",
           "TensorLayout", "distribute_tensor"]
