"""Data-parallel training over several devices (Keras 3's `keras.distribution` names) on
`jax.sharding`; `initialize()` starts multi-host JAX. See docs/distribution.md."""
from jkeras.distribution.current import distribution, set_distribution
from jkeras.distribution.data_parallel import DataParallel, DeviceMesh, Distribution
from jkeras.distribution.devices import get_device_count, initialize, list_devices

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "distribution", "set_distribution",
           "list_devices", "get_device_count", "initialize"]
