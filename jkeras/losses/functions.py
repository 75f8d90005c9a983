"""Per-sample loss functions (Keras 3 numerics, tf.keras's clipping and logits forms)."""
import jax
import jax.numpy as jnp
from jkeras.losses.shapes import (  # noqa: F401
    check_crossentropy_shapes, check_regression_shapes, check_sparse_shapes,
    squeeze_or_expand_to_same_rank)


EPSILON = 1e-7


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
_CROSSENTROPIES = [binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy]


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
