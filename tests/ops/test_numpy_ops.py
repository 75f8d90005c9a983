"""keras.ops NumPy-style ops: jkeras against Keras's own JAX backend on generated inputs."""
import numpy as np
import pytest

import jkeras
from keras_reference import Case, Fn, check_case

rng = np.random.default_rng(0)


def f32(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape).astype("float32")


def i32(*shape, low=-5, high=6):
    return rng.integers(low, high, shape).astype("int32")


def b(*shape):
    return rng.random(shape) > 0.5


UNARY = ["abs", "absolute", "negative", "sign", "square", "cbrt", "cos", "sin", "tan", "cosh",
         "sinh", "tanh", "arctan", "arcsinh", "exp", "exp2", "expm1", "floor", "ceil", "trunc",
         "sinc", "signbit", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal",
         "real", "imag", "conj", "conjugate", "copy", "deg2rad", "rad2deg", "fabs",
         "logical_not", "ravel", "angle", "bitwise_not", "bitwise_invert"]
POSITIVE = ["log", "log10", "log1p", "log2", "sqrt", "reciprocal"]
UNIT = ["arccos", "arcsin", "arctanh"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod", "fmod",
          "maximum", "minimum", "fmax", "fmin", "equal", "not_equal", "greater", "greater_equal",
          "less", "less_equal", "logical_and", "logical_or", "logical_xor", "arctan2",
          "logaddexp", "logaddexp2", "heaviside", "hypot", "nextafter", "divide_no_nan"]
INT_BINARY = ["gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor"]
REDUCE = ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "all", "any",
          "ptp", "median", "nanmax", "nanmin", "nanmean", "nanmedian", "nanprod", "nanstd",
          "nansum", "nanvar"]
ARG_REDUCE = ["argmax", "argmin", "nanargmax", "nanargmin"]
# ops also checked on integer inputs (dtype rules) and, for binary ops, with broadcasting
INT_CHECKED = {"abs", "negative", "sign", "square", "cos", "tanh", "exp", "floor", "trunc",
               "signbit", "isnan", "real", "fabs", "logical_not", "angle", "bitwise_not",
               "add", "subtract", "multiply", "divide", "floor_divide", "mod", "maximum",
               "equal", "less", "logical_and", "arctan2", "logaddexp", "divide_no_nan"}
DIFFERENTIABLE = {"sin", "tanh", "exp", "square", "abs", "log", "sqrt", "arcsin", "multiply",
                  "divide", "maximum", "arctan2", "logaddexp", "sum", "mean", "var", "std", "max",
                  "prod"}


def _cases():
    cases = []
    for name in UNARY:
        cases.append(Case(f"ops.{name}", f32(2, 3), grad=name in DIFFERENTIABLE))
        if name in INT_CHECKED:
            cases.append(Case(f"ops.{name}", i32(4)))
    for name in POSITIVE:
        cases.append(Case(f"ops.{name}", f32(2, 3, low=0.1, high=3.0), grad=name in DIFFERENTIABLE))
        cases.append(Case(f"ops.{name}", i32(4, low=1, high=9)))
    for name in UNIT:
        cases.append(Case(f"ops.{name}", f32(2, 3, low=-0.9, high=0.9), grad=name in DIFFERENTIABLE))
        cases.append(Case(f"ops.{name}", i32(3, low=0, high=1)))
    cases.append(Case("ops.arccosh", f32(4, low=1.1, high=3.0)))
    cases.append(Case("ops.i0", f32(4)))
    cases.append(Case("ops.round", f32(2, 3) * 10, decimals=1))
    cases.append(Case("ops.round", i32(5, low=-500, high=500), decimals=-1))
    cases.append(Case("ops.nan_to_num", np.array([np.nan, np.inf, -np.inf, 1.0], "float32"),
                      nan=2.0, posinf=7.0))
    cases.append(Case("ops.clip", f32(2, 3), -0.5, 0.5, grad=True))
    cases.append(Case("ops.clip", b(4), 0, 1))
    for name in BINARY:
        x, y = f32(2, 3), f32(2, 3, low=0.5, high=2.0)
        cases.append(Case(f"ops.{name}", x, y, grad=name in DIFFERENTIABLE))
        if name in INT_CHECKED:
            cases.append(Case(f"ops.{name}", f32(2, 3), f32(3, low=0.5, high=2.0)))
            cases.append(Case(f"ops.{name}", i32(4), 2 if name in ("add", "divide") else
                              i32(4, low=1, high=5)))
    cases.append(Case("ops.power", f32(2, 3, low=0.5, high=2), f32(2, 3), grad=True))
    cases.append(Case("ops.power", i32(4, low=0, high=4), 2))
    cases.append(Case("ops.add", i32(3), f32(3)))
    cases.append(Case("ops.add", i32(3).astype("int8"), i32(3).astype("int16")))
    for name in INT_BINARY:
        cases.append(Case(f"ops.{name}", i32(5, low=1, high=20), i32(5, low=1, high=20)))
    for name in ["left_shift", "right_shift", "bitwise_left_shift", "bitwise_right_shift"]:
        cases.append(Case(f"ops.{name}", i32(4, low=0, high=50), 2))
        cases.append(Case(f"ops.{name}", i32(4, low=0, high=50), i32(4, low=0, high=3)))
    cases.append(Case("ops.ldexp", f32(4), i32(4, low=-2, high=3)))
    cases.append(Case("ops.ldexp", f32(4), f32(4)))
    cases.append(Case("ops.isclose", f32(4), f32(4)))
    cases.append(Case("ops.allclose", np.ones(3, "float32"), np.ones(3, "float32") + 1e-7))
    cases.append(Case("ops.isin", i32(6), i32(3)))
    for name in REDUCE:
        x = f32(2, 3, 4)
        cases.append(Case(f"ops.{name}", x, grad=name in DIFFERENTIABLE))
        cases.append(Case(f"ops.{name}", x, axis=(0, 2), keepdims=name in REDUCE[::2]))
    for name in ["sum", "mean", "max", "prod", "var", "std", "all", "any"]:
        cases.append(Case(f"ops.{name}", i32(3, 4), axis=0))
    cases.append(Case("ops.mean", b(3, 4), axis=0))
    for name in ARG_REDUCE:
        x = f32(3, 4)
        cases.append(Case(f"ops.{name}", x))
        cases.append(Case(f"ops.{name}", x, axis=1))
        cases.append(Case(f"ops.{name}", x, axis=0, keepdims=True))
    cases.append(Case("ops.argmax", np.array([-0.0, 0.0, -0.0], "float32")))
    cases.append(Case("ops.count_nonzero", i32(3, 4, low=0, high=2), axis=1))
    cases.append(Case("ops.average", f32(3, 4), axis=1, weights=f32(4, low=0.1, high=1.0)))
    cases.append(Case("ops.average", i32(3, 4)))
    for name in ["quantile", "nanquantile"]:
        cases.append(Case(f"ops.{name}", f32(3, 5), np.array([0.2, 0.5], "float32"), axis=1))
        cases.append(Case(f"ops.{name}", f32(3, 5), 0.3, method="nearest", keepdims=True))
    for name in ["percentile", "nanpercentile"]:
        cases.append(Case(f"ops.{name}", f32(3, 5), np.array([20.0, 90.0], "float32"), axis=0))
    for name in ["cumsum", "cumprod", "nancumsum", "nancumprod"]:
        cases.append(Case(f"ops.{name}", f32(2, 3), axis=1, grad=name == "cumsum"))
        cases.append(Case(f"ops.{name}", i32(2, 3)))
    cases.append(Case("ops.trace", f32(3, 4), offset=1))
    cases.append(Case("ops.trapezoid", f32(2, 5), dx=0.5))
    cases.append(Case("ops.trapezoid", f32(5), f32(5)))
    # creation
    for name in ["zeros", "ones", "empty"]:
        cases.append(Case(f"ops.{name}", (2, 3)))
        cases.append(Case(f"ops.{name}", (2,), dtype="int32"))
    cases.append(Case("ops.full", (2, 3), 7))
    cases.append(Case("ops.full", (2,), 1.5, dtype="float16"))
    for name in ["zeros_like", "ones_like"]:
        cases.append(Case(f"ops.{name}", f32(2, 3)))
        cases.append(Case(f"ops.{name}", i32(3), dtype="float32"))
    cases.append(Case("ops.full_like", i32(3), 4.0))
    cases.append(Case("ops.full_like", f32(3), 2, dtype="int32"))
    cases.append(Case("ops.eye", 3))
    cases.append(Case("ops.eye", 3, 4, k=1, dtype="int32"))
    cases.append(Case("ops.eye", 3.0))
    cases.append(Case("ops.identity", 3))
    cases.append(Case("ops.tri", 3, 4, k=-1))
    cases.append(Case("ops.arange", 5))
    cases.append(Case("ops.arange", 1, 7, 2))
    cases.append(Case("ops.arange", 0.5, 3.0, 0.5))
    cases.append(Case("ops.arange", 0, 5, dtype="float32"))
    cases.append(Case("ops.linspace", 0.0, 1.0, num=5))
    cases.append(Case("ops.linspace", 0.0, 1.0, num=4, endpoint=False, retstep=True))
    cases.append(Case("ops.logspace", 0.0, 2.0, num=4))
    cases.append(Case("ops.geomspace", 1.0, 100.0, num=3))
    cases.append(Case("ops.meshgrid", f32(3), f32(2)))
    cases.append(Case("ops.meshgrid", f32(3), f32(2), indexing="ij"))
    for name in ["bartlett", "blackman", "hamming", "hanning"]:
        cases.append(Case(f"ops.{name}", 6))
    cases.append(Case("ops.kaiser", 6, 2.0))
    cases.append(Case("ops.vander", f32(3)))
    cases.append(Case("ops.vander", f32(3), N=4, increasing=True))
    cases.append(Case("ops.vander", f32(2, 2)))
    cases.append(Case("ops.array", f32(3)))
    cases.append(Case("ops.array", [1, 2], dtype="float32"))
    # shapes
    x = f32(2, 3, 4)
    cases += [Case("ops.reshape", x, (4, 6), grad=True), Case("ops.reshape", x, (-1, 2)),
              Case("ops.reshape", x, -1), Case("ops.reshape", x, (-1, -1)),
              Case("ops.reshape", x, (-2, 12)),
              Case("ops.transpose", x), Case("ops.transpose", x, (1, 0, 2), grad=True),
              Case("ops.swapaxes", x, 0, 2), Case("ops.moveaxis", x, 0, -1),
              Case("ops.moveaxis", x, [0, 1], [2, 0]),
              Case("ops.expand_dims", x, 1), Case("ops.expand_dims", x, (0, -1)),
              Case("ops.squeeze", f32(1, 3, 1)), Case("ops.squeeze", f32(1, 3, 1), axis=0),
              Case("ops.broadcast_to", f32(3), (2, 3)),
              Case("ops.flip", x), Case("ops.flip", x, axis=1), Case("ops.fliplr", f32(2, 3)),
              Case("ops.flipud", f32(2, 3)),
              Case("ops.rot90", f32(2, 3)), Case("ops.rot90", x, k=3, axes=(1, 2)),
              Case("ops.rot90", f32(3)),
              Case("ops.roll", x, 2), Case("ops.roll", x, -1, axis=2),
              Case("ops.tile", f32(2, 3), (2, 1)), Case("ops.tile", f32(3), 2),
              Case("ops.repeat", f32(2, 3), 2), Case("ops.repeat", f32(2, 3), 2, axis=1),
              Case("ops.pad", f32(2, 3), ((1, 0), (2, 1)), grad=True),
              Case("ops.pad", f32(2, 3), 1, constant_values=3.0),
              Case("ops.pad", f32(3, 4), ((1, 1), (2, 2)), mode="reflect"),
              Case("ops.pad", f32(3, 4), 1, mode="symmetric"),
              Case("ops.pad", f32(3), 1, mode="edge", constant_values=2.0),
              Case("ops.append", f32(2, 3), f32(1, 3), axis=0), Case("ops.append", f32(2), i32(3)),
              Case("ops.concatenate", [f32(2, 3), f32(1, 3)]),
              Case("ops.concatenate", [f32(2, 3), f32(2, 1)], axis=-1),
              Case("ops.stack", [f32(2, 3), f32(2, 3)], axis=1), Case("ops.hstack", [f32(2), f32(3)]),
              Case("ops.vstack", [f32(2, 3), f32(1, 3)]), Case("ops.dstack", [f32(2, 3), f32(2, 3)]),
              Case("ops.split", f32(6, 2), 3), Case("ops.split", f32(6, 2), [1, 4]),
              Case("ops.split", f32(2, 6), 2, axis=1),
              Case("ops.array_split", f32(7), 3), Case("ops.array_split", f32(7), 0),
              Case("ops.array_split", f32(7), [2, 3]),
              Case("ops.hsplit", f32(2, 4), 2), Case("ops.vsplit", f32(4, 2), 2),
              Case("ops.dsplit", f32(2, 2, 4), 2),
              Case("ops.diag", f32(3)), Case("ops.diag", f32(3, 3), k=1),
              Case("ops.diagflat", f32(2, 2)),
              Case("ops.diagonal", x), Case("ops.diagonal", x, offset=1, axis1=1, axis2=2),
              Case("ops.diagonal", x, axis1=1, axis2=1),
              Case("ops.tril", f32(3, 3)), Case("ops.triu", f32(3, 4), k=1),
              Case("ops.diff", f32(5)), Case("ops.diff", f32(2, 5), n=2, axis=1),
              Case("ops.ndim", x), Case("ops.size", x),
              Case("ops.view", f32(4), "int32"), Case("ops.view", i32(4), "uint32"),
              Case("ops.get_item", x, 1), Case("ops.get_item", x, (slice(0, 2), 1)),
              Case("ops.take", x, np.array([0, 2])), Case("ops.take", x, np.array([[0], [1]]), axis=1),
              Case("ops.take_along_axis", f32(2, 3), np.array([[0, 2], [1, 1]]), axis=1),
              Case("ops.sort", f32(3, 4)), Case("ops.sort", f32(3, 4), axis=0),
              Case("ops.argsort", f32(3, 4)), Case("ops.argsort", f32(3, 4), axis=0),
              Case("ops.argpartition", f32(6), 2), Case("ops.argpartition", f32(2, 6), 3),
              Case("ops.searchsorted", np.sort(f32(6)), f32(3)),
              Case("ops.searchsorted", np.sort(f32(6)), f32(3), side="right"),
              Case("ops.searchsorted", f32(2, 3), f32(3)),
              Case("ops.digitize", f32(6), np.array([-1.0, 0.0, 1.0], "float32")),
              Case("ops.nonzero", i32(3, 4, low=0, high=2)),
              Case("ops.unravel_index", np.array([1, 5, 7]), (2, 4)),
              Case("ops.bincount", np.array([0, 1, 1, 3])),
              Case("ops.bincount", np.array([0, 1, 1, 3]), weights=f32(4), minlength=6),
              Case("ops.bincount", np.array([[0, 1], [2, 2]])),
              Case("ops.histogram", f32(20)), Case("ops.histogram", f32(20), bins=4, range=(-1, 1)),
              Case("ops.histogram", f32(20), bins=1.5), Case("ops.histogram", f32(2, 3)),
              Case("ops.unique", np.array([3, 1, 3, 2])),
              Case("ops.unique", np.array([3, 1, 3, 2]), return_counts=True, return_inverse=True),
              Case("ops.unique", np.array([3, 1, 3, 2]), size=5, fill_value=-1),
              Case("ops.where", b(2, 3), f32(2, 3), f32(2, 3)), Case("ops.where", b(2, 3)),
              Case("ops.where", b(2, 3), 1.0, i32(2, 3)), Case("ops.where", b(3), f32(3)),
              Case("ops.select", [b(4), b(4)], [f32(4), f32(4)], default=-1.0),
              Case("ops.select", b(4), [f32(4)]),
              Case("ops.slogdet", f32(3, 3)), Case("ops.slogdet", f32(2, 3, 3)),
              Case("ops.corrcoef", f32(3, 5)), Case("ops.correlate", f32(5), f32(3)),
              Case("ops.correlate", f32(5), f32(3), mode="full"),
              Case("ops.cross", f32(2, 3), f32(2, 3)), Case("ops.cross", f32(3), f32(2)),
              Case("ops.matmul", f32(2, 3), f32(3, 4), grad=True),
              Case("ops.matmul", f32(2, 2, 3), f32(3, 4)),
              Case("ops.matmul", i32(2, 3).astype("int8"), i32(3, 2).astype("int8")),
              Case("ops.dot", f32(2, 3), f32(3)), Case("ops.dot", f32(3), f32(3)),
              Case("ops.vdot", f32(4), f32(4)), Case("ops.inner", f32(2, 3), f32(4, 3)),
              Case("ops.outer", f32(3), f32(2)), Case("ops.kron", f32(2, 2), f32(2, 3)),
              Case("ops.tensordot", f32(2, 3, 4), f32(3, 4, 5)),
              Case("ops.tensordot", f32(2, 3), f32(3, 2), axes=([1], [0])),
              Case("ops.einsum", "ij,jk->ik", f32(2, 3), f32(3, 4)),
              Case("ops.einsum", "bij->bji", f32(2, 3, 4)),
              Case("ops.einsum", "i,i", i32(3).astype("int8"), i32(3).astype("int8"))]
    return cases


CASES = _cases()


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.id for c in CASES])
def test_matches_keras_jax_backend(index, keras_ref):
    check_case(jkeras, CASES[index], keras_ref[index])
