"""keras.io's "Customizing Saving and Serialization" hooks: `save_assets` / `load_assets`,
`get_build_config` / `build_from_config` with an extra `build` argument, and
`get_compile_config` / `compile_from_config` on a model whose `compile` takes other arguments."""
import os

import numpy as np

import jkeras


def _assets_layer_class(keras, package):
    @keras.utils.register_keras_serializable(package=package)
    class LayerWithCustomAssets(keras.layers.Dense):
        def __init__(self, vocab=None, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.vocab = vocab

        def save_assets(self, inner_path):
            with open(os.path.join(inner_path, "vocabulary.txt"), "w") as f:
                f.write(self.vocab)

        def load_assets(self, inner_path):
            with open(os.path.join(inner_path, "vocabulary.txt")) as f:
                self.vocab = f.read().replace("<unk>", "little")

    return LayerWithCustomAssets


def test_save_assets_and_load_assets_both_ways_with_tf_keras(tf, tmp_path):
    x = np.random.default_rng(0).random((4, 10)).astype("float32")
    ours_cls = _assets_layer_class(jkeras, "assets_test_ours")
    theirs_cls = _assets_layer_class(tf.keras, "assets_test_ours")  # same registered name
    ours = jkeras.Sequential([jkeras.Input((10,)),
                              ours_cls(vocab="Mary had a <unk> lamb.", units=5)])
    ours.save(tmp_path / "ours.keras")
    restored = jkeras.models.load_model(tmp_path / "ours.keras")
    assert restored.layers[0].vocab == "Mary had a little lamb."
    np.testing.assert_allclose(restored(x), ours(x), rtol=1e-5, atol=1e-6)
    by_tf = tf.keras.models.load_model(tmp_path / "ours.keras")
    assert by_tf.layers[0].vocab == "Mary had a little lamb."
    np.testing.assert_allclose(by_tf(x), ours(x), rtol=1e-5, atol=1e-6)

    theirs = tf.keras.Sequential([tf.keras.Input((10,)),
                                  theirs_cls(vocab="a <unk> step", units=5)])
    theirs.save(tmp_path / "theirs.keras")
    by_us = jkeras.models.load_model(tmp_path / "theirs.keras")
    assert by_us.layers[0].vocab == "a little step"
    np.testing.assert_allclose(by_us(x), theirs(x), rtol=1e-5, atol=1e-6)


@jkeras.saving.register_keras_serializable(package="build_hooks_test")
class LayerWithCustomBuild(jkeras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def call(self, inputs):
        return jkeras.ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return dict(units=self.units, **super().get_config())

    def build(self, input_shape, layer_init):
        super().build(input_shape)
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=layer_init)
        self.b = self.add_weight(shape=(self.units,), initializer=layer_init)
        self.layer_init = layer_init

    def get_build_config(self):
        return {**super().get_build_config(), "layer_init": self.layer_init}

    def build_from_config(self, config):
        self.build(config["input_shape"], config["layer_init"])


def test_build_takes_extra_arguments_and_build_from_config_restores_them(tmp_path):
    layer = LayerWithCustomBuild(units=16)
    layer.build(input_shape=(8,), layer_init="random_normal")
    assert layer.built and layer.w.shape == (8, 16)
    model = jkeras.Sequential([layer, jkeras.layers.Dense(1, activation="sigmoid")])
    x = np.random.default_rng(1).random((16, 8)).astype("float32")
    y = model(x)
    model.save(tmp_path / "build.keras")
    restored = jkeras.models.load_model(tmp_path / "build.keras")
    assert restored.layers[0].layer_init == "random_normal" and restored.built
    np.testing.assert_allclose(restored(x), y, rtol=1e-5, atol=1e-6)


@jkeras.saving.register_keras_serializable(package="compile_hooks_test")
def small_square_sum_loss(y_true, y_pred):
    return jkeras.ops.sum(jkeras.ops.square(y_pred - y_true) / 10.0, axis=1)


@jkeras.saving.register_keras_serializable(package="compile_hooks_test")
def mean_pred(y_true, y_pred):
    return jkeras.ops.mean(y_pred)


@jkeras.saving.register_keras_serializable(package="compile_hooks_test")
class ModelWithCustomCompile(jkeras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = jkeras.layers.Dense(8, activation="relu")
        self.dense2 = jkeras.layers.Dense(4, activation="softmax")

    def call(self, inputs):
        return self.dense2(self.dense1(inputs))

    def compile(self, optimizer, loss_fn, metrics):
        super().compile(optimizer=optimizer, loss=loss_fn, metrics=metrics)
        self.model_optimizer, self.loss_fn, self.loss_metrics = optimizer, loss_fn, metrics

    def get_compile_config(self):
        return {"model_optimizer": self.model_optimizer, "loss_fn": self.loss_fn,
                "metric": self.loss_metrics}

    def compile_from_config(self, config):
        deserialize = jkeras.utils.deserialize_keras_object
        self.compile(optimizer=deserialize(config["model_optimizer"]),
                     loss_fn=deserialize(config["loss_fn"]),
                     metrics=deserialize(config["metric"]))


def test_an_overridden_compile_is_saved_and_restored_through_its_own_config(tmp_path):
    model = ModelWithCustomCompile()
    model.compile(optimizer="SGD", loss_fn=small_square_sum_loss,
                  metrics=["accuracy", mean_pred])
    x = np.random.default_rng(2).random((4, 8)).astype("float32")
    y = np.random.default_rng(3).random((4, 4)).astype("float32")
    model.fit(x, y, verbose=0)
    model.save(tmp_path / "compile.keras")
    restored = jkeras.models.load_model(tmp_path / "compile.keras")
    assert restored.model_optimizer == "SGD"
    assert restored.loss_fn is small_square_sum_loss
    assert restored.loss_metrics == ["accuracy", mean_pred]
    np.testing.assert_allclose(restored(x), model(x), rtol=1e-5, atol=1e-6)
    logs = restored.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy", "mean_pred"}
