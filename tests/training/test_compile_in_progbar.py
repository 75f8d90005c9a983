"""Compilation stays out of the progress bar's rate and ETA; a long one says "compiling"."""
import re

import jax
import numpy as np

import jkeras
from jkeras import layers as L
from jkeras.training import compile_watch
from jkeras.training.progbar import Progbar

ANSI = re.compile(r"\x1b\[\d+m")


def frames(text):
    return [f.strip() for f in ANSI.sub("", text).replace("\b", "").split("\r") if f.strip()]


def test_excluded_seconds_leave_rate_and_eta(clock, capsys):
    bar = Progbar(100, verbose=1, stateless_metrics=set())
    clock.t += 20.0          # 20 s of compilation before the first 10 steps ...
    bar.exclude(19.0)        # ... of which 19 s were compiling
    bar.update(10, [("loss", 1.0)])
    first = frames(capsys.readouterr().out)[-1]
    assert "100ms/step" in first and " 9s " in first  # 1 s for 10 steps; ETA 90 steps
    bar.note("compiling…")
    assert frames(capsys.readouterr().out)[-1].endswith("compiling…")


def test_fit_reports_compilation_once_and_notes_it(monkeypatch, capsys):
    jax.clear_caches()  # a cold compile, whatever ran before in this process
    monkeypatch.setattr(compile_watch, "NOTE_AFTER", 0.0)
    excluded = []
    original = Progbar.exclude
    monkeypatch.setattr(Progbar, "exclude", lambda self, s: (excluded.append(s),
                                                               original(self, s)))
    x = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    model = jkeras.Sequential([L.Dense(3, input_shape=(4,)), L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, x[:, :1], batch_size=16, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "compiling…" in out and excluded and all(s >= 0 for s in excluded)
    excluded.clear()
    model.fit(x, x[:, :1], batch_size=16, epochs=1, verbose=1)  # warm: nothing compiles
    assert "compiling…" not in capsys.readouterr().out and not excluded
