"""Runs examples/gan_two_optimizers_digits.py: a GAN in Keras 3's JAX form (compile overridden
with two optimizers, two `stateless_apply` calls per step) trained by fit on sklearn's digits."""
import re


def test_gan_with_two_optimizers_trains(run_example):
    out = run_example("gan_two_optimizers_digits.py")
    assert "OK: GAN with two optimizers trained" in out
    d, g = map(int, re.search(r"iterations: d=(\d+) g=(\d+)", out).groups())
    assert d == g == 30 * 29  # both optimizers stepped once per batch (1,797 digits / 64)
    before, after = map(float, re.search(r"gap: before=([\d.]+) after=([\d.]+)", out).groups())
    assert after < 0.5 * before  # the generator's images moved toward the real ones
