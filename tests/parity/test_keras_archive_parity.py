"""`.keras` files across libraries: tf.keras saves -> jkeras loads, jkeras saves -> tf.keras loads.

The same architecture is written once for both libraries (`lib` is `tf.keras` or `jkeras`);
after loading, outputs and weights must match the saving side's.
"""
import numpy as np
import pytest

import jkeras

RNG = np.random.default_rng(0)
X4 = RNG.normal(size=(6, 4)).astype("float32")
X2 = RNG.normal(size=(6, 2)).astype("float32")
SEQ = RNG.normal(size=(6, 5, 3)).astype("float32")
ADAPT = RNG.normal(loc=2.0, scale=3.0, size=(40, 4)).astype("float32")


def _sequential(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((4,)), L.Dense(5, activation="relu"),
                           L.BatchNormalization(), L.Dropout(0.2),
                           L.Dense(2, activation="softmax")]), X4


def _functional(lib):
    """Multi-input / multi-output, a shared layer, a nested Sequential and nested functional."""
    L = lib.layers
    a, b = lib.Input((4,), name="a"), lib.Input((2,), name="b")
    shared = L.Dense(2, name="shared")
    x = L.Concatenate()([shared(L.Dense(2)(a)), shared(b)])
    inner_seq = lib.Sequential([lib.Input((4,)), L.Dense(3)], name="inner_seq")
    i = lib.Input((4,))
    inner_fn = lib.Model(i, L.Dense(5, activation="tanh")(i), name="inner_fn")
    return lib.Model([a, b], [inner_seq(x), inner_fn(x), L.Dense(1, name="o2")(x)]), [X4, X2]


def _recurrent(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((5, 3)), L.LSTM(4, return_sequences=True),
                           L.Bidirectional(L.GRU(3)), L.Dense(2)]), SEQ


def _normalized(lib):
    L = lib.layers
    norm = L.Normalization()
    norm.adapt(ADAPT)
    return lib.Sequential([lib.Input((4,)), norm, L.Dense(3),
                           L.BatchNormalization(momentum=0.5), L.Dense(1)]), X4


def _subclassed(lib):
    model = _residual_class(lib)(units=4, name="res")
    model(X4)
    return model, X4


_RESIDUAL = {}


def _residual_class(lib):
    """One subclassed model per library, registered under the same name in both."""
    key = lib.__name__
    if key not in _RESIDUAL:
        registry = jkeras.saving if lib is jkeras else lib.utils  # tf.keras: keras.utils
        register = registry.register_keras_serializable(package="parity", name="Residual")

        class Residual(lib.Model):
            def __init__(self, units=4, **kwargs):
                super().__init__(**kwargs)
                self.units = units
                self.hidden = lib.layers.Dense(units, activation="relu")
                self.out = lib.layers.Dense(units)

            def call(self, x):
                return x + self.out(self.hidden(x))

            def get_config(self):
                return {**super().get_config(), "units": self.units}
        _RESIDUAL[key] = register(Residual)
    return _RESIDUAL[key]


_residual_class(jkeras)  # registered before any file is loaded, as a user's import would

def _masked_new_layers(lib):
    """Layers added with the layer harness, a mask flowing from Masking into the RNN."""
    L = lib.layers
    inp = lib.Input((5, 3))
    x = L.TimeDistributed(L.Dense(4))(L.Masking()(inp))
    x = L.GroupNormalization(groups=2)(L.PReLU()(x))
    x = L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)]), return_sequences=True)(x)
    x = L.ConvLSTM1D(2, 2, padding="same")(L.Reshape((5, 2, 1))(x))
    return lib.Model(inp, L.AlphaDropout(0.1)(L.GaussianDropout(0.1)(x))), SEQ


def _attention_new_layers(lib):
    L = lib.layers
    inp = lib.Input((5, 3))
    x = L.EinsumDense("abc,cd->abd", (5, 4), bias_axes="d")(inp)
    x = L.add([L.Attention(use_scale=True)([x, x]), L.AdditiveAttention()([x, x])])
    x = L.GroupQueryAttention(2, 4, 2)(x, x)
    x = L.UnitNormalization()(L.RMSNormalization()(x))
    x = L.AdaptiveAveragePooling1D(3)(x)
    return lib.Model(inp, L.UpSampling1D(2)(x)), SEQ


BUILDERS = [_sequential, _functional, _recurrent, _normalized, _subclassed, _masked_new_layers,
            _attention_new_layers]


def _listed(y):
    return [np.asarray(v) for v in (y if isinstance(y, (list, tuple)) else [y])]


def _assert_same(saved, loaded, x):
    assert len(saved.weights) == len(loaded.weights)
    for a, b in zip(saved.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a))
    for got, want in zip(_listed(loaded(x)), _listed(saved(x))):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _train_a_little(model, lib, x):
    """A few steps so BatchNormalization statistics move away from their start values."""
    y = _listed(model(x))
    model.compile("sgd", ["mse"] * len(y) if len(y) > 1 else "mse")
    model.fit(x, y if len(y) > 1 else y[0], epochs=2, batch_size=3, verbose=0)


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__.strip("_"))
def test_tf_keras_file_loads_in_jkeras(tf, tmp_path, builder):
    model, x = builder(tf.keras)
    if builder in (_sequential, _normalized):
        _train_a_little(model, tf.keras, x)
    model.save(tmp_path / "tf.keras")
    loaded = jkeras.models.load_model(tmp_path / "tf.keras", compile=False)
    assert isinstance(loaded, jkeras.Model)
    _assert_same(model, loaded, x)


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__.strip("_"))
def test_jkeras_file_loads_in_tf_keras(tf, tmp_path, builder):
    _residual_class(tf.keras)  # tf.keras must know the registered name too
    model, x = builder(jkeras)
    if builder in (_sequential, _normalized):
        _train_a_little(model, jkeras, x)
    model.save(tmp_path / "jk.keras")
    loaded = tf.keras.models.load_model(tmp_path / "jk.keras", compile=False)
    _assert_same(model, loaded, x)


def _regression(lib):
    lib.utils.set_random_seed(1)
    m = lib.Sequential([lib.Input((4,)), lib.layers.Dense(8, activation="relu"),
                        lib.layers.Dense(1)])
    m.compile(optimizer=lib.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    return m


def test_tf_keras_training_resumes_in_jkeras(tf, tmp_path):
    x = RNG.normal(size=(32, 4)).astype("float32")
    y = (x.sum(1, keepdims=True) * 0.5).astype("float32")
    tf_model = _regression(tf.keras)
    tf_model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    tf_model.save(tmp_path / "c.keras")
    resumed = jkeras.models.load_model(tmp_path / "c.keras")
    assert resumed.compiled and isinstance(resumed.optimizer, jkeras.optimizers.Adam)
    assert int(resumed.optimizer.iterations) == 8
    tf_hist = tf_model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    jk_hist = resumed.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(tf_model.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jk_hist.history["loss"], tf_hist.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(jk_hist.history["mae"], tf_hist.history["mae"], rtol=1e-5)


def test_jkeras_training_resumes_in_tf_keras(tf, tmp_path):
    x = RNG.normal(size=(32, 4)).astype("float32")
    y = (x.sum(1, keepdims=True) * 0.5).astype("float32")
    jk_model = _regression(jkeras)
    jk_model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    jk_model.save(tmp_path / "c.keras")
    resumed = tf.keras.models.load_model(tmp_path / "c.keras")
    assert int(resumed.optimizer.iterations.numpy()) == 8
    np.testing.assert_allclose(resumed.predict(x, verbose=0), jk_model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    tf_hist = resumed.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    jk_hist = jk_model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(tf_hist.history["loss"], jk_hist.history["loss"], rtol=1e-5)


def test_tf_keras_lambda_needs_safe_mode_off(tf, tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Lambda(lambda v: v * 3.0)])
    model.save(tmp_path / "lam.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        jkeras.models.load_model(tmp_path / "lam.keras")


def test_tf_keras_layer_jkeras_lacks_is_named(tf, tmp_path):
    @tf.keras.utils.register_keras_serializable(package="Parity")
    class Doubling(tf.keras.layers.Layer):  # registered in tf.keras only
        def call(self, x):
            return 2.0 * x

    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2), Doubling()])
    model.save(tmp_path / "reg.keras")
    with pytest.raises(ValueError, match=r"reg\.keras.*Doubling.*custom_objects"):
        jkeras.models.load_model(tmp_path / "reg.keras")


def test_tf_keras_operations_and_embedding_masks_load_both_ways(tf, tmp_path):
    """Keras records `x + y`, slicing, `ops.cast` and Embedding(mask_zero)'s mask as operation
    nodes; jkeras replays them and writes them back in Keras's form."""
    k = tf.keras
    a, b = k.Input((4,)), k.Input((4,))
    y = k.ops.cast(((a + b) * 2.0 - a / 3.0)[:, :2], "float32")
    ops_model = k.Model([a, b], k.layers.Dense(3)(y))
    tokens = k.Input((6,), dtype="int32")
    h = k.layers.LSTM(3)(k.layers.Embedding(10, 4, mask_zero=True)(tokens))
    text_model = k.Model(tokens, k.layers.Dense(2)(h))
    ids = np.array([[1, 2, 3, 0, 0, 0], [4, 0, 0, 0, 0, 0]], "int32")
    for name, model, x in (("ops", ops_model, [X4[:2], X4[2:4]]), ("text", text_model, ids)):
        model.save(tmp_path / f"{name}.keras")
        loaded = jkeras.models.load_model(tmp_path / f"{name}.keras")
        np.testing.assert_allclose(loaded(x), model(x), rtol=1e-5, atol=1e-6)
        loaded.save(tmp_path / f"{name}_back.keras")
        back = tf.keras.models.load_model(tmp_path / f"{name}_back.keras")
        np.testing.assert_allclose(back(x), model(x), rtol=1e-5, atol=1e-6)


def test_tf_keras_operation_jkeras_lacks_is_named(tf, tmp_path):
    x = tf.keras.Input((3,))
    model = tf.keras.Model(x, tf.keras.ops.einsum("bi,bi->b", x, x))
    model.save(tmp_path / "einsum.keras")
    with pytest.raises(ValueError, match="operation 'Einsum'.*cannot replay"):
        jkeras.models.load_model(tmp_path / "einsum.keras")


def _dict_outputs(lib):
    L = lib.layers
    a = lib.Input((4,))
    h = L.Dense(3)(a)
    m = lib.Model(a, {"reg": L.Dense(1, name="reg")(h),
                      "cls": L.Dense(1, activation="sigmoid", name="cls")(h)})
    schedule = lib.optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.9)
    m.compile(optimizer=lib.optimizers.Adam(schedule),
              loss={"reg": "mse", "cls": lib.losses.BinaryCrossentropy()},
              loss_weights={"reg": 1.0, "cls": 0.5}, metrics={"cls": ["accuracy"]})
    return m


def _momentum_sequential(lib):
    m = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="relu"),
                        lib.layers.Dense(1)])
    m.compile(optimizer=lib.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
              loss=lib.losses.Huber(), metrics=["mae"])
    return m


@pytest.mark.parametrize("builder", [_dict_outputs, _momentum_sequential],
                         ids=["dict_outputs_schedule", "sgd_momentum_loss_object"])
def test_compile_configs_resume_across_libraries(tf, tmp_path, builder):
    x = RNG.normal(size=(12, 4)).astype("float32")
    y = {"reg": x[:, :1] * 2.0, "cls": (x[:, 1:2] > 0).astype("float32")}
    if builder is _momentum_sequential:
        y = y["reg"]
    for save_lib, load in ((tf.keras, jkeras.models.load_model),
                           (jkeras, tf.keras.models.load_model)):
        save_lib.utils.set_random_seed(3)
        original = builder(save_lib)
        original.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
        original.save(tmp_path / "c.keras")
        resumed = load(tmp_path / "c.keras")
        h_resumed = resumed.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
        h_original = original.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
        assert sorted(h_resumed.history) == sorted(h_original.history)
        for key in h_original.history:
            np.testing.assert_allclose(h_resumed.history[key], h_original.history[key],
                                       rtol=1e-5, err_msg=f"{save_lib.__name__}: {key}")


def test_recorded_training_flags_do_not_freeze_dropout(tf, tmp_path):
    """tf.keras records `"training": false` on Dropout nodes; the loaded model's own `training`
    must still switch Dropout on (as in Keras)."""
    x_in = tf.keras.Input((8,))
    model = tf.keras.Model(x_in, tf.keras.layers.Dense(2)(tf.keras.layers.Dropout(0.5)(x_in)))
    model.save(tmp_path / "drop.keras")
    loaded = jkeras.models.load_model(tmp_path / "drop.keras")
    x = np.ones((16, 8), "float32")
    np.testing.assert_allclose(loaded(x), model(x), rtol=1e-5, atol=1e-6)
    assert not np.allclose(loaded(x, training=True), loaded(x, training=False))
