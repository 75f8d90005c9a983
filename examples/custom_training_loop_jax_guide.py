"""keras.io's guide "Writing a training loop from scratch in JAX", with `import keras` changed to
`import jkeras as keras`. Its programs, in order:

1. a functional model trained by a jitted `train_step(state, data)` built from
   `model.stateless_call`, `jax.value_and_grad(..., has_aux=True)` and
   `optimizer.stateless_apply`, with the state started from `model.trainable_variables`,
   `model.non_trainable_variables` and `optimizer.variables` and written back with
   `variable.assign`;
2. the same loop with `CategoricalAccuracy` kept through `metric.stateless_update_state` (state
   started from `metric.variables`), and a jitted `eval_step` on validation data;
3. a model whose layer calls `self.add_loss`, its losses added through
   `stateless_call(..., return_losses=True)`.

The guide reads MNIST through `tf.data`; here scikit-learn's 8x8 digits (64 pixels) are batched
with NumPy, so the program needs neither a download nor TensorFlow. Two lines of the guide no
longer run on current JAX (0.10), with Keras 3.15 either: JAX refuses objects that convert
through `__jax_array__` at a `jax.jit` boundary (Keras's variables), and `jnp.sum` of a Python
list. jkeras's variables and metric variables are JAX pytrees of their values, so the state can
start from `model.trainable_variables` as the guide does; the list of losses is summed with
Python's `sum`.
"""
import jax
import numpy as np
from sklearn.datasets import load_digits

import jkeras as keras

keras.utils.set_random_seed(0)

digits = load_digits()
x_all = (digits.data / 16.0).astype("float32")
y_all = keras.utils.to_categorical(digits.target, 10)
x_train, y_train = x_all[:-300], y_all[:-300]
x_val, y_val = x_all[-300:], y_all[-300:]
batch_size = 32


def batches(x, y, shuffle_seed=None):
    order = np.arange(len(x))
    if shuffle_seed is not None:
        np.random.default_rng(shuffle_seed).shuffle(order)
    for start in range(0, len(x), batch_size):
        index = order[start:start + batch_size]
        yield x[index], y[index]


def get_model():
    inputs = keras.Input(shape=(64,), name="digits")
    x1 = keras.layers.Dense(64, activation="relu")(inputs)
    x2 = keras.layers.Dense(64, activation="relu")(x1)
    outputs = keras.layers.Dense(10, name="predictions")(x2)
    return keras.Model(inputs=inputs, outputs=outputs)


# ---- 1. A first end-to-end example
model = get_model()
loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam(learning_rate=1e-3)


def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
    y_pred, non_trainable_variables = model.stateless_call(
        trainable_variables, non_trainable_variables, x)
    loss = loss_fn(y, y_pred)
    return loss, non_trainable_variables


grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)


@jax.jit
def train_step(state, data):
    trainable_variables, non_trainable_variables, optimizer_variables = state
    x, y = data
    (loss, non_trainable_variables), grads = grad_fn(
        trainable_variables, non_trainable_variables, x, y)
    trainable_variables, optimizer_variables = optimizer.stateless_apply(
        optimizer_variables, grads, trainable_variables)
    return loss, (trainable_variables, non_trainable_variables, optimizer_variables)


optimizer.build(model.trainable_variables)
state = model.trainable_variables, model.non_trainable_variables, optimizer.variables
first_losses, last_losses = [], []
for epoch in range(5):
    for step, data in enumerate(batches(x_train, y_train, shuffle_seed=epoch)):
        loss, state = train_step(state, data)
        (first_losses if epoch == 0 else last_losses if epoch == 4 else []).append(float(loss))
        if step % 20 == 0:
            print(f"Training loss (for 1 batch) at step {step}: {float(loss):.4f}")
            print(f"Seen so far: {(step + 1) * batch_size} samples")

trainable_variables, non_trainable_variables, optimizer_variables = state
for variable, value in zip(model.trainable_variables, trainable_variables):
    variable.assign(value)
for variable, value in zip(model.non_trainable_variables, non_trainable_variables):
    variable.assign(value)
# The model now holds the trained values: its own forward pass agrees with the loop's state.
np.testing.assert_allclose(np.asarray(model(x_val)),
                           np.asarray(model.stateless_call(trainable_variables,
                                                           non_trainable_variables, x_val)[0]),
                           rtol=1e-6, atol=1e-6)
accuracy = float(np.mean(np.argmax(np.asarray(model(x_val)), -1) == np.argmax(y_val, -1)))
print(f"1. mean batch loss, first epoch {np.mean(first_losses):.4f} -> last epoch "
      f"{np.mean(last_losses):.4f}; validation accuracy {accuracy:.4f}")


# ---- 2. Low-level handling of metrics
model = get_model()
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
train_acc_metric = keras.metrics.CategoricalAccuracy()
val_acc_metric = keras.metrics.CategoricalAccuracy()


def compute_loss_and_updates(trainable_variables, non_trainable_variables, metric_variables,
                             x, y):
    y_pred, non_trainable_variables = model.stateless_call(
        trainable_variables, non_trainable_variables, x)
    loss = loss_fn(y, y_pred)
    metric_variables = train_acc_metric.stateless_update_state(metric_variables, y, y_pred)
    return loss, (non_trainable_variables, metric_variables)


grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)


@jax.jit
def train_step(state, data):
    trainable_variables, non_trainable_variables, optimizer_variables, metric_variables = state
    x, y = data
    (loss, (non_trainable_variables, metric_variables)), grads = grad_fn(
        trainable_variables, non_trainable_variables, metric_variables, x, y)
    trainable_variables, optimizer_variables = optimizer.stateless_apply(
        optimizer_variables, grads, trainable_variables)
    return loss, (trainable_variables, non_trainable_variables, optimizer_variables,
                  metric_variables)


@jax.jit
def eval_step(state, data):
    trainable_variables, non_trainable_variables, metric_variables = state
    x, y = data
    y_pred, non_trainable_variables = model.stateless_call(
        trainable_variables, non_trainable_variables, x)
    loss = loss_fn(y, y_pred)
    metric_variables = val_acc_metric.stateless_update_state(metric_variables, y, y_pred)
    return loss, (trainable_variables, non_trainable_variables, metric_variables)


optimizer.build(model.trainable_variables)
state = (model.trainable_variables, model.non_trainable_variables, optimizer.variables,
         train_acc_metric.variables)
for epoch in range(5):
    for step, data in enumerate(batches(x_train, y_train, shuffle_seed=epoch)):
        loss, state = train_step(state, data)
        if step % 20 == 0:
            print(f"Training loss (for 1 batch) at step {step}: {float(loss):.4f}")
            _, _, _, metric_variables = state
            for variable, value in zip(train_acc_metric.variables, metric_variables):
                variable.assign(value)
            print(f"Training accuracy: {train_acc_metric.result()}")
            print(f"Seen so far: {(step + 1) * batch_size} samples")
_, _, _, metric_variables = state
for variable, value in zip(train_acc_metric.variables, metric_variables):
    variable.assign(value)
train_accuracy = float(train_acc_metric.result())

metric_variables = val_acc_metric.variables
trainable_variables, non_trainable_variables, optimizer_variables, _ = state
state = trainable_variables, non_trainable_variables, metric_variables
for step, data in enumerate(batches(x_val, y_val)):
    loss, state = eval_step(state, data)
    if step % 5 == 0:
        print(f"Validation loss (for 1 batch) at step {step}: {float(loss):.4f}")
        _, _, metric_variables = state
        for variable, value in zip(val_acc_metric.variables, metric_variables):
            variable.assign(value)
        print(f"Validation accuracy: {val_acc_metric.result()}")
_, _, metric_variables = state
for variable, value in zip(val_acc_metric.variables, metric_variables):
    variable.assign(value)
val_accuracy = float(val_acc_metric.result())
# The metric's count is every validation sample; its accuracy is the model's on them.
for variable, value in zip(model.trainable_variables, trainable_variables):
    variable.assign(value)
direct = float(np.mean(np.argmax(np.asarray(model(x_val)), -1) == np.argmax(y_val, -1)))
assert abs(direct - val_accuracy) < 1e-6, (direct, val_accuracy)
print(f"2. training accuracy (all epochs) {train_accuracy:.4f}, validation accuracy "
      f"{val_accuracy:.4f}")


# ---- 3. Low-level handling of losses tracked by the model
class ActivityRegularizationLayer(keras.layers.Layer):
    def call(self, inputs):
        self.add_loss(1e-2 * jax.numpy.sum(inputs))
        return inputs


inputs = keras.Input(shape=(64,), name="digits")
x = keras.layers.Dense(64, activation="relu")(inputs)
x = ActivityRegularizationLayer()(x)
x = keras.layers.Dense(64, activation="relu")(x)
outputs = keras.layers.Dense(10, name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)


def compute_loss_and_updates(trainable_variables, non_trainable_variables, metric_variables,
                             x, y):
    y_pred, non_trainable_variables, losses = model.stateless_call(
        trainable_variables, non_trainable_variables, x, return_losses=True)
    loss = loss_fn(y, y_pred)
    if losses:
        loss += sum(losses)  # the guide's jnp.sum(list): JAX now refuses lists there
    metric_variables = train_acc_metric.stateless_update_state(metric_variables, y, y_pred)
    return loss, non_trainable_variables, metric_variables


x_batch, y_batch = next(batches(x_train, y_train))
train_acc_metric.reset_state()
loss, _, _ = compute_loss_and_updates(model.trainable_variables, model.non_trainable_variables,
                                      train_acc_metric.variables, x_batch, y_batch)
hidden = keras.Model(inputs, model.layers[2].output)(x_batch)
expected = float(loss_fn(y_batch, model(x_batch))) + 1e-2 * float(np.sum(np.asarray(hidden)))
assert abs(float(loss) - expected) < 1e-4 * abs(expected), (float(loss), expected)
print(f"3. loss with the layer's add_loss {float(loss):.4f} (cross-entropy + activity term)")
print("OK: custom training loop in JAX")
