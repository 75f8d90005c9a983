"""The layer test harness: passes on real layers, fails with a message naming the check on
deliberately broken ones."""
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import LayerTestError, layer_test


def test_dense_passes_and_returns_what_it_built(tf):
    result = layer_test(L.Dense, {"units": 3}, input_shape=(2, 4), expected_output_shape=(2, 3),
                        expected_output_dtype="float32", expected_num_trainable_weights=2,
                        expected_num_non_trainable_weights=0, supports_masking=True)
    assert result.layer.built and result.outputs.shape == (2, 3)
    kernel, bias = result.layer.get_weights()
    np.testing.assert_allclose(result.outputs, np.asarray(result.inputs[0]) @ kernel + bias,
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(result.tf_outputs[0], result.outputs, rtol=1e-5, atol=1e-6)
    assert result.skipped == {}


def test_conv2d_passes(tf):
    layer_test(L.Conv2D, {"filters": 3, "kernel_size": 2, "padding": "same"},
               input_shape=(2, 5, 5, 2), expected_output_shape=(2, 5, 5, 3),
               expected_num_trainable_weights=2)


def test_batch_normalization_passes(tf):
    layer_test(L.BatchNormalization, {"momentum": 0.9}, input_shape=(3, 4),
               expected_output_shape=(3, 4), expected_num_trainable_weights=2,
               expected_num_non_trainable_weights=2)


def test_dropout_passes(tf):
    layer_test(L.Dropout, {"rate": 0.5, "seed": 1}, input_shape=(2, 4),
               expected_output_shape=(2, 4), expected_num_trainable_weights=0,
               expected_num_seed_generators=1)


def test_lstm_passes(tf):
    result = layer_test(L.LSTM, {"units": 3, "return_sequences": True}, input_shape=(2, 4, 2),
                        expected_output_shape=(2, 4, 3), expected_num_trainable_weights=3)
    assert result.tf_outputs is not None


def test_several_inputs_as_a_dict(tf):
    layer_test(L.MultiHeadAttention, {"num_heads": 2, "key_dim": 2},
               input_shape={"query_shape": (2, 3, 4), "value_shape": (2, 5, 4)},
               expected_output_shape=(2, 3, 4))


def test_list_input_and_input_data(tf):
    x = [np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")]
    result = layer_test(L.Add, input_data=x, expected_output_shape=(2, 3))
    np.testing.assert_allclose(result.outputs, 3.0)


def test_parity_skipped_with_reason_when_tf_lacks_the_class(tf):
    class Doubling(L.Layer):
        def call(self, x):
            return 2 * x
    result = layer_test(Doubling, input_shape=(2, 3))
    assert result.skipped == {"tf_parity": "tf.keras.layers has no Doubling"}


def test_wrong_expected_output_shape_fails():
    with pytest.raises(LayerTestError, match=r"Dense.*\[output shape\]: expected \[\(2, 4\)\], "
                                             r"got \[\(2, 3\)\]"):
        layer_test(L.Dense, {"units": 3}, input_shape=(2, 4), expected_output_shape=(2, 4),
                   tf_parity=False)


class _Impure(L.Layer):
    """Keeps a Python counter across calls: two applies differ."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, x):
        self.calls += 1
        return x * self.calls


def test_impure_apply_fails():
    with pytest.raises(LayerTestError, match=r"_Impure.*\[purity\]: apply twice on the same "
                                             r"variables: output 0 differs"):
        layer_test(_Impure, input_shape=(2, 3), tf_parity=False)


class _LosesUnits(L.Layer):
    """A config that does not round-trip: get_config forgets `units`' value."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, x):
        return x @ self.kernel

    def get_config(self):
        return {**super().get_config(), "units": 2}


def test_config_that_loses_an_argument_fails():
    with pytest.raises(LayerTestError, match=r"_LosesUnits.*\[config round trip\]: ValueError: "
                                             r".*weight shape"):
        layer_test(_LosesUnits, {"units": 3}, input_shape=(2, 4), tf_parity=False)


class _ShiftsUnits(_LosesUnits):
    """A config that changes at each round trip."""

    def get_config(self):
        return {**super().get_config(), "units": self.units + 1}


def test_config_that_does_not_round_trip_fails():
    with pytest.raises(LayerTestError, match=r"\[config round trip\]: from_config\(get_config\(\)\)"
                                             r" has another config; differences \(original, "
                                             r"rebuilt\): \{'units': \(3, 4\)\}"):
        layer_test(_ShiftsUnits, {"units": 2}, input_shape=(2, 4), tf_parity=False)


def test_weight_count_mismatch_fails():
    with pytest.raises(LayerTestError, match=r"\[weight count\]: expected 1 trainable weights, "
                                             r"got 2"):
        layer_test(L.Dense, {"units": 3}, input_shape=(2, 4), expected_num_trainable_weights=1,
                   tf_parity=False)


class _NanGrad(L.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="w")

    def call(self, x):
        return jnp.sqrt(self.w) + x


def test_non_finite_gradients_fail():
    with pytest.raises(LayerTestError, match=r"\[gradients\]: non-finite gradients"):
        layer_test(_NanGrad, input_shape=(2, 3), tf_parity=False)


def test_tf_parity_mismatch_fails(tf):
    class ReLU(L.ReLU):  # same name as tf.keras's, other numbers
        def call(self, x):
            return super().call(x) + 1.0
    with pytest.raises(LayerTestError, match=r"\[tf parity\]: tf.keras vs jkeras"):
        layer_test(ReLU, input_shape=(2, 3))


def test_needs_exactly_one_of_shape_and_data():
    with pytest.raises(LayerTestError, match=r"\[inputs\]: .*exactly one of `input_shape` and "
                                             r"`input_data`"):
        layer_test(L.Dense, {"units": 3})
