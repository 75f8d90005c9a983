"""`ProgbarLogger`: the `fit` / `evaluate` / `predict` progress display."""

from jkeras.training.callbacks.base import Callback
from jkeras.training.progbar import Progbar, clock as progbar_clock, print_msg


class ProgbarLogger(Callback):
    """Prints the Keras progress bar and the `Epoch i/N` headers to stdout.

    Reads `params["verbose"]` ("auto" means 1, as in Keras 3), `params["epochs"]` and
    `params["steps"]` (steps per epoch, or None when unknown). With chunked execution the batch
    hook's index is the chunk's last step, so the bar jumps by the chunk size.
    Validation run inside `fit` is silent; standalone `evaluate` and `predict` get their own bar.
    """

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        self.params = params
        verbose = params["verbose"]
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params["epochs"]
        self.target = params["steps"]

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def _jk_batch_listening(self, kind, in_fit):
        if self.verbose != 1 or (kind == "test" and in_fit):
            return None  # verbose=2 prints at epoch ends; validation draws no bar in fit
        return "progress"

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # predictions are not metrics

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    # ---- compilation (jkeras/training/compile_watch.py), not Keras hooks
    def _on_compile_start(self):
        if self.verbose == 1:
            self._maybe_init_progbar()
            self.progbar.note("compiling…")

    def _on_compile_end(self, seconds):
        if self.progbar is not None:
            # on the bar's own clock (tests drive it by hand): never more than has passed
            passed = progbar_clock() - self.progbar._start
            self.progbar.exclude(max(0.0, min(seconds, passed)))

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            # stateless_metrics=set(): the logs already hold running epoch means; show as given.
            self.progbar = Progbar(
                target=self.target, verbose=self.verbose, unit_name="step", stateless_metrics=set()
            )

    def _update_progbar(self, batch, logs=None):
        self._maybe_init_progbar()
        self.seen = batch + 1  # one-based count of steps done
        if self.target is not None:
            # A last chunk padded past the epoch end must not show e.g. "12/10" (Keras would).
            self.seen = min(self.seen, self.target)
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs):
        self._maybe_init_progbar()
        if self.target is None:
            # Unknown epoch length: learned from the first epoch, fixed for the next ones.
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
