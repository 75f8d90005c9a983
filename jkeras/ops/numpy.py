"""The NumPy-style ops of `keras.ops` on jax.numpy, with Keras's dtype rules.

Most ops are jax.numpy itself after `convert_to_tensor`; where Keras differs (integer inputs of
transcendental functions become floatx, `mean`/`var` accumulate in float32, window functions
return floatx, ...) the difference is spelled out here.
"""
import builtins
import math as _math

import jax
import jax.numpy as jnp

from jkeras.core import config
from jkeras.ops.core import cast, convert_to_tensor

_t = convert_to_tensor

__all__ = ["abs", "absolute", "add", "all", "allclose", "amax", "amin", "angle", "any", "append",
           "arange", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
           "argmax", "argmin", "argpartition", "argsort", "array", "array_split", "average",
           "bartlett", "bincount", "bitwise_and", "bitwise_invert", "bitwise_left_shift",
           "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "blackman",
           "broadcast_to", "cbrt", "ceil", "clip", "concatenate", "conj", "conjugate", "copy",
           "corrcoef", "correlate", "cos", "cosh", "count_nonzero", "cross", "cumprod", "cumsum",
           "deg2rad", "diag", "diagflat", "diagonal", "diff", "digitize", "divide",
           "divide_no_nan", "dot", "dsplit", "dstack", "einsum", "empty", "empty_like", "equal",
           "exp", "exp2", "expand_dims", "expm1", "eye", "fabs", "flip", "fliplr", "flipud",
           "floor", "floor_divide", "fmax", "fmin", "fmod", "full", "full_like", "gcd",
           "geomspace", "get_item", "greater", "greater_equal", "hamming", "hanning", "heaviside",
           "histogram", "hsplit", "hstack", "hypot", "i0", "identity", "imag", "inner", "isclose",
           "isfinite", "isin", "isinf", "isnan", "isneginf", "isposinf", "isreal", "kaiser",
           "kron", "lcm", "ldexp", "left_shift", "less", "less_equal", "linspace", "log", "log10",
           "log1p", "log2", "logaddexp", "logaddexp2", "logical_and", "logical_not", "logical_or",
           "logical_xor", "logspace", "matmul", "max", "maximum", "mean", "median", "meshgrid",
           "min", "minimum", "mod", "moveaxis", "multiply", "nan_to_num", "nanargmax", "nanargmin",
           "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian", "nanmin", "nanpercentile",
           "nanprod", "nanquantile", "nanstd", "nansum", "nanvar", "ndim", "negative", "nextafter",
           "nonzero", "not_equal", "ones", "ones_like", "outer", "pad", "percentile", "power",
           "prod", "ptp", "quantile", "rad2deg", "ravel", "real", "reciprocal", "repeat",
           "reshape", "right_shift", "roll", "rot90", "round", "searchsorted", "select", "sign",
           "signbit", "sin", "sinc", "sinh", "size", "slogdet", "sort", "split", "sqrt", "square",
           "squeeze", "stack", "std", "subtract", "sum", "swapaxes", "take", "take_along_axis",
           "tan", "tanh", "tensordot", "tile", "trace", "transpose", "trapezoid", "tri", "tril",
           "triu", "true_divide", "trunc", "unique", "unravel_index", "vander", "var", "vdot",
           "vectorize", "view", "vsplit", "vstack", "where", "zeros", "zeros_like"]


def _dt(x):
    return config.standardize_dtype(x.dtype)


def _to_float(x):
    """Integer and bool tensors become floatx (Keras's rule for transcendental functions)."""
    x = _t(x)
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(config.floatx())


def _floats(*xs):
    """All operands cast to `result_type(*dtypes, float)`."""
    xs = [_t(x) for x in xs]
    dtype = config.result_type(*[x.dtype for x in xs], float)
    return [x.astype(dtype) for x in xs]


def _named(fn, name, doc):
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _unary(name, jfn, to_float=False):
    def op(x):
        return jfn(_to_float(x) if to_float else _t(x))
    return _named(op, name, f"Element-wise `{name}` (jax.numpy.{jfn.__name__}).")


def _binary(name, jfn, to_float=False):
    def op(x1, x2):
        if to_float:
            return jfn(*_floats(x1, x2))
        return jfn(_t(x1), _t(x2))
    return _named(op, name, f"Element-wise `{name}` of `x1` and `x2` (jax.numpy.{jfn.__name__}).")


def _passthrough(name, jfn):
    def op(x):
        return jfn(_t(x))
    return _named(op, name, f"`{name}` of `x` (jax.numpy.{jfn.__name__}).")


# ---- element-wise, one operand --------------------------------------------------------------
absolute = _unary("absolute", jnp.absolute)
abs = _unary("abs", jnp.absolute)
arccos = _unary("arccos", jnp.arccos, True)
arccosh = _unary("arccosh", jnp.arccosh, True)
arcsin = _unary("arcsin", jnp.arcsin, True)
arcsinh = _unary("arcsinh", jnp.arcsinh, True)
arctan = _unary("arctan", jnp.arctan, True)
arctanh = _unary("arctanh", jnp.arctanh, True)
angle = _unary("angle", jnp.angle, True)
bitwise_invert = _unary("bitwise_invert", jnp.invert)
bitwise_not = _unary("bitwise_not", jnp.invert)
cbrt = _unary("cbrt", jnp.cbrt)
ceil = _unary("ceil", jnp.ceil, True)
conjugate = _unary("conjugate", jnp.conjugate)
conj = _unary("conj", jnp.conjugate)
cos = _unary("cos", jnp.cos, True)
cosh = _unary("cosh", jnp.cosh, True)
deg2rad = _unary("deg2rad", jnp.deg2rad)
rad2deg = _unary("rad2deg", jnp.rad2deg)
exp = _unary("exp", jnp.exp, True)
exp2 = _unary("exp2", jnp.exp2, True)
expm1 = _unary("expm1", jnp.expm1, True)
floor = _unary("floor", jnp.floor, True)
imag = _unary("imag", jnp.imag)
real = _unary("real", jnp.real)
isfinite = _unary("isfinite", jnp.isfinite)
isinf = _unary("isinf", jnp.isinf)
isnan = _unary("isnan", jnp.isnan)
isneginf = _unary("isneginf", jnp.isneginf)
isposinf = _unary("isposinf", jnp.isposinf)
isreal = _unary("isreal", jnp.isreal)
log = _unary("log", jnp.log)
log10 = _unary("log10", jnp.log10)
log1p = _unary("log1p", jnp.log1p)
log2 = _unary("log2", jnp.log2)
logical_not = _unary("logical_not", jnp.logical_not)
negative = _unary("negative", jnp.negative)
sign = _unary("sign", jnp.sign)
signbit = _unary("signbit", jnp.signbit)
sin = _unary("sin", jnp.sin, True)
sinc = _unary("sinc", jnp.sinc, True)
sinh = _unary("sinh", jnp.sinh, True)
sqrt = _unary("sqrt", jnp.sqrt)
square = _unary("square", jnp.square)
tan = _unary("tan", jnp.tan, True)
tanh = _unary("tanh", jnp.tanh, True)
copy = _passthrough("copy", jnp.copy)
fliplr = _passthrough("fliplr", jnp.fliplr)
flipud = _passthrough("flipud", jnp.flipud)
ravel = _passthrough("ravel", jnp.ravel)
corrcoef = _passthrough("corrcoef", jnp.corrcoef)


def fabs(x):
    """Element-wise absolute value as a float (complex inputs are refused)."""
    x = _t(x)
    if "complex" in _dt(x):
        raise TypeError(f"fabs does not support complex inputs. Received: x.dtype={x.dtype}")
    return jnp.fabs(x)


def reciprocal(x):
    """Element-wise `1 / x`."""
    return jnp.reciprocal(_t(x))


def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    x = _t(x)
    dtype = _dt(x)
    if dtype not in ("bfloat16", "float16", "float64", "int64"):
        dtype = config.floatx()
    return jnp.i0(x.astype(dtype))


def round(x, decimals=0):
    """Round half to even to `decimals` places (negative: tens, hundreds, ...)."""
    x = _t(x)
    dtype = _dt(x)
    if "int" in dtype and decimals < 0:
        factor = jnp.asarray(_math.pow(10, decimals), config.floatx())
        return cast(jnp.round(x.astype(config.floatx()) * factor) / factor, dtype)
    return jnp.round(x, decimals=decimals)


def trunc(x):
    """Round toward zero (integers unchanged)."""
    x = _t(x)
    dtype = _dt(x)
    if "int" in dtype or dtype == "bool":
        return x
    return jnp.trunc(x)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN and infinities by finite numbers."""
    return jnp.nan_to_num(_t(x), nan=nan, posinf=posinf, neginf=neginf)


def clip(x, x_min, x_max):
    """Values of `x` limited to `[x_min, x_max]` (bool inputs become int32)."""
    x = _t(x)
    if _dt(x) == "bool":
        x = x.astype("int32")
    return jnp.clip(x, x_min, x_max)


# ---- element-wise, two operands -------------------------------------------------------------
add = _binary("add", jnp.add)
subtract = _binary("subtract", jnp.subtract)
multiply = _binary("multiply", jnp.multiply)
divide = _binary("divide", jnp.divide)
true_divide = _binary("true_divide", jnp.divide)
floor_divide = _binary("floor_divide", jnp.floor_divide)
power = _binary("power", jnp.power)
mod = _binary("mod", jnp.mod)
fmod = _binary("fmod", jnp.fmod)
maximum = _binary("maximum", jnp.maximum)
minimum = _binary("minimum", jnp.minimum)
fmax = _binary("fmax", jnp.fmax)
fmin = _binary("fmin", jnp.fmin)
equal = _binary("equal", jnp.equal)
not_equal = _binary("not_equal", jnp.not_equal)
greater = _binary("greater", jnp.greater)
greater_equal = _binary("greater_equal", jnp.greater_equal)
less = _binary("less", jnp.less)
less_equal = _binary("less_equal", jnp.less_equal)
logical_and = _binary("logical_and", jnp.logical_and)
logical_or = _binary("logical_or", jnp.logical_or)
logical_xor = _binary("logical_xor", jnp.logical_xor)
arctan2 = _binary("arctan2", jnp.arctan2, True)
logaddexp = _binary("logaddexp", jnp.logaddexp, True)
logaddexp2 = _binary("logaddexp2", jnp.logaddexp2, True)
heaviside = _binary("heaviside", jnp.heaviside)
hypot = _binary("hypot", jnp.hypot)
gcd = _binary("gcd", jnp.gcd)
lcm = _binary("lcm", jnp.lcm)
nextafter = _binary("nextafter", jnp.nextafter)
kron = _binary("kron", jnp.kron)
inner = _binary("inner", jnp.inner)
outer = _binary("outer", jnp.outer)
vdot = _binary("vdot", jnp.vdot)
dot = _binary("dot", jnp.dot)


def bitwise_and(x, y):
    """Element-wise `x & y`."""
    return jnp.bitwise_and(_t(x), _t(y))


def bitwise_or(x, y):
    """Element-wise `x | y`."""
    return jnp.bitwise_or(_t(x), _t(y))


def bitwise_xor(x, y):
    """Element-wise `x ^ y`."""
    return jnp.bitwise_xor(_t(x), _t(y))


def _shift_operand(y):
    return y if isinstance(y, int) else _t(y)


def bitwise_left_shift(x, y):
    """`x << y` element-wise."""
    return jnp.left_shift(_t(x), _shift_operand(y))


def left_shift(x, y):
    """`x << y` element-wise."""
    return bitwise_left_shift(x, y)


def bitwise_right_shift(x, y):
    """`x >> y` element-wise."""
    return jnp.right_shift(_t(x), _shift_operand(y))


def right_shift(x, y):
    """`x >> y` element-wise."""
    return bitwise_right_shift(x, y)


def divide_no_nan(x1, x2):
    """`x1 / x2`, 0 where `x2` is 0."""
    x1, x2 = _t(x1), _t(x2)
    safe = jnp.where(x2 == 0, 1, x2)
    return jnp.where(x2 == 0, 0, jnp.divide(x1, safe))


def ldexp(x1, x2):
    """`x1 * 2 ** x2` (`x2` an integer tensor)."""
    x1, x2 = _t(x1), _t(x2)
    if _dt(x2) not in ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"):
        raise TypeError(f"ldexp exponent must be an integer type. Received: x2 dtype={x2.dtype}")
    return jnp.ldexp(x1, x2)


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Element-wise `|x1 - x2| <= atol + rtol * |x2|`."""
    return jnp.isclose(_t(x1), _t(x2), rtol, atol, equal_nan)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """True when `isclose` holds everywhere."""
    return jnp.allclose(_t(x1), _t(x2), rtol, atol, equal_nan)


def isin(x1, x2, assume_unique=False, invert=False):
    """Element-wise membership of `x1` in `x2`."""
    return jnp.isin(_t(x1), _t(x2), assume_unique=assume_unique, invert=invert)


def matmul(x1, x2):
    """Matrix product (int8 x int8 accumulates in int32, as Keras)."""
    x1, x2 = _t(x1), _t(x2)
    pref = "int32" if _dt(x1) == "int8" and _dt(x2) == "int8" else None
    return jnp.matmul(x1, x2, preferred_element_type=pref)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation (int8 operands accumulate in int32, as Keras)."""
    operands = [_t(x) for x in operands]
    kinds = {_dt(x) for x in operands}
    kwargs["preferred_element_type"] = "int32" if kinds == {"int8"} else None
    return jnp.einsum(subscripts, *operands, **kwargs)


def tensordot(x1, x2, axes=2):
    """Tensor contraction over `axes`."""
    return jnp.tensordot(_t(x1), _t(x2), axes=axes)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of vectors along the given axes."""
    return jnp.cross(_t(x1), _t(x2), axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors."""
    return jnp.correlate(_t(x1), _t(x2), mode)


def where(condition, x1=None, x2=None):
    """`x1` where `condition`, else `x2`; with neither, the indices of True entries."""
    if (x1 is None) != (x2 is None):
        raise ValueError("`x1` and `x2` either both should be `None`"
                         " or both should have non-None value.")
    return jnp.where(condition, x1, x2)


def select(condlist, choicelist, default=0):
    """For each entry, the choice of the first true condition (else `default`)."""
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise ValueError("condlist and choicelist must be lists. Received: "
                         f"type(condlist) = {type(condlist)}, "
                         f"type(choicelist) = {type(choicelist)}")
    if not condlist or not choicelist:
        raise ValueError("condlist and choicelist must not be empty. Received: "
                         f"condlist = {list(condlist)}, choicelist = {list(choicelist)}")
    return jnp.select(list(condlist), list(choicelist), default=default)


# ---- reductions -------------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):
    """Sum over `axis` (all axes when None)."""
    return jnp.sum(_t(x), axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over `axis`."""
    return jnp.prod(_t(x), axis=axis, keepdims=keepdims, dtype=dtype)


def mean(x, axis=None, keepdims=False):
    """Mean over `axis`, accumulated in at least float32; integer inputs give floats."""
    x = _t(x)
    dtype = _dt(x)
    compute = config.result_type(x.dtype, "float32")
    result = compute if ("int" in dtype or dtype == "bool") else dtype
    return cast(jnp.mean(x, axis=axis, keepdims=keepdims, dtype=compute), result)


def var(x, axis=None, keepdims=False):
    """Population variance over `axis`, accumulated in at least float32."""
    x = _t(x)
    compute = config.result_type(x.dtype, "float32")
    return cast(jnp.var(x, axis=axis, keepdims=keepdims, dtype=compute),
                config.result_type(x.dtype, float))


def std(x, axis=None, keepdims=False):
    """Population standard deviation over `axis`."""
    return jnp.std(_t(x), axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over `axis`."""
    return jnp.max(_t(x), axis=axis, keepdims=keepdims, initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over `axis`."""
    return jnp.min(_t(x), axis=axis, keepdims=keepdims, initial=initial)


def amax(x, axis=None, keepdims=False):
    """Maximum over `axis`."""
    return jnp.amax(_t(x), axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    """Minimum over `axis`."""
    return jnp.amin(_t(x), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    """True where every element along `axis` is true."""
    return jnp.all(_t(x), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    """True where some element along `axis` is true."""
    return jnp.any(_t(x), axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    """Range (max - min) over `axis`."""
    return jnp.ptp(_t(x), axis=axis, keepdims=keepdims)


def count_nonzero(x, axis=None):
    """Number of non-zero entries along `axis` (int32)."""
    return jnp.count_nonzero(_t(x), axis=axis).astype("int32")


def _argextreme(jfn, x, axis, keepdims):
    x = _t(x)
    dtype = _dt(x)
    if "float" not in dtype or x.ndim == 0 or jax.default_backend() != "cpu":
        return jfn(x, axis=axis, keepdims=keepdims)
    # XLA on CPU flushes -0.0 and denormals to zero: compare with -0.0 nudged below 0.
    x = x.astype(config.result_type(dtype, "float32"))
    x = jnp.where((x == 0.0) & jnp.signbit(x), -jnp.finfo(x.dtype).tiny, x)
    return jfn(x, axis=axis, keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis` (of the flattened tensor when None)."""
    return _argextreme(jnp.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along `axis`."""
    return _argextreme(jnp.argmin, x, axis, keepdims)


def average(x, axis=None, weights=None):
    """Weighted mean along `axis`."""
    x = _t(x)
    dtypes = [x.dtype, float]
    if weights is not None:
        weights = _t(weights)
        dtypes.append(weights.dtype)
    dtype = config.result_type(*dtypes)
    return jnp.average(x.astype(dtype), weights=None if weights is None else
                       weights.astype(dtype), axis=axis)


def median(x, axis=None, keepdims=False):
    """Median along `axis`."""
    if isinstance(axis, list):
        axis = tuple(axis)
    return jnp.median(_t(x), axis=axis, keepdims=keepdims)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantiles (q in [0, 1]) along `axis`."""
    return jnp.quantile(_t(x), _t(q), axis=axis, method=method, keepdims=keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentiles (q in [0, 100]) along `axis`."""
    return jnp.percentile(_t(x), _t(q), axis=axis, method=method, keepdims=keepdims)


def _nan_reduction(name, jfn):
    def op(x, axis=None, keepdims=False):
        return jfn(_t(x), axis=axis, keepdims=keepdims)
    return _named(op, name, f"`{name[3:]}` over `axis`, ignoring NaNs (jax.numpy.{name}).")


nanargmax = _nan_reduction("nanargmax", jnp.nanargmax)
nanargmin = _nan_reduction("nanargmin", jnp.nanargmin)
nanmax = _nan_reduction("nanmax", jnp.nanmax)
nanmin = _nan_reduction("nanmin", jnp.nanmin)
nanmean = _nan_reduction("nanmean", jnp.nanmean)
nanmedian = _nan_reduction("nanmedian", jnp.nanmedian)
nanprod = _nan_reduction("nanprod", jnp.nanprod)
nanstd = _nan_reduction("nanstd", jnp.nanstd)
nansum = _nan_reduction("nansum", jnp.nansum)
nanvar = _nan_reduction("nanvar", jnp.nanvar)


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis`, NaNs counted as 0."""
    return jnp.nancumsum(_t(x), axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis`, NaNs counted as 1."""
    return jnp.nancumprod(_t(x), axis=axis, dtype=dtype)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """`percentile` ignoring NaNs."""
    return jnp.nanpercentile(_t(x), _t(q), axis=axis, method=method, keepdims=keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """`quantile` ignoring NaNs."""
    return jnp.nanquantile(_t(x), _t(q), axis=axis, method=method, keepdims=keepdims)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (of the flattened tensor when None)."""
    return jnp.cumsum(_t(x), axis=axis, dtype=dtype)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis`."""
    return jnp.cumprod(_t(x), axis=axis, dtype=dtype)


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal."""
    return jnp.trace(_t(x), offset=offset, axis1=axis1, axis2=axis2)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of `y` along `axis` by the trapezoidal rule."""
    return jnp.trapezoid(_t(y), None if x is None else _t(x), dx=_t(dx), axis=axis)


# ---- creation ---------------------------------------------------------------------------------
def array(x, dtype=None):
    """A tensor from `x`."""
    return jnp.array(x, dtype=dtype)


def zeros(shape, dtype=None):
    """A tensor of zeros (floatx by default)."""
    return jnp.zeros(shape, dtype=dtype or config.floatx())


def ones(shape, dtype=None):
    """A tensor of ones (floatx by default)."""
    return jnp.ones(shape, dtype=dtype or config.floatx())


def empty(shape, dtype=None):
    """An uninitialised tensor (zeros on JAX; floatx by default)."""
    return jnp.empty(shape, dtype=dtype or config.floatx())


def full(shape, fill_value, dtype=None):
    """A tensor filled with `fill_value` (floatx by default)."""
    return jnp.full(shape, fill_value, dtype=dtype or config.floatx())


def zeros_like(x, dtype=None):
    """Zeros with the shape (and dtype) of `x`."""
    return jnp.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None):
    """Ones with the shape (and dtype) of `x`."""
    return jnp.ones_like(x, dtype=dtype)


def empty_like(x, dtype=None):
    """An uninitialised tensor like `x`."""
    return jnp.empty_like(x, dtype=dtype)


def full_like(x, fill_value, dtype=None):
    """`fill_value` with the shape (and dtype) of `x`."""
    return jnp.full_like(x, fill_value, dtype=dtype)


def _is_float_like(v):
    return isinstance(v, float) or getattr(v, "dtype", None) in (
        "bfloat16", "float16", "float32", "float64")


def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on the `k`-th diagonal."""
    if _is_float_like(N):
        raise TypeError("Argument `N` must be an integer or an integer tensor.")
    if _is_float_like(M):
        raise TypeError("Argument `M` must be an integer, an integer tensor, or `None`.")
    return jnp.eye(N, M=M, k=k, dtype=dtype or config.floatx())


def identity(n, dtype=None):
    """The `n` x `n` identity matrix."""
    return jnp.identity(n, dtype=dtype or config.floatx())


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the `k`-th diagonal."""
    return jnp.tri(N, M=M, k=k, dtype=dtype or config.floatx())


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in `[start, stop)`; dtype from the arguments as Keras promotes."""
    if dtype is None:
        args = [start] + [a for a in (stop, step) if a is not None]
        dtype = config.result_type(*[getattr(a, "dtype", type(a)) for a in args])
    return jnp.arange(start, stop, step=step, dtype=config.standardize_dtype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop`."""
    return jnp.linspace(start, stop, num=num, endpoint=endpoint, retstep=retstep, dtype=dtype,
                        axis=axis)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`num` values evenly spaced on a log scale."""
    dtype = None if dtype is None else config.standardize_dtype(dtype)
    return jnp.logspace(start, stop, num=num, endpoint=endpoint, base=base, dtype=dtype,
                        axis=axis)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values in geometric progression."""
    dtype = None if dtype is None else config.standardize_dtype(dtype)
    return jnp.geomspace(start, stop, num=num, endpoint=endpoint, dtype=dtype, axis=axis)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors."""
    return jnp.meshgrid(*x, indexing=indexing)


def _window(name, jfn):
    def op(x):
        if not isinstance(x, int) and not hasattr(x, "dtype"):
            x = _t(x)
        return jfn(x).astype(config.floatx())
    return _named(op, name, f"The {name} window of `x` points (floatx).")


bartlett = _window("bartlett", jnp.bartlett)
blackman = _window("blackman", jnp.blackman)
hamming = _window("hamming", jnp.hamming)
hanning = _window("hanning", jnp.hanning)


def kaiser(x, beta):
    """The Kaiser window of `x` points (floatx)."""
    return jnp.kaiser(x, beta).astype(config.floatx())


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-D `x`."""
    x = _t(x)
    if x.ndim != 1:
        raise ValueError(f"Input tensor must be 1-dimensional. Received: input.shape={x.shape}")
    if N is not None:
        if not isinstance(N, int):
            raise TypeError(f"Argument `N` must be of type `int`. Received: N={N} of type {type(N)}")
        if N < 0:
            raise ValueError(f"Argument 'N' must be nonnegative. Received: N={N}")
    if not isinstance(increasing, bool):
        raise TypeError("Argument `increasing` must be of type `bool`. "
                        f"Received: increasing={increasing} of type {type(increasing)}")
    return jnp.vander(x, N=N, increasing=increasing)


# ---- shapes and rearrangement ----------------------------------------------------------------
def reshape(x, newshape):
    """`x` with a new shape (one entry may be -1)."""
    if not isinstance(newshape, jax.Array):
        try:
            newshape = tuple(newshape)
        except TypeError:
            newshape = (newshape,)
        for d in newshape:
            if isinstance(d, int) and d < -1:
                raise ValueError("Each dimension in `newshape` must be a non-negative integer, "
                                 "or `-1` for a single unknown dimension. "
                                 f"Received: newshape={newshape}.")
        if builtins.sum(1 for d in newshape if isinstance(d, int) and d == -1) > 1:
            raise ValueError("There must be at most one unknown dimension (-1) in `newshape`. "
                             f"Received: newshape={newshape}.")
    return jnp.reshape(_t(x), newshape)


def transpose(x, axes=None):
    """`x` with axes permuted (reversed when `axes` is None)."""
    return jnp.transpose(_t(x), axes=axes)


def swapaxes(x, axis1, axis2):
    """`x` with two axes interchanged."""
    return jnp.swapaxes(_t(x), axis1=axis1, axis2=axis2)


def moveaxis(x, source, destination):
    """`x` with axes moved to new positions."""
    return jnp.moveaxis(_t(x), source=source, destination=destination)


def expand_dims(x, axis):
    """`x` with a length-1 axis inserted at `axis`."""
    return jnp.expand_dims(_t(x), axis)


def squeeze(x, axis=None):
    """`x` without its length-1 axes (or only `axis`)."""
    return jnp.squeeze(_t(x), axis=axis)


def broadcast_to(x, shape):
    """`x` broadcast to `shape`."""
    return jnp.broadcast_to(_t(x), shape)


def flip(x, axis=None):
    """`x` reversed along `axis` (all axes when None)."""
    return jnp.flip(_t(x), axis=axis)


def rot90(array, k=1, axes=(0, 1)):
    """`array` rotated by 90 degrees `k` times in the plane of `axes`."""
    array = _t(array)
    if array.ndim < 2:
        raise ValueError("Input array must have at least 2 dimensions. "
                         f"Received: array.ndim={array.ndim}")
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"Invalid axes: {axes}. Axes must be a tuple of two different dimensions.")
    return jnp.rot90(array, k=k, axes=axes)


def roll(x, shift, axis=None):
    """Elements shifted along `axis`, wrapping around."""
    return jnp.roll(_t(x), shift, axis=axis)


def tile(x, repeats):
    """`x` repeated `repeats` times along each axis."""
    return jnp.tile(_t(x), repeats)


def repeat(x, repeats, axis=None):
    """Each element repeated `repeats` times along `axis`."""
    return jnp.repeat(_t(x), repeats, axis=axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    """`x` padded by `pad_width` (`constant_values` only with mode 'constant')."""
    kwargs = {}
    if constant_values is not None:
        if mode != "constant":
            raise ValueError("Argument `constant_values` can only be provided when "
                             f"`mode == 'constant'`. Received: mode={mode}")
        kwargs["constant_values"] = constant_values
    return jnp.pad(_t(x), pad_width, mode=mode, **kwargs)


def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (flattened when None)."""
    return jnp.append(_t(x1), _t(x2), axis=axis)


def concatenate(xs, axis=0):
    """The tensors `xs` joined along `axis`."""
    return jnp.concatenate([_t(x) for x in xs], axis=axis)


def stack(x, axis=0):
    """The tensors `x` stacked along a new `axis`."""
    return jnp.stack([_t(t) for t in x], axis=axis)


def hstack(xs):
    """Tensors stacked column-wise."""
    return jnp.hstack(xs)


def vstack(xs):
    """Tensors stacked row-wise."""
    return jnp.vstack(xs)


def dstack(xs):
    """Tensors stacked along the third axis."""
    return jnp.dstack(xs)


def split(x, indices_or_sections, axis=0):
    """`x` split into equal sections or at the given indices."""
    return jnp.split(_t(x), indices_or_sections, axis=axis)


def array_split(x, indices_or_sections, axis=0):
    """`x` split into `indices_or_sections` nearly equal parts."""
    if not isinstance(indices_or_sections, int):
        raise TypeError("Argument `indices_or_sections` must be of type `int`. "
                        f"Received: indices_or_sections={indices_or_sections}")
    if indices_or_sections <= 0:
        raise ValueError("Argument `indices_or_sections` must be a positive integer. "
                         f"Received: indices_or_sections={indices_or_sections}")
    if not isinstance(axis, int):
        raise TypeError(f"Argument `axis` must be of type `int`. Received: {axis}")
    return jnp.array_split(_t(x), indices_or_sections, axis=axis)


def hsplit(x, indices_or_sections):
    """`x` split column-wise."""
    return jnp.hsplit(_t(x), indices_or_sections)


def vsplit(x, indices_or_sections):
    """`x` split row-wise."""
    return jnp.vsplit(_t(x), indices_or_sections)


def dsplit(x, indices_or_sections):
    """`x` split along the third axis."""
    return jnp.dsplit(_t(x), indices_or_sections)


def diag(x, k=0):
    """The `k`-th diagonal of a 2-D `x`, or a 2-D tensor with the 1-D `x` on it."""
    return jnp.diag(_t(x), k=k)


def diagflat(x, k=0):
    """A 2-D tensor with the flattened `x` on the `k`-th diagonal."""
    return jnp.diagflat(_t(x), k=k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonals of `x` over `axis1` and `axis2`."""
    x = _t(x)
    if axis1 % x.ndim == axis2 % x.ndim:
        raise ValueError("`axis1` and `axis2` cannot be the same. "
                         f"Received: axis1={axis1}, axis2={axis2}")
    return jnp.diagonal(x, offset=offset, axis1=axis1, axis2=axis2)


def tril(x, k=0):
    """`x` with entries above the `k`-th diagonal zeroed."""
    return jnp.tril(_t(x), k=k)


def triu(x, k=0):
    """`x` with entries below the `k`-th diagonal zeroed."""
    return jnp.triu(_t(x), k=k)


def diff(a, n=1, axis=-1):
    """The `n`-th discrete difference along `axis`."""
    return jnp.diff(_t(a), n=n, axis=axis)


def ndim(x):
    """The number of axes of `x`."""
    return jnp.ndim(x)


def size(x):
    """The number of elements of `x`."""
    return jnp.size(x)


def view(x, dtype=None):
    """The bytes of `x` reinterpreted as `dtype`."""
    return _t(x).view(dtype=dtype)


def get_item(x, key):
    """`x[key]`."""
    return x[key]


# ---- indexing, sorting, searching --------------------------------------------------------------
def take(x, indices, axis=None):
    """Elements of `x` at `indices` along `axis`."""
    return jnp.take(_t(x), _t(indices), axis=axis)


def take_along_axis(x, indices, axis=None):
    """Elements of `x` picked by matching-shape `indices` along `axis`."""
    return jnp.take_along_axis(_t(x), _t(indices), axis=axis)


def sort(x, axis=-1):
    """`x` sorted along `axis`."""
    return jnp.sort(_t(x), axis=axis)


def argsort(x, axis=-1):
    """Indices that sort `x` along `axis`."""
    x = _t(x)
    return jnp.argsort(x, axis=None if x.ndim == 0 else axis)


def argpartition(x, kth, axis=-1):
    """Indices that partition `x` around its `kth` element."""
    x = _t(x)
    if axis is None:
        return jnp.argpartition(jnp.reshape(x, (-1,)), kth, axis=0)
    return jnp.argpartition(x, kth, axis=axis)


def searchsorted(sorted_sequence, values, side="left"):
    """Insertion indices of `values` into the 1-D `sorted_sequence`."""
    sorted_sequence, values = _t(sorted_sequence), _t(values)
    if sorted_sequence.ndim != 1:
        raise ValueError("`searchsorted` only supports 1-D sorted sequences. You can use "
                         "`keras.ops.vectorized_map` to extend it to N-D sequences. Received: "
                         f"sorted_sequence.shape={sorted_sequence.shape}")
    return jnp.searchsorted(sorted_sequence, values, side=side)


def digitize(x, bins):
    """The bin index of each element of `x`."""
    return jnp.digitize(_t(x), _t(bins))


def nonzero(x):
    """Indices of the non-zero elements, one tensor per axis."""
    return jnp.nonzero(x)


def unravel_index(indices, shape):
    """Flat indices turned into a tuple of coordinate tensors."""
    return jnp.unravel_index(_t(indices), shape)


def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts (or summed weights) of each non-negative integer value; rows for 2-D `x`."""
    if sparse:
        raise ValueError("`sparse=True` is not supported by jkeras: tensors are dense.")
    x = _t(x)
    if x.ndim == 2:
        rows = (jnp.bincount(x[i], weights=None if weights is None else weights[i],
                             minlength=minlength) for i in range(x.shape[0]))
        return jnp.stack(list(rows))
    return jnp.bincount(x, weights=weights, minlength=minlength)


def histogram(x, bins=10, range=None):
    """Counts and bin edges of the 1-D `x`."""
    if not isinstance(bins, int):
        raise TypeError(f"Argument `bins` must be of type `int`. Received: bins={bins}")
    if bins < 0:
        raise ValueError(f"Argument `bins` should be a non-negative integer. Received: bins={bins}")
    if range:
        if len(range) < 2 or not isinstance(range, tuple):
            raise ValueError(f"Argument `range` must be a tuple of two elements. Received: range={range}")
        if range[1] < range[0]:
            raise ValueError("The second element of `range` must be greater than the first. "
                             f"Received: range={range}")
    x = _t(x)
    if x.ndim > 1:
        raise ValueError(f"Input tensor must be 1-dimensional. Received: input.shape={x.shape}")
    return jnp.histogram(x, bins=bins, range=range)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The unique elements of `x` (with `size`, padded to a static length for jit)."""
    return jnp.unique(_t(x), return_index=return_index, return_inverse=return_inverse,
                      return_counts=return_counts, axis=axis, equal_nan=False, size=size,
                      sorted=sorted, fill_value=fill_value)


def slogdet(x):
    """`(sign, log|det|)` of square matrices."""
    return tuple(jnp.linalg.slogdet(_t(x)))


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` turned into a function that broadcasts over tensors (jax.numpy.vectorize)."""
    if not callable(pyfunc):
        raise ValueError(f"Expected argument `pyfunc` to be a callable. Received: pyfunc={pyfunc}")
    return jnp.vectorize(pyfunc, excluded=excluded or set(), signature=signature)
