"""`DeviceMesh` (devices in a named grid) and `TensorLayout` (how an array's axes map onto the
mesh's axes), Keras 3's names over `jax.sharding.Mesh` / `NamedSharding`."""
import math

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from jkeras.distribution import devices as devices_lib


class DeviceMesh:
    """Devices arranged in a named grid (`jax.sharding.Mesh`).

    Args:
        shape: the grid's shape, e.g. `(8,)` for data parallelism over 8 devices.
        axis_names: one name per axis of `shape`.
        devices: the devices (`jax.Device` or "type:id" strings); default: `list_devices()`.
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError("Shape and axis_names cannot be empty. Received: "
                             f"shape={shape}, axis_names={axis_names}")
        shape, axis_names = tuple(shape), tuple(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError("Shape and axis_names should have same size. "
                             f"Received: shape={shape}, axis_names={axis_names}")
        if any(not isinstance(n, str) for n in axis_names):
            raise TypeError(f"`axis_names` must be strings. Received: axis_names={axis_names}")
        devices = _resolve_devices(devices)
        if math.prod(shape) != devices.size:
            raise ValueError("Shape does not match the number of devices. Received: "
                             f"shape={shape}; devices.shape={devices.shape}")
        self._shape, self._axis_names = shape, axis_names
        self._devices = devices.reshape(shape)
        self._jax_mesh = None

    @property
    def shape(self):
        return self._shape

    @property
    def axis_names(self):
        return self._axis_names

    @property
    def devices(self):
        """The grid of `jax.Device`s (a numpy object array of `shape`)."""
        return self._devices

    @property
    def backend_mesh(self):
        """The `jax.sharding.Mesh`."""
        if self._jax_mesh is None:
            self._jax_mesh = Mesh(self._devices, self._axis_names)
        return self._jax_mesh

    def __repr__(self):
        return f"<DeviceMesh shape={self.shape}, axis_names={list(self.axis_names)}>"


def _resolve_devices(devices):
    if devices is None:
        return np.array(jax.devices(), dtype=object)
    if isinstance(devices, (str, jax.Device)) or not hasattr(devices, "__iter__"):
        raise TypeError("`devices` must be a list of devices (`jax.Device` or 'type:id' strings "
                        "such as 'cpu:0', see `jkeras.distribution.list_devices()`). "
                        f"Received: devices={devices!r}")
    arr = np.array(devices, dtype=object)
    flat = [devices_lib.to_jax_device(d) for d in arr.reshape(-1)]
    if len({d.id for d in flat}) != len(flat):
        raise ValueError("Each device may appear only once in `devices`. Received: "
                         f"{[devices_lib.device_name(d) for d in flat]}")
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(arr.shape)


class TensorLayout:
    """How an array's axes map onto a `DeviceMesh`'s axes (`jax.sharding.NamedSharding`).

    Args:
        axes: one entry per array axis: a mesh axis name to split that axis over, or None to
            keep it whole (replicated).
        device_mesh: the `DeviceMesh`; may be set once later (a `LayoutMap` fills it in).
    """

    def __init__(self, axes, device_mesh=None):
        if isinstance(axes, str) or not hasattr(axes, "__iter__"):
            raise TypeError("`axes` must be a tuple of mesh axis names (or None), one per tensor "
                            f"axis, e.g. (None, 'model'). Received: axes={axes!r}")
        self._axes = tuple(axes)
        if any(a is not None and not isinstance(a, str) for a in self._axes):
            raise TypeError("Each entry of `axes` must be a mesh axis name (a string) or None. "
                            f"Received: axes={self._axes}")
        if device_mesh is not None and not isinstance(device_mesh, DeviceMesh):
            raise ValueError("Expect `device_mesh` to be an instance of `DeviceMesh`. "
                             f"Received: device_mesh={device_mesh!r}")
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def axes(self):
        return self._axes

    @property
    def device_mesh(self):
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh):
        if self._device_mesh is not None:
            raise ValueError("Cannot override device mesh value. Existing "
                             f"value is {self._device_mesh}")
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def backend_layout(self):
        """The `jax.sharding.NamedSharding`."""
        if self._device_mesh is None:
            raise ValueError(f"{self} has no `device_mesh` yet: pass one to TensorLayout or put "
                             "the layout in a `LayoutMap`.")
        return NamedSharding(self._device_mesh.backend_mesh, P(*self._axes))

    def _validate_axes(self):
        if self._device_mesh:
            valid_axis_names = set(self._device_mesh.axis_names)
            axis_names = set(self._axes) - {None}
            if axis_names - valid_axis_names:
                raise ValueError("Invalid axis names for Layout. Valid axis "
                                 f"names: {valid_axis_names}, Got {axis_names}")

    def check_shape(self, shape, name):
        """A ValueError (in words) unless this layout fits an array of `shape`."""
        shape = tuple(shape)
        if len(self._axes) != len(shape):
            raise ValueError(f"The layout {self._axes} of {name} has {len(self._axes)} axes, but "
                             f"{name} has shape {shape} ({len(shape)} axes). Give one entry "
                             "(a mesh axis name or None) per axis.")
        sizes = dict(zip(self._device_mesh.axis_names, self._device_mesh.shape))
        for i, (axis, n) in enumerate(zip(self._axes, shape)):
            if axis is not None and n % sizes[axis]:
                raise ValueError(f"The layout {self._axes} of {name} with shape {shape} splits "
                                 f"dimension {i} (size {n}) over mesh axis '{axis}' of size "
                                 f"{sizes[axis]}, which does not divide it. Use a mesh axis "
                                 "whose size divides the dimension, or None to replicate it.")

    def __repr__(self):
        return f"<{type(self).__name__} axes={self.axes}, device_mesh={self.device_mesh}>"
