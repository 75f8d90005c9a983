"""ModelCheckpoint writes real Keras files: `.keras` zips load_model reads back (and resumes
training exactly from), `.weights.h5` that jkeras and tf.keras both load."""
import os

import numpy as np

import jkeras
from jkeras.callbacks import LambdaCallback, ModelCheckpoint

RNG = np.random.default_rng(0)
X = RNG.standard_normal((40, 5)).astype(np.float32)
Y = (X @ RNG.standard_normal((5, 1))).astype(np.float32)


def make(K=jkeras):
    model = K.Sequential([K.Input(shape=(5,)), K.layers.Dense(8, activation="tanh"),
                          K.layers.BatchNormalization(), K.layers.Dense(1)])
    model.compile(optimizer=K.optimizers.Adam(0.01), loss="mse")
    return model


def fit_recording(model, callbacks, epochs, **kw):
    """Fit, keeping each epoch's end-of-epoch weights (epoch -> list of arrays)."""
    seen = {}
    rec = LambdaCallback(on_epoch_end=lambda e, logs: seen.__setitem__(e, model.get_weights()))
    model.fit(X, Y, batch_size=8, epochs=epochs, verbose=0, shuffle=False,
              callbacks=callbacks + [rec], **kw)
    return seen


def test_formatted_names_are_real_keras_files(tmp_path):
    model = make()
    pattern = str(tmp_path / "{epoch:02d}-{val_loss:.2f}.keras")
    seen = fit_recording(model, [ModelCheckpoint(pattern)], epochs=3, validation_data=(X, Y))
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 3 and names[0].startswith("01-") and names[2].startswith("03-")
    for epoch, name in enumerate(names):
        loaded = jkeras.models.load_model(tmp_path / name)
        for got, want in zip(loaded.get_weights(), seen[epoch]):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
        assert loaded.compiled  # the compile config travels with the model


def test_best_only_keeps_the_best_epoch(tmp_path):
    model = make()
    losses = []
    track = LambdaCallback(on_epoch_end=lambda e, logs: losses.append(logs["loss"]))
    path = tmp_path / "best.keras"
    seen = fit_recording(model, [track, ModelCheckpoint(path, monitor="loss",
                                                        save_best_only=True)], epochs=4)
    best = int(np.argmin(losses))
    loaded = jkeras.models.load_model(path)
    for got, want in zip(loaded.get_weights(), seen[best]):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert os.listdir(tmp_path) == ["best.keras"]  # no temporary files left behind


def test_weights_only_files_load_in_jkeras_and_tf_keras(tf, tmp_path):
    model = make()
    seen = fit_recording(model, [ModelCheckpoint(tmp_path / "w{epoch}.weights.h5",
                                                 save_weights_only=True)], epochs=2)
    fresh = make()
    fresh.load_weights(tmp_path / "w2.weights.h5")
    for got, want in zip(fresh.get_weights(), seen[1]):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    theirs = make(tf.keras)
    theirs.load_weights(str(tmp_path / "w1.weights.h5"))
    for got, want in zip(theirs.get_weights(), seen[0]):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(theirs(X)),
                               np.asarray(make_with(seen[0])(X)), rtol=1e-5, atol=1e-6)


def make_with(weights):
    model = make()
    model.set_weights(weights)
    return model


def test_resume_from_checkpoint_matches_uninterrupted_run(tmp_path):
    jkeras.utils.set_random_seed(1)
    straight = make()
    straight.fit(X, Y, batch_size=8, epochs=4, verbose=0, shuffle=False)

    jkeras.utils.set_random_seed(1)
    first = make()
    first.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False,
              callbacks=[ModelCheckpoint(tmp_path / "ckpt.keras")])
    resumed = jkeras.models.load_model(tmp_path / "ckpt.keras")
    resumed.fit(X, Y, batch_size=8, epochs=4, initial_epoch=2, verbose=0, shuffle=False)
    for got, want in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert int(resumed.optimizer.iterations) == int(straight.optimizer.iterations) == 20


def test_save_freq_in_steps_writes_loadable_files(tmp_path):
    model = make()
    model.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False,
              callbacks=[ModelCheckpoint(tmp_path / "e{epoch}-b{batch}.weights.h5",
                                         save_weights_only=True, save_freq=5)])
    names = sorted(os.listdir(tmp_path))
    assert names == ["e1-b5.weights.h5", "e2-b5.weights.h5"]  # 5 steps per epoch
    fresh = make()
    fresh.load_weights(tmp_path / "e2-b5.weights.h5")
    for got, want in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
