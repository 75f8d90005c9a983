"""Distiller fit/evaluate/predict against tf.keras's `keras.distillation` (Keras 3.15 on the
TensorFlow backend) with the same teacher and student weights."""
import numpy as np
import pytest

import jkeras

from .distill_helpers import LOSSES, N, _data, _distiller, _models


@pytest.mark.parametrize("kind", sorted(LOSSES))
def test_fit_evaluate_predict_as_tf_keras(tf, kind):
    x, y = _data()
    tf_teacher, tf_student = _models(tf.keras)
    teacher_weights, student_weights = tf_teacher.get_weights(), tf_student.get_weights()
    theirs = _distiller(tf.keras, kind, teacher_weights, student_weights)
    ours = _distiller(jkeras, kind, teacher_weights, student_weights)
    h_theirs = theirs.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    h_ours = ours.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    assert list(h_ours) == list(h_theirs)
    assert {"loss", "student_loss", "distillation_loss", "total_loss"} <= set(h_ours)
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4, atol=1e-6, err_msg=key)
    for a, b in zip(ours.student.get_weights(), theirs.student.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    for a, b in zip(ours.teacher.get_weights(), teacher_weights):  # frozen
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(ours.student.get_weights()[0], student_weights[0])
    e_theirs = theirs.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    e_ours = ours.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert list(e_ours) == list(e_theirs)
    for key in e_theirs:
        np.testing.assert_allclose(e_ours[key], e_theirs[key], rtol=1e-4, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-6)


def test_weights_and_metrics_as_tf_keras(tf):
    x, y = _data()
    tf_teacher, tf_student = _models(tf.keras)
    args = (tf_teacher.get_weights(), tf_student.get_weights())
    theirs = _distiller(tf.keras, "feature_layers", *args)
    ours = _distiller(jkeras, "feature_layers", *args)
    theirs.evaluate(x, y, verbose=0), ours.evaluate(x, y, verbose=0)
    assert [m.name for m in ours.metrics] == [m.name for m in theirs.metrics]
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 4
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights) == 6
    assert not ours.teacher.trainable
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_student_loss_weight_one_skips_the_teacher(tf):
    x, y = _data()
    tf_teacher, tf_student = _models(tf.keras)
    args = (tf_teacher.get_weights(), tf_student.get_weights())
    results = []
    for keras in (tf.keras, jkeras):
        model = _distiller(keras, "logits_default", *args)
        model.student_loss_weight = 1.0
        results.append(model.evaluate(x, y, verbose=0, return_dict=True))
    assert results[0]["distillation_loss"] == results[1]["distillation_loss"] == 0.0
    for key in results[0]:
        np.testing.assert_allclose(results[1][key], results[0][key], rtol=1e-5)


def _subclassed(keras, hidden):
    class Net(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = keras.layers.Dense(hidden, activation="relu")
            self.norm = keras.layers.BatchNormalization()
            self.out = keras.layers.Dense(3)

        def call(self, x, training=None):
            return self.out(self.norm(self.hidden(x), training=training))

    return Net()


def _subclassed_distiller(keras, weights):
    teacher, student = _subclassed(keras, 6), _subclassed(keras, 4)
    x, _ = _data()
    teacher(x[:1]), student(x[:1])
    if weights is not None:
        teacher.set_weights(weights[0])
        student.set_weights(weights[1])
    distiller = keras.distillation.Distiller(
        teacher, student, keras.distillation.LogitsDistillation(temperature=2.0))
    distiller.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return distiller


def test_subclassed_models_with_batch_norm_as_tf_keras(tf):
    x, y = _data()
    theirs = _subclassed_distiller(tf.keras, None)
    weights = (theirs.teacher.get_weights(), theirs.student.get_weights())
    ours = _subclassed_distiller(jkeras, weights)
    h_theirs = theirs.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    h_ours = ours.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    assert list(h_ours) == list(h_theirs) == [
        "distillation_loss", "loss", "student_loss", "total_loss"]
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4, atol=1e-6, err_msg=key)
    # the student's moving statistics move; the frozen teacher's do not
    for a, b in zip(ours.student.get_weights(), theirs.student.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    for a, b in zip(ours.teacher.get_weights(), weights[0]):
        np.testing.assert_array_equal(a, b)


def test_the_step_reads_the_teachers_current_weights(tf):
    x, y = _data()
    tf_teacher, tf_student = _models(tf.keras)
    teacher_weights, student_weights = tf_teacher.get_weights(), tf_student.get_weights()
    ours = _distiller(jkeras, "logits_default", teacher_weights, student_weights)
    before = ours.evaluate(x, y, verbose=0, return_dict=True)["distillation_loss"]
    ours.teacher.set_weights([w * 2 for w in teacher_weights])
    theirs = _distiller(tf.keras, "logits_default", [w * 2 for w in teacher_weights],
                        student_weights)
    after = ours.evaluate(x, y, verbose=0, return_dict=True)["distillation_loss"]
    expected = theirs.evaluate(x, y, verbose=0, return_dict=True)["distillation_loss"]
    assert after != pytest.approx(before)
    np.testing.assert_allclose(after, expected, rtol=1e-5)


def test_sample_weight_as_tf_keras(tf):
    # Keras's Distiller leaves `sample_weight` out of its losses; the logged `loss` and the
    # compiled metrics still weigh by it.
    x, y = _data()
    sample_weight = np.random.default_rng(3).random(N).astype("float32")
    tf_teacher, tf_student = _models(tf.keras)
    args = (tf_teacher.get_weights(), tf_student.get_weights())
    results = []
    for keras in (tf.keras, jkeras):
        distiller = _distiller(keras, "several", *args)
        history = distiller.fit(x, y, sample_weight=sample_weight, epochs=2, batch_size=8,
                                shuffle=False, verbose=0).history
        results.append((history, distiller.evaluate(x, y, sample_weight=sample_weight,
                                                    verbose=0, return_dict=True)))
    (h_theirs, e_theirs), (h_ours, e_ours) = results
    assert list(h_ours) == list(h_theirs) and list(e_ours) == list(e_theirs)
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4, err_msg=key)
        np.testing.assert_allclose(e_ours[key], e_theirs[key], rtol=1e-4, err_msg=key)


def test_compile_defaults_to_adam_as_tf_keras(tf):
    names = []
    for keras in (tf.keras, jkeras):
        teacher, student = _models(keras)
        distiller = keras.distillation.Distiller(
            teacher, student, keras.distillation.LogitsDistillation())
        distiller.compile(loss="sparse_categorical_crossentropy")
        names.append(type(distiller.optimizer).__name__)
        assert distiller.name == "distiller"
    assert names == ["Adam", "Adam"]
