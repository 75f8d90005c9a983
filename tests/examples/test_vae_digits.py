"""Runs examples/vae_digits.py: keras.io's VAE on digits, the KL term added by the encoder
with `add_loss`; training lowers the loss (reconstruction + KL) and the KL is a layer loss."""
import re


def test_vae_trains_with_the_kl_term_as_a_layer_loss(run_example):
    out = run_example("vae_digits.py")
    first, last = (float(v) for v in re.search(
        r"loss \(reconstruction \+ KL\): ([0-9.]+) -> ([0-9.]+)", out).groups())
    assert last < 0.8 * first
    kl = float(re.search(r"KL term on 128 digits: ([0-9.]+) \(1 layer loss\)", out).group(1))
    assert kl > 0.0
