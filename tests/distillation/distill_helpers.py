"""The teacher, student, data and distillation losses the distillation tests share, built the
same way in jkeras and in tf.keras."""
import numpy as np

N, FEATURES, CLASSES = 20, 4, 3


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    return x, rng.integers(0, CLASSES, N)


def _models(keras):
    teacher = keras.Sequential([
        keras.Input((FEATURES,)), keras.layers.Dense(6, activation="relu", name="h"),
        keras.layers.Dense(6, activation="tanh", name="mid"),
        keras.layers.Dense(CLASSES, name="out"),
    ], name="teacher")
    student = keras.Sequential([
        keras.Input((FEATURES,)), keras.layers.Dense(6, activation="relu", name="h"),
        keras.layers.Dense(CLASSES, name="out"),
    ], name="student")
    return teacher, student


LOSSES = {
    "logits_default": lambda d, keras: d.LogitsDistillation(),
    "logits_kl_instance": lambda d, keras: d.LogitsDistillation(
        temperature=2.0, loss=keras.losses.KLDivergence()),
    # (not crossentropy on logits: TF's kernel takes the labels' sum as 1 in its gradient)
    "logits_mse": lambda d, keras: d.LogitsDistillation(temperature=4, loss="mse"),
    "feature_outputs": lambda d, keras: d.FeatureDistillation(loss="mae"),
    "feature_layers": lambda d, keras: d.FeatureDistillation(
        loss="mse", teacher_layer_name="h", student_layer_name="h"),
    "several": lambda d, keras: [
        d.LogitsDistillation(temperature=3.0),
        d.FeatureDistillation(loss="cosine_similarity", teacher_layer_name="mid",
                              student_layer_name="h")],
}


def _distiller(keras, kind, teacher_weights, student_weights):
    teacher, student = _models(keras)
    teacher.set_weights(teacher_weights)
    student.set_weights(student_weights)
    losses = LOSSES[kind](keras.distillation, keras)
    weights = [1.0, 0.5] if isinstance(losses, list) else None
    distiller = keras.distillation.Distiller(
        teacher, student, losses, distillation_loss_weights=weights, student_loss_weight=0.3)
    distiller.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
    return distiller
