"""Input normalisation for fit / evaluate / predict.

Arrays (numpy, jax, anything `np.asarray` takes, or lists / dicts of them for several inputs or
outputs) become an `ArrayData`: placed on the device ONCE per call, batches are then sliced (or
gathered through an on-device permutation) inside the compiled loop. Anything else iterable
(a generator, an iterator, a Keras-style `PyDataset` with `__getitem__`/`__len__`, a tf.data
dataset) becomes an `IterableData` whose `(x, y[, sample_weight])` batches are pulled on the host.
All checks here run before anything is traced.
"""
import itertools
import math
from functools import partial
import types
import warnings

import jax
import numpy as np

from jkeras.distribution import current as distribution_lib
from jkeras.training import data_sources
from jkeras.training import prefetch as prefetch_lib


# ---------------------------------------------------------------------------- structure
def _is_array(v):
    return isinstance(v, (np.ndarray, jax.Array, np.generic)) or (
        hasattr(v, "__array__") and hasattr(v, "shape") and not isinstance(v, (list, tuple, dict)))


def map_structure(fn, tree):
    """Apply `fn` to every array leaf of nested lists / tuples / dicts (None stays None)."""
    if tree is None:
        return None
    if isinstance(tree, dict):
        return {k: map_structure(fn, v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)) and not _is_array(tree):
        return type(tree)(map_structure(fn, v) for v in tree)
    return fn(tree)


def leaves(tree):
    out = []
    map_structure(out.append, tree)
    return out


def is_batch_iterable(x):
    """True for data that yields batches (generators, iterators, datasets), not arrays."""
    if x is None or _is_array(x) or isinstance(x, (list, tuple, dict, str, bytes)):
        return False
    if isinstance(x, types.GeneratorType) or hasattr(x, "__next__"):
        return True
    return hasattr(x, "__iter__") or (hasattr(x, "__getitem__") and hasattr(x, "__len__"))


def unpack_x_y_sample_weight(data, what="data"):
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) in (1, 2, 3):
        return tuple(data) + (None,) * (3 - len(data))
    raise ValueError(
        f"{what} is expected to be in format `x`, `(x,)`, `(x, y)`, or "
        f"`(x, y, sample_weight)`, found a tuple of {len(data)} elements.")


def to_numpy(tree):
    def conv(a):
        if isinstance(a, jax.Array):
            return a
        a = np.asarray(a)
        if a.dtype == object:
            raise TypeError(
                f"Expected numeric arrays, received an array of dtype object: {a!r:.80}")
        return a
    return map_structure(conv, tree)


# ---------------------------------------------------------------------------- checks
def check_batch_size(value, name="batch_size"):
    """A positive int or None (batch sizes, step counts)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer or None. Received: {name}={value!r}")
    return int(value)


def check_cardinality(x, y, sample_weight):
    sizes = {label: [int(np.shape(a)[0]) if np.ndim(a) else None for a in leaves(part)]
             for label, part in (("x", x), ("y", y), ("sample_weight", sample_weight))}
    for label, s in sizes.items():
        if None in s:
            raise ValueError(f"`{label}` arrays must have a batch dimension; received a scalar.")
    flat = {n for s in sizes.values() for n in s}
    if len(flat) > 1:
        detail = "\n".join(f"'{label}' sizes: {', '.join(map(str, s))}"
                           for label, s in sizes.items() if s)
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
            f"samples.\n{detail}")
    if not flat:
        raise ValueError("Expected input data `x`, received None.")
    n = flat.pop()
    if n == 0:
        raise ValueError(
            "Expected input data to be non-empty: `x` has 0 samples. Pass at least one sample.")
    return n


def class_weight_to_sample_weights(y, class_weight):
    """Keras 3's `data_adapter_utils.class_weight_to_sample_weights`."""
    y = np.asarray(y)
    sw = np.ones((y.shape[0],), np.float32)
    if y.ndim > 1:
        y = np.argmax(y, axis=-1) if y.shape[-1] != 1 else np.squeeze(y, axis=-1)
    y = np.round(y).astype("int32")
    for i in range(y.shape[0]):
        sw[i] = class_weight.get(int(y[i]), 1.0)
    return sw


def apply_class_weight(y, sample_weight, class_weight):
    if class_weight is None:
        return sample_weight
    if sample_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    if not isinstance(class_weight, dict):
        raise ValueError(f"`class_weight` must be a dict. Received: class_weight={class_weight!r}")
    return class_weight_to_sample_weights(y, class_weight)


def train_validation_split(x, y, sample_weight, validation_split):
    """The LAST `validation_split` fraction (before any shuffling) becomes validation data.

    Keras 3: `split_at = floor(n * (1 - validation_split))`; 0 or n is an error."""
    n = check_cardinality(x, y, sample_weight)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            "validation and training set as specified by "
            f"`validation_split={validation_split}`. Either provide more data, or a different "
            "value for the `validation_split` argument.")
    train = tuple(map_structure(lambda a: a[:split_at], t) for t in (x, y, sample_weight))
    val = tuple(map_structure(lambda a: a[split_at:], t) for t in (x, y, sample_weight))
    return train, val


def check_validation_split(validation_split):
    try:
        ok = 0.0 <= float(validation_split) < 1.0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            "`validation_split` must be a float in [0, 1). "
            f"Received: validation_split={validation_split!r}")


def unpack_validation_data(validation_data):
    if is_batch_iterable(validation_data):
        return validation_data, None, None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        got = (f"a {type(validation_data).__name__} of {len(validation_data)} elements"
               if isinstance(validation_data, (tuple, list)) else type(validation_data).__name__)
        raise ValueError(
            "`validation_data` should be a tuple `(x_val, y_val)` or "
            f"`(x_val, y_val, val_sample_weights)`, or a generator of batches. Received: {got}.")
    return tuple(validation_data) + (None,) * (3 - len(validation_data))


def prepare_fit(x, y, sample_weight, class_weight, validation_split, validation_data):
    """fit's argument handling as Keras 3: split off the validation tail (before class weights,
    which apply to training data only). -> (x, y, sample_weight, (val_x, val_y, val_sw) | None)"""
    val = None
    if is_batch_iterable(x):
        if validation_split and validation_data is None:
            raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays. "
                             f"Found incompatible type in the input: {[type(x)]}")
        if class_weight is not None:
            kind = data_sources.adapt_kind(x)
            if kind not in ("tf.data.Dataset", "PyDataset"):
                kind = "Python generator" if kind == "generator" else kind
                raise ValueError(f"Argument `class_weight` is not supported for {kind} inputs. "
                                 f"Received: class_weight={class_weight}")
            if not isinstance(class_weight, dict):
                raise ValueError(
                    f"`class_weight` must be a dict. Received: class_weight={class_weight!r}")
            x = ClassWeighted(x, class_weight)
    else:
        if validation_split and validation_data is None:
            (x, y, sample_weight), val = train_validation_split(
                to_numpy(x), to_numpy(y), to_numpy(sample_weight), validation_split)
        sample_weight = apply_class_weight(y, sample_weight, class_weight)
    if validation_data is not None:
        val = unpack_validation_data(validation_data)
    return x, y, sample_weight, val


def make_data(x, y, sample_weight, batch_size, steps, method, shuffle=False):
    """`ArrayData` for arrays, `IterableData` for generators / iterables / datasets (`shuffle`:
    fit's argument, which shuffles a `PyDataset`'s batch order as Keras)."""
    if is_batch_iterable(x):
        kind = data_sources.adapt_kind(x)
        for arg, what, v in (("y", "the targets", y),
                             ("sample_weights", "the sample weights", sample_weight)):
            if v is not None:
                raise ValueError(
                    f"When providing `x` as a {kind}, `{arg}` should not be passed. Instead, "
                    f"{what} should be included as part of the {kind}.")
        return IterableData(x, steps, shuffle)
    if x is None:
        raise ValueError(f"`{method}()` expects input data `x`; received x=None.")
    return ArrayData(x, y, sample_weight, batch_size, steps)


def first_batch(data):
    return data.first if isinstance(data, IterableData) else data.first_batch_host()


# ---------------------------------------------------------------------------- array data
class ArrayData:
    """(x, y, sample_weight) on the device, with the batch layout of one fit/evaluate/predict."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None):
        x, y, sample_weight = to_numpy(x), to_numpy(y), to_numpy(sample_weight)
        self.num_samples = n = check_cardinality(x, y, sample_weight)
        if batch_size is None:
            batch_size = int(math.ceil(n / steps)) if steps else 32
        self.batch_size = batch_size
        self.num_full = n // batch_size
        self.partial = n % batch_size
        self.num_batches = self.num_full + (1 if self.partial else 0)
        self.host = (x, y, sample_weight)
        if sample_weight is not None:
            sample_weight = map_structure(lambda a: np.asarray(a, np.float32), sample_weight)
        # The one host->device transfer of this call.
        self.device = distribution_lib.put_dataset((x, y, sample_weight))

    def first_batch_host(self):
        """The first batch as host arrays (to build the model / resolve shapes)."""
        b = min(self.batch_size, self.num_samples)
        if any(isinstance(a, jax.Array) for a in jax.tree_util.tree_leaves(self.host)):
            return _head(self.host, b)  # device inputs: one dispatch, not one slice per array
        return tuple(map_structure(lambda a: a[:b], t) for t in self.host)


@partial(jax.jit, static_argnums=1)
def _head(host, b):
    return tuple(map_structure(lambda a: a[:b], t) for t in host)


# ---------------------------------------------------------------------------- iterables
class BatchCheck:
    """Checks and normalises the batches of one source (in the prefetch thread: it holds no
    reference to the `IterableData`, whose loss stops that thread)."""

    def __init__(self, kind, class_weight=None):
        self.kind, self.class_weight, self.first = kind, class_weight, None

    def __call__(self, batch, index):
        """`batch` as `(x, y, sample_weight)` of NumPy arrays, checked against batch 0."""
        if isinstance(batch, list):
            batch = tuple(batch)
        if not isinstance(batch, tuple):
            batch = (batch,)
        if self.kind == "PyDataset" and len(batch) not in (1, 2, 3):
            raise ValueError(
                "PyDataset.__getitem__() must return a tuple or a dict. If a tuple, it must be "
                "ordered either (input,) or (inputs, targets) or (inputs, targets, "
                f"sample_weights). Received: {str(batch)[:100]}... of type {type(batch)} "
                f"(batch {index})")
        x, y, sw = unpack_x_y_sample_weight(batch, f"Batch {index} of the {self.kind}")
        if self.class_weight is not None:
            sw = apply_class_weight(to_numpy(y), sw, self.class_weight)
        try:
            x, y, sw = to_numpy(x), to_numpy(y), to_numpy(sw)
            check_cardinality(x, y, sw)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{e} (in batch {index} of the {self.kind})") from None
        if index:
            self._consistent((x, y, sw), index)
        return x, y, sw

    def _consistent(self, batch, index):
        """Same structure, ranks and dtypes as the first batch (other sizes may change: each
        new shape compiles its own step, as Keras's JAX trainer retraces)."""
        kind = self.kind
        for label, ref, new in zip(("x", "y", "sample_weight"), self.first, batch):
            if ref is None or new is None:
                continue
            if _structure(ref) != _structure(new):
                raise ValueError(
                    f"The {kind} yielded batches of different structures: `{label}` of batch "
                    f"{index} is {_structure(new)}, batch 0 had {_structure(ref)}. Every batch "
                    "must have the same nested structure.")
            for a, b in zip(leaves(ref), leaves(new)):
                if np.ndim(a) != np.ndim(b):
                    raise ValueError(
                        f"When passing a dataset to a Keras model, the corresponding arrays in "
                        f"each batch must have the same rank. Received: `{label}` with "
                        f"{data_sources.describe(a)} in batch 0 and "
                        f"{data_sources.describe(b)} in batch {index} of the {kind}.")
                if np.result_type(a) != np.result_type(b):
                    raise TypeError(
                        f"The {kind} yielded `{label}` of dtype {np.result_type(b)} in batch "
                        f"{index}, where batch 0 had dtype {np.result_type(a)}. Every batch must "
                        "have the same dtypes (cast them in the data pipeline).")


class IterableData:
    """Batches pulled from a Python source on the host (see `data_sources` for the kinds).

    As Keras's epoch iterator: without `steps`, each epoch is one full pass (a re-iterable
    source restarts, a generator / iterator continues where it stopped, and once exhausted
    training stops after that epoch). With `steps`, an epoch takes `steps` batches and the
    next one continues from there; a source of known size restarts once all its batches were
    used (the epoch that reaches the end is cut short, with Keras's warning). `shuffle` shuffles
    the batch order of a `PyDataset` (fit's `shuffle`, as Keras).
    """

    def __init__(self, source, steps=None, shuffle=False):
        self.class_weight = None
        if isinstance(source, ClassWeighted):
            source, self.class_weight = source.source, source.class_weight
        self.source = source
        self.steps = steps
        self.shuffle = bool(shuffle)
        self.adapter = data_sources.adapt(source)
        self.one_shot = self.adapter.one_shot
        first = self.adapter.first()
        if first is None:
            raise ValueError(
                f"When passing a {self.adapter.kind} to a Keras model, it must yield at least "
                "one batch. Received an empty one.")
        self._check = BatchCheck(self.adapter.kind, self.class_weight)
        self.first = self._check.first = self._check(first, 0)
        self.num_batches = steps if steps is not None else self.adapter.num_batches
        self.exhausted = False
        self._it, self._seen, self._on_device = None, 0, False

    def _stage(self, on_device):
        """What the background thread does to each raw batch: check and normalise it (the
        index counts from the start of the source's pass), and with `on_device` place it on the
        device(s) (under a distribution straight onto its shards), so the transfer overlaps the
        running compiled step."""
        index, place, check = itertools.count(), _placer(), self._check

        def stage(raw):
            batch = check(raw, next(index))
            return place(batch) if on_device else batch
        return stage

    def epoch(self, on_device=False):
        """Yield this epoch's normalised batches (at most `steps`): host (NumPy) batches, or
        with `on_device` committed `jax.Array`s laid out as the current distribution's batches
        (transferred in the background, double-buffered)."""
        known = None if self.one_shot else self.adapter.num_batches
        self.adapter.on_epoch_begin()
        if self._it is None or (self.steps is None and not self.one_shot):
            # Pulled, checked (and placed) ahead by a background thread while steps run.
            self._it = prefetch_lib.prefetch(self.adapter.iterator(self.shuffle),
                                             stage=self._stage(on_device))
            self._seen, self._on_device = 0, on_device
        count = 0
        while self.steps is None or count < self.steps:
            if known is not None and self._seen >= known:
                if self.steps is not None:
                    _ran_out()
                break
            batch = next(self._it, _END)
            if batch is _END:
                self._it = None
                if self.one_shot:
                    self.exhausted = True
                if self.steps is not None or count == 0:
                    _ran_out()
                break
            self._seen += 1
            count += 1
            if on_device and not self._on_device:  # an iterator kept from a host-batch epoch
                batch = _placer()(batch)
            yield batch
        if known is not None and self._seen >= known:
            self._it = None
        if self.num_batches is None and self._it is None:
            self.num_batches = count
        self.adapter.on_epoch_end()


_END = object()


def _placer():
    """How the calling thread places a batch: the distribution's `put_batch` (each batch
    straight onto its shards), else onto the thread's default device (`jax.default_device` is
    thread-local, so it is read here, not in the background thread), committed. With several
    processes each holding its own data, batches stay on the host: the consumer's `put_batch`
    assembles the global batch (after stacking) from every process's host part."""
    dist = distribution_lib.distribution()
    if dist is not None and getattr(dist, "per_process_data", False):
        return lambda tree: tree
    if dist is not None:
        return distribution_lib.put_batch
    device = jax.config.jax_default_device
    if device is None or isinstance(device, str):
        device = jax.devices(device)[0]
    return lambda tree: jax.device_put(tree, device)


class ClassWeighted:
    """A tf.data.Dataset / PyDataset with fit's `class_weight`, applied to each batch's `y`."""

    def __init__(self, source, class_weight):
        self.source, self.class_weight = source, class_weight

    def __iter__(self):
        return iter(self.source)


def _ran_out():
    warnings.warn(
        "Your input ran out of data; interrupting training. Make sure that your dataset or "
        "generator can generate at least `steps_per_epoch * epochs` batches. You may need to "
        "use the `.repeat()` function when building your dataset.", stacklevel=4)


def batch_size_of(batch):
    return int(np.shape(leaves(batch[0])[0])[0])


def stack_batches(batches):
    """K same-shaped batches -> one pytree with a leading K axis: NumPy for host batches, one
    compiled stack on the device for batches already there (never a round trip to the host)."""
    if any(isinstance(a, jax.Array) for a in leaves(batches[0])):
        return _stack_on_device(batches)
    return map_structure_multi(lambda *a: np.stack(a), batches)


@jax.jit
def _stack_on_device(batches):
    return map_structure_multi(lambda *a: jax.numpy.stack(a), batches)


def map_structure_multi(fn, trees):
    first = trees[0]
    if first is None:
        return None
    if isinstance(first, dict):
        return {k: map_structure_multi(fn, [t[k] for t in trees]) for k in first}
    if isinstance(first, (list, tuple)) and not _is_array(first):
        return type(first)(map_structure_multi(fn, [t[i] for t in trees])
                           for i in range(len(first)))
    return fn(*trees)


def same_signature(a, b):
    sa = [(np.shape(v), np.result_type(v)) for v in leaves(a)]
    sb = [(np.shape(v), np.result_type(v)) for v in leaves(b)]
    return sa == sb and _structure(a) == _structure(b)


def _structure(tree):
    return jax.tree_util.tree_structure(map_structure(lambda a: 0, tree))


