"""Keras 3 losses as pure jnp functions plus thin Loss objects.

Numerics follow tf.keras (Keras 3, TensorFlow backend): probabilities are clipped to
[1e-7, 1 - 1e-7], categorical crossentropy renormalises probabilities first, sparse
crossentropy applies a log-softmax to log(clip(p)), and logits use the stable forms of
`tf.nn.*_cross_entropy_with_logits`. Everything works under jit / grad / vmap.
"""
import re
import warnings

import jax
import jax.numpy as jnp

EPSILON = 1e-7
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def to_snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _shape(s):
    return tuple(None if d is None else int(d) for d in s)


def align_shapes(s1, s2, expand_rank_1=True):
    """Keras's `squeeze_or_expand_to_same_rank` on shape tuples: fix a rank gap of one
    caused by a trailing 1 (e.g. labels (N,) against predictions (N, 1))."""
    s1, s2 = _shape(s1), _shape(s2)
    if len(s1) == len(s2) + 1 and s1[-1] == 1:
        return (s1, s2 + (1,)) if len(s2) == 1 and expand_rank_1 else (s1[:-1], s2)
    if len(s2) == len(s1) + 1 and s2[-1] == 1:
        return (s1 + (1,), s2) if len(s1) == 1 and expand_rank_1 else (s1, s2[:-1])
    return s1, s2


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    s1, s2 = align_shapes(x1.shape, x2.shape, expand_rank_1)
    return x1.reshape(s1), x2.reshape(s2)


def _divide_no_nan(a, b):
    safe = jnp.where(b == 0, jnp.ones_like(b), b)  # keeps the gradient finite too
    return jnp.where(b == 0, jnp.zeros_like(a), a / safe)


# ----------------------------------------------------------------------------- shape checks
def _shape_error(name, expected, t, p, hint=""):
    return ValueError(
        f"In loss {name}, expected {expected}. Received: y_true.shape={t}, "
        f"y_pred.shape={p}." + (f" {hint}" if hint else ""))


def _dims_match(a, b, broadcast=False):
    if len(a) != len(b) and not broadcast:
        return False
    for x, y in zip(reversed(a), reversed(b)):
        if x is not None and y is not None and x != y and not (broadcast and 1 in (x, y)):
            return False
    return True


_SPARSE_HINT = ("If y_true holds integer class labels, use SparseCategoricalCrossentropy "
                "(loss='sparse_categorical_crossentropy') for integer labels, or one-hot "
                "encode them.")


def _looks_sparse(t, p):
    return len(p) >= 1 and p[-1] not in (None, 1) and (
        len(t) == len(p) - 1 or (len(t) == len(p) and t[-1] == 1))


def check_regression_shapes(name, t, p):
    t, p = align_shapes(t, p)
    if not _dims_match(t, p, broadcast=True):
        raise _shape_error(name, "y_true and y_pred to have the same (or broadcastable) shape",
                           t, p, _SPARSE_HINT if _looks_sparse(t, p) else "")


def check_crossentropy_shapes(name, t, p, categorical):
    t0, p0 = _shape(t), _shape(p)
    t, p = align_shapes(t0, p0)
    if categorical and len(p) and p[-1] == 1:
        warnings.warn(f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={p}. Consider using "
                      "'binary_crossentropy' if you only have 2 classes.", stacklevel=3)
    if not _dims_match(t, p):
        kind = "one-hot " if categorical else ""
        raise _shape_error(name, f"y_true ({kind}targets) and y_pred to have the same shape",
                           t0, p0, _SPARSE_HINT if _looks_sparse(t0, p0) else "")


def check_sparse_shapes(name, t, p):
    t0, p0 = _shape(t), _shape(p)
    if len(p0) < 1:
        raise _shape_error(name, "y_pred of rank >= 1 (batch_size, num_classes)", t0, p0)
    t, p = align_shapes(t0, p0)
    if len(t) == len(p) and t[-1] == 1:
        t = t[:-1]
    if len(t) != len(p) - 1 or not _dims_match(t, p[:-1]):
        hint = ""
        if len(t0) == len(p0) and t0[-1] is not None and t0[-1] > 1:
            hint = ("y_true looks one-hot encoded: use CategoricalCrossentropy "
                    "(loss='categorical_crossentropy') for one-hot labels, or pass "
                    "integer labels (argmax).")
        raise _shape_error(
            name, f"y_true to hold integer class indices of shape {p0[:-1]} or "
            f"{p0[:-1] + (1,)} for y_pred of shape (..., num_classes)", t0, p0, hint)


# ----------------------------------------------------------------------------- functions
def _prep(y_true, y_pred, name=None):
    """Cast y_true to y_pred's float dtype and align ranks (checking shapes if `name`)."""
    y_pred = jnp.asarray(y_pred)
    if not jnp.issubdtype(y_pred.dtype, jnp.floating):
        y_pred = y_pred.astype(jnp.float32)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    if name:
        check_regression_shapes(name, y_true.shape, y_pred.shape)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred, "mean_squared_error")
    return jnp.mean(jnp.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred, "mean_absolute_error")
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred, "mean_absolute_percentage_error")
    diff = jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), EPSILON))
    return 100.0 * jnp.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred, "mean_squared_logarithmic_error")
    first = jnp.log(jnp.maximum(y_pred, EPSILON) + 1.0)
    second = jnp.log(jnp.maximum(y_true, EPSILON) + 1.0)
    return jnp.mean(jnp.square(first - second), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _prep(y_true, y_pred, "huber_loss")
    delta = jnp.asarray(delta, y_pred.dtype)
    err = y_pred - y_true
    abs_err = jnp.abs(err)
    return jnp.mean(jnp.where(abs_err <= delta, 0.5 * jnp.square(err),
                              delta * abs_err - 0.5 * jnp.square(delta)), axis=-1)


@jax.custom_jvp
def _sigmoid_xent(logits, labels):
    # Same op order as tf.nn.sigmoid_cross_entropy_with_logits, so tiny losses keep
    # their digits; the custom jvp gives the true gradient at logits == 0.
    return (jnp.maximum(logits, 0) - logits * labels) + jnp.log1p(jnp.exp(-jnp.abs(logits)))


@_sigmoid_xent.defjvp
def _sigmoid_xent_jvp(primals, tangents):
    x, z = primals
    dx, dz = tangents
    return _sigmoid_xent(x, z), (jax.nn.sigmoid(x) - z) * dx - x * dz


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    check_crossentropy_shapes("binary_crossentropy", jnp.shape(y_true), jnp.shape(y_pred), False)
    y_true, y_pred = _prep(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        bce = _sigmoid_xent(y_pred, y_true)
    else:
        p = jnp.clip(y_pred, EPSILON, 1.0 - EPSILON)
        bce = -(y_true * jnp.log(p) + (1 - y_true) * jnp.log(1 - p))
    return jnp.mean(bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    if isinstance(axis, bool):
        raise ValueError(
            f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    check_crossentropy_shapes("categorical_crossentropy", y_true.shape, y_pred.shape, True)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if label_smoothing:  # Keras smooths over the LAST axis whatever `axis` is
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        return -jnp.sum(y_true * jax.nn.log_softmax(y_pred, axis=axis), axis=axis)
    p = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    p = jnp.clip(p, EPSILON, 1.0 - EPSILON)
    return -jnp.sum(y_true * jnp.log(p), axis=axis)


def _sparse_xent(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Per-sample values and the valid mask (None without ignore_class)."""
    y_pred, y_true = jnp.asarray(y_pred), jnp.asarray(y_true)
    if axis not in (-1, y_pred.ndim - 1):
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    check_sparse_shapes("sparse_categorical_crossentropy", y_true.shape, y_pred.shape)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if y_true.ndim == y_pred.ndim:
        y_true = y_true[..., 0]
    labels = y_true.astype(jnp.int32)
    mask = None
    if ignore_class is not None:
        mask = labels != ignore_class
        labels = jnp.where(mask, labels, 0)
        y_pred = jnp.where(mask[..., None], y_pred, 0)
    # TF treats log(clip(p)) as logits, i.e. log-softmax renormalises the clipped p.
    logits = y_pred if from_logits else jnp.log(jnp.clip(y_pred, EPSILON, 1 - EPSILON))
    logp = jax.nn.log_softmax(logits, axis=-1)
    n = y_pred.shape[-1]
    valid = (labels >= 0) & (labels < n)
    picked = jnp.take_along_axis(logp, jnp.clip(labels, 0, n - 1)[..., None], axis=-1)[..., 0]
    res = jnp.where(valid, -picked, jnp.nan)  # out-of-range labels give NaN as TF on GPU
    if mask is not None:
        res = jnp.where(mask, res, 0.0)
    return res, mask


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    return _sparse_xent(y_true, y_pred, from_logits, ignore_class, axis)[0]


_CHECKS = {
    mean_squared_error: check_regression_shapes, mean_absolute_error: check_regression_shapes,
    mean_absolute_percentage_error: check_regression_shapes,
    mean_squared_logarithmic_error: check_regression_shapes, huber: check_regression_shapes,
    binary_crossentropy: lambda n, t, p: check_crossentropy_shapes(n, t, p, False),
    categorical_crossentropy: lambda n, t, p: check_crossentropy_shapes(n, t, p, True),
    sparse_categorical_crossentropy: check_sparse_shapes}
_CROSSENTROPIES = (binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy)


def call_with_mask(fn, y_true, y_pred, logits=None, **kwargs):
    """`fn(y_true, y_pred, **kwargs)` and the mask sparse CE's ignore_class leaves (or None).

    `logits`: the pre-activation values when y_pred came out of a softmax/sigmoid. tf.keras
    (TF backend) keeps them on the tensor (`_keras_logits`) and its crossentropies then use
    them with from_logits=True (whatever the activation was: softmax + BCE gets sigmoid BCE
    of the softmax's inputs) -- no clipping, so saturated outputs still get a gradient."""
    if logits is not None and fn in _CROSSENTROPIES:
        y_pred, kwargs = logits, {**kwargs, "from_logits": True}
    if fn is sparse_categorical_crossentropy:
        return _sparse_xent(y_true, y_pred, **kwargs)
    return fn(y_true, y_pred, **kwargs), None


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
bce = BCE = binary_crossentropy


# ----------------------------------------------------------------------------- reduction
def apply_mask(sample_weight, mask, reduction):
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        # valid entries get weight total/valid so the later /total becomes /valid
        fmask = mask.astype(jnp.float32)
        w = jnp.where(mask, _divide_no_nan(jnp.float32(mask.size), jnp.sum(fmask)), 0.0)
    else:
        w = mask.astype(jnp.float32)
    if sample_weight is None:
        return w
    w, sample_weight = squeeze_or_expand_to_same_rank(w, sample_weight)
    return sample_weight * w


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    loss = jnp.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = jnp.sum(sample_weight).astype(loss.dtype)
    else:
        divisor = jnp.asarray(values.size, loss.dtype)
    return _divide_no_nan(loss, divisor)


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=jnp.float32):
    reduction = standardize_reduction(reduction)
    values = jnp.asarray(values, dtype)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, dtype)
    sample_weight = apply_mask(sample_weight, mask, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError("Invalid value for argument `reduction`. Expected one of "
                         f"{set(REDUCTIONS)}. Received: reduction={reduction}")
    return reduction


# ----------------------------------------------------------------------------- classes
class Loss:
    """Base class. `call` gives per-sample values, `__call__` the reduced scalar."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = jnp.dtype(dtype or "float32").name

    def call(self, y_true, y_pred):
        raise TypeError(f"Loss subclass {type(self).__name__} must implement `call(y_true, y_pred)` returning per-sample losses.")

    def _call_with_mask(self, y_true, y_pred, logits=None):
        return self.call(y_true, y_pred), None

    def _cast_true(self, y_true):
        return jnp.asarray(y_true, self.dtype)

    def __call__(self, y_true, y_pred, sample_weight=None, logits=None):
        """Reduced loss. `logits`: see `call_with_mask` (crossentropies only)."""
        y_pred = jnp.asarray(y_pred, self.dtype)
        if logits is not None:
            logits = jnp.asarray(logits, self.dtype)
        values, mask = self._call_with_mask(self._cast_true(y_true), y_pred, logits)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction, self.dtype)

    def check_shapes(self, y_true_shape, y_pred_shape):
        """Raise a ValueError (before any trace) if y_true cannot match y_pred."""

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """Wraps `fn(y_true, y_pred, **kwargs)`; Keras aligns ranks before calling it."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name or to_snake_case(getattr(fn, "__name__", type(fn).__name__)),
                         reduction, dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self._call_with_mask(y_true, y_pred)[0]

    def _call_with_mask(self, y_true, y_pred, logits=None):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if logits is not None:
            logits = logits.reshape(y_pred.shape)
        return call_with_mask(self.fn, y_true, y_pred, logits, **self._fn_kwargs)

    def check_shapes(self, y_true_shape, y_pred_shape):
        check = _CHECKS.get(self.fn)  # only our own functions are known; others pass
        if check is not None:
            check(self.name, _shape(y_true_shape), _shape(y_pred_shape))

    def get_config(self):
        return {**super().get_config(), "fn": getattr(self.fn, "__name__", repr(self.fn)),
                **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn")
        return cls(_FUNCTIONS[fn] if isinstance(fn, str) else fn, **config)


class _Builtin(LossFunctionWrapper):
    _args = ()  # constructor arguments that go into get_config

    def __init__(self, fn, reduction, name, dtype, **kwargs):
        super().__init__(fn, reduction, name, dtype, **kwargs)
        for k in self._args:
            setattr(self, k, kwargs[k])

    def get_config(self):
        return {**Loss.get_config(self), **{k: getattr(self, k) for k in self._args}}

    from_config = classmethod(Loss.from_config.__func__)


class MeanSquaredError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class Huber(_Builtin):
    # Keras's Huber.get_config drops `delta`; we keep it so from_config round-trips.
    _args = ("delta",)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, reduction, name, dtype, delta=delta)


class BinaryCrossentropy(_Builtin):
    _args = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(_Builtin):
    _args = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_Builtin):
    _args = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.axis = axis

    def _cast_true(self, y_true):
        return jnp.asarray(y_true)  # integer labels stay integers


# ----------------------------------------------------------------------------- lookup
# (class, its function, extra strings). Keras 3 accepts class names, function names and
# the short aliases; "huber_loss" (Huber's default name) is our addition.
_TABLE = [
    (MeanSquaredError, mean_squared_error, ("mse", "MSE")),
    (MeanAbsoluteError, mean_absolute_error, ("mae", "MAE")),
    (MeanAbsolutePercentageError, mean_absolute_percentage_error, ("mape", "MAPE")),
    (MeanSquaredLogarithmicError, mean_squared_logarithmic_error, ("msle", "MSLE")),
    (Huber, huber, ("huber_loss",)),
    (BinaryCrossentropy, binary_crossentropy, ("bce", "BCE")),
    (CategoricalCrossentropy, categorical_crossentropy, ()),
    (SparseCategoricalCrossentropy, sparse_categorical_crossentropy, ()),
]
_STRINGS = {k: cls for cls, fn, extra in _TABLE for k in (cls.__name__, fn.__name__, *extra)}
_FUNCTIONS = {fn.__name__: fn for _, fn, _ in _TABLE}


def _unknown(identifier):
    return ValueError(f"Could not interpret loss identifier: {identifier!r}. "
                      f"Valid names: {sorted(_STRINGS)}")


def get(identifier):
    """A Loss instance from a string, config dict, Loss, Loss class or callable."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in _STRINGS:
            raise _unknown(identifier)
        return _STRINGS[identifier]()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    for cls, fn, _ in _TABLE:  # Keras's own functions become their classes
        if identifier is fn:
            return cls()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise _unknown(identifier)


def serialize(loss):
    """Keras's `serialize_keras_object` layout."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    return {"module": "builtins", "class_name": "function", "config": loss.__name__,
            "registered_name": "function"}


def deserialize(config, custom_objects=None):
    custom = custom_objects or {}
    if isinstance(config, str):
        return get(custom.get(config, config))
    if config.get("class_name") == "function":
        name = config["config"]
        return custom.get(name) or _FUNCTIONS[name]
    name = config["class_name"]
    classes = {**{c.__name__: c for c, _, _ in _TABLE}, "LossFunctionWrapper": LossFunctionWrapper}
    cls = custom.get(name) or classes.get(name)
    if cls is None:
        raise _unknown(name)
    return cls.from_config(config.get("config", {}))
