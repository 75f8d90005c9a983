"""`.weights.h5` files both ways with tf.keras: the same groups and datasets for the same
architecture (Sequential, functional, subclassed, nested; BatchNormalization, Normalization,
recurrent layers, Bidirectional, Conv2D, Embedding, MultiHeadAttention, LayerNormalization),
tf.keras's files load into jkeras and jkeras's into tf.keras. Optimizer variables carrying
training on across the two: tests/saving/test_optimizer_vars_parity.py."""
import h5py
import numpy as np
import pytest

import jkeras

RTOL, ATOL = 1e-5, 1e-5


def data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


# ---- the same architectures written once for both libraries (k = jkeras or tf.keras) -----------
def seq_bn(k):
    L = k.layers
    return k.Sequential([k.Input((4,)), L.Dense(3), L.Dropout(0.5), L.BatchNormalization(),
                         L.Dense(2)])


def func_rnn(k):
    L = k.layers
    norm = L.Normalization()
    norm.adapt(data((20, 2), 9) * 3 + 1)
    inp = k.Input((5, 3))
    x = L.Bidirectional(L.LSTM(4, return_sequences=True))(inp)
    x = L.GRU(3, return_sequences=True)(x)
    x = L.SimpleRNN(2)(x)
    x = norm(x)
    return k.Model(inp, L.Dense(1)(x))


def func_attention(k):
    L = k.layers
    inp = k.Input((5,), dtype="int32")
    e = L.Embedding(10, 8)(inp)
    x = L.MultiHeadAttention(2, 4)(e, e)
    x = L.LayerNormalization()(x)
    x = L.Flatten()(x)
    return k.Model(inp, L.Dense(3)(x))


def func_conv_nested(k):
    L = k.layers
    inner = k.Sequential([k.Input((18,)), L.Dense(4), L.Dense(2)])
    inp = k.Input((8, 8, 1))
    x = L.Conv2D(2, 3)(inp)
    x = L.MaxPooling2D()(x)
    x = L.Flatten()(x)
    return k.Model(inp, inner(x))


def func_conv_zoo(k):
    """Layers whose variables vary with their arguments (no bias, no scale, ...)."""
    L = k.layers
    inp = k.Input((8, 8, 3))
    x = L.SeparableConv2D(4, 3, padding="same")(inp)
    x = L.DepthwiseConv2D(3, padding="same")(x)
    x = L.Conv2DTranspose(3, 2, strides=2)(x)
    x = L.BatchNormalization(scale=False)(x)
    x = L.LayerNormalization(center=False)(x)
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dense(4, use_bias=False)(x)
    x = L.Reshape((2, 2))(x)
    x = L.GRU(3, reset_after=False, return_sequences=True)(x)
    x = L.Conv1D(2, 2)(x)
    x = L.SeparableConv1D(2, 1)(x)
    return k.Model(inp, L.Dense(1)(L.Flatten()(x)))


def seq_rnn_cell(k):
    L = k.layers
    return k.Sequential([k.Input((4, 3)), L.RNN(L.LSTMCell(2)), L.Dense(1)])


def subclassed(k):
    L = k.layers

    class Block(L.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.proj = L.Dense(3)
            self.norm = L.BatchNormalization()

        def call(self, x, training=False):
            return self.norm(self.proj(x), training=training)

    class Net(k.Model):
        def __init__(self):
            super().__init__()
            self.zeta = L.Dense(5)  # sorted after `layers`: saved at layers/dense
            self.alpha = L.Dense(3)
            self.blocks = [Block(), L.Dropout(0.1), Block()]
            self.head = L.Dense(2)

        def call(self, x, training=False):
            x = self.alpha(self.zeta(x))
            for block in self.blocks:
                x = block(x, training=training)
            return self.head(x)

    model = Net()
    model(data((2, 4)))
    return model


def subclassed_containers(k):
    L = k.layers

    class Pair(L.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.inner = L.Dense(3)
            self.norm = L.LayerNormalization()

        def call(self, x):
            return self.norm(self.inner(x))

    class Net(k.Model):
        def __init__(self, shared):
            super().__init__()
            self.zeta = L.Dense(4)
            self.blocks = [L.Dense(4), L.Dropout(0.2), [L.Dense(4), shared], L.Dense(4)]
            self.by_name = {"b": Pair(), "a": L.BatchNormalization()}  # nested container
            self.again = shared  # a shared layer: saved once, at its first path
            self._private = L.Dense(2)

        def call(self, x, training=False):
            x = self.zeta(x)
            for layer in self.blocks[:2] + self.blocks[2] + self.blocks[3:]:
                x = layer(x, training=training)
            x = self.by_name["a"](self.by_name["b"](x), training=training)
            return self._private(x)

    model = Net(L.Dense(4, name="shared"))
    model(data((2, 4)))
    return model


def subclassed_nested(k):
    """A subclassed model around a Sequential holding a functional model and a Sequential."""
    L = k.layers
    i = k.Input((4,))
    functional = k.Model(i, L.Dense(3)(i))
    inner = k.Sequential([k.Input((3,)), L.Dense(2), L.Dense(2)])

    class Wrapper(k.Model):
        def __init__(self, body):
            super().__init__()
            self.body = body

        def call(self, x):
            return self.body(x) * 2.0

    model = Wrapper(k.Sequential([k.Input((4,)), functional, inner, L.Dense(1)]))
    model(data((2, 4)))
    return model


MODELS = {"seq_bn": (seq_bn, (16, 4), 2), "func_rnn": (func_rnn, (16, 5, 3), 1),
          "func_attention": (func_attention, None, 3),
          "func_conv_nested": (func_conv_nested, (16, 8, 8, 1), 2),
          "func_conv_zoo": (func_conv_zoo, (16, 8, 8, 3), 1),
          "seq_rnn_cell": (seq_rnn_cell, (16, 4, 3), 1), "subclassed": (subclassed, (16, 4), 2),
          "subclassed_containers": (subclassed_containers, (16, 4), 2),
          "subclassed_nested": (subclassed_nested, (16, 4), 1)}


def xy(name):
    _, shape, out = MODELS[name]
    x = np.random.default_rng(1).integers(0, 10, (16, 5)).astype("int32") if shape is None \
        else data(shape, 1)
    return x, data((16, out), 2)


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, (o.shape, o.dtype.kind))
                     if isinstance(o, h5py.Dataset) else None)
    return out


def assert_same_weights(ours, theirs):
    a, b = ours.get_weights(), [np.asarray(w) for w in theirs.get_weights()]
    assert [w.shape for w in a] == [w.shape for w in b]
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=RTOL, atol=ATOL)


def randomized(model, seed):
    """Random weights (positive ones, so variances stay valid) without training."""
    rng = np.random.default_rng(seed)
    model.set_weights([np.abs(rng.normal(size=np.shape(w))).astype(np.asarray(w).dtype) + 0.1
                       for w in model.get_weights()])
    for layer in model.layers:  # tf.keras's Normalization reads new statistics only then
        getattr(layer, "finalize_state", lambda: None)()
    return model


def compiled_with_state(k, name):
    """Compiled with Adam and its variables created (Keras's `optimizer.build`), no fit."""
    model = MODELS[name][0](k)
    model.compile(optimizer=k.optimizers.Adam(0.01), loss="mse")
    if k is jkeras:
        from jkeras.saving import optimizer_vars
        optimizer_vars.install(model, model.optimizer,
                               *optimizer_vars.fresh_view(model, model.optimizer))
    else:
        model.optimizer.build(model.trainable_variables)
    return model


def outputs(model, x):
    return np.asarray(model(x, training=False))


@pytest.mark.parametrize("name", list(MODELS))
def test_layout_and_files_both_ways(name, tf, tmp_path):
    theirs = randomized(compiled_with_state(tf.keras, name), 3)
    ours = randomized(compiled_with_state(jkeras, name), 4)
    tf_file, jk_file = str(tmp_path / "tf.weights.h5"), str(tmp_path / "jk.weights.h5")
    theirs.save_weights(tf_file)
    ours.save_weights(jk_file)
    # the same datasets at the same paths, with the same shapes (int widths may differ)
    assert datasets(jk_file) == datasets(tf_file)

    x, _ = xy(name)
    x = x[:4]
    fresh = MODELS[name][0](jkeras)  # tf.keras -> jkeras
    fresh.load_weights(tf_file)
    assert_same_weights(fresh, theirs)
    np.testing.assert_allclose(outputs(fresh, x), outputs(theirs, x), rtol=1e-4, atol=1e-5)

    target = MODELS[name][0](tf.keras)  # jkeras -> tf.keras
    target.load_weights(jk_file)
    assert_same_weights(ours, target)
    np.testing.assert_allclose(outputs(target, x), outputs(ours, x), rtol=1e-4, atol=1e-5)


def test_unbuilt_optimizer_writes_iterations_and_learning_rate_as_tf_keras(tf, tmp_path):
    theirs, ours = seq_bn(tf.keras), seq_bn(jkeras)
    theirs.compile(tf.keras.optimizers.Adam(0.02), "mse")
    ours.compile(jkeras.optimizers.Adam(0.02), "mse")
    theirs.save_weights(str(tmp_path / "tf.weights.h5"))
    ours.save_weights(str(tmp_path / "jk.weights.h5"))
    assert datasets(str(tmp_path / "jk.weights.h5")) == datasets(str(tmp_path / "tf.weights.h5"))
    with h5py.File(str(tmp_path / "jk.weights.h5"), "r") as f:
        assert f["optimizer/vars"].attrs["name"] == ours.optimizer.name
        np.testing.assert_allclose(f["optimizer/vars/1"][()], 0.02)
