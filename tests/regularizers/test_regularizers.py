"""jkeras.regularizers against tf.keras: penalties and their gradients, names, configs, errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers, regularizers as R

X = np.random.default_rng(0).standard_normal((5, 4)).astype("float32")
X[0, :2] = 0.0  # exact zeros: the L1 gradient there is 0, as TensorFlow's

CASES = {
    "L1": lambda m: m.regularizers.L1(0.3),
    "L2": lambda m: m.regularizers.L2(0.1),
    "L1L2": lambda m: m.regularizers.L1L2(l1=0.01, l2=0.02),
    "L1L2_l1_only": lambda m: m.regularizers.L1L2(l1=0.05),
    "orthogonal_rows": lambda m: m.regularizers.OrthogonalRegularizer(0.1),
    "orthogonal_columns": lambda m: m.regularizers.OrthogonalRegularizer(0.2, mode="columns"),
    "l1_name": lambda m: m.regularizers.get("l1"),
    "l2_name": lambda m: m.regularizers.get("l2"),
    "l1l2_name": lambda m: m.regularizers.get("l1l2"),
    "orthogonal_name": lambda m: m.regularizers.get("orthogonal_regularizer"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_penalty_gradient_and_config_match_tf_keras(tf, name):
    ours, theirs = CASES[name](jkeras), CASES[name](tf.keras)
    np.testing.assert_allclose(ours(X), theirs(tf.constant(X)).numpy(), rtol=1e-6)
    v = tf.Variable(X)
    with tf.GradientTape() as tape:
        out = theirs(v)
    want = tape.gradient(out, v)  # None: the penalty does not depend on x (L1L2(0, 0))
    want = np.zeros_like(X) if want is None else want.numpy()
    np.testing.assert_allclose(jax.grad(ours)(jnp.asarray(X)), want, rtol=1e-6, atol=1e-7)
    assert R.serialize(ours) == tf.keras.regularizers.serialize(theirs)
    again = R.deserialize(tf.keras.regularizers.serialize(theirs))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()


def test_aliases_and_get():
    assert R.l1 is R.L1 and R.l2 is R.L2 and R.l1_l2 is R.L1L2
    assert R.orthogonal_regularizer is R.OrthogonalRegularizer
    assert jkeras.regularizers is R
    assert R.get(None) is None
    assert isinstance(R.get(R.L2), R.L2)  # a class is instantiated
    assert isinstance(R.get({"class_name": "L1", "config": {"l1": 0.5}}), R.L1)
    fn = lambda w: jnp.sum(w)  # noqa: E731
    assert R.get(fn) is fn


def test_unknown_name_is_a_value_error_naming_the_layer():
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: l3"):
        R.get("l3")
    with pytest.raises(ValueError, match=r"`kernel_regularizer` of layer 'my_dense' \(Dense\)"):
        layers.Dense(2, kernel_regularizer="l3", name="my_dense")
    with pytest.raises(ValueError, match=r"`activity_regularizer` of layer 'd2'"):
        layers.Dense(2, activity_regularizer="nope", name="d2")


@pytest.mark.parametrize("make,match", [
    (lambda: R.L1(-1.0), "Invalid value for argument l1"),
    (lambda: R.L2(float("nan")), "Invalid value for argument l2"),
    (lambda: R.L1L2(l1="a"), "Invalid value for argument l1"),
    (lambda: R.OrthogonalRegularizer(mode="diag"), "Invalid value for argument `mode`"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_orthogonal_needs_rank_2():
    with pytest.raises(ValueError, match="must have rank 2"):
        R.OrthogonalRegularizer()(jnp.ones((2, 2, 2)))


def test_non_scalar_regularizer_output_is_a_value_error_naming_the_layer():
    layer = layers.Dense(2, kernel_regularizer=lambda w: jnp.abs(w), name="vec_reg")
    layer(X)
    with pytest.raises(ValueError, match="Layer 'vec_reg'.*must be a scalar"):
        layer.losses


def test_custom_class_and_plain_callable(tf):
    class Half(R.Regularizer):
        def __init__(self, factor=0.5):
            self.factor = factor

        def __call__(self, x):
            return self.factor * jnp.sum(x)

        def get_config(self):
            return {"factor": self.factor}

    layer = layers.Dense(3, kernel_initializer="ones", kernel_regularizer=Half,
                         bias_regularizer=lambda b: 2.0 * jnp.sum(b + 1.0))
    layer(X)
    np.testing.assert_allclose([float(v) for v in layer.losses], [0.5 * 12, 2.0 * 3])
    config = layer.get_config()
    assert config["kernel_regularizer"]["class_name"] == "Half"
    assert config["kernel_regularizer"]["config"] == {"factor": 0.5}
    clone = R.deserialize(config["kernel_regularizer"], custom_objects={"Half": Half})
    assert isinstance(clone, Half) and clone.factor == 0.5


def test_base_class_config_is_not_implemented():
    with pytest.raises(NotImplementedError, match="does not implement get_config"):
        R.Regularizer().get_config()


def test_every_layer_argument_keras_has_is_accepted_and_serialized(tf):
    cases = [
        ("Dense", dict(units=2), ["kernel", "bias"]),
        ("EinsumDense", dict(equation="ab,bc->ac", output_shape=2, bias_axes="c"),
         ["kernel", "bias"]),
        ("Conv1D", dict(filters=2, kernel_size=2), ["kernel", "bias"]),
        ("Conv2DTranspose", dict(filters=2, kernel_size=2), ["kernel", "bias"]),
        ("DepthwiseConv2D", dict(kernel_size=2), ["depthwise", "bias"]),
        ("SeparableConv2D", dict(filters=2, kernel_size=2), ["depthwise", "pointwise", "bias"]),
        ("Embedding", dict(input_dim=5, output_dim=2), ["embeddings"]),
        ("LSTM", dict(units=2), ["kernel", "recurrent", "bias"]),
        ("GRU", dict(units=2), ["kernel", "recurrent", "bias"]),
        ("SimpleRNN", dict(units=2), ["kernel", "recurrent", "bias"]),
        ("LSTMCell", dict(units=2), ["kernel", "recurrent", "bias"]),
        ("BatchNormalization", {}, ["beta", "gamma"]),
        ("LayerNormalization", {}, ["beta", "gamma"]),
        ("GroupNormalization", dict(groups=1), ["beta", "gamma"]),
        ("PReLU", {}, ["alpha"]),
    ]
    for cls, kwargs, prefixes in cases:
        args = {f"{p}_regularizer": "l2" for p in prefixes}
        args.update({f"{p}_constraint": "non_neg" for p in prefixes})
        ours = getattr(layers, cls)(**kwargs, **args)
        theirs = getattr(tf.keras.layers, cls)(**kwargs, **args)
        mine, want = ours.get_config(), theirs.get_config()
        for key in args:
            assert mine[key] == want[key], (cls, key)


_RNG = np.random.default_rng(3)
_SEQ = _RNG.standard_normal((2, 4, 5)).astype("float32")
LAYER_CASES = {
    "MultiHeadAttention": (lambda m: m.layers.MultiHeadAttention(
        2, 3, kernel_regularizer="l2", bias_regularizer="l1",
        activity_regularizer=m.regularizers.L2(0.1), kernel_constraint="non_neg"), (_SEQ, _SEQ)),
    "GroupQueryAttention": (lambda m: m.layers.GroupQueryAttention(
        3, 4, 2, kernel_regularizer="l2", bias_regularizer="l1", activity_regularizer="l2",
        kernel_constraint="non_neg"), (_SEQ, _SEQ)),
    "ConvLSTM1D": (lambda m: m.layers.ConvLSTM1D(
        2, 2, kernel_regularizer="l2", recurrent_regularizer="l1", bias_regularizer="l2",
        activity_regularizer="l1"), (_RNG.standard_normal((2, 3, 5, 2)).astype("float32"),)),
    "SeparableConv1D": (lambda m: m.layers.SeparableConv1D(
        3, 2, depthwise_regularizer="l1", pointwise_regularizer="l2", bias_regularizer="l2",
        activity_regularizer="l2"), (_SEQ,)),
    "DepthwiseConv1D": (lambda m: m.layers.DepthwiseConv1D(
        2, depthwise_regularizer="l2", activity_regularizer="l1"), (_SEQ,)),
    "Embedding": (lambda m: m.layers.Embedding(
        6, 3, embeddings_regularizer="l2", activity_regularizer="l1"),
        (np.array([[1, 2, 5], [0, 3, 4]], "int32"),)),
    "BatchNormalization": (lambda m: m.layers.BatchNormalization(
        gamma_regularizer="l2", beta_regularizer="l1"), (_SEQ,)),
    "GRU": (lambda m: m.layers.GRU(
        3, kernel_regularizer="l1", recurrent_regularizer="l2", bias_regularizer="l1",
        activity_regularizer="l2"), (_SEQ,)),
    "PReLU": (lambda m: m.layers.PReLU(
        alpha_initializer="ones", alpha_regularizer="l2", activity_regularizer="l1"), (_SEQ,)),
}


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_layer_losses_and_config_round_trip_match_tf_keras(tf, name):
    make, args = LAYER_CASES[name]
    theirs, ours = make(tf.keras), make(jkeras)
    theirs(*args)
    ours(*args)
    ours.set_weights(theirs.get_weights())
    theirs(*args)
    ours(*args)
    want = [float(v) for v in theirs.losses]
    np.testing.assert_allclose([float(v) for v in ours.losses], want, rtol=1e-5)
    clone = type(ours).from_config(theirs.get_config())  # tf.keras's config, loaded by jkeras
    clone(*args)
    clone.set_weights(theirs.get_weights())
    clone(*args)
    np.testing.assert_allclose([float(v) for v in clone.losses], want, rtol=1e-5)
