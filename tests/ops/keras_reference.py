"""Keras 3's own JAX-backend results for op cases, computed in a subprocess.

The test process may already hold Keras on the TensorFlow backend (the backend is fixed per
process at import), so the reference runs `keras.ops` in a child with KERAS_BACKEND=jax, once
per test module, and returns NumPy results. A case names the op by its path under `keras` /
`jkeras` (e.g. "ops.image.resize"); `Fn("ops.sin")` arguments stand for ops passed as callables.
"""
import os
import pickle
import re
import subprocess
import sys
import textwrap

import numpy as np


class Fn:
    """An op passed as an argument, resolved in each library (`Fn("ops.sin")`)."""

    def __init__(self, path):
        self.path = path


class Case:
    """One call `path(*args, **kwargs)`; `grad=True` also compares d(sum(out))/d(args[0])."""

    def __init__(self, path, *args, grad=False, tol=None, same_message=True, **kwargs):
        self.path, self.args, self.kwargs, self.grad, self.tol = path, args, kwargs, grad, tol
        self.same_message = same_message  # False where Keras's eager message comes from JAX

    @property
    def id(self):
        def short(a):
            if isinstance(a, np.ndarray):
                return f"{a.dtype}{list(a.shape)}"
            if isinstance(a, Fn):
                return a.path.split(".")[-1]
            if isinstance(a, (list, tuple)) and len(a) > 4:
                return f"{type(a).__name__}[{len(a)}]"
            return repr(a)
        parts = [short(a) for a in self.args] + [f"{k}={short(v)}" for k, v in self.kwargs.items()]
        return f"{self.path.split('.')[-1]}({', '.join(parts)}){'-grad' if self.grad else ''}"


_CHILD = textwrap.dedent("""
    import os, pickle, sys
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path = [p for p in sys.path if p not in ("", ".")]
    import jax, jax.numpy as jnp, numpy as np, keras
    sys.path.insert(0, os.environ["JKERAS_TESTS"])
    from keras_reference import evaluate
    cases = pickle.load(open(sys.argv[1], "rb"))
    pickle.dump(evaluate(keras, cases), open(sys.argv[2], "wb"))
""")


def resolve(lib, path):
    obj = lib
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _to_numpy(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_to_numpy(v) for v in x) if not hasattr(x, "_fields") else tuple(
            _to_numpy(v) for v in x)
    if isinstance(x, (bool, int, float)):
        return x
    return np.asarray(x)


def _call(lib, case):
    import jax
    import jax.numpy as jnp

    def conv(a):
        if isinstance(a, Fn):
            return resolve(lib, a.path)
        if isinstance(a, np.ndarray):
            return jnp.asarray(a)
        return a
    fn = resolve(lib, case.path)
    args = [conv(a) for a in case.args]
    kwargs = {k: conv(v) for k, v in case.kwargs.items()}
    out = fn(*args, **kwargs)
    if not case.grad:
        return _to_numpy(out)

    def total(x0):
        res = fn(x0, *args[1:], **kwargs)
        leaves = jax.tree_util.tree_leaves(res)
        return sum(jnp.sum(jnp.real(v)) for v in leaves)
    return _to_numpy(out), _to_numpy(jax.grad(total)(args[0]))


def evaluate(lib, cases):
    """[("ok", result) | ("err", exception class name, message)] for each case."""
    results = []
    for case in cases:
        try:
            results.append(("ok", _call(lib, case)))
        except Exception as e:  # noqa: BLE001 - errors are compared too
            results.append(("err", type(e).__name__, str(e)))
    return results


def keras_results(cases, tmp_dir):
    """The results of `cases` under Keras's JAX backend (in a child process)."""
    src, dst = os.path.join(tmp_dir, "cases.pkl"), os.path.join(tmp_dir, "results.pkl")
    with open(src, "wb") as f:
        pickle.dump(cases, f)
    env = dict(os.environ, KERAS_BACKEND="jax", JKERAS_TESTS=os.path.dirname(__file__),
               JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", _CHILD, src, dst], env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"Keras reference process failed:\n{proc.stderr[-4000:]}")
    with open(dst, "rb") as f:
        return pickle.load(f)


def assert_same(ours, theirs, case):
    """Same structure, shapes, dtypes and values (float32: rtol 1e-5)."""
    if isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs), (case.id, ours)
        for a, b in zip(ours, theirs):
            assert_same(a, b, case)
        return
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, (case.id, ours.shape, theirs.shape)
    assert ours.dtype == theirs.dtype, (case.id, ours.dtype, theirs.dtype)
    if ours.dtype.kind in "fc":
        rtol, atol = case.tol or (1e-5, 1e-6)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=case.id)
    else:
        np.testing.assert_array_equal(ours, theirs, err_msg=case.id)


def check_case(jkeras, case, reference):
    """Run `case` in jkeras and compare with Keras's result (or Keras's error)."""
    ours = evaluate(jkeras, [case])[0]
    if reference[0] == "err":
        assert ours[0] == "err", f"{case.id}: Keras raised {reference[1]}: {reference[2]}"
        assert ours[1] == reference[1], (case.id, ours, reference)
        if case.same_message and reference[1] in ("ValueError", "TypeError"):
            # Keras's own wording (its Operation wrapper may add context around it); set
            # literals print in hash order, so their contents are not compared
            def unset(m):
                return re.sub(r"\{[^}]*\}", "{...}", m)
            assert unset(ours[2]) in unset(reference[2]), (case.id, ours[2], reference[2])
        return
    assert ours[0] == "ok", f"{case.id}: jkeras raised {ours[1]}: {ours[2]}"
    assert_same(ours[1], reference[1], case)
