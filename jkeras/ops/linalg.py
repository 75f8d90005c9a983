"""The linear algebra ops of `keras.ops.linalg` on jax.numpy.linalg / jax.scipy.linalg."""
import jax
import jax.numpy as jnp
import jax.scipy as jsp

from jkeras.core import config
from jkeras.ops.core import convert_to_tensor

_t = convert_to_tensor

__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq",
           "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd"]


def _assert_1d(*arrays):
    for a in arrays:
        if a.ndim < 1:
            raise ValueError(f"Expected input to have rank >= 1. Received scalar input {a}.")


def _assert_2d(*arrays):
    for a in arrays:
        if a.ndim < 2:
            raise ValueError("Expected input to have rank >= 2. "
                             f"Received input with shape {a.shape}.")


def _assert_square(*arrays):
    for a in arrays:
        m, n = a.shape[-2:]
        if m != n:
            raise ValueError("Expected a square matrix. "
                             f"Received non-square input with shape {a.shape}")


def _assert_a_b_compat(a, b):
    if a.ndim == b.ndim and a.shape[-2] != b.shape[-2]:
        raise ValueError("Incompatible shapes between `a` and `b`. "
                         "Expected `a.shape[-2] == b.shape[-2]`. "
                         f"Received: a.shape={a.shape}, b.shape={b.shape}")
    if a.ndim == b.ndim - 1 and a.shape[-1] != b.shape[-1]:
        raise ValueError("Incompatible shapes between `a` and `b`. "
                         "Expected `a.shape[-1] == b.shape[-1]`. "
                         f"Received: a.shape={a.shape}, b.shape={b.shape}")


def _square(x):
    x = _t(x)
    _assert_2d(x)
    _assert_square(x)
    return x


def cholesky(x, upper=False):
    """The Cholesky factor of positive definite matrices (lower unless `upper`)."""
    out = jnp.linalg.cholesky(_square(x), upper=upper)
    try:
        failed = bool(jnp.any(jnp.isnan(out)))
    except jax.errors.ConcretizationTypeError:
        failed = False  # under jit the check cannot run: NaNs come back as in Keras
    if failed:
        raise ValueError("Cholesky decomposition failed: Cholesky decomposition failed. The "
                         "input might not be a valid positive definite matrix.")
    return out


def cholesky_inverse(x, upper=False):
    """The inverse of a matrix from its Cholesky factor `x`."""
    x = _square(x)
    inv_chol = jsp.linalg.solve_triangular(x, jnp.eye(x.shape[-1], dtype=x.dtype),
                                           lower=not upper)
    if upper:
        return inv_chol @ jnp.swapaxes(inv_chol, -1, -2)
    return jnp.swapaxes(inv_chol, -1, -2) @ inv_chol


def det(x):
    """Determinants of square matrices."""
    return jnp.linalg.det(_square(x))


def eig(x):
    """Eigenvalues and eigenvectors of square matrices (complex; CPU only in JAX)."""
    return jnp.linalg.eig(_square(x))


def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of symmetric/Hermitian matrices."""
    return jnp.linalg.eigh(_square(x))


def inv(x):
    """Inverses of square matrices."""
    return jnp.linalg.inv(_square(x))


def lu_factor(x):
    """`(lu, pivots)` of the LU decomposition with partial pivoting (batched)."""
    x = _t(x)
    _assert_2d(x)
    fn = jsp.linalg.lu_factor
    for _ in range(x.ndim - 2):
        fn = jax.vmap(fn)
    return fn(x)


_MATRIX_ORDS = (None, "fro", "nuc", float("inf"), float("-inf"), 1, -1, 2, -2)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (integer inputs become floats)."""
    if isinstance(ord, str) and ord not in ("fro", "nuc"):
        raise ValueError("Invalid `ord` argument. Expected one of {'fro', 'nuc'} when using "
                         f"string. Received: ord={ord}")
    x = _t(x)
    n_axes = x.ndim if axis is None else (1 if isinstance(axis, int) else len(axis))
    if n_axes == 1 and isinstance(ord, str):
        raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord}")
    if n_axes == 2 and ord not in _MATRIX_ORDS:
        raise ValueError(f"Invalid `ord` argument for matrix norm. Received: ord={ord}")
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(config.floatx())
    if isinstance(axis, list):
        axis = tuple(axis)
    return jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def qr(x, mode="reduced"):
    """`(q, r)` of the QR decomposition ('reduced' or 'complete')."""
    if mode not in {"reduced", "complete"}:
        raise ValueError("`mode` argument value not supported. Expected one of "
                         f"{{'reduced', 'complete'}}. Received: mode={mode}")
    return jnp.linalg.qr(_t(x), mode=mode)


def _solve_args(a, b):
    a, b = _t(a), _t(b)
    _assert_2d(a)
    _assert_square(a)
    _assert_1d(b)
    _assert_a_b_compat(a, b)
    return a, b


def solve(a, b):
    """`x` with `a @ x = b`."""
    return jnp.linalg.solve(*_solve_args(a, b))


def solve_triangular(a, b, lower=False):
    """`x` with `a @ x = b` for a triangular `a`."""
    a, b = _solve_args(a, b)
    return jsp.linalg.solve_triangular(a, b, lower=lower)


def svd(x, full_matrices=True, compute_uv=True):
    """`(u, s, vh)` of the singular value decomposition (only `s` without `compute_uv`)."""
    x = _t(x)
    _assert_2d(x)
    return jnp.linalg.svd(x, full_matrices=full_matrices, compute_uv=compute_uv)


def lstsq(a, b, rcond=None):
    """The least-squares solution of `a @ x = b`."""
    a, b = _t(a), _t(b)
    if a.ndim != 2:
        raise ValueError(f"Expected a to have rank 2. Received: a.shape={a.shape}")
    if b.ndim not in (1, 2):
        raise ValueError(f"Expected b to have rank 1 or 2. Received: b.shape={b.shape}")
    if a.shape[0] != b.shape[0]:
        raise ValueError("Expected b.shape[0] to be equal to a.shape[0]. Received: "
                         f"a.shape={a.shape}, b.shape={b.shape}")
    return jnp.linalg.lstsq(a, b, rcond=rcond)[0]


def matrix_rank(x, tol=None):
    """The rank of matrices (int32)."""
    x = _t(x)
    _assert_2d(x)
    return jnp.linalg.matrix_rank(x, tol=tol).astype("int32")


def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse."""
    x = _t(x)
    _assert_2d(x)
    return jnp.linalg.pinv(x, rcond=rcond)


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode Jacobian-vector product: `(primals_out, tangents_out[, aux])`."""
    return jax.jvp(fun, primals, tangents, has_aux=has_aux)
