"""`ModelParallel` (Keras 3's name): variables sharded over a `DeviceMesh` as a `LayoutMap`
says, batches split over the mesh's batch axis; XLA inserts the collectives.

The training state is a pytree; each leaf gets a `NamedSharding`: a weight (a leaf under
`params` / `state`) from the layout map entry that matches its Keras path ("layer/weight",
sublayers nested: "multi_head_attention/query/kernel"); an optimizer slot of the same shape
whose path ends with a weight's path (e.g. `slots/momentum/dense/kernel`) like that weight;
everything else (step counters, learning rate, metric accumulators, RNG) replicated.
"""
import jax
from jax.sharding import NamedSharding, PartitionSpec as P

from jkeras.distribution.data_parallel import Distribution
from jkeras.distribution.layout_map import LayoutMap
from jkeras.distribution.mesh import TensorLayout

_VARIABLE_ROOTS = ("params", "state")


def _key_name(entry):
    for attr in ("key", "name"):
        value = getattr(entry, attr, None)
        if isinstance(value, str):
            return value
    return None


def _variable_path(path):
    """The Keras path of a leaf under `params` / `state`, else None."""
    names = [_key_name(e) for e in path]
    for i, name in enumerate(names):
        if name in _VARIABLE_ROOTS and i + 1 < len(names) and None not in names[i + 1:]:
            return "/".join(names[i + 1:])
    return None


def _slot_of(path, shape, variables):
    """The weight path an optimizer-slot leaf mirrors (a suffix of its path, same shape)."""
    names = [_key_name(e) for e in path]
    for i in range(len(names)):
        tail = names[i:]
        if None in tail:
            continue
        key = "/".join(tail)
        if key in variables and variables[key] == shape:
            return key
    return None


class ModelParallel(Distribution):
    """Distribution that shards model variables as a `LayoutMap` says, and the data along
    `batch_dim_name`.

    ```python
    mesh = DeviceMesh((2, 4), ("batch", "model"), devices=list_devices())
    layout_map = LayoutMap(mesh)
    layout_map["dense.*kernel"] = (None, "model")
    layout_map["dense.*bias"] = ("model",)
    set_distribution(ModelParallel(layout_map=layout_map, batch_dim_name="batch"))
    ```

    Variables no key matches are replicated. A layout must have one entry per axis of the
    variable and each sharded dimension must divide by its mesh axis's size; otherwise fit /
    evaluate / predict raise a ValueError before anything runs.

    Args:
        layout_map: the `LayoutMap` (its `device_mesh` is the mesh used).
        batch_dim_name: the mesh axis the batch is split over; default: the mesh's first axis.
        auto_shard_dataset: accepted for Keras compatibility (see `DataParallel`).
    """

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True,
                 **kwargs):
        kwargs.pop("device_mesh", None)  # Keras: ignored, the layout map's mesh is used
        if kwargs:
            raise TypeError(f"ModelParallel got unexpected keyword arguments: {sorted(kwargs)}")
        if layout_map is None:
            raise ValueError("You must specify a layout_map argument.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError("Argument `layout_map` must be a `LayoutMap` instance. "
                             f"Received: layout_map={layout_map}")
        device_mesh = layout_map.device_mesh
        batch_dim_name = batch_dim_name or device_mesh.axis_names[0]
        if batch_dim_name not in device_mesh.axis_names:
            raise ValueError(f"`batch_dim_name` must be one of the mesh's axis names "
                             f"{list(device_mesh.axis_names)}. Received: "
                             f"batch_dim_name={batch_dim_name!r}")
        super().__init__(device_mesh, batch_dim_name, auto_shard_dataset)
        self._layout_map = layout_map
        if (self.num_processes > 1 and self.num_processes > self.num_model_replicas
                and self.num_processes % self.num_model_replicas != 0):
            raise ValueError("If `num_processes` is greater than `num_model_replicas`, "
                             "`num_processes` must be divisible by `num_model_replicas`. "
                             f"Got num_processes={self.num_processes}, "
                             f"num_model_replicas={self.num_model_replicas}.")

    @property
    def layout_map(self):
        return self._layout_map

    @property
    def num_model_replicas(self):
        return self._ways

    def get_variable_layout(self, variable):
        """The `TensorLayout` of a variable (anything with `.path` and `.shape`)."""
        layout = self._layout_map[variable.path]
        if layout is not None:
            return layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return self._layout_map[path]

    def cache_key(self):
        layouts = tuple((k, v.axes) for k, v in self._layout_map.items())
        return super().cache_key() + (self.batch_dim_name, layouts)

    # ---- the training state, leaf by leaf
    def _shardings(self, tree):
        leaves, treedef = jax.tree_util.tree_flatten_with_path(tree)
        variables = {}
        for path, leaf in leaves:
            name = _variable_path(path)
            if name is not None:
                variables[name] = tuple(jax.numpy.shape(leaf))
        specs = {}
        for name, shape in variables.items():
            layout = self._layout_map[name]
            if layout is None:
                specs[name] = P()
            else:
                layout.check_shape(shape, f"variable '{name}'")
                specs[name] = P(*layout.axes)
        mesh = self.device_mesh.backend_mesh
        out = []
        for path, leaf in leaves:
            name = _variable_path(path)
            if name is None:
                name = _slot_of(path, tuple(jax.numpy.shape(leaf)), variables)
            out.append(NamedSharding(mesh, specs[name] if name is not None else P()))
        return jax.tree_util.tree_unflatten(treedef, out)

    def put_state(self, tree):
        return jax.device_put(tree, self._shardings(tree))

    def constrain_state(self, tree):
        return jax.lax.with_sharding_constraint(tree, self._shardings(tree))
