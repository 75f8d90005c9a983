"""Runs examples/masking_padding_guide.py: keras.io's "Understanding masking & padding" with the
import changed; the script checks each mask and that an LSTM skips padded steps."""


def test_masking_padding_guide_runs(run_example):
    out = run_example("masking_padding_guide.py")
    for line in ("padding is skipped: LSTM output of a padded sequence equals the unpadded one",
                 "Mask found: <KerasTensor shape=(None, None), dtype=bool",
                 "TemporalSoftmax received the mask: (32, 100, 1)",
                 "OK: padding, Embedding/Masking masks, propagation, custom mask layers"):
        assert line in out, out[-3000:]
