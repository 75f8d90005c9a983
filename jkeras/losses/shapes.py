"""Shape alignment and the checks that reject y before any trace, in Keras's wording."""
import warnings

import jax.numpy as jnp


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
