"""keras.io's guide "Customizing what happens in fit() with JAX", with `import keras` changed to
`import jkeras as keras` and nothing else in the model code. Its three programs:

1. a functional `CustomModel(inputs, outputs)` overriding `train_step(self, state, data)` with
   `stateless_call`, `compute_loss`, `optimizer.stateless_apply` and the compiled metrics;
2. the lower-level form: its own `loss_tracker` / `mae_metric`, a `metrics` property, compile()
   without a loss;
3. a `test_step(self, state, data)` used by `evaluate`.

The guide's data are random arrays; here the targets depend on the inputs (a noisy linear map),
so the check at the end can be that training lowers the loss.
"""
import jax
import numpy as np

import jkeras as keras

rng = np.random.default_rng(0)
x = rng.random((1000, 32)).astype("float32")
y = (x @ rng.normal(size=(32, 1)) * 0.2 + 0.05 * rng.normal(size=(1000, 1))).astype("float32")


# ---- 1. A first simple example
class CustomModel(keras.Model):
    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y,
                                 training=False):
        y_pred, non_trainable_variables = self.stateless_call(
            trainable_variables, non_trainable_variables, x, training=training)
        loss = self.compute_loss(x, y, y_pred)
        return loss, (y_pred, non_trainable_variables)

    def train_step(self, state, data):
        (trainable_variables, non_trainable_variables, optimizer_variables,
         metrics_variables) = state
        x, y = data
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, x, y, training=True)
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables)
        new_metrics_vars = []
        logs = {}
        for metric in self.metrics:
            this_metric_vars = metrics_variables[
                len(new_metrics_vars): len(new_metrics_vars) + len(metric.variables)]
            if metric.name == "loss":
                this_metric_vars = metric.stateless_update_state(this_metric_vars, loss)
            else:
                this_metric_vars = metric.stateless_update_state(this_metric_vars, y, y_pred)
            logs[metric.name] = metric.stateless_result(this_metric_vars)
            new_metrics_vars += this_metric_vars
        state = (trainable_variables, non_trainable_variables, optimizer_variables,
                 new_metrics_vars)
        return logs, state


inputs = keras.Input(shape=(32,))
outputs = keras.layers.Dense(1)(inputs)
model = CustomModel(inputs, outputs)
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
history1 = model.fit(x, y, epochs=3, verbose=0)
print("1. loss per epoch:", [round(v, 4) for v in history1.history["loss"]],
      "mae:", round(history1.history["mae"][-1], 4))


# ---- 2. Going lower-level: own metric trackers, compile() without a loss
class CustomModel2(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y,
                                 training=False):
        y_pred, non_trainable_variables = self.stateless_call(
            trainable_variables, non_trainable_variables, x, training=training)
        loss = self.loss_fn(y, y_pred)
        return loss, (y_pred, non_trainable_variables)

    def train_step(self, state, data):
        (trainable_variables, non_trainable_variables, optimizer_variables,
         metrics_variables) = state
        x, y = data
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, x, y, training=True)
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables)
        loss_tracker_vars = metrics_variables[: len(self.loss_tracker.variables)]
        mae_metric_vars = metrics_variables[len(self.loss_tracker.variables):]
        loss_tracker_vars = self.loss_tracker.stateless_update_state(loss_tracker_vars, loss)
        mae_metric_vars = self.mae_metric.stateless_update_state(mae_metric_vars, y, y_pred)
        logs = {}
        logs[self.loss_tracker.name] = self.loss_tracker.stateless_result(loss_tracker_vars)
        logs[self.mae_metric.name] = self.mae_metric.stateless_result(mae_metric_vars)
        new_metrics_vars = loss_tracker_vars + mae_metric_vars
        state = (trainable_variables, non_trainable_variables, optimizer_variables,
                 new_metrics_vars)
        return logs, state

    @property
    def metrics(self):
        # We list our `Metric` objects here so that `reset_states()` can be called
        # automatically at the start of each epoch.
        return [self.loss_tracker, self.mae_metric]


inputs = keras.Input(shape=(32,))
outputs = keras.layers.Dense(1)(inputs)
model2 = CustomModel2(inputs, outputs)
model2.compile(optimizer="adam")
history2 = model2.fit(x, y, epochs=5, verbose=0)
print("2. loss per epoch:", [round(v, 4) for v in history2.history["loss"]])


# ---- 3. Providing your own evaluation step
class CustomModel3(keras.Model):
    def test_step(self, state, data):
        # the guide's current form: unpack_x_y_sample_weight and stateless_compute_loss
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        (trainable_variables, non_trainable_variables, metrics_variables) = state
        y_pred, non_trainable_variables = self.stateless_call(
            trainable_variables, non_trainable_variables, x, training=False)
        loss, (trainable_variables, non_trainable_variables, metrics_variables) = (
            self.stateless_compute_loss(
                trainable_variables, non_trainable_variables, metrics_variables, x=x, y=y,
                y_pred=y_pred, sample_weight=sample_weight, training=False))
        new_metrics_vars = []
        logs = {}
        for metric in self.metrics:
            this_metric_vars = metrics_variables[
                len(new_metrics_vars): len(new_metrics_vars) + len(metric.variables)]
            if metric.name == "loss":
                this_metric_vars = metric.stateless_update_state(
                    this_metric_vars, loss, sample_weight=sample_weight)
            else:
                this_metric_vars = metric.stateless_update_state(
                    this_metric_vars, y, y_pred, sample_weight=sample_weight)
            logs[metric.name] = metric.stateless_result(this_metric_vars)
            new_metrics_vars += this_metric_vars
        state = (trainable_variables, non_trainable_variables, new_metrics_vars)
        return logs, state


inputs = keras.Input(shape=(32,))
outputs = keras.layers.Dense(1)(inputs)
model3 = CustomModel3(inputs, outputs)
model3.compile(loss="mse", metrics=["mae"])
before = model3.evaluate(x, y, verbose=0)
model3.fit(x, y, epochs=3, verbose=0)
after = model3.evaluate(x, y, verbose=0)
print("3. evaluate [loss, mae] before:", np.round(before, 4), "after:", np.round(after, 4))

# ---- what this example checks (not in the guide)
for h in (history1, history2):
    assert h.history["loss"][-1] < h.history["loss"][0], h.history
assert after[0] < before[0], (before, after)
print("OK: custom train_step (compiled metrics; own trackers) and test_step train and evaluate")
