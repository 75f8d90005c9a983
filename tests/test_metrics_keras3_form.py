"""Custom metrics in Keras 3's form (`add_variable`, `assign_add` in `update_state`, `result`):
eager, stateless, and in compile() inside the jitted loop, equal to tf.keras's."""
import jax.numpy as jnp
import numpy as np

import jkeras
from jkeras import layers as L


def true_positives_class(lib, ops):
    class CategoricalTruePositives(lib.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
            values = ops.cast(ops.cast(y_true, "int32") == ops.cast(y_pred, "int32"), "float32")
            if sample_weight is not None:
                values = values * ops.reshape(ops.cast(sample_weight, "float32"), (-1, 1))
            self.true_positives.assign_add(ops.sum(values))

        def result(self):
            return self.true_positives

        def reset_state(self):
            self.true_positives.assign(0.0)
    return CategoricalTruePositives


class _JnpOps:  # the few keras.ops the guide's metric uses, on jax.numpy
    reshape, argmax, sum = staticmethod(jnp.reshape), staticmethod(jnp.argmax), staticmethod(jnp.sum)

    @staticmethod
    def cast(x, dtype):
        return jnp.asarray(x).astype(dtype)


def batches():
    rng = np.random.default_rng(0)
    for _ in range(3):
        yield (rng.integers(0, 4, size=(8, 1)), rng.normal(size=(8, 4)).astype(np.float32),
               rng.random(8).astype(np.float32))


def test_eager_and_stateless_equal_tf(tf):
    ours = true_positives_class(jkeras, _JnpOps)()
    theirs = true_positives_class(tf.keras, tf.keras.ops)()
    v = ours.stateless_reset_state()
    for y, p, w in batches():
        ours.update_state(y, p, sample_weight=w)
        theirs.update_state(y, p, sample_weight=w)
        v = ours.stateless_update_state(v, y, p, sample_weight=w)
    np.testing.assert_allclose(float(ours.result()), float(theirs.result()), rtol=1e-6)
    np.testing.assert_allclose(ours.stateless_result(v), float(theirs.result()), rtol=1e-6)
    assert len(ours.variables) == len(theirs.variables) == 1
    ours.reset_state()
    assert float(ours.result()) == 0.0


def test_in_compile_matches_counting_by_hand():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=(40, 1))
    model = jkeras.Sequential([jkeras.Input((5,)), L.Dense(3, activation="softmax")])
    metric = true_positives_class(jkeras, _JnpOps)()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=[metric])
    logs = model.evaluate(x, y, batch_size=16, return_dict=True, verbose=0)
    expected = float(np.sum(np.argmax(model.predict(x, verbose=0), 1)[:, None] == y))
    assert logs["categorical_true_positives"] == expected
    h = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert len(h.history["categorical_true_positives"]) == 2
