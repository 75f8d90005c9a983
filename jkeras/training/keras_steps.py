"""Keras 3's public training methods in its JAX backend's form: `train_step(state, data)`,
`test_step`, `predict_step`, `compute_loss`, `compute_loss_and_updates`, `model.metrics`.

These are the defaults a subclass overrides or calls through `super()`. When none of the three
steps is overridden, fit/evaluate/predict run the engine's own equivalent steps (step.py), which
compute the same values; an overridden step runs inside the same compiled loop (seams.py).
"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import layer_losses
from jkeras.metrics.base import Mean
from jkeras.training import seams
from jkeras.utils.data_adapter_utils import unpack_x_y_sample_weight


class KerasStepsMixin:
    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self):
        """Keras's order: the loss tracker, the compiled metrics (one `compile_metrics`
        container), then metric objects held as attributes by the model and its layers."""
        out = []
        if self.compiled:
            engine = self.engine
            if engine.loss_tracker is None:
                engine.loss_tracker = Mean(name="loss")
            out.append(engine.loss_tracker)
            compiled = engine.last_compiled
            if compiled is not None and compiled.metric_entries:
                if id(compiled) not in engine.compile_metrics:
                    engine.compile_metrics[id(compiled)] = seams.CompileMetrics(compiled)
                out.append(engine.compile_metrics[id(compiled)])
        return out + seams.attribute_metrics(self)

    @property
    def metrics_variables(self):
        return [v for m in self.metrics for v in m.variables]

    # ------------------------------------------------------------------ losses
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of `(y, y_pred)` plus `sum` of each of `self.losses` (add_loss
        values and weight penalties), as Keras; zero when there is neither (Keras on JAX).
        Inside `compute_loss_and_updates` `self.losses` are those of that stateless call."""
        del x, training
        override = self.__dict__.get("_losses_override")
        extra = list(override) if override is not None else self.losses
        if not self.compiled or self.engine.compile_config["loss"] is None:
            return layer_losses.total_loss(jnp.zeros((), jnp.float32), extra)
        outputs = self.engine.compiled_outputs(y, y_pred)
        return layer_losses.total_loss(outputs.loss_values(y, y_pred, sample_weight)[0], extra)

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables,
                                 metrics_variables, x, y, sample_weight, training=False,
                                 optimizer_variables=None):
        """Stateless, for `jax.grad`: -> (loss, (unscaled_loss, y_pred,
        non_trainable_variables, metrics_variables))."""
        kwargs = {"training": training} if self._accepts_training else {}
        y_pred, non_trainable_variables, losses = self.stateless_call(
            trainable_variables, non_trainable_variables, x, return_losses=True, **kwargs)
        self.__dict__["_losses_override"] = losses  # what `self.losses` means in this call
        try:
            # A `compute_loss` override may update metric trackers (Keras's distillers do):
            # they hold `metrics_variables` meanwhile, and what it leaves goes on.
            with seams.metrics_bound(self.metrics, metrics_variables) as current:
                loss = self.compute_loss(x, y, y_pred, sample_weight, training)
                metrics_variables = current()
        finally:
            self.__dict__.pop("_losses_override", None)
        scaled = loss
        opt = self.optimizer
        if training and optimizer_variables is not None and getattr(opt, "scales_from_state",
                                                                    False):
            # LossScaleOptimizer: the dynamic scale of this step's optimizer variables
            scaled = opt.scale_loss_for_state(loss, opt.state_from_variables(optimizer_variables))
        elif training and hasattr(opt, "scale_loss"):
            scaled = opt.scale_loss(loss)  # loss_scale_factor, as Keras
        return scaled, (loss, y_pred, non_trainable_variables, metrics_variables)

    def _update_metrics_variables(self, metrics_variables, loss, x, y, y_pred, sample_weight):
        """Keras's default metric update: the loss tracker (weighted by the batch size), then
        `compute_metrics`, on metrics holding `metrics_variables`; -> (logs, new variables)."""
        batch = next(np.shape(a)[0] for a in jax.tree_util.tree_leaves(x))
        with seams.metrics_bound(self.metrics, metrics_variables) as current:
            self.engine.loss_tracker.update_state(loss, sample_weight=batch)
            logs = self.compute_metrics(x, y, y_pred, sample_weight)
            return seams.flatten_logs(logs), current()

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with `(y, y_pred)` and return every metric's result
        (`get_metrics_result()`), as Keras."""
        del x
        for metric in self.metrics:
            if isinstance(metric, seams.CompileMetrics):
                metric.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """`{name: result}` of `self.metrics`; a metric with a dict result (the compiled
        metrics) gives its entries."""
        logs = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[metric.name] = result
        return logs

    # ------------------------------------------------------------------ the steps
    def train_step(self, state, data):
        trainable, non_trainable, optimizer_variables, metrics_variables = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        (_, aux), grads = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)(
            trainable, non_trainable, metrics_variables, x, y, sample_weight, training=True,
            optimizer_variables=optimizer_variables)
        loss, y_pred, non_trainable, metrics_variables = aux
        trainable, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, grads, trainable)
        logs, metrics_variables = self._update_metrics_variables(
            metrics_variables, loss, x, y, y_pred, sample_weight)
        return logs, (trainable, non_trainable, optimizer_variables, metrics_variables)

    def test_step(self, state, data):
        trainable, non_trainable, metrics_variables = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        _, (loss, y_pred, non_trainable, metrics_variables) = self.compute_loss_and_updates(
            trainable, non_trainable, metrics_variables, x, y, sample_weight, training=False)
        logs, metrics_variables = self._update_metrics_variables(
            metrics_variables, loss, x, y, y_pred, sample_weight)
        return logs, (trainable, non_trainable, metrics_variables)

    def predict_step(self, state, data):
        trainable, non_trainable = state
        x, _, _ = unpack_x_y_sample_weight(data)
        kwargs = {"training": False} if self._accepts_training else {}
        return self.stateless_call(trainable, non_trainable, x, **kwargs)

    def stateless_compute_loss(self, trainable_variables, non_trainable_variables,
                               metrics_variables, x=None, y=None, y_pred=None, sample_weight=None,
                               training=True):
        """Keras 3's stateless `compute_loss`: -> (loss, (trainable_variables,
        non_trainable_variables, metrics_variables)), the lists returned as received (the
        compiled loss reads no variable and updates none)."""
        loss = self.compute_loss(x, y, y_pred, sample_weight, training)
        return loss, (list(trainable_variables), list(non_trainable_variables),
                      list(metrics_variables))
