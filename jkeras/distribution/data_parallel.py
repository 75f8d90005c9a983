"""`Distribution` and `DataParallel` (Keras 3's names) on `jax.sharding`.

Data parallelism here: the variables, optimizer state and metric accumulators are replicated
(`NamedSharding(mesh, P())`); every batch is split along its first axis over the mesh's batch
axis (`P("batch")`), so each device runs the forward and backward pass of its slice and XLA
inserts the all-reduces that make losses, metrics, BatchNorm statistics and gradients exact means
over the global batch. No communication is written by hand.
"""
import contextlib
import warnings

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec as P

from jkeras.distribution.mesh import DeviceMesh, TensorLayout, _resolve_devices

DEFAULT_BATCH_DIM_NAME = "batch"


class Distribution:
    """Base class: a device mesh and the batch axis name; `scope()` makes it current."""

    def __init__(self, device_mesh, batch_dim_name=None, auto_shard_dataset=True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset
        self._num_processes = jax.process_count()
        self._process_id = jax.process_index()
        mesh = device_mesh.backend_mesh
        self._replicated = NamedSharding(mesh, P())
        self._batch = NamedSharding(mesh, P(batch_dim_name))
        self._stacked = NamedSharding(mesh, P(None, batch_dim_name))
        self._ways = device_mesh.shape[device_mesh.axis_names.index(batch_dim_name)]

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self):
        return self._auto_shard_dataset

    @property
    def num_processes(self):
        return self._num_processes

    @contextlib.contextmanager
    def scope(self):
        """Make this distribution current inside the `with` block."""
        from jkeras.distribution import current
        original = current.distribution()
        current.set_distribution(self)
        try:
            yield
        finally:
            current.set_distribution(original)

    def __repr__(self):
        return f"<{type(self).__name__} device_mesh={self.device_mesh}>"

    def get_data_layout(self, data_shape):
        """The `TensorLayout` of a batch of `data_shape`: split along its first axis."""
        axes = [self.batch_dim_name] + [None] * (len(data_shape) - 1)
        return TensorLayout(axes, self.device_mesh)

    # ---- identity (compiled programs are cached per distribution)
    def cache_key(self):
        mesh = self.device_mesh
        return (type(self).__name__, mesh.shape, mesh.axis_names,
                tuple(d.id for d in mesh.devices.reshape(-1)))

    # ---- placement (host -> devices)
    def put_replicated(self, tree):
        """Every device gets a full copy (weights, optimizer and metric state, datasets that
        are sliced into batches inside the compiled loop)."""
        return jax.device_put(tree, self._replicated)

    def put_batch(self, tree, stacked=False):
        """Host batches split over the devices along the batch axis (axis 1 of a stack of
        batches). A size that does not divide by the device count is sent whole; the program
        splits it (unevenly) itself."""
        axis = 1 if stacked else 0
        return jax.tree_util.tree_map(lambda a: self._put_split(a, axis), tree)

    def _put_split(self, a, axis):
        if self.per_process_data and np.ndim(a) > axis:
            return self._put_local(a, axis)
        if np.ndim(a) > axis and np.shape(a)[axis] % self._ways == 0:
            return jax.device_put(a, self._stacked if axis else self._batch)
        return jax.device_put(a, self._replicated)

    # ---- several processes, each with its own part of the data
    @property
    def per_process_data(self):
        """True with several processes and `auto_shard_dataset=False` (Keras: "the dataset is
        already sharded across hosts"): each process passes its own batches, and the global
        batch is their concatenation in process order."""
        return self._num_processes > 1 and not self._auto_shard_dataset

    def _put_local(self, a, axis):
        local = self._ways // self._num_processes
        if local < 1 or np.shape(a)[axis] % local:
            raise ValueError(
                "With several processes and `auto_shard_dataset=False`, each process's batch "
                f"must split evenly over the {max(local, 1)} devices it holds on the batch axis "
                f"'{self.batch_dim_name}'. Received a batch of {np.shape(a)[axis]} rows in "
                f"process {self._process_id}: use a per-process batch size divisible by "
                f"{max(local, 1)}.")
        return jax.make_array_from_process_local_data(self._stacked if axis else self._batch,
                                                      np.asarray(a))

    def put_dataset(self, tree):
        """A whole dataset for the compiled loop: every device gets a copy."""
        if self.per_process_data:
            raise ValueError(
                "With several processes and `auto_shard_dataset=False`, pass each process's "
                "data as batches (a `jkeras.utils.PyDataset`, a generator or a Keras-style "
                "dataset of equal-sized batches, the same number in every process); arrays "
                "are only supported as the same global arrays in every process "
                "(`auto_shard_dataset=True`).")
        return self.put_replicated(tree)

    # ---- inside compiled programs
    def shard_batch(self, tree):
        def shard(a):
            if not np.ndim(a):
                return a
            if isinstance(a, jax.core.Tracer):  # XLA splits any size (uneven: padded, masked)
                return jax.lax.with_sharding_constraint(a, self._batch)
            return self._put_split(a, 0)  # run_eagerly: placed like a host batch
        return jax.tree_util.tree_map(shard, tree)

    def replicate(self, tree):
        return jax.lax.with_sharding_constraint(tree, self._replicated)

    def put_state(self, tree):
        """Weights and training state for a compiled call (subclasses lay them out)."""
        return self.put_replicated(tree)

    def constrain_state(self, tree):
        """Inside a compiled step: the results' layout (the one `put_state` gives)."""
        return self.replicate(tree)

    def wrap_steps(self, train_step, test_step, predict_step):
        """The step functions with their batch split over the devices and their results
        replicated (so every compiled call hands the next one the same layout)."""
        def train(ts, batch):
            return self.constrain_state(train_step(ts, self.shard_batch(batch)))

        def test(es, batch):
            return self.constrain_state(test_step(es, self.shard_batch(batch)))

        def predict(variables, x):
            # Replicated outputs: every process can read them back (multi-host predict).
            return self.replicate(predict_step(variables, self.shard_batch(x)))

        return (train if train_step is not None else None,
                test if test_step is not None else None,
                predict if predict_step is not None else None)


class DataParallel(Distribution):
    """Data parallelism: variables replicated, the batch axis sharded over the devices.

    Give either a 1D `device_mesh` or a list of `devices` (not both); with neither, every device
    of `list_devices()` is used. A mesh with several axes shards the batch over its first axis
    (with a warning, as Keras).

    Any batch size works: a batch whose size does not divide by the number of devices is split
    unevenly (XLA pads the last shard and masks it), with the same results.

    `auto_shard_dataset` is accepted for Keras compatibility; with several processes, jkeras
    expects every process to pass the same global data (see docs/distribution.md).
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None and devices is not None:
            raise ValueError("Pass either `device_mesh` or `devices` to DataParallel, not both. "
                             f"Received: device_mesh={device_mesh}, devices={devices}")
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError("Expect `mesh` to be an instance of `DeviceMesh`. Received: "
                                 f"mesh={device_mesh} (of type {type(device_mesh)})")
            if len(device_mesh.shape) != 1:
                warnings.warn("Expect the input mesh to be 1D, but received mesh.devices.ndim="
                              f"{len(device_mesh.shape)}. The first axis will be used for "
                              "data-parallel sharding.", stacklevel=2)
        else:
            empty = isinstance(devices, (list, tuple)) and not devices  # Keras: all devices
            found = _resolve_devices(None if empty else devices)
            device_mesh = DeviceMesh((found.size,), [DEFAULT_BATCH_DIM_NAME],
                                     found.reshape(-1))
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)

    @property
    def num_model_replicas(self):
        return self.device_mesh.devices.size
