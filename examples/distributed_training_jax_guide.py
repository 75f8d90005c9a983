"""keras.io's guide "Multi-GPU distributed training with JAX", with `import keras` changed to
`import jkeras as keras`: synchronous data parallelism written with `jax.sharding` by hand. The
model and optimizer variables are replicated with `jax.device_put(model.trainable_variables,
...)`, each batch is split along the batch axis, and a jitted `train_step` built from
`model.stateless_call` and `optimizer.stateless_apply` trains the replicas; the state is written
back with `variable.assign`.

The guide trains on MNIST through `tf.data` on 8 GPUs; here scikit-learn's 8x8 digits are
batched with NumPy on the host's CPU split into 4 XLA devices (set before JAX starts), so the
program runs anywhere. At the end the same loop on one device, from the same initial values,
must reach the same weights: the replicas stay in sync as the guide says.
"""
import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")

import jax  # noqa: E402
import numpy as np  # noqa: E402
from jax.experimental import mesh_utils  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import jkeras as keras  # noqa: E402

keras.utils.set_random_seed(0)


def get_model():
    # The guide's convnet with batch normalization and dropout (on 8x8 images).
    inputs = keras.Input(shape=(8, 8, 1))
    x = keras.layers.Rescaling(1.0 / 16.0)(inputs)
    x = keras.layers.Conv2D(filters=12, kernel_size=3, padding="same", use_bias=False)(x)
    x = keras.layers.BatchNormalization(scale=False, center=True)(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2D(filters=24, kernel_size=6, use_bias=False, strides=2)(x)
    x = keras.layers.BatchNormalization(scale=False, center=True)(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2D(filters=32, kernel_size=6, padding="same", strides=2,
                            name="large_k")(x)
    x = keras.layers.BatchNormalization(scale=False, center=True)(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(256, activation="relu")(x)
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(10)(x)
    return keras.Model(inputs, outputs)


def get_batches(x, y, batch_size):
    # As the guide's `tf.data` pipeline with `batch(batch_size, drop_remainder=True)`.
    for start in range(0, len(x) - batch_size + 1, batch_size):
        yield x[start:start + batch_size], y[start:start + batch_size]


digits = load_digits()
x_all = digits.images[..., None].astype("float32")
y_all = digits.target.astype("int32")
x_train, y_train, x_test, y_test = x_all[:1500], y_all[:1500], x_all[1500:], y_all[1500:]
print("x_train shape:", x_train.shape)

num_epochs = 4
batch_size = 64

model = get_model()
optimizer = keras.optimizers.Adam(1e-3)
loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

one_batch, one_batch_labels = next(get_batches(x_train, y_train, batch_size))
model.build(one_batch)
optimizer.build(model.trainable_variables)
initial_weights = model.get_weights()


def compute_loss(trainable_variables, non_trainable_variables, x, y):
    y_pred, updated_non_trainable_variables = model.stateless_call(
        trainable_variables, non_trainable_variables, x)
    loss_value = loss(y, y_pred)
    return loss_value, updated_non_trainable_variables


compute_gradients = jax.value_and_grad(compute_loss, has_aux=True)


@jax.jit
def train_step(train_state, x, y):
    trainable_variables, non_trainable_variables, optimizer_variables = train_state
    (loss_value, non_trainable_variables), grads = compute_gradients(
        trainable_variables, non_trainable_variables, x, y)
    trainable_variables, optimizer_variables = optimizer.stateless_apply(
        optimizer_variables, grads, trainable_variables)
    return loss_value, (trainable_variables, non_trainable_variables, optimizer_variables)


def get_replicated_train_state(devices):
    var_mesh = Mesh(devices, axis_names=("_"))
    var_replication = NamedSharding(var_mesh, P())
    trainable_variables = jax.device_put(model.trainable_variables, var_replication)
    non_trainable_variables = jax.device_put(model.non_trainable_variables, var_replication)
    optimizer_variables = jax.device_put(optimizer.variables, var_replication)
    return (trainable_variables, non_trainable_variables, optimizer_variables)


num_devices = len(jax.local_devices())
print(f"Running on {num_devices} devices: {jax.local_devices()}")
devices = mesh_utils.create_device_mesh((num_devices,))
data_mesh = Mesh(devices, axis_names=("batch",))
data_sharding = NamedSharding(data_mesh, P("batch"))

x, y = next(get_batches(x_train, y_train, batch_size))
sharded_x = jax.device_put(x, data_sharding)
print("Data sharding")
jax.debug.visualize_array_sharding(jax.numpy.reshape(sharded_x, [-1, 8 * 8]))
assert len(sharded_x.sharding.device_set) == num_devices

train_state = get_replicated_train_state(devices)
assert all(len(v.sharding.device_set) == num_devices for v in train_state[0])
epoch_losses = []
for epoch in range(num_epochs):
    for x, y in get_batches(x_train, y_train, batch_size):
        sharded_x = jax.device_put(x, data_sharding)
        loss_value, train_state = train_step(train_state, sharded_x, y)
    print("Epoch", epoch, "loss:", loss_value)
    epoch_losses.append(float(loss_value))

trainable_variables, non_trainable_variables, optimizer_variables = train_state
for variable, value in zip(model.trainable_variables, trainable_variables):
    variable.assign(value)
for variable, value in zip(model.non_trainable_variables, non_trainable_variables):
    variable.assign(value)
distributed_weights = model.get_weights()
accuracy = float(np.mean(np.argmax(np.asarray(model(x_test)), -1) == y_test))

# The same loop on one device, from the same initial values: the same weights.
model.set_weights(initial_weights)
optimizer = keras.optimizers.Adam(1e-3)
optimizer.build(model.trainable_variables)
state = (model.trainable_variables, model.non_trainable_variables, optimizer.variables)
for epoch in range(num_epochs):
    for x, y in get_batches(x_train, y_train, batch_size):
        _, state = train_step(state, x, y)
single_weights = [np.asarray(v) for v in state[0] + state[1]]
order = [w.path for w in model.trainable_variables + model.non_trainable_variables]
by_path = dict(zip(order, single_weights))
largest = max(float(np.max(np.abs(a - by_path[w.path]))) for w, a in
              zip(model.weights, distributed_weights))
assert largest < 1e-4, largest
print(f"loss per epoch: {epoch_losses}; test accuracy {accuracy:.4f}; largest difference "
      f"from one device {largest:.2e}")
print("OK: distributed training with JAX")
