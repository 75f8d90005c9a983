"""Shapes and example inputs: what `init` accepts (arrays or shapes) and what `build` receives."""
import warnings

import jax
import jax.numpy as jnp
import numpy as np


def is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in value) and not (
        isinstance(value, list) and len(value) == 0)


def batch_input_shape(input_shape, input_dim, batch_input_shape, batch_size, layer):
    """Resolve the Keras first-layer arguments to one batch shape (or None)."""
    given = [a is not None for a in (input_shape, input_dim, batch_input_shape)]
    if sum(given) > 1:
        raise ValueError(f"Layer '{type(layer).__name__}': pass only one of input_shape, input_dim "
                         "and batch_input_shape.")
    if input_dim is not None:
        input_shape = (input_dim,)
    if input_shape is not None:  # Keras 3's advice (the argument still works)
        warnings.warn("Do not pass an `input_shape`/`input_dim` argument to a layer. When using "
                      "Sequential models, prefer using an `Input(shape)` object as the first "
                      "layer in the model instead.", stacklevel=4)
    if isinstance(input_shape, (int, np.integer)):
        input_shape = (input_shape,)
    if input_shape is not None:
        if not is_shape(input_shape):
            raise ValueError(f"input_shape must be a tuple of integers. Received: {input_shape!r}")
        return (batch_size,) + tuple(input_shape)
    if batch_input_shape is not None:
        if not is_shape(batch_input_shape):
            raise ValueError(f"batch_input_shape must be a tuple. Received: {batch_input_shape!r}")
        return tuple(batch_input_shape)
    return None


def _example(value):
    if isinstance(value, jax.ShapeDtypeStruct):
        return jnp.zeros(value.shape, value.dtype)
    if is_shape(value):
        return jnp.zeros(tuple(1 if d is None else int(d) for d in value), jnp.float32)
    if isinstance(value, (list, tuple)):
        return type(value)(_example(v) for v in value)
    if isinstance(value, dict):
        return {k: _example(v) for k, v in value.items()}
    return to_array(value)


def examples(inputs):
    """Turn `init`'s inputs (arrays, shapes, ShapeDtypeStructs, nested) into example arrays."""
    return tuple(_example(v) for v in inputs)


def shape_structure(value):
    return jax.tree_util.tree_map(lambda a: tuple(np.shape(a)), value)


def to_array(value):
    if isinstance(value, np.ndarray):
        return jnp.asarray(value)
    return value


def with_batch_none(shape):
    return (None,) + tuple(shape[1:]) if len(shape) else tuple(shape)


def adjust_rank(value, expected_shape):
    """Keras 3's input rank adjustment for models with declared inputs: a value one rank short of
    an input whose last dimension is 1 gets that axis (a 1-D pandas Series fed to
    `Input(shape=(1,))`), one with an extra trailing axis of 1 loses it. Other ranks are left for
    the caller's shape check."""
    got = np.ndim(value)
    if expected_shape is None or got == len(expected_shape):
        return value
    if got == len(expected_shape) - 1 and expected_shape[-1] == 1:
        return jnp.expand_dims(value, -1)
    if got == len(expected_shape) + 1 and np.shape(value)[-1] == 1:
        return jnp.squeeze(value, -1)
    return value
