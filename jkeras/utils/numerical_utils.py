"""`to_categorical` and `normalize` (`keras.utils`)."""
import jax
import jax.numpy as jnp
import numpy as np


class LabelOutOfRangeError(ValueError, IndexError):
    """A class label outside `[0, num_classes)` (an IndexError too, as NumPy's in Keras)."""


def to_categorical(x, num_classes=None):
    """Converts a class vector (integers) to a binary class matrix (one-hot, class axis last).

    Args:
        x: Array-like with class values from 0 to `num_classes - 1`. A trailing axis of size 1
            is dropped first.
        num_classes: Total number of classes; `max(x) + 1` when None.

    Returns:
        A float64 NumPy array for NumPy / list input (as Keras); a float32 `jax.Array` for a
        `jax.Array` input (`jax.nn.one_hot`, as Keras's JAX backend).
    """
    if isinstance(x, jax.Array):
        if x.ndim > 1 and x.shape[-1] == 1:
            x = jnp.reshape(x, x.shape[:-1])
        if num_classes is None:
            raise ValueError("`num_classes` is required for a jax.Array input (its labels may "
                             "not be concrete). Received: num_classes=None")
        return jax.nn.one_hot(x, int(num_classes))
    x = np.array(x, dtype="int64")
    input_shape = x.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    x = x.reshape(-1)
    if not num_classes:
        if x.size == 0:
            raise ValueError("Cannot infer `num_classes` from an empty `x`. Pass `num_classes`.")
        num_classes = int(np.max(x)) + 1
    bad = np.flatnonzero((x < 0) | (x >= num_classes))
    if bad.size:
        i = int(bad[0])
        raise LabelOutOfRangeError(
            f"Invalid class label {int(x[i])} at (flattened) index {i} of `x`: labels must be "
            f"integers in [0, num_classes={num_classes}). Received {bad.size} label(s) out of "
            "range.")
    categorical = np.zeros((x.shape[0], num_classes))
    categorical[np.arange(x.shape[0]), x] = 1
    return np.reshape(categorical, input_shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Normalizes an array to unit `order`-norm along `axis` (zero vectors stay zero).

    A NumPy array in gives a NumPy array out; anything else a `jax.Array` (as Keras's
    `ops.nn.normalize`: `x / max(norm, 1e-7)`).
    """
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        axis = -1 if axis is None else axis  # (Keras's `axis or -1` breaks axis=0)
        return x / np.expand_dims(norm, axis)
    if not isinstance(order, int) or not order >= 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype("float32")
    if x.ndim == 0:
        x = x[None]
    epsilon = 1e-7  # Keras's backend.epsilon()
    if order == 2:
        inv_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        return x * jnp.minimum(inv_norm, 1.0 / epsilon)
    norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(norm, epsilon)
