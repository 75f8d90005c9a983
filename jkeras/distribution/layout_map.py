"""`LayoutMap` (regex keys over variable paths -> `TensorLayout`) and `distribute_tensor`."""
import re

import jax

from jkeras.core.path_map import PathMap
from jkeras.distribution.mesh import DeviceMesh, TensorLayout


class LayoutMap(PathMap):
    """A dict from variable-path regexes to `TensorLayout`s, as Keras 3's.

    Lookups (`layout_map[path]`) first try the key itself, then every key as a regex that must
    match the whole path (`re.fullmatch`); more than one matching key is an error, none gives
    None (the variable is replicated). A tuple of axis names may be given instead of a
    `TensorLayout`:

    ```python
    layout_map = LayoutMap(device_mesh)
    layout_map["dense.*kernel"] = (None, "model")
    layout_map["dense.*bias"] = ("model",)
    ```

    Paths are the variables' Keras paths, "layer/weight" ("multi_head_attention/query/kernel"
    for a sublayer); print `v.path for v in model.weights` to see them.

    Args:
        device_mesh: the `DeviceMesh` every layout of the map refers to.
    """

    def __init__(self, device_mesh):
        if not isinstance(device_mesh, DeviceMesh):
            raise ValueError("Expect `device_mesh` to be an instance of `DeviceMesh`. "
                             f"Received: device_mesh={device_mesh!r}")
        super().__init__()
        self._device_mesh = device_mesh

    def _many_matches(self, path, keys):
        return (f"Path '{path}' matches multiple layout specification keys: {keys}. Please "
                "make sure each tensor/variable path only matches at most one layout "
                "specification key in the LayoutMap.")

    def _accept(self, key, layout):
        if isinstance(layout, tuple):
            layout = TensorLayout(axes=layout, device_mesh=None)
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"{layout} should be a TensorLayout type, got {type(layout)}")
        try:
            re.compile(key)
        except re.error as err:
            raise ValueError(f"LayoutMap keys are regular expressions over variable paths; "
                             f"{key!r} is not one: {err}") from None
        if layout.device_mesh is None:
            layout.device_mesh = self._device_mesh
        return layout

    @property
    def device_mesh(self):
        return self._device_mesh


LayoutMap.get.__doc__ = LayoutMap.__getitem__.__doc__


def distribute_tensor(tensor, layout):
    """`tensor` laid out as `layout` (a `TensorLayout` or a `jax.sharding.Sharding`): placed on
    the devices outside a compiled function, a sharding constraint inside one."""
    if isinstance(layout, TensorLayout):
        layout.check_shape(jax.numpy.shape(tensor), "the tensor")
        layout = layout.backend_layout
    if not isinstance(layout, jax.sharding.Sharding):
        raise TypeError("`layout` must be a `jkeras.distribution.TensorLayout` or a "
                        f"`jax.sharding.Sharding`. Received: layout={layout!r}")
    if isinstance(tensor, jax.core.Tracer):
        return jax.lax.with_sharding_constraint(tensor, layout)
    return jax.device_put(tensor, layout)
