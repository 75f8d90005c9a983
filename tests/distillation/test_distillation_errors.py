"""Keras's errors for bad distillation arguments, raised (same type, same words) by jkeras and
by tf.keras's `keras.distillation`."""
import numpy as np
import pytest

import jkeras


def _seq(keras, units=3, features=4, hidden=6, dtype=None):
    return keras.Sequential([keras.Input((features,), dtype=dtype),
                             keras.layers.Dense(hidden, name="h"),
                             keras.layers.Dense(units, name="out")])


def _subclassed(keras):
    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

    return Sub()


def _distiller(keras, **kwargs):
    args = {"teacher": _seq(keras), "student": _seq(keras),
            "distillation_losses": keras.distillation.LogitsDistillation()}
    args.update(kwargs)
    return keras.distillation.Distiller(**args)


CASES = {
    "teacher_not_model": (lambda k: _distiller(k, teacher=k.layers.Dense(3)),
                          "Teacher must be a keras.Model"),
    "student_not_model": (lambda k: _distiller(k, student="student"),
                          "Student must be a keras.Model"),
    "input_rank": (lambda k: _distiller(k, student=k.Sequential(
        [k.Input((2, 4)), k.layers.Dense(3)])),
        r"Teacher and student input shapes have different dimensions"),
    "input_shape": (lambda k: _distiller(k, student=_seq(k, features=5)),
                    r"Teacher and student input shapes are incompatible"),
    "output_shape": (lambda k: _distiller(k, student=_seq(k, units=2)),
                     r"Teacher and student output shapes are incompatible"),
    "input_dtype": (lambda k: _distiller(k, student=_seq(k, dtype="float16")),
                    r"Teacher and student input dtypes must match"),
    "weight_type": (lambda k: _distiller(k, student_loss_weight="0.5"),
                    "student_loss_weight must be a number"),
    "weight_range": (lambda k: _distiller(k, student_loss_weight=1.5),
                     r"student_loss_weight must be between 0.0 and 1.0, got 1.5"),
    "losses_none": (lambda k: _distiller(k, distillation_losses=None),
                    "'distillation_losses' cannot be `None`"),
    "weights_length": (lambda k: _distiller(
        k, distillation_losses=[k.distillation.LogitsDistillation()] * 2,
        distillation_loss_weights=[1.0]),
        r"Number of distillation_loss_weights \(1\) must match number of "
        r"distillation_losses \(2\)"),
    "teacher_layer": (lambda k: _distiller(k, distillation_losses=k.distillation.
                                           FeatureDistillation(teacher_layer_name="nope")),
                      "In teacher model: .*nope"),
    "student_layer": (lambda k: _distiller(k, distillation_losses=k.distillation.
                                           FeatureDistillation(student_layer_name="nope")),
                      "In student model: .*nope"),
    "subclassed_features": (lambda k: _distiller(
        k, student=_subclassed(k),
        distillation_losses=k.distillation.FeatureDistillation(student_layer_name="h")),
        r"The student model\(s\) appear to be subclassed"),
    "feature_losses_none": (lambda k: k.distillation.FeatureDistillation(loss=[None, None]),
                            "must contain at least one non-`None` value"),
    "logits_losses_none": (lambda k: k.distillation.LogitsDistillation(loss=None),
                           "At least one loss must be non-`None`"),
    "temperature_type": (lambda k: k.distillation.LogitsDistillation(temperature="3"),
                         "temperature must be a number"),
    "temperature_sign": (lambda k: k.distillation.LogitsDistillation(temperature=0),
                         "temperature must be positive"),
    "unknown_loss": (lambda k: k.distillation.LogitsDistillation(loss="no_such_loss"),
                     "Could not interpret loss identifier: '?no_such_loss"),
    "compile_no_loss": (lambda k: _distiller(k).compile(optimizer="sgd"),
                        "'loss' cannot be `None`"),
    "compile_metrics": (lambda k: _distiller(k).compile(loss="mse", metrics="mae"),
                        "metrics must be a list or tuple"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_errors_as_tf_keras(tf, case):
    build, message = CASES[case]
    for keras in (tf.keras, jkeras):
        with pytest.raises(ValueError, match=message):
            build(keras)


def _fit(keras, distillation_losses):
    x = np.ones((4, 4), "float32")
    distiller = _distiller(keras, distillation_losses=distillation_losses)
    distiller.compile(optimizer="sgd", loss="mse")
    distiller.fit(x, np.zeros((4, 3), "float32"), epochs=1, verbose=0)


def test_a_non_scalar_distillation_loss_is_refused(tf):
    for keras in (tf.keras, jkeras):
        class PerSample(keras.distillation.DistillationLoss):
            def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
                return keras.ops.sum(teacher_outputs - student_outputs, axis=-1)

        with pytest.raises(ValueError, match="Distillation loss PerSample returned a "
                                             "non-scalar loss with shape"):
            _fit(keras, PerSample())


def test_a_loss_structure_unlike_the_outputs_is_refused():
    # Keras 3.15 means this ValueError; its message calls a missing `tree.structure` and
    # raises AttributeError instead.
    with pytest.raises(ValueError, match=r"Loss structure mismatch. Loss structure: \['\*', "
                                         r"'\*'\], Output structure: \*"):
        _fit(jkeras, jkeras.distillation.FeatureDistillation(loss=["mse", "mae"]))


def test_the_base_loss_must_be_subclassed():
    with pytest.raises(NotImplementedError, match="Subclasses must implement compute_loss"):
        jkeras.distillation.DistillationLoss().compute_loss(np.ones(2), np.ones(2))
