"""Model parity with tf.keras: the same weight order, shapes and parameter counts, and forward
outputs within 1e-6 on copied weights, for Sequential, functional and subclassed models and the
seeds' models."""
import jax
import jax.numpy as jnp
import numpy as np

import jkeras


def assert_twins(ours, theirs, x):
    """Same weight names/shapes in the same order; after copying, the same outputs."""
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.path.split("/")[-2:] for w in ours.weights] == \
        [w.path.split("/")[-2:] for w in theirs.weights]
    assert ours.count_params() == theirs.count_params()
    assert len(ours.trainable_weights) == len(theirs.trainable_weights)
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights)
    ours.set_weights(theirs.get_weights())
    ys, ts = ours(x), theirs(x)
    for y, t in zip(jax.tree_util.tree_leaves(ys), tf_leaves(ts)):
        np.testing.assert_allclose(np.asarray(y), t, rtol=1e-6, atol=1e-6)


def tf_leaves(value):
    if isinstance(value, dict):
        return [np.asarray(value[k]) for k in value]
    if isinstance(value, (list, tuple)):
        return [np.asarray(v) for v in value]
    return [np.asarray(value)]


def build_both(tf, make):
    """Run the same construction code against both libraries (names line up after clears)."""
    tf.keras.backend.clear_session()
    theirs = make(tf.keras)
    jkeras.utils.clear_session()
    ours = make(jkeras)
    return ours, theirs


def x_of(shape, seed=0):
    return np.random.default_rng(seed).uniform(size=shape).astype(np.float32)


def test_sequential_three_ways(tf):
    def via_add(K):
        m = K.Sequential()
        m.add(K.layers.Dense(64, activation="relu", input_shape=(16,)))
        m.add(K.layers.Dense(64, activation="relu"))
        m.add(K.layers.Dense(10))
        return m

    def via_list(K):
        return K.Sequential([K.Input(shape=(16,)), K.layers.Dense(64, activation="relu"),
                             K.layers.Dense(64, activation="relu"), K.layers.Dense(10)])

    for make in (via_add, via_list):
        ours, theirs = build_both(tf, make)
        assert ours.count_params() == 16 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10
        assert_twins(ours, theirs, x_of((5, 16)))


def test_functional_non_linear_graph(tf):
    def make(K):
        inp = K.Input(shape=(16,), name="encoder_input")
        a = K.layers.Dense(8, activation="tanh")(inp)
        b = K.layers.Dense(8, activation="sigmoid")(inp)
        c = K.layers.Add()([a, b])
        d = K.layers.Concatenate()([c, a])
        return K.Model(inp, K.layers.Dense(3, activation="softmax")(d), name="graph")

    ours, theirs = build_both(tf, make)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert_twins(ours, theirs, x_of((4, 16)))


def test_functional_multi_input_multi_output(tf):
    def make(K):
        a, b = K.Input(shape=(3,), name="a"), K.Input(shape=(5,), name="b")
        h = K.layers.Dense(4, activation="relu")(K.layers.Concatenate()([a, b]))
        return K.Model([a, b], [K.layers.Dense(1)(h), K.layers.Dense(2, activation="softmax")(h)])

    ours, theirs = build_both(tf, make)
    assert_twins(ours, theirs, [x_of((4, 3)), x_of((4, 5), 1)])


def test_encoder_autoencoder_nesting(tf):
    def make(K):
        L = K.layers
        encoder_input = K.Input(shape=(16,), name="encoder_input")
        x = L.Dense(32, activation="relu")(encoder_input)
        x = L.Dense(64, activation="relu")(x)
        encoder_output = L.Dense(128, activation="relu")(x)
        encoder = K.Model(encoder_input, encoder_output, name="encoder")
        x = L.Dense(64, activation="relu")(encoder_output)
        x = L.Dense(32, activation="relu")(x)
        decoder_output = L.Dense(16)(x)
        autoencoder = K.Model(encoder_input, decoder_output, name="autoencoder")
        outer_in = K.Input(shape=(16,))
        stacked = K.Model(outer_in, L.Dense(2)(encoder(outer_in)), name="stacked")
        return encoder, autoencoder, stacked

    (enc, auto, stacked), (t_enc, t_auto, t_stacked) = build_both(tf, make)
    assert_twins(auto, t_auto, x_of((3, 16)))
    assert_twins(enc, t_enc, x_of((3, 16)))
    assert_twins(stacked, t_stacked, x_of((3, 16)))


def test_subclassed_mlp_and_nest_mlp(tf):
    def make(K):
        L = K.layers

        class MLP(K.Model):
            def __init__(self):
                super().__init__()
                self.flatten = L.Flatten()
                self.dense1 = L.Dense(units=256, activation="relu")
                self.dense2 = L.Dense(units=10)

            def call(self, inputs):
                return self.dense2(self.dense1(self.flatten(inputs)))

        class NestMLP(K.Model):
            def __init__(self):
                super().__init__()
                self.net = K.Sequential()
                self.net.add(L.Flatten())
                self.net.add(L.Dense(units=64, activation="relu"))
                self.net.add(L.Dense(units=32, activation="relu"))
                self.dense = L.Dense(units=16, activation="relu")

            def call(self, inputs):
                return self.dense(self.net(inputs))

        mlp = MLP()
        nest = K.Sequential()
        nest.add(NestMLP())
        nest.add(L.Dense(20))
        return mlp, nest

    x = x_of((2, 20))
    (mlp, nest), (t_mlp, t_nest) = build_both(tf, make)
    mlp(x), t_mlp(x), nest(x), t_nest(x)
    assert_twins(mlp, t_mlp, x)
    assert_twins(nest, t_nest, x)


def test_seed000_linear_with_zero_initializers(tf):
    def make(K):
        class Linear(K.Model):
            def __init__(self):
                super().__init__()
                self.dense = K.layers.Dense(units=1, activation=None,
                                            kernel_initializer=K.initializers.Zeros(),
                                            bias_initializer=K.initializers.Zeros())

            def call(self, input):
                return self.dense(input)
        return Linear()

    X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    ours, theirs = build_both(tf, make)
    np.testing.assert_array_equal(ours(X), theirs(X).numpy())
    assert [w.shape for w in ours.variables] == [tuple(w.shape) for w in theirs.variables]
    assert_twins(ours, theirs, X)


def test_seed002_sigmoid_and_normalization_stack(tf):
    def make(K):
        norm = K.layers.Normalization(axis=-1)
        norm.adapt(np.random.default_rng(0).uniform(150, 285, size=(200, 2)).astype(np.float32))
        return K.Sequential([K.Input(shape=(2,)), norm,
                             K.layers.Dense(3, activation="sigmoid", name="layer1"),
                             K.layers.Dense(1, activation="sigmoid", name="layer2")])

    ours, theirs = build_both(tf, make)
    for a, b in zip(ours.get_weights()[:3], theirs.get_weights()[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert_twins(ours, theirs, x_of((5, 2)) * 100 + 150)


def test_jit_apply_matches_tf(tf):
    def make(K):
        return K.Sequential([K.Input(shape=(7,)), K.layers.Dense(5, activation="gelu"),
                             K.layers.Dense(2, activation="softmax")])

    ours, theirs = build_both(tf, make)
    ours.set_weights(theirs.get_weights())
    x = x_of((9, 7))
    y, _ = jax.jit(ours.apply)(ours.get_variables(), jnp.asarray(x))
    np.testing.assert_allclose(y, theirs(x).numpy(), rtol=1e-6, atol=1e-6)
