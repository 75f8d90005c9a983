"""The `Trainer` mixin: Keras 3's compile / fit / evaluate / predict on a jitted on-device loop.

`class Model(Trainer, Layer)`: no `__init__` needed (class-level defaults; the per-model cache
is created lazily). The model contract used here: `built`, `_build_from_inputs(x)`,
`get_variables()` / `set_variables()`, pure `apply(variables, x, training, rng)`, `output_names`.

During `fit` the weights live in the loop's `TrainState` (donated from one compiled call to the
next); the model gets them back at the end, or whenever a callback touches `self.model`
(`jax_state_sync`, as Keras's JAX trainer). See loop.py for chunking and the fused-epoch path.
"""
import warnings


from jkeras.core import config as core_config
from jkeras.core.traceback_utils import filter_traceback

from jkeras.distribution import current as distribution_lib
from jkeras.training import (chunks, compile_utils, compile_watch, data as data_lib,
                             host_epochs, inference, listening, loop as loop_lib,
                             stateful_inference)
from jkeras.training.keras_steps import KerasStepsMixin
from jkeras.training.on_batch import OnBatchMixin, pythonify as _pythonify
from jkeras.training.engine import Engine, signature
from jkeras.training.step import new_eval_state


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

    @property
    def engine(self):
        """The model's one training-state object (jkeras/training/engine.py): compiled
        programs, loop decisions, the running fit's state; created on first use."""
        engine = self.__dict__.get("_engine")
        if engine is None:
            engine = Engine(self, Trainer)
            self.__dict__["_engine"] = engine
        return engine

    # ------------------------------------------------------------------------------ compile
    @filter_traceback
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
        args = dict(optimizer=opt, loss=loss, loss_weights=loss_weights, metrics=metrics,
                    weighted_metrics=weighted_metrics, run_eagerly=run_eagerly,
                    steps_per_execution=steps_per_execution, jit_compile=jit_compile)
        config, previous = dict(args), self.engine.compile_config if self.compiled else None
        if previous:  # as Keras 3: a recompile without a loss / metrics keeps the previous ones
            if loss is None:
                config.update(loss=previous["loss"], loss_weights=previous["loss_weights"])
            if metrics is None and weighted_metrics is None:
                config.update(metrics=previous["metrics"],
                              weighted_metrics=previous["weighted_metrics"])
        if jit_compile == "auto":
            jit_compile = not run_eagerly
        self.optimizer = opt
        if loss is not None:
            self.loss = loss
        self.engine.compiled(config, args)
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
        engine, names = self.engine, ["loss"]
        if engine.compile_config["metrics"] or engine.compile_config["weighted_metrics"]:
            names.append("compile_metrics")
        if engine.last_outputs is not None:
            names += engine.last_outputs.loss_tracker_names
        return names

    def reset_metrics(self):
        """Metric accumulators live in the loop's state and restart every epoch / evaluate."""

    def jax_state_sync(self):
        """Write the loop's current weights (copies) back into the layers; callbacks call this
        through `Callback.model`, as with Keras's JAX trainer."""
        engine = self.__dict__.get("_engine")
        if engine is not None:
            engine.sync()

    # ------------------------------------------------------------------------------ fit
    @filter_traceback
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        from jkeras.training.callbacks import Callback, CallbackList
        self._jk_assert_compiled("fit")
        engine = self.engine
        batch_size = data_lib.check_batch_size(batch_size)
        validation_batch_size = data_lib.check_batch_size(validation_batch_size)
        data_lib.check_validation_split(validation_split)
        loop_lib.should_eval(0, validation_freq)  # its type error, before anything runs
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
        train = data_lib.make_data(x, y, sample_weight, batch_size, steps_per_epoch, "fit",
                              bool(shuffle))
        outputs = engine.outputs_for(data_lib.first_batch(train))
        val_data = val_outputs = None
        if val is not None:
            val_data = data_lib.make_data(*val, validation_batch_size or batch_size, validation_steps,
                                     "fit")
            val_outputs = engine.outputs_for(data_lib.first_batch(val_data), role="test")
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                           verbose=verbose, epochs=epochs,
                           steps=steps_per_epoch or train.num_batches, model=self)
        nan_guard, listen, epoch_hooks = loop_lib.classify_callbacks(cbs, Callback)
        fusable = not epoch_hooks and steps_per_epoch is None and not engine.eager and (
            isinstance(train, data_lib.ArrayData)) and (val_data is None or (
                isinstance(val_data, data_lib.ArrayData) and val_outputs is outputs
                and validation_steps is None))
        progs = engine.programs_for(outputs, nan_guard)
        val_progs = engine.programs_for(val_outputs) if val_data is not None else None
        spe = self.steps_per_execution
        fixed_k = spe if spe != "auto" else None
        first = data_lib.first_batch(train)
        key = ("train", signature(first[0]), data_lib.batch_size_of(first), bool(shuffle),
               distribution_lib.cache_key())
        if key not in engine.decisions and not engine.loop_risky.get(key[1], True):
            engine.decisions[key] = loop_lib.Decision("loop", None)
        if isinstance(train, data_lib.ArrayData):
            runner = loop_lib.ArrayEpochs(progs, train, bool(shuffle), engine.decisions, key,
                                          fixed_k, engine.eager)
        else:
            runner = host_epochs.HostEpochs(progs, train, engine.decisions, key, fixed_k,
                                         engine.eager)
        distribution_lib.check_processes(self, "fit", steps_per_epoch or train.num_batches, first,
                                         epochs, val_data is not None and (
                                             validation_steps or val_data.num_batches))
        ts = engine.start(outputs)
        engine.set_live(ts)
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
                    ts = engine.before_call(ts)
                    evals = [val_data is not None and loop_lib.should_eval(e, validation_freq)
                             for e in range(epoch, epoch + loop_lib.FUSED_EPOCHS)]
                    ts, rows = runner.fused(ts, epochs - epoch, val_data, evals)
                    engine.set_live(ts)
                    for row, ev in zip(rows, evals):
                        epoch, logs = self._jk_replay(cbs, epoch, row, names, ev,
                                                      train.num_batches)
                        if self.stop_training:
                            break
                    if self.stop_training or (nan_guard and int(ts.bad_step) >= 0):
                        break
                    continue
                cbs.on_epoch_begin(epoch)
                ts = engine.before_call(ts)
                hooks = dict(before_call=engine.before_call, after_call=engine.set_live)
                if isinstance(runner, loop_lib.ArrayEpochs):
                    ts, tlogs = runner.epoch(ts, cbs, self, steps_per_epoch, listen,
                                             nan_guard, **hooks)
                else:
                    ts, tlogs, _ = runner.epoch(ts, cbs, self, listen, nan_guard, **hooks)
                engine.set_live(ts)
                epoch_logs = chunks.named(progs, tlogs)
                if val_data is not None and loop_lib.should_eval(epoch, validation_freq):
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
            engine.finish(ts)
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

    # ------------------------------------------------------------------------------ evaluate
    @filter_traceback
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        from jkeras.training.callbacks import CallbackList
        self._jk_assert_compiled("evaluate")
        engine = self.engine
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        batch_size = data_lib.check_batch_size(batch_size)
        steps = _step_limit(steps)
        if stateful_inference.applies(self, x, callbacks, "evaluate"):  # states carried, as Keras
            logs, outputs = stateful_inference.evaluate(self, x, y, sample_weight, batch_size,
                                                        steps)
            return logs if return_dict else outputs.evaluate_order(logs)
        data = data_lib.make_data(x, y, sample_weight, batch_size, steps, "evaluate")
        outputs = engine.outputs_for(data_lib.first_batch(data), role="test")
        progs = engine.programs_for(outputs)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose, epochs=1,
                           steps=steps or data.num_batches, model=self)
        distribution_lib.check_processes(self, "evaluate", steps or data.num_batches,
                                         data_lib.first_batch(data))
        logs = _pythonify(self._jk_evaluate_run(self.get_variables(), data, progs, cbs, steps))
        return logs if return_dict else outputs.evaluate_order(logs)

    def _jk_evaluate_run(self, variables, data, progs, cbs, steps=None, in_fit=False):
        from jkeras.training.callbacks import Callback
        engine = self.engine
        self.stop_evaluating = False
        cbs.on_test_begin()
        listen = listening.level(cbs.callbacks, "test", Callback, in_fit)
        # Inside fit: weights a callback put in the model (SwapEMAWeights) are evaluated, as Keras
        variables = engine.replaced_variables() or variables
        es = distribution_lib.put_state(new_eval_state(variables, progs.outputs.init_metrics))
        runner = inference.EvalRunner(progs, engine.decision(data_lib.first_batch(data)[0]),
                                     engine.eager)
        with compile_watch.listening(cbs):
            logs = runner.run(es, data, cbs, self, listen, steps)
        cbs.on_test_end(logs)
        return logs

    # ------------------------------------------------------------------------------ predict
    @filter_traceback
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        from jkeras.training.callbacks import Callback, CallbackList
        batch_size = data_lib.check_batch_size(batch_size)
        steps = _step_limit(steps)
        if stateful_inference.applies(self, x, callbacks, "predict"):  # states carried, as Keras
            return stateful_inference.predict(self, x, batch_size, steps)
        engine = self.engine
        data = data_lib.make_data(x, None, None, batch_size, steps, "predict")
        if signature(data_lib.first_batch(data)[0]) not in engine.loop_risky:
            engine.forward_spec(data_lib.first_batch(data)[0])
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose, epochs=1,
                           steps=steps or data.num_batches, model=self)
        distribution_lib.check_processes(self, "predict", steps or data.num_batches,
                                         data_lib.first_batch(data))
        listen = listening.level(cbs.callbacks, "predict", Callback)
        self.stop_predicting = False
        cbs.on_predict_begin()
        runner = inference.PredictRunner(engine.predict_programs(),
                                        engine.decision(data_lib.first_batch(data)[0]),
                                        engine.eager)
        with compile_watch.listening(cbs):
            out = runner.run(distribution_lib.put_state(self.get_variables()), data, cbs, self,
                             listen, steps)
        cbs.on_predict_end()
        return out
