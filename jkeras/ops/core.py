"""`keras.ops` core ops: tensors, casts, control flow and scatter/slice on jax.lax.

Control flow follows Keras's JAX backend: `cond`, `scan`, `while_loop`, `fori_loop`, `switch`,
`map`, `associative_scan` are the jax.lax primitives with Keras's argument names, so they trace
under `jit` and differentiate (where JAX does).
"""
import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np

from jkeras.core import config
from jkeras.core.variable import Variable

__all__ = ["associative_scan", "cast", "cond", "convert_to_numpy", "convert_to_tensor",
           "custom_gradient", "dtype", "fori_loop", "is_tensor", "map", "saturate_cast", "scan",
           "scatter", "scatter_update", "shape", "slice", "slice_update", "stop_gradient",
           "switch", "unstack", "vectorized_map", "while_loop"]


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """A jax array from `x` (array, Variable, NumPy array or Python values), cast to `dtype`."""
    if ragged:
        raise ValueError("`ragged=True` is not supported with jax backend")
    if sparse:
        raise ValueError("`sparse=True` is not supported by jkeras: tensors are dense.")
    if dtype is not None:
        dtype = config.standardize_dtype(dtype)
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, jax.Array) and (dtype is None or x.dtype == dtype):
        return x
    if dtype == "bfloat16" and not isinstance(x, jax.Array):
        return jnp.asarray(x).astype(dtype)
    return jnp.asarray(x, dtype=dtype)


def convert_to_numpy(x):
    """`x` as a NumPy array (bfloat16 kept as ml_dtypes.bfloat16)."""
    if isinstance(x, Variable):
        x = x.value
    if is_tensor(x) and x.dtype == jnp.bfloat16:
        return np.array(x, dtype=ml_dtypes.bfloat16)
    return np.array(x)


def is_tensor(x):
    """True for a jax array (the tensor type of this backend)."""
    return isinstance(x, jax.Array)


def shape(x):
    """The shape of `x` as a tuple."""
    if isinstance(x, Variable):
        return x.shape
    return tuple(jnp.shape(x))


def dtype(x):
    """The dtype name of `x` (`'float32'`, ...)."""
    return config.standardize_dtype(x.dtype)


def cast(x, dtype):
    """`x` converted to `dtype`."""
    return convert_to_tensor(x, dtype=config.standardize_dtype(dtype))


def _limits(dtype):
    if dtype == "bool":
        return 0, 1
    info = ml_dtypes.iinfo(dtype) if "int" in dtype else ml_dtypes.finfo(dtype)
    return info.min, info.max


def saturate_cast(x, dtype):
    """Cast with clipping to the target dtype's range (no integer overflow)."""
    dtype = config.standardize_dtype(dtype)
    x = convert_to_tensor(x)
    in_dtype = config.standardize_dtype(x.dtype)
    (in_min, in_max), (out_min, out_max) = _limits(in_dtype), _limits(dtype)
    # The limits may not be representable in the input dtype: nudge them inside the range.
    low = np.maximum(in_min, out_min).astype(in_dtype)
    if low < out_min:
        low = np.nextafter(low, 0, dtype=in_dtype)
    high = np.minimum(in_max, out_max).astype(in_dtype)
    if high > out_max:
        high = np.nextafter(high, 0, dtype=in_dtype)
    return cast(jnp.clip(x, low, high), dtype)


def stop_gradient(variable):
    """`variable` with its gradient stopped."""
    if isinstance(variable, Variable):
        variable = variable.value
    return jax.lax.stop_gradient(variable)


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()` (jax.lax.cond)."""
    return jax.lax.cond(pred, true_fn, false_fn)


def switch(index, branches, *operands):
    """`branches[index](*operands)` (jax.lax.switch; `index` clamped to the range)."""
    return jax.lax.switch(index, branches, *operands)


def vectorized_map(function, elements):
    """`function` mapped over the leading axis of `elements` (jax.vmap)."""
    return jax.vmap(function)(elements)


def map(f, xs):
    """`f` applied to each slice of `xs` along the leading axis (jax.lax.map)."""
    return jax.lax.map(f, xs)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`(carry, ys)` from `f(carry, x) -> (carry, y)` over `xs` (jax.lax.scan)."""
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError("`unroll` must be an positive integer or boolean. "
                         f"Received: unroll={unroll}")
    return jax.lax.scan(f, init=init, xs=xs, length=length, reverse=reverse, unroll=unroll)


def associative_scan(f, elems, reverse=False, axis=0):
    """Parallel prefix scan with the associative `f` (jax.lax.associative_scan)."""
    return jax.lax.associative_scan(f, elems, reverse, axis)


def scatter(indices, values, shape):
    """A zeros tensor of `shape` with `values` added at `indices` (last axis indexes)."""
    values = convert_to_tensor(values)
    indices = convert_to_tensor(indices)
    zeros = jnp.zeros(shape, values.dtype)
    return zeros.at[tuple(jnp.moveaxis(indices, -1, 0))].add(values)


def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with `updates` written (or reduced: add/max/min/mul) at `indices`."""
    inputs = convert_to_tensor(inputs)
    idx = tuple(jnp.transpose(jnp.asarray(indices)))
    at = inputs.at[idx]
    methods = {None: at.set, "add": at.add, "max": at.max, "min": at.min, "mul": at.multiply}
    if reduction not in methods:
        raise ValueError(f"Invalid reduction: {reduction}. Supported values are: None, 'add', "
                         "'max', 'min', 'mul'.")
    return methods[reduction](updates)


def slice(inputs, start_indices, shape):
    """The block of `shape` at `start_indices` (-1 in `shape`: to the end of that axis)."""
    inputs = convert_to_tensor(inputs)
    final = tuple(inputs.shape[i] - start_indices[i] if s == -1 else s
                  for i, s in enumerate(shape))
    return jax.lax.dynamic_slice(inputs, start_indices, final)


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates`."""
    inputs = convert_to_tensor(inputs)
    return jax.lax.dynamic_update_slice(inputs, convert_to_tensor(updates), start_indices)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` (jax.lax.while_loop)."""
    is_tuple = isinstance(loop_vars, (tuple, list))
    loop_vars = tuple(loop_vars) if is_tuple else (loop_vars,)

    def as_tuple(out):
        return tuple(out) if is_tuple else (out,)

    if maximum_iterations is None:
        out = jax.lax.while_loop(lambda a: cond(*a), lambda a: as_tuple(body(*a)), loop_vars)
    else:
        out = jax.lax.while_loop(
            lambda a: cond(*a[:-1]) & (a[-1] < maximum_iterations),
            lambda a: as_tuple(body(*a[:-1])) + (a[-1] + 1,), loop_vars + (0,))[:-1]
    return out if is_tuple else out[0]


def fori_loop(lower, upper, body_fun, init_val):
    """`init_val` through `body_fun(i, val)` for i in [lower, upper) (jax.lax.fori_loop)."""
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list."""
    x = convert_to_tensor(x)
    return [jax.lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis])]


def custom_gradient(f):
    """Decorator: `f` returns `(output, grad_fn)`; `grad_fn(*upstream)` gives input gradients."""
    wrapped = jax.custom_gradient(f)

    def call(*args, **kwargs):
        args, kwargs = jax.tree_util.tree_map(
            lambda v: v.value if isinstance(v, Variable) else v, (args, kwargs))
        return wrapped(*args, **kwargs)
    return call
