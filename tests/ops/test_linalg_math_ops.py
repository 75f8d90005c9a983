"""keras.ops.linalg, the math ops and rearrange: jkeras against Keras's own JAX backend."""
import numpy as np
import pytest

import jkeras
from keras_reference import Case, Fn, check_case

rng = np.random.default_rng(3)


def f32(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape).astype("float32")


def spd(*batch, n=3):
    a = f32(*batch, n, n)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype("float32")


def _cases():
    tol = (1e-4, 1e-5)
    a, m = spd(), f32(3, 3)
    cases = [Case("ops.cholesky", a, grad=True, tol=tol), Case("ops.cholesky", spd(2), upper=True),
             Case("ops.cholesky", f32(3)), Case("ops.cholesky", f32(2, 3)),
             Case("ops.cholesky_inverse", np.linalg.cholesky(a).astype("float32"), tol=tol),
             Case("ops.cholesky_inverse", np.linalg.cholesky(a).T.copy(), upper=True, tol=tol),
             Case("ops.det", m, grad=True, tol=tol), Case("ops.det", f32(2, 3, 3), tol=tol),
             Case("ops.inv", m, grad=True, tol=tol), Case("ops.inv", f32(3, 2)),
             Case("ops.eigh", a, tol=tol), Case("ops.eig", a, tol=tol),
             Case("ops.lu_factor", m), Case("ops.lu_factor", f32(2, 3, 3)),
             Case("ops.solve", m, f32(3, 2), grad=True, tol=tol), Case("ops.solve", m, f32(3), tol=tol),
             Case("ops.solve", m, f32(4, 2)),
             Case("ops.solve_triangular", np.tril(a), f32(3, 2), lower=True, tol=tol),
             Case("ops.solve_triangular", np.triu(a), f32(3), tol=tol),
             Case("ops.svd", f32(4, 3), compute_uv=False, tol=tol),
             Case("ops.svd", f32(2, 3), full_matrices=False, tol=tol),
             Case("ops.qr", f32(4, 3), tol=tol), Case("ops.qr", f32(3, 4), mode="complete", tol=tol),
             Case("ops.qr", f32(3, 3), mode="r"),
             Case("ops.lstsq", f32(5, 3), f32(5, 2), tol=tol), Case("ops.lstsq", f32(5, 3), f32(4), same_message=False),
             Case("ops.matrix_rank", f32(4, 3)), Case("ops.matrix_rank", np.ones((3, 3), "float32")),
             Case("ops.matrix_rank", f32(3)),
             Case("ops.pinv", f32(4, 3), tol=tol), Case("ops.pinv", f32(3))]
    for ord_ in (None, 1, 2, np.inf, -np.inf, 0, 3):
        cases.append(Case("ops.norm", f32(5), ord=ord_))
    for ord_ in (None, "fro", "nuc", 1, -1, 2, np.inf):
        cases.append(Case("ops.norm", f32(3, 4), ord=ord_, tol=tol))
    cases += [Case("ops.norm", f32(2, 3, 4), axis=-1, keepdims=True, grad=True),
              Case("ops.norm", f32(2, 3, 4), axis=(1, 2)),
              Case("ops.norm", np.arange(6, dtype="int32")),
              Case("ops.norm", f32(3, 4), ord="bad", same_message=False),
              Case("ops.norm", f32(3), ord="fro", axis=0, same_message=False)]
    cases += [Case("ops.linalg.jvp", Fn("ops.sin"), (f32(3),), (f32(3),))]
    data, ids = f32(6, 2), np.array([0, 0, 1, 3, 3, 3])
    for name in ("segment_sum", "segment_max", "segment_min", "segment_prod"):
        cases.append(Case(f"ops.{name}", data, ids, num_segments=4))
        cases.append(Case(f"ops.{name}", data, ids, num_segments=5, sorted=True))
    cases += [Case("ops.segment_sum", data, ids), Case("ops.segment_sum", data, ids[:4], num_segments=4),
              Case("ops.segment_sum", data, ids[None], num_segments=4),
              Case("ops.top_k", f32(3, 6), 2), Case("ops.top_k", f32(6), 3, sorted=False),
              Case("ops.in_top_k", np.array([0, 3, 1]), f32(3, 5), 2),
              Case("ops.in_top_k", np.array([0, 3]), np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
                                                                "float32"), 1),
              Case("ops.logsumexp", f32(3, 4), grad=True), Case("ops.logsumexp", f32(3, 4), axis=1, keepdims=True),
              Case("ops.cdist", f32(4, 3), f32(5, 3)), Case("ops.cdist", f32(2, 4, 3), f32(2, 5, 3)),
              Case("ops.cdist", f32(3), f32(4, 3)), Case("ops.cdist", f32(4, 3), f32(5, 2)),
              Case("ops.extract_sequences", f32(2, 10), 4, 2), Case("ops.extract_sequences", f32(9), 3, 3),
              Case("ops.fft", (f32(2, 8), f32(2, 8)), tol=tol), Case("ops.fft2", (f32(4, 4), f32(4, 4)), tol=tol),
              Case("ops.ifft2", (f32(4, 4), f32(4, 4)), tol=tol),
              Case("ops.fft", (f32(4), f32(5))), Case("ops.fft", f32(4), same_message=False),
              Case("ops.rfft", f32(2, 8), tol=tol), Case("ops.rfft", f32(8), fft_length=6, tol=tol),
              Case("ops.irfft", (f32(2, 5), f32(2, 5)), tol=tol),
              Case("ops.irfft", (f32(5), f32(5)), fft_length=6, tol=tol)]
    signal = f32(2, 32)
    for kw in (dict(window="hann", center=True), dict(window="hamming", center=False),
               dict(window=None), dict(window=np.ones(8, "float32"))):
        cases.append(Case("ops.stft", signal, 8, 4, 16, tol=tol, **kw))
    cases += [Case("ops.stft", signal, 8, 4, 4), Case("ops.stft", signal, 8, 0, 16),
              Case("ops.stft", signal, 8, 4, 16, window="blackman"),
              Case("ops.stft", signal.astype("float16"), 8, 4, 16)]
    spec = (f32(2, 9, 9), f32(2, 9, 9))
    for kw in (dict(window="hann", center=True), dict(window="hamming", center=False),
               dict(window=None), dict(length=30), dict(window="hann", center=False, length=20)):
        cases.append(Case("ops.istft", spec, 16, 4, 16, tol=(1e-4, 1e-4), **kw))
    cases += [Case("ops.istft", spec, 8, 4, 16, tol=(1e-4, 1e-4))]
    cases += [Case("ops.rsqrt", f32(4, low=0.1), grad=True), Case("ops.erf", f32(4), grad=True),
              Case("ops.erfc", f32(4)), Case("ops.erfinv", f32(4, low=-0.9, high=0.9)),
              Case("ops.logdet", spd(), tol=tol), Case("ops.logdet", spd(2), tol=tol),
              Case("ops.view_as_complex", f32(3, 2)), Case("ops.view_as_complex", f32(3, 3)),
              Case("ops.view_as_real", f32(3) + 1j * f32(3)), Case("ops.view_as_real", f32(3))]
    img = f32(2, 4, 6, 3)
    cases += [Case("ops.rearrange", img, "b h w c -> b c h w"),
              Case("ops.rearrange", img, "b h w c -> (b h) w c"),
              Case("ops.rearrange", img, "b h w c -> h (b w) c"),
              Case("ops.rearrange", img, "b (h1 h) (w1 w) c -> (b h1 w1) h w c", h1=2, w1=2),
              Case("ops.rearrange", img, "b (h h1) (w w1) c -> b h w (c h1 w1)", h1=2, w1=3)]
    return cases


CASES = _cases()


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.id for c in CASES])
def test_matches_keras_jax_backend(index, keras_ref):
    check_case(jkeras, CASES[index], keras_ref[index])
