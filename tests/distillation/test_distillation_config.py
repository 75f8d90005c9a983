"""Distiller and distillation-loss configs in Keras 3's layout, and `.keras` files read and
written both ways with tf.keras."""
import json

import numpy as np
import pytest

import jkeras
from .distill_helpers import _distiller, _models


def _loss_configs(keras):
    d = keras.distillation
    return [
        d.LogitsDistillation(temperature=2.5, loss=keras.losses.KLDivergence()),
        d.LogitsDistillation(loss=["kl_divergence", None]),
        d.FeatureDistillation(),
        d.FeatureDistillation(loss=["mse", None, "cosine_similarity"], teacher_layer_name="h",
                              student_layer_name="h"),
    ]


def test_loss_configs_as_tf_keras(tf):
    theirs = [tf.keras.utils.serialize_keras_object(loss) for loss in _loss_configs(tf.keras)]
    ours = [jkeras.saving.serialize_keras_object(loss) for loss in _loss_configs(jkeras)]
    assert ours == theirs
    for config in theirs:
        loss = jkeras.saving.deserialize_keras_object(json.loads(json.dumps(config)))
        assert jkeras.saving.serialize_keras_object(loss) == config


def test_a_string_names_keras_function_and_a_class_name_an_instance():
    d = jkeras.distillation
    assert d.LogitsDistillation().loss is jkeras.losses.kl_divergence
    assert d.FeatureDistillation(loss=["mae", None]).loss == [
        jkeras.losses.mean_absolute_error, None]
    assert isinstance(d.LogitsDistillation(loss="KLDivergence").loss, jkeras.losses.KLDivergence)


def _pair(tf):
    teacher, student = _models(tf.keras)
    args = (teacher.get_weights(), student.get_weights())
    theirs, ours = _distiller(tf.keras, "several", *args), _distiller(jkeras, "several", *args)
    x = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")
    theirs(x), ours(x)
    return theirs, ours, x


def test_distiller_config_round_trip_and_keras_config(tf):
    theirs, ours, x = _pair(tf)
    config = ours.get_config()
    assert set(config) == set(theirs.get_config())
    assert config["distillation_loss_weights"] == [1.0, 0.5]
    assert config["student_loss_weight"] == 0.3
    assert config["distillation_losses"] == theirs.get_config()["distillation_losses"]
    for revived in (jkeras.distillation.Distiller.from_config(config),
                    jkeras.saving.deserialize_keras_object(
                        json.loads(json.dumps(tf.keras.utils.serialize_keras_object(theirs))))):
        assert isinstance(revived, jkeras.distillation.Distiller)
        assert revived.student_loss_weight == 0.3
        assert revived.distillation_loss_weights == [1.0, 0.5]
        assert [type(loss).__name__ for loss in revived.distillation_losses] == [
            "LogitsDistillation", "FeatureDistillation"]
        assert revived.distillation_losses[1].teacher_layer_name == "mid"
        assert not revived.teacher.trainable
        assert [layer.name for layer in revived.student.layers] == ["h", "out"]


def test_keras_files_both_ways(tf, tmp_path):
    theirs, ours, x = _pair(tf)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    expected = theirs.predict(x, verbose=0)
    with pytest.warns(UserWarning, match="`compile\\(\\)` was not called"):
        loaded = [jkeras.saving.load_model(tmp_path / "ours.keras"),
                  jkeras.saving.load_model(tmp_path / "theirs.keras")]
    loaded.append(tf.keras.models.load_model(tmp_path / "ours.keras"))
    for model in loaded:
        assert type(model).__name__ == "Distiller"
        assert len(model.trainable_weights) == 4
        for a, b in zip(model.get_weights(), theirs.get_weights()):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
