"""The `Trainer` mixin: Keras 3's compile / fit / evaluate / predict on a jitted on-device loop.

`class Model(Trainer, Layer)`: no `__init__` needed (class-level defaults; the per-model cache
is created lazily). The model contract used here: `built`, `_build_from_inputs(x)`,
`get_variables()` / `set_variables()`, pure `apply(variables, x, training, rng)`, `output_names`.

During `fit` the weights live in the loop's `TrainState` (donated from one compiled call to the
next); the model gets them back at the end, or whenever a callback touches `self.model`
(`jax_state_sync`, as Keras's JAX trainer). See loop.py for chunking and the fused-epoch path.
"""
import warnings

import jax
import numpy as np

from jkeras.core import config as core_config

from jkeras.distribution import current as distribution_lib
from jkeras.training import (chunks, compile_utils, compile_watch, data as data_lib,
                             host_epochs, inference, listening, loop as loop_lib, seams)
from jkeras.training.keras_steps import KerasStepsMixin
from jkeras.training.on_batch import OnBatchMixin, pythonify as _pythonify
from jkeras.training.state import ModelStore
from jkeras.training.step import (Programs, frozen_paths, make_predict_step, make_test_step,
                                  make_train_step, new_eval_state)


def _signature(tree):
    """Structure + per-sample shapes + dtypes (the batch dimension is left out)."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    return treedef, tuple((tuple(np.shape(a))[1:], str(getattr(a, "dtype", None) or
                                                        np.result_type(a))) for a in leaves)


def _step_limit(steps):
    """`keras.config.set_max_steps_per_epoch`: caps fit's epochs, evaluate and predict."""
    limit = core_config.max_steps_per_epoch()
    if limit and (not steps or limit < steps):
        warnings.warn("Limiting steps_per_epoch to %d" % limit)
        return limit
    return steps


class Trainer(KerasStepsMixin, OnBatchMixin):
    compiled = False
    optimizer = None
    loss = None
    history = None
    stop_training = False
    stop_evaluating = False
    stop_predicting = False
    run_eagerly = False
    jit_compile = True
    steps_per_execution = "auto"

    def _jk(self):
        store = self.__dict__.get("_jk_store")
        if store is None:
            store = ModelStore()
            self.__dict__["_jk_store"] = store
        return store

    # ------------------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution="auto",
                jit_compile="auto", auto_scale_loss=True):
        from jkeras import optimizers
        opt = optimizers.get(optimizer)
        if (auto_scale_loss and self.dtype_policy.name == "mixed_float16" and opt is not None
                and not isinstance(opt, optimizers.LossScaleOptimizer)):
            # Keras: under mixed_float16 the loss is scaled dynamically against underflow
            opt = optimizers.LossScaleOptimizer(opt, name="loss_scale_optimizer")
        compile_utils.validate_compile_args(loss, loss_weights, metrics, weighted_metrics,
                                            steps_per_execution)
        store = self._jk()
        if store.opt is not opt:
            store.opt_state = None
        store.opt = opt
        store.compile_id += 1
        store.outputs, store.programs, store.decisions, store.last_outputs = {}, {}, {}, None
        store.last_compiled, store.compile_metrics = None, {}
        store.frozen = None
        if store.opt_state is not None and store.frozen_at_init != frozen_paths(self):
            store.opt_state = None  # a different set of trainable weights: a fresh optimizer
        store.config = dict(optimizer=opt, loss=loss, loss_weights=loss_weights, metrics=metrics,
                            weighted_metrics=weighted_metrics, run_eagerly=run_eagerly,
                            steps_per_execution=steps_per_execution, jit_compile=jit_compile)
        if jit_compile == "auto":
            jit_compile = not run_eagerly
        self.optimizer, self.loss = opt, loss
        self.run_eagerly = bool(run_eagerly or not jit_compile)
        self.jit_compile = bool(jit_compile) and not run_eagerly
        self.steps_per_execution = steps_per_execution
        self.stop_training = False
        self.compiled = True

    def get_compile_config(self):
        """Keras's serialized compile arguments ({} when not compiled); see
        jkeras/saving/compile_config.py."""
        from jkeras.saving.compile_config import serialize_compile_config
        return serialize_compile_config(self)

    def compile_from_config(self, config):
        """Compile from a `get_compile_config()` dict and create the optimizer state (Keras)."""
        from jkeras.saving import compile_config
        if type(self).compile is not Trainer.compile:
            warnings.warn("`compile()` was not called as part of model loading because the "
                          "model's `compile()` method is custom. All subclassed Models that "
                          "have `compile()` overridden should also override "
                          "`get_compile_config()` and `compile_from_config(config)`. "
                          "Alternatively, you can call `compile()` manually after loading.",
                          stacklevel=2)
            return
        self.compile(**compile_config.compile_arguments(config))
        compile_config.build_optimizer_state(self)

    def _jk_assert_compiled(self, method):
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before using the model: `{method}()` "
                             "needs a loss and an optimizer.")

    @property
    def metrics_names(self):
        if not self.compiled:
            return []
        store, names = self._jk(), ["loss"]
        if store.config["metrics"] or store.config["weighted_metrics"]:
            names.append("compile_metrics")
        if store.last_outputs is not None:
            names += store.last_outputs.loss_tracker_names
        return names

    def reset_metrics(self):
        """Metric accumulators live in the loop's state and restart every epoch / evaluate."""

    # ------------------------------------------------------------------------------ resolution
    def _jk_eager(self):
        return bool(self.run_eagerly)

    def _jk_outputs(self, batch, role="train"):
        """CompiledOutputs for this batch's (y, y_pred) signature; builds the model first. For
        a `role` ("train" / "test") whose step the model overrides, the SeamOutputs of that
        step (seams.py)."""
        x, y, _ = batch
        store = self._jk()
        seams.check_step_signatures(self, Trainer)
        if seams.overridden(self, f"{role}_step", Trainer):
            cfg = store.config
            pred = None
            if not self.built or cfg["loss"] is not None or cfg["metrics"] or (
                    cfg["weighted_metrics"]):
                # Keras builds an unbuilt model from x; compile's loss and metrics need y_pred's
                # shapes. A built model whose step takes other data (a GAN's images for a
                # generator of noise) is not called on x.
                pred = self._jk_forward_spec(x)
                self._jk_compiled_outputs(y, pred)  # compile_metrics for `self.metrics`
            seam_key = (role, _signature(y), _signature(pred), _signature(x))
            if seam_key not in store.outputs:
                store.outputs[seam_key] = seams.SeamOutputs(
                    self, role, batch, self._jk_seam_state(role))
            return store.outputs[seam_key]
        return self._jk_compiled_outputs(y, self._jk_forward_spec(x))

    def _jk_seam_state(self, role):
        if role == "train":
            return lambda outputs: self._jk().new_state(self, outputs, self._jk_frozen(),
                                                        seams.extra_optimizers(self))
        return lambda outputs: new_eval_state(self.get_variables(), outputs.init_metrics)

    def _jk_compiled_outputs(self, y, pred):
        store, key = self._jk(), (_signature(y), _signature(pred))
        outputs = store.outputs.get(key)
        if outputs is None:
            cfg = store.config
            outputs = compile_utils.CompiledOutputs(
                cfg["loss"], cfg["loss_weights"], cfg["metrics"], cfg["weighted_metrics"],
                getattr(self, "output_names", None)).build(y, pred)
            store.outputs[key] = outputs
        store.last_outputs = store.last_compiled = outputs
        return outputs

    def _jk_forward_spec(self, x):
        """Build the model if needed; y_pred's shapes (one abstract trace, which also tells
        whether the forward pass has loop-unfriendly ops, see loop.loop_risky)."""
        self._build_from_inputs(x)
        store, variables = self._jk(), self.get_variables()
        if self._jk_eager():
            return self.apply(variables, jax.tree_util.tree_map(np.asarray, x))[0]
        # The batch size is part of the key: the cached shapes are per batch (predict on 2 rows,
        # then fit on batches of 32, must not reuse the 2-row shapes).
        batch = tuple(np.shape(a)[:1] for a in jax.tree_util.tree_leaves(x))
        key = (_signature(x), batch, jax.tree_util.tree_structure(variables),
               tuple(np.shape(v) for v in jax.tree_util.tree_leaves(variables)))
        if key not in store.forward:
            closed, pred = jax.make_jaxpr(
                lambda v, xs: self.apply(v, xs, training=False, rng=jax.random.PRNGKey(0))[0],
                return_shape=True)(
                    variables, compile_utils.tree_spec(x))
            store.forward[key] = pred
            store.loop_risky[_signature(x)] = loop_lib.loop_risky(closed.jaxpr)
        return store.forward[key]

    def _jk_frozen(self):
        """Weights of `trainable=False` layers, fixed at the first use after compile() (Keras:
        trainable weights are determined at compile time)."""
        store = self._jk()
        if store.frozen is None:
            store.frozen = frozen_paths(self)
        return store.frozen

    def _jk_programs(self, outputs, nan_guard=False):
        store, eager = self._jk(), self._jk_eager()
        key = (id(outputs), bool(nan_guard), eager, distribution_lib.cache_key())
        progs = store.programs.get(key)
        if progs is None:
            if isinstance(outputs, seams.SeamOutputs):
                train = outputs.step if outputs.role == "train" else None
                test = outputs.step if outputs.role == "test" else None
            else:
                train = make_train_step(self, outputs, self.optimizer, nan_guard,
                                        self._jk_frozen())
                test = make_test_step(self, outputs)
            steps = distribution_lib.wrap_steps(train, test, self._jk_predict_step())
            progs = Programs(*steps, outputs, eager=eager)
            store.programs[key] = progs
        return progs

    def _jk_predict_programs(self):
        store, eager = self._jk(), self._jk_eager()
        key = ("predict", eager, distribution_lib.cache_key())
        if key not in store.programs:
            steps = distribution_lib.wrap_steps(None, None, self._jk_predict_step())
            store.programs[key] = Programs(*steps, None, eager)
        return store.programs[key]

    def _jk_predict_step(self):
        if seams.overridden(self, "predict_step", Trainer):
            return seams.make_predict_step(self)
        return make_predict_step(self)

    def _jk_decision(self, x):
        """The loop-or-single decision to reuse for evaluate / predict on inputs like `x`."""
        store, sig = self._jk(), _signature(x)
        for k, d in store.decisions.items():
            if k[0] == "train" and k[1] == sig:
                return d
        risky = store.loop_risky.get(sig, False)
        return loop_lib.Decision("single" if risky else "loop", None)

    # ------------------------------------------------------------------------------ state
    def _jk_new_state(self, outputs):
        extras = seams.extra_optimizers(self) if isinstance(outputs, seams.SeamOutputs) else ()
        return distribution_lib.put_state(
            self._jk().new_state(self, outputs, self._jk_frozen(), extras))

    def _jk_before_call(self, ts):
        new = self._jk().before_call(self, ts)
        if new is not ts and distribution_lib.distribution() is not None:
            new = distribution_lib.put_state(new)  # a callback's weights, on the mesh
        return new

    def _jk_set_live(self, ts):
        self._jk().set_live(ts)

    def jax_state_sync(self):
        """Write the loop's current weights (copies) back into the layers; callbacks call this
        through `Callback.model`, as with Keras's JAX trainer."""
        store = self.__dict__.get("_jk_store")
        if store is not None:
            store.sync(self)

    def _jk_finish(self, ts):
        self._jk().finish(self, ts)

    # ------------------------------------------------------------------------------ data
    @staticmethod
    def _jk_data(x, y, sample_weight, batch_size, steps, method, shuffle=False):
        return data_lib.make_data(x, y, sample_weight, batch_size, steps, method, shuffle)

    @staticmethod
    def _jk_first(data):
        return data_lib.first_batch(data)

    # ------------------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        from jkeras.training.callbacks import Callback, CallbackList
        self._jk_assert_compiled("fit")
        batch_size = data_lib.check_batch_size(batch_size)
        validation_batch_size = data_lib.check_batch_size(validation_batch_size)
        data_lib.check_validation_split(validation_split)
        self._jk_should_eval(0, validation_freq)  # its type error, before anything runs
        data_lib.check_batch_size(steps_per_epoch, "steps_per_epoch")
        data_lib.check_batch_size(validation_steps, "validation_steps")
        limit = core_config.max_epochs()
        if limit and limit < epochs:  # keras.config.set_max_epochs: debugging runs
            warnings.warn("Limiting epochs to %d" % limit)
            epochs = limit
        steps_per_epoch, validation_steps = _step_limit(steps_per_epoch), _step_limit(
            validation_steps)
        x, y, sample_weight, val = data_lib.prepare_fit(
            x, y, sample_weight, class_weight, validation_split, validation_data)
        train = self._jk_data(x, y, sample_weight, batch_size, steps_per_epoch, "fit",
                              bool(shuffle))
        outputs = self._jk_outputs(self._jk_first(train))
        val_data = val_outputs = None
        if val is not None:
            val_data = self._jk_data(*val, validation_batch_size or batch_size, validation_steps,
                                     "fit")
            val_outputs = self._jk_outputs(self._jk_first(val_data), role="test")
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                           verbose=verbose, epochs=epochs,
                           steps=steps_per_epoch or train.num_batches, model=self)
        nan_guard, listen, epoch_hooks = loop_lib.classify_callbacks(cbs, Callback)
        fusable = not epoch_hooks and steps_per_epoch is None and not self._jk_eager() and (
            isinstance(train, data_lib.ArrayData)) and (val_data is None or (
                isinstance(val_data, data_lib.ArrayData) and val_outputs is outputs
                and validation_steps is None))
        progs = self._jk_programs(outputs, nan_guard)
        val_progs = self._jk_programs(val_outputs) if val_data is not None else None
        spe = self.steps_per_execution
        fixed_k = spe if spe != "auto" else None
        first = self._jk_first(train)
        key = ("train", _signature(first[0]), data_lib.batch_size_of(first), bool(shuffle),
               distribution_lib.cache_key())
        store = self._jk()
        if key not in store.decisions and not store.loop_risky.get(key[1], True):
            store.decisions[key] = loop_lib.Decision("loop", None)
        if isinstance(train, data_lib.ArrayData):
            runner = loop_lib.ArrayEpochs(progs, train, bool(shuffle), store.decisions, key,
                                          fixed_k, self._jk_eager())
        else:
            runner = host_epochs.HostEpochs(progs, train, store.decisions, key, fixed_k,
                                         self._jk_eager())
        ts = self._jk_new_state(outputs)
        self._jk_set_live(ts)
        self.stop_training = False
        names = outputs.result_names()
        logs, finished, epoch = {}, False, initial_epoch
        cbs.on_train_begin()
        epoch = getattr(self, "_initial_epoch", None) or epoch  # BackupAndRestore, as Keras
        watch = compile_watch.listening(cbs)  # compilation stays out of the bar's rate
        watch.__enter__()
        try:
            while epoch < epochs:
                decision = runner.decision if fusable and not runner.prefer_chunks(
                    val_data) else None
                if decision is not None and decision.mode == "loop":
                    ts = self._jk_before_call(ts)
                    evals = [val_data is not None and self._jk_should_eval(e, validation_freq)
                             for e in range(epoch, epoch + loop_lib.FUSED_EPOCHS)]
                    ts, rows = runner.fused(ts, epochs - epoch, val_data, evals)
                    self._jk_set_live(ts)
                    for row, ev in zip(rows, evals):
                        epoch, logs = self._jk_replay(cbs, epoch, row, names, ev,
                                                      train.num_batches)
                        if self.stop_training:
                            break
                    if self.stop_training or (nan_guard and int(ts.bad_step) >= 0):
                        break
                    continue
                cbs.on_epoch_begin(epoch)
                ts = self._jk_before_call(ts)
                hooks = dict(before_call=self._jk_before_call, after_call=self._jk_set_live)
                if isinstance(runner, loop_lib.ArrayEpochs):
                    ts, tlogs = runner.epoch(ts, cbs, self, steps_per_epoch, listen,
                                             nan_guard, **hooks)
                else:
                    ts, tlogs, _ = runner.epoch(ts, cbs, self, listen, nan_guard, **hooks)
                self._jk_set_live(ts)
                epoch_logs = chunks.named(progs, tlogs)
                if val_data is not None and self._jk_should_eval(epoch, validation_freq):
                    vlogs = self._jk_evaluate_run(ts.variables(), val_data, val_progs, cbs,
                                                  validation_steps, in_fit=True)
                    epoch_logs.update({f"val_{k}": v for k, v in vlogs.items()})
                if epoch_hooks:  # as Keras's JAX trainer: layers hold this epoch's weights
                    self.jax_state_sync()
                cbs.on_epoch_end(epoch, epoch_logs)
                logs = epoch_logs
                epoch += 1
                if self.stop_training or (nan_guard and int(ts.bad_step) >= 0):
                    break
                if isinstance(runner, host_epochs.HostEpochs) and train.exhausted:
                    break
            finished = True
        finally:
            watch.__exit__(None, None, None)
            self._jk_finish(ts)
        if finished:
            cbs.on_train_end(logs)
        return self.history

    def _jk_replay(self, cbs, epoch, row, names, evaluated, num_batches):
        """The callbacks of one fused epoch, from its row of logs. -> (next epoch, logs)."""
        row = row.tolist()
        logs = dict(zip(names, row))
        cbs.on_epoch_begin(epoch)
        cbs.on_train_batch_begin(0)
        cbs.on_train_batch_end(num_batches - 1, logs)
        if evaluated:
            val_logs = dict(zip(names, row[len(names):]))
            cbs.on_test_begin()
            cbs.on_test_end(val_logs)
            logs = {**logs, **{f"val_{k}": v for k, v in val_logs.items()}}
        cbs.on_epoch_end(epoch, logs)
        return epoch + 1, logs

    @staticmethod
    def _jk_should_eval(epoch, validation_freq):
        if isinstance(validation_freq, (int, np.integer)) and not isinstance(validation_freq, bool):
            return (epoch + 1) % validation_freq == 0
        if isinstance(validation_freq, (list, tuple)):
            return (epoch + 1) in validation_freq
        raise ValueError("Expected `validation_freq` to be a list or int. "
                         f"Received: validation_freq={validation_freq} of the type "
                         f"{type(validation_freq)}.")

    # ------------------------------------------------------------------------------ evaluate
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        from jkeras.training.callbacks import CallbackList
        self._jk_assert_compiled("evaluate")
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        batch_size = data_lib.check_batch_size(batch_size)
        steps = _step_limit(steps)
        data = self._jk_data(x, y, sample_weight, batch_size, steps, "evaluate")
        outputs = self._jk_outputs(self._jk_first(data), role="test")
        progs = self._jk_programs(outputs)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose, epochs=1,
                           steps=steps or data.num_batches, model=self)
        logs = _pythonify(self._jk_evaluate_run(self.get_variables(), data, progs, cbs, steps))
        return logs if return_dict else outputs.evaluate_order(logs)

    def _jk_evaluate_run(self, variables, data, progs, cbs, steps=None, in_fit=False):
        from jkeras.training.callbacks import Callback
        self.stop_evaluating = False
        cbs.on_test_begin()
        listen = listening.level(cbs.callbacks, "test", Callback, in_fit)
        # Inside fit: weights a callback put in the model (SwapEMAWeights) are evaluated, as Keras
        variables = self._jk().replaced_variables(self) or variables
        es = distribution_lib.put_state(new_eval_state(variables, progs.outputs.init_metrics))
        runner = inference.EvalRunner(progs, self._jk_decision(self._jk_first(data)[0]),
                                     self._jk_eager())
        with compile_watch.listening(cbs):
            logs = runner.run(es, data, cbs, self, listen, steps)
        cbs.on_test_end(logs)
        return logs

    # ------------------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        from jkeras.training.callbacks import Callback, CallbackList
        batch_size = data_lib.check_batch_size(batch_size)
        steps = _step_limit(steps)
        data = self._jk_data(x, None, None, batch_size, steps, "predict")
        if _signature(self._jk_first(data)[0]) not in self._jk().loop_risky:
            self._jk_forward_spec(self._jk_first(data)[0])
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose, epochs=1,
                           steps=steps or data.num_batches, model=self)
        listen = listening.level(cbs.callbacks, "predict", Callback)
        self.stop_predicting = False
        cbs.on_predict_begin()
        runner = inference.PredictRunner(self._jk_predict_programs(),
                                        self._jk_decision(self._jk_first(data)[0]),
                                        self._jk_eager())
        with compile_watch.listening(cbs):
            out = runner.run(distribution_lib.put_state(self.get_variables()), data, cbs, self,
                             listen, steps)
        cbs.on_predict_end()
        return out
