"""ProgbarLogger driven the way the jitted loop drives it (chunks of K steps per hook)."""

import re


from jkeras.training.callbacks import CallbackList

ANSI = re.compile(r"\x1b\[\d+m")


class TinyModel:
    stop_training = False




def visible(text):
    """Frames as a human sees them, one per redraw."""
    return [f.rstrip() for f in ANSI.sub("", text).replace("\b", "").split("\r") if f.strip()]


def fit(clock, epochs, steps, chunk, verbose, val=True, step_time=0.002):
    """Keras 3 fit's hook sequence; the loss after step i is 1/(i+1) (running mean-ish)."""
    cbs = CallbackList(None, add_history=True, add_progbar=verbose != 0, verbose=verbose,
                       epochs=epochs, steps=steps, model=TinyModel())
    cbs.on_train_begin()
    for epoch in range(epochs):
        cbs.on_epoch_begin(epoch)
        for begin in range(0, steps, chunk):
            end = min(begin + chunk, steps) - 1
            cbs.on_train_batch_begin(begin)
            clock.t += step_time * (end - begin + 1)
            cbs.on_train_batch_end(end, {"loss": 1.0 / (end + 1), "accuracy": 0.5})
        logs = {"loss": 0.25, "accuracy": 0.75}
        if val:  # validation inside fit goes through the same list and must stay silent
            cbs.on_test_begin()
            cbs.on_test_batch_begin(0)
            cbs.on_test_batch_end(0, {"loss": 9.0})
            cbs.on_test_end({"loss": 0.5, "accuracy": 0.7})
            logs.update(val_loss=0.5, val_accuracy=0.7)
        cbs.on_epoch_end(epoch, logs)
    cbs.on_train_end(logs)
    return cbs


def test_verbose1_fit_with_chunks(clock, capsys):
    fit(clock, epochs=2, steps=8, chunk=3, verbose=1, step_time=0.02)  # chunks > 0.05s interval
    out = capsys.readouterr().out
    lines = out.split("\n")
    assert lines[0] == "Epoch 1/2"
    frames = visible(lines[1])
    # The bar advances by the chunk: 3, 6; the short last chunk (2 steps, 0.04s) falls inside the
    # 0.05s redraw interval, so the next frame is the final one.
    assert [f.split()[0] for f in frames] == ["3/8", "6/8", "8/8"]
    assert frames[0] == "3/8 ━━━━━━━\u2501━━━━━━━━━━━━ 0s 20ms/step - accuracy: 0.5000 - loss: 0.3333"
    assert frames[-1] == (
        "8/8 ━━━━━━━━━━━━━━━━━━━━ 0s 20ms/step - accuracy: 0.7500 - loss: 0.2500"
        " - val_accuracy: 0.7000 - val_loss: 0.5000"
    )
    assert lines[2] == "Epoch 2/2"
    assert out.endswith("val_loss: 0.5000\n") and out.count("\n") == 4


def test_verbose2_one_line_per_epoch(clock, capsys):
    fit(clock, epochs=3, steps=469, chunk=50, verbose=2)
    out = capsys.readouterr().out
    line = "469/469 - 1s - 2ms/step - accuracy: 0.7500 - loss: 0.2500 - val_accuracy: 0.7000 - val_loss: 0.5000"
    assert out == "".join(f"Epoch {e}/3\n{line}\n" for e in (1, 2, 3))


def test_verbose0_adds_no_progbar(clock, capsys):
    cbs = fit(clock, epochs=2, steps=4, chunk=1, verbose=0)
    assert capsys.readouterr().out == ""
    assert cbs._progbar is None


def test_auto_means_1_and_single_epoch_has_no_header(clock, capsys):
    fit(clock, epochs=1, steps=2, chunk=1, verbose="auto", val=False)
    out = capsys.readouterr().out
    assert "Epoch" not in out
    assert visible(out)[-1] == "2/2 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.7500 - loss: 0.2500"


def test_unknown_steps_learned_from_first_epoch(clock, capsys):
    cbs = CallbackList(None, add_progbar=True, verbose=1, epochs=2, steps=None, model=TinyModel())
    cbs.on_train_begin()
    for epoch in range(2):
        cbs.on_epoch_begin(epoch)
        for end in (1, 3, 4):
            clock.t += 0.1
            cbs.on_train_batch_end(end, {"loss": 1.0})
        cbs.on_epoch_end(epoch, {"loss": 1.0})
    cbs.on_train_end()
    epochs = capsys.readouterr().out.split("Epoch 2/2\n")
    assert [f.split()[0] for f in visible(epochs[0])[1:]] == ["2/Unknown", "4/Unknown", "5/Unknown", "5/5"]
    assert [f.split()[0] for f in visible(epochs[1])] == ["2/5", "4/5", "5/5", "5/5"]


def test_standalone_evaluate_and_predict_bars(clock, capsys):
    cbs = CallbackList(None, add_progbar=True, verbose=1, epochs=1, steps=1, model=TinyModel())
    cbs.on_predict_begin()
    cbs.on_predict_batch_begin(0)
    clock.t += 0.037
    cbs.on_predict_batch_end(0, {"outputs": [1, 2]})
    cbs.on_predict_end()
    assert visible(capsys.readouterr().out)[-1] == "1/1 ━━━━━━━━━━━━━━━━━━━━ 0s 37ms/step"

    cbs = CallbackList(None, add_progbar=True, verbose=1, epochs=1, steps=3, model=TinyModel())
    cbs.on_test_begin()
    for b in range(3):
        clock.t += 0.004
        cbs.on_test_batch_end(b, {"loss": 1.0})
    cbs.on_test_end({"loss": 0.9, "accuracy": 0.6})
    assert visible(capsys.readouterr().out)[-1] == (
        "3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 4ms/step - loss: 0.9000 - accuracy: 0.6000"  # first-seen order
    )


def test_chunk_index_past_epoch_end_is_clamped(clock, capsys):
    # Keras's iterator reports end = begin + K - 1 even for a short last chunk (here 8 for 7
    # steps); the bar must not show 9/7.
    cbs = CallbackList(None, add_progbar=True, verbose=1, epochs=1, steps=7, model=TinyModel())
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for end in (2, 5, 8):
        clock.t += 0.1
        cbs.on_train_batch_end(end, {"loss": 1.0})
    frames = visible(capsys.readouterr().out)
    assert [f.split()[0] for f in frames] == ["3/7", "6/7", "7/7"]
    assert "━" * 20 in frames[-1]
