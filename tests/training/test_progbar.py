"""Progbar: Keras 3's exact text for verbose 1 and 2, with a controlled clock."""

import re
import sys

import pytest

from jkeras.training import progbar as progbar_module
from jkeras.training.progbar import Progbar

ANSI = re.compile(r"\x1b\[\d+m")




def frames(text):
    """Visible frames of a redrawn bar: drop colours and backspaces, split on carriage returns."""
    return [f for f in ANSI.sub("", text).replace("\b", "").split("\r") if f]


def test_verbose1_exact_bytes(clock, capsys):
    bar = Progbar(4, verbose=1, stateless_metrics=set())
    clock.t += 2.0
    bar.update(2, [("accuracy", 0.5), ("loss", 1.25)], finalize=False)
    clock.t += 2.0
    bar.update(4, [("accuracy", 0.91), ("loss", 0.3012)], finalize=True)
    out = capsys.readouterr().out
    first = (
        "\r\x1b[1m2/4\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m"
        " \x1b[1m2s\x1b[0m 1s/step - accuracy: 0.5000 - loss: 1.2500"
    )
    width = len("2/4 " + "━" * 20 + " 2s 1s/step - accuracy: 0.5000 - loss: 1.2500")
    second = (
        "\b" * width + "\r\x1b[1m4/4\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m"
        " \x1b[1m4s\x1b[0m 1s/step - accuracy: 0.9100 - loss: 0.3012\n"
    )
    assert out == first + second


def test_verbose1_frames_eta_and_elapsed(clock, capsys):
    bar = Progbar(469, verbose=1, stateless_metrics=set())
    clock.t += 0.5
    bar.update(1, [("loss", 2.0)])
    clock.t += 0.936  # 468 more steps at 2ms
    bar.update(469, [("accuracy", 0.91), ("loss", 0.3012)])
    f = frames(capsys.readouterr().out)
    # While running: ETA; when done: elapsed seconds. Per-step time skips the first step.
    assert f[0] == "  1/469 ━━━━━━━━━━━━━━━━━━━━ 3:54 500ms/step - loss: 2.0000"
    assert f[1].rstrip("\n") == "469/469 ━━━━━━━━━━━━━━━━━━━━ 1s 2ms/step - loss: 0.3012 - accuracy: 0.9100"
    assert f[1].endswith("\n")


def test_verbose2_single_line(clock, capsys):
    bar = Progbar(469, verbose=2, stateless_metrics=set())
    for step in (100, 300):
        clock.t += 0.3
        bar.update(step, [("loss", 1.0)], finalize=False)
    assert capsys.readouterr().out == ""  # nothing until the end
    clock.t += 0.338
    bar.update(469, [("loss", 0.3012), ("val_loss", -0.5)], finalize=True)
    # val_loss is negative: verbose=2 compares the signed value, so scientific (Keras quirk).
    assert capsys.readouterr().out == "469/469 - 1s - 2ms/step - loss: 0.3012 - val_loss: -5.0000e-01\n"


def test_verbose0_silent(clock, capsys):
    bar = Progbar(3, verbose=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "seconds, text",
    [(0, " 0s/step"), (2.4, " 2s/step"), (0.037, " 37ms/step"), (0.00085, " 850us/step")],
)
def test_time_units(seconds, text):
    assert Progbar._format_time(seconds, "step") == text


def test_small_values_scientific(clock, capsys):
    bar = Progbar(1, verbose=1, stateless_metrics=set())
    clock.t += 0.037
    bar.update(1, [("loss", 0.0005), ("mae", -0.25), ("lr", 0.001)])
    assert frames(capsys.readouterr().out) == [
        "1/1 ━━━━━━━━━━━━━━━━━━━━ 0s 37ms/step - loss: 5.0000e-04 - mae: -0.2500 - lr: 1.0000e-03\n"
    ]


def test_averaging_weighted_by_steps(clock, capsys):
    # Default: metrics are averaged over steps, each update weighted by the steps it covers.
    bar = Progbar(10, verbose=1, interval=0)
    bar.update(2, [("loss", 1.0)])  # 2 steps at 1.0
    bar.update(8, [("loss", 2.0)])  # 6 steps at 2.0
    assert frames(capsys.readouterr().out)[-1].endswith("loss: 1.7500")
    bar = Progbar(10, verbose=1, interval=0, stateful_metrics=["loss"])
    bar.update(2, [("loss", 1.0)])
    bar.update(8, [("loss", 2.0)])
    assert frames(capsys.readouterr().out)[-1].endswith("loss: 2.0000")


def test_interval_throttles_but_finalize_always_prints(clock, capsys):
    bar = Progbar(3, verbose=1, interval=10.0)
    bar.update(1)
    clock.t += 1
    bar.update(2)  # within the interval: skipped
    bar.update(3)  # final: shown
    f = frames(capsys.readouterr().out)
    assert [x.split()[0] for x in f] == ["1/3", "3/3"]


def test_unknown_target_and_add(clock, capsys):
    bar = Progbar(None, verbose=1, interval=0)
    bar.add(5)
    bar.add(2)
    assert frames(capsys.readouterr().out)[-1] == "      7/Unknown 0s 0s/step"


def test_shorter_line_is_padded_over_previous(clock, capsys):
    bar = Progbar(2, verbose=1, interval=0)
    bar.update(1, [("a_long_metric_name", 1.0)])
    first_width = bar._prev_total_width
    assert capsys.readouterr().out.startswith("\r")
    bar._values_order.clear()  # next frame shows no metric: shorter
    bar.update(2)
    out = capsys.readouterr().out
    assert out.startswith("\b" * first_width + "\r")
    visible = ANSI.sub("", out).replace("\b", "").lstrip("\r").rstrip("\n")
    assert len(visible) == first_width  # padded with spaces to erase the old tail


def test_dynamic_display_matches_keras_on_posix():
    # Keras 3.15 treats any POSIX system as dynamic ("posix" in sys.modules), tty or not.
    assert progbar_module._dynamic_display() == (
        sys.stdout.isatty() or "posix" in sys.modules or "ipykernel" in sys.modules
        or "PYCHARM_HOSTED" in __import__("os").environ
    )


def test_non_dynamic_display_uses_newlines(clock, capsys):
    bar = Progbar(2, verbose=1, interval=0)
    bar._dynamic_display = False
    bar.update(1)
    bar.update(2)
    out = ANSI.sub("", capsys.readouterr().out)
    assert out == "\n1/2 ━━━━━━━━━━━━━━━━━━━━ 0s 0s/step\n2/2 ━━━━━━━━━━━━━━━━━━━━ 0s 0s/step\n"


def test_both_metric_lists_rejected():
    with pytest.raises(ValueError, match="Only one of"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])
