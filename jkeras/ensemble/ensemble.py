"""`Ensemble`: N copies of one architecture, trained with different seeds in ONE compiled program.

    ens = jkeras.Ensemble(model_fn, n=16)          # member i: set_random_seed(i); model_fn()
    ens.compile(optimizer="adam", loss="mse")      # or compile inside model_fn
    history = ens.fit(x, y, batch_size=128, epochs=5)
    history.history["loss"][epoch]                 # shape (16,): one value per member
    ens.evaluate(x, y)                             # per-member losses / metrics, shape (16,)
    ens.predict(x)                                 # (16, len(x), ...)
    ens.member(3)                                  # a normal jkeras model holding member 3

Member i's results equal `set_random_seed(seeds[i]); m = model_fn(); m.fit(...)` run alone: its
initial weights, its shuffling order and its dropout keys come from its own seed (members.py),
and its training program is the solo one, vmapped over the members (vmapped.py).
Data must be arrays (shared by all members, placed on the device once). Callbacks run at
epoch ends with per-member arrays in `logs` (`self.model` is the ensemble; setting
`ensemble.stop_training = True` stops every member); without callbacks all epochs run in one
compiled call. After fit the weights stay stacked on the device; a member model is brought up
to date when it is handed out (`member(i)`, `members`), and the next call reads it back.
"""
import copy

import jax
import numpy as np

from jkeras.ensemble import members as members_lib
from jkeras.ensemble import stacked, vmapped
from jkeras.training import array_logs, data as data_lib, loop as loop_lib, seams
from jkeras.training.trainer import Trainer


def _check_arrays(x, method):
    if data_lib.is_batch_iterable(x):
        raise ValueError(f"`Ensemble.{method}()` takes arrays (NumPy / JAX, or lists / dicts of "
                         f"them); received a {type(x).__name__}. Convert the data to arrays, or "
                         "train the members one by one with `ensemble.member(i).fit(...)`.")
    if x is None:
        raise ValueError(f"`Ensemble.{method}()` expects input data `x`; received x=None.")


class Ensemble:
    """N members built by `model_fn` under `seeds` (default 0..n-1), trained together.

    Args:
        model_fn: a callable with no arguments returning a new jkeras Model (it may compile it).
        n: the number of members.
        seeds: one integer seed per member (`jkeras.utils.set_random_seed` before `model_fn`).
    """

    def __init__(self, model_fn, n, seeds=None):
        self.n, self.seeds = members_lib.check_n_and_seeds(n, seeds)
        self._models, self._streams = members_lib.build_members(model_fn, self.seeds)
        members_lib.check_same_architecture(self._models)
        self._programs = {}
        self._weights = stacked.StackedWeights(self._models)
        self._checked_architecture, self._checked_compile = False, None
        self.history = None
        self.stop_training = False

    # ------------------------------------------------------------------------------ members
    @property
    def members(self):
        """The member models (each holds its current weights; save or inspect them freely)."""
        self._weights.release()
        return list(self._models)

    def member(self, i):
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -self.n <= i < self.n:
            raise ValueError(f"Member index must be an integer in [0, {self.n}). Received: {i!r}")
        self._weights.release()
        return self._models[int(i)]

    def __len__(self):
        return self.n

    def get_weights(self):
        """Keras-ordered weights, each stacked over members: shape (n, *weight shape)."""
        self._weights.write_members()
        per_member = [m.get_weights() for m in self._models]
        return [np.stack(ws) for ws in zip(*per_member)]

    def set_weights(self, weights):
        """The inverse of `get_weights`: entry k has member i's k-th weight at index i."""
        weights = [np.asarray(w) for w in weights]
        for w in weights:
            if w.ndim == 0 or w.shape[0] != self.n:
                raise ValueError(f"Each stacked weight must have a leading member axis of size "
                                 f"{self.n}. Received a weight of shape {w.shape}.")
        self._weights.release()
        for i, m in enumerate(self._models):
            m.set_weights([w[i] for w in weights])

    def get_variables(self):
        """The members' `{"params", "state"}` pytrees stacked along a leading member axis."""
        return self._weights.variables()

    # ------------------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", **kwargs):
        """`Model.compile` on every member (same arguments); each gets its own optimizer."""
        self._weights.release()
        for i, m in enumerate(self._models):
            opt = optimizer if (i == 0 or isinstance(optimizer, str)) else copy.deepcopy(optimizer)
            m.compile(optimizer=opt, **kwargs)
        self._programs = {}

    # ------------------------------------------------------------------------------ helpers
    def _prepare(self, batch, val_batch=None):
        """Build every member (each under its own key stream, so a lazily built member draws
        the keys its solo run draws) and resolve member 0's outputs. The per-member checks
        run again only when a member was built or recompiled since."""
        outs = None
        first = self._models[0]
        custom = [n for n in ("train_step", "test_step", "predict_step") + seams.STEP_HOOKS
                  if seams.overridden(first, n, Trainer)]
        if custom:
            raise ValueError(
                f"Ensemble vmaps the built-in training steps, but model '{first.name}' "
                f"({type(first).__name__}) overrides {custom}. Fit such models one by one, or "
                "vmap your own step over `stateless_call`.")
        for i, m in enumerate(self._models):
            if i == 0 or not m.built:
                self._checked_architecture &= m.built
                with self._streams.active(i):
                    outputs = m.engine.outputs_for(batch)
                    val_outputs = m.engine.outputs_for(val_batch) if val_batch is not None else None
                if i == 0:
                    outs = (outputs, val_outputs)
        if not self._checked_architecture:
            members_lib.check_same_architecture(self._models)
            self._checked_architecture = True
        return outs

    def _check_same_compile(self):
        """After `_prepare` (frozen layers are known once built); again only on recompiles."""
        ids = tuple((id(m.optimizer), m.engine.compile_id) for m in self._models)
        if ids != self._checked_compile:
            members_lib.check_same_compile(self._models)
            self._checked_compile = ids

    def _progs(self, outputs, val_outputs=None):
        m0 = self._models[0]
        key = (m0.engine.compile_id, id(outputs), id(val_outputs))
        if key not in self._programs:
            self._programs[key] = vmapped.EnsemblePrograms(m0, outputs, val_outputs)
        return self._programs[key]

    def jax_state_sync(self):
        """Callbacks reading `self.model` during fit see the members' current weights."""
        if self._live is not None:
            self._weights.write_members(self._live.variables(), self._live.opt_state)

    _live = None

    # ------------------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, validation_batch_size=None,
            validation_freq=1):
        """Train every member for `epochs` on the same data. -> History whose
        `history[name]` lists, per epoch, an array of shape (n,) (one value per member)."""
        from jkeras.training.callbacks import CallbackList
        from jkeras.training.callbacks.history import History
        _check_arrays(x, "fit")
        members_lib.check_compiled(self._models)
        batch_size = data_lib.check_batch_size(batch_size)
        validation_batch_size = data_lib.check_batch_size(validation_batch_size,
                                                          "validation_batch_size")
        data_lib.check_validation_split(validation_split)
        should_eval = loop_lib.should_eval
        should_eval(0, validation_freq)  # its type error, before anything runs
        if validation_data is not None:
            _check_arrays(data_lib.unpack_validation_data(validation_data)[0], "fit")
        x, y, sample_weight, val = data_lib.prepare_fit(
            x, y, sample_weight, class_weight, validation_split, validation_data)
        train = data_lib.ArrayData(x, y, sample_weight, batch_size)
        val_data = None
        if val is not None:
            val_data = data_lib.ArrayData(*val, validation_batch_size or batch_size)
        outputs, val_outputs = self._prepare(
            train.first_batch_host(), val_data.first_batch_host() if val_data else None)
        self._check_same_compile()
        progs = self._progs(outputs, val_outputs)
        val_layout = (val_data.num_samples, val_data.batch_size) if val_data else None
        run = progs.train(train.num_samples, train.batch_size, shuffle, val_layout)
        cbs = CallbackList(callbacks, add_history=True, add_progbar=False, model=self,
                           verbose=verbose, epochs=epochs, steps=train.num_batches)
        per_epoch = any(not isinstance(c, History) for c in cbs.callbacks)
        names = outputs.result_names()
        val_names = [f"val_{k}" for k in (val_outputs or outputs).result_names()]
        ts = progs.new_state(*self._weights.current(), *self._streams.draw_keys())
        logs, epoch = {}, initial_epoch
        self.stop_training = False
        cbs.on_train_begin()
        try:
            while epoch < epochs and not self.stop_training:
                k = 1 if per_epoch else min(epochs - epoch, vmapped.MAX_EPOCHS)
                evals = np.zeros(vmapped.MAX_EPOCHS, bool)
                evals[:k] = [val_data is not None and should_eval(e, validation_freq)
                             for e in range(epoch, epoch + k)]
                ts, buf = run(ts, train.device, k, val_data.device if val_data else None, evals)
                self._live = ts
                rows = np.asarray(buf)[:, :k]  # (members, k, logs)
                for j in range(k):
                    logs = dict(zip(names, rows[:, j, :len(names)].T))
                    if evals[j]:
                        logs.update(zip(val_names, rows[:, j, len(names):].T))
                    self._replay(cbs, epoch, logs, train.num_batches, verbose, epochs)
                    epoch += 1
                    if self.stop_training:
                        break
        finally:
            self._live = None
            if not any(getattr(a, "is_deleted", lambda: False)()
                       for a in jax.tree_util.tree_leaves(ts)):
                self._weights.update(ts.variables(), ts.opt_state)
            else:  # interrupted inside a donated call: the members keep their pre-fit weights
                self._weights.stale = True
        cbs.on_train_end(logs)
        return self.history

    @staticmethod
    def _replay(cbs, epoch, logs, num_batches, verbose, epochs):
        cbs.on_epoch_begin(epoch)
        cbs.on_train_batch_begin(0)
        cbs.on_train_batch_end(num_batches - 1, {k: v for k, v in logs.items()
                                                 if not k.startswith("val_")})
        cbs.on_epoch_end(epoch, logs)
        if verbose != 0:
            parts = [f"{k}: {np.mean(v):.4f} (min {np.min(v):.4f}, max {np.max(v):.4f})"
                     for k, v in logs.items()]
            print(f"Epoch {epoch + 1}/{epochs} (member mean) - " + " - ".join(parts))

    # ------------------------------------------------------------------------------ evaluate
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 return_dict=False):
        """Per-member losses and metrics: arrays of shape (n,), in `Model.evaluate`'s order
        (or a dict of them with `return_dict=True`)."""
        del verbose  # one compiled call: nothing to report along the way
        _check_arrays(x, "evaluate")
        members_lib.check_compiled(self._models)
        batch_size = data_lib.check_batch_size(batch_size)
        data = data_lib.ArrayData(x, y, sample_weight, batch_size)
        outputs, _ = self._prepare(data.first_batch_host())
        self._check_same_compile()
        run = self._progs(outputs).evaluate(data.num_samples, data.batch_size)
        values = np.asarray(run(self.get_variables(), data.device))
        logs = array_logs.regroup(dict(sorted(zip(outputs.result_names(), values.T))))
        return logs if return_dict else outputs.evaluate_order(logs)

    # ------------------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto"):
        """Every member's predictions, stacked: shape (n, len(x), ...)."""
        del verbose
        _check_arrays(x, "predict")
        batch_size = data_lib.check_batch_size(batch_size)
        data = data_lib.ArrayData(x, None, None, batch_size)
        first = data.first_batch_host()[0]
        for i, m in enumerate(self._models):
            if not m.built:
                with self._streams.active(i):  # building draws the member's own keys
                    m.engine.forward_spec(first)
                self._checked_architecture = False
        if not self._checked_architecture:
            members_lib.check_same_architecture(self._models)
            self._checked_architecture = True
        key = ("predict", self._models[0].engine.compile_id)
        if key not in self._programs:
            self._programs[key] = vmapped.EnsemblePrograms(self._models[0], None)
        run = self._programs[key].predict(data.num_samples, data.batch_size)
        out = run(self.get_variables(), data.device[0])
        return jax.tree_util.tree_map(np.asarray, out)
