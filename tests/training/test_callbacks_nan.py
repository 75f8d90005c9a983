"""TerminateOnNaN with per-step and per-chunk batch logs."""

import math

import numpy as np
import pytest

from jkeras.training.callbacks import CallbackList, TerminateOnNaN


class TinyModel:
    stop_training = False


def fit(cb, chunk_losses, steps_per_chunk=1, epochs=2):
    """The loop's contract: batch hook per chunk; break out when stop_training is set."""
    model = TinyModel()
    cbs = CallbackList([cb], add_history=True, model=model, verbose=0, epochs=epochs,
                       steps=len(chunk_losses) * steps_per_chunk)
    model.stop_training = False
    cbs.on_train_begin()
    seen = []
    for epoch in range(epochs):
        cbs.on_epoch_begin(epoch)
        for i, loss in enumerate(chunk_losses):
            end = (i + 1) * steps_per_chunk - 1
            cbs.on_train_batch_begin(i * steps_per_chunk)
            cbs.on_train_batch_end(end, {"loss": loss})
            seen.append((epoch, end))
            if model.stop_training:
                break
        cbs.on_epoch_end(epoch, {"loss": 1.0})
        if model.stop_training:
            break
    cbs.on_train_end()
    return model, seen


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float32("nan")])
def test_stops_on_invalid_loss(bad, capsys):
    model, seen = fit(TerminateOnNaN(), [1.0, bad, 0.5])
    assert model.stop_training and seen == [(0, 0), (0, 1)]
    assert capsys.readouterr().out == "Batch 1: Invalid loss, terminating training\n"


def test_chunk_level_logs_report_the_chunks_last_step(capsys):
    model, seen = fit(TerminateOnNaN(), [0.9, math.nan], steps_per_chunk=4)
    assert seen == [(0, 3), (0, 7)]
    assert capsys.readouterr().out == "Batch 7: Invalid loss, terminating training\n"


def test_finite_losses_and_missing_loss_do_nothing(capsys):
    model, seen = fit(TerminateOnNaN(), [1.0, 2.0])
    assert not model.stop_training and len(seen) == 4
    cbs = CallbackList([TerminateOnNaN()], model=TinyModel())
    cbs.on_train_batch_end(0, {"accuracy": math.nan})
    assert capsys.readouterr().out == ""


def test_raise_error():
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        fit(TerminateOnNaN(raise_error=True), [math.nan])
