"""Non-trainable weights updated inside `call` (`assign`, `assign_add`, `assign_sub`, `.value`,
`.numpy()`), as keras.io's subclassing guide writes them: eagerly, under jit, in pure `apply`
and in `fit`, compared with tf.keras."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import ops


def compute_sum_class(keras):
    class ComputeSum(keras.layers.Layer):
        def __init__(self, input_dim, **kwargs):
            super().__init__(**kwargs)
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,),
                                         trainable=False)

        def call(self, inputs):
            self.total.assign_add(keras.ops.sum(inputs, axis=0))
            return self.total
    return ComputeSum


def running_stats_class(keras):
    class RunningStats(keras.layers.Layer):
        """assign / assign_sub / .value in one call; returns a tensor computed from them."""

        def build(self, input_shape):
            self.last = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                        trainable=False, name="last")
            self.budget = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                          name="budget")

        def call(self, inputs):
            before = self.last.value * 1.0
            self.last.assign(keras.ops.max(inputs, axis=0))
            self.budget.assign_sub(keras.ops.mean(inputs))
            return inputs * before + self.budget
    return RunningStats


def test_compute_sum_eager_as_tf_keras(tf):
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    ours, theirs = compute_sum_class(jkeras)(2), compute_sum_class(tf.keras)(2)
    for _ in range(2):
        y_ours, y_theirs = ours(x), theirs(x)
        np.testing.assert_allclose(y_ours.numpy(), y_theirs.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.total.numpy(), [12.0, 18.0])
    assert ours.weights == [ours.total] and ours.non_trainable_weights == [ours.total]
    assert ours.trainable_weights == []


def test_assign_and_assign_sub_and_value_as_tf_keras(tf):
    rng = np.random.default_rng(0)
    ours, theirs = running_stats_class(jkeras)(), running_stats_class(tf.keras)()
    for _ in range(3):
        x = rng.normal(size=(4, 3)).astype(np.float32)
        np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-6, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_pure_apply_and_jit_return_the_update_as_new_state():
    layer = compute_sum_class(jkeras)(2)
    x = np.ones((2, 2), np.float32)
    layer(x)
    variables = layer.get_variables()
    out, state = jax.jit(layer.apply)(variables, x)
    np.testing.assert_allclose(out, [4.0, 4.0])
    np.testing.assert_allclose(state["variable"], [4.0, 4.0])
    np.testing.assert_allclose(layer.total.numpy(), [2.0, 2.0])  # apply is pure
    assert layer.init(0, (None, 2))["state"]["variable"].tolist() == [0.0, 0.0]


def test_init_of_a_model_keeps_initial_values():
    ComputeSum = compute_sum_class(jkeras)

    class Holder(jkeras.Model):
        def __init__(self):
            super().__init__()
            self.sum = ComputeSum(2)

        def call(self, x):
            return self.sum(x)

    holder = Holder()
    variables = holder.init(0, np.ones((2, 2), np.float32))
    np.testing.assert_array_equal(variables["state"][holder.sum.name]["variable"], [0.0, 0.0])


def test_updates_in_fit_as_tf_keras(tf):
    def build(keras):
        inputs = keras.Input((2,))
        summed = compute_sum_class(keras)(2, name="sum")(inputs)
        outputs = keras.layers.Dense(1, name="dense")(inputs + 0.0 * summed)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="sgd", loss="mse")
        return model

    x = np.random.default_rng(1).normal(size=(8, 2)).astype(np.float32)
    y = np.ones((8, 1), np.float32)
    ours, theirs = build(jkeras), build(tf.keras)
    ours.set_weights(theirs.get_weights())
    ours.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    theirs.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    np.testing.assert_allclose(ours.get_layer("sum").total.numpy(),
                               theirs.get_layer("sum").total.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.get_layer("sum").total.numpy(), 2 * x.sum(0), rtol=1e-5)


def test_inference_calls_keep_what_call_assigns(tf):
    def counter(keras):
        class Counter(keras.layers.Layer):
            def build(self, input_shape):
                self.count = self.add_weight(shape=(2,), initializer="zeros", trainable=False)

            def call(self, inputs, training=None):
                self.count.assign_add(keras.ops.ones((2,)))
                return inputs
        return Counter()

    ours, theirs = counter(jkeras), counter(tf.keras)
    x = np.ones((1, 2), np.float32)
    for layer in (ours, theirs):
        layer(x)
        layer(x, training=False)
    np.testing.assert_array_equal(ours.count.numpy(), theirs.count.numpy())
    np.testing.assert_array_equal(ours.count.numpy(), [2.0, 2.0])


def test_assign_checks_the_shape():
    class Bad(jkeras.layers.Layer):
        def build(self, input_shape):
            self.v = self.add_weight(shape=(2,), initializer="zeros", trainable=False)

        def call(self, inputs):
            self.v.assign(ops.ones((3,)))
            return inputs

    with pytest.raises(ValueError, match=r"has shape \(2,\), but the assigned value has shape"):
        Bad()(np.ones((1, 2), np.float32))
