"""An augmentation block inside a model: active in fit's compiled step, identity in predict."""
import json

import jax
import numpy as np

import jkeras
from jkeras import layers as L


def augmented_model():
    return jkeras.Sequential([
        jkeras.Input((8, 8, 1)),
        L.RandomFlip("horizontal"), L.RandomRotation(0.05), L.RandomZoom(0.1),
        L.RandomTranslation(0.1, 0.1), L.RandomContrast(0.2, value_range=(0, 1)),
        L.RandomBrightness(0.1, value_range=(0, 1)), L.RandomCrop(6, 6),
        L.Rescaling(2.0, offset=-1.0), L.Flatten(), L.Dense(3, activation="softmax")])


def test_augmentation_block_trains_with_fit_and_is_identity_in_predict(images):
    x = images((48, 8, 8, 1), high=1.0)
    y = (x.mean(axis=(1, 2, 3)) * 3).astype(np.int32).clip(0, 2)
    model = augmented_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    # predict = the head alone on the inference transforms (RandomCrop -> resize 8x8 to 6x6), no randomness
    kernel, bias = model.get_weights()
    cropped = np.asarray(jax.image.resize(x, (48, 6, 6, 1), "bilinear", antialias=False))
    logits = (cropped * 2.0 - 1.0).reshape(48, -1) @ kernel + bias
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_training_apply_draws_a_new_augmentation_per_key(images):
    x = images((4, 8, 8, 1), high=1.0)
    model = augmented_model()
    variables = model.init(0, x)
    run = jax.jit(lambda v, x, k: model.apply(v, x, training=True, rng=k)[0])
    a, b = run(variables, x, jax.random.PRNGKey(0)), run(variables, x, jax.random.PRNGKey(1))
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(a, run(variables, x, jax.random.PRNGKey(0)))
    inference = model.apply(model.get_variables(), x)[0]
    np.testing.assert_allclose(inference, model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)


def test_model_with_augmentation_saves_and_loads(tmp_path, images):
    x = images((4, 8, 8, 1), high=1.0)
    model = augmented_model()
    path = str(tmp_path / "aug.keras")
    model.save(path)
    loaded = jkeras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]


def test_tf_keras_model_file_with_augmentation_loads(tf, tmp_path, images):
    k = tf.keras.layers
    theirs = tf.keras.Sequential([
        tf.keras.Input((8, 8, 3)), k.RandomFlip("horizontal", seed=1),
        k.RandomRotation(0.1, fill_mode="constant"), k.RandomZoom((-0.2, 0.1), (0.1, 0.2)),
        k.RandomContrast(0.3), k.RandomBrightness(0.2), k.Resizing(6, 6, interpolation="nearest"),
        k.CenterCrop(4, 4), k.Rescaling(1 / 255), k.Flatten(), k.Dense(2)])
    path = str(tmp_path / "tf_aug.keras")
    theirs.save(path)
    ours = jkeras.models.load_model(path)
    assert [type(layer).__name__ for layer in ours.layers] == \
        [type(layer).__name__ for layer in theirs.layers]
    for a, b in zip(ours.layers, theirs.layers):
        config_a, config_b = a.get_config(), b.get_config()
        config_a.pop("name"), config_b.pop("name")
        assert json.loads(json.dumps(config_a)) == json.loads(json.dumps(config_b))
    x = images((3, 8, 8, 3))
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)


def test_jkeras_model_file_with_augmentation_opens_in_tf_keras(tf, tmp_path, images):
    model = jkeras.Sequential([
        jkeras.Input((8, 8, 3)), L.RandomTranslation(0.1, 0.2, seed=4),
        L.RandomHue(0.1), L.AutoContrast(), L.Resizing(5, 5, crop_to_aspect_ratio=True),
        L.Flatten(), L.Dense(2)])
    path = str(tmp_path / "ours_aug.keras")
    model.save(path)
    theirs = tf.keras.models.load_model(path)
    x = images((3, 8, 8, 3))
    np.testing.assert_allclose(model.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-4)


def test_every_image_layer_config_round_trips():
    for layer in [L.RandomShear(0.2, (0.1, 0.3)), L.RandomRotation(0.1), L.RandomZoom(0.2),
                  L.RandomGaussianBlur(kernel_size=(3, 5)), L.RandomErasing(fill_value=2.0),
                  L.RandomColorJitter(contrast_factor=0.2), L.MixUp(0.3), L.CutMix(0.5)]:
        config = json.loads(json.dumps(layer.get_config()))
        again = type(layer).from_config(config)
        assert json.loads(json.dumps(again.get_config())) == config
