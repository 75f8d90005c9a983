"""MultiOptimizer / OptimizerMap against tf.keras: a 50-step trajectory with variables split
between Adam (with EMA), SGD (momentum) and Lion by path patterns, `fit` with a selector
callable, `.weights.h5` in Keras's layout (own variables, then each sub-optimizer's; the
`optimizers/<name>` groups), OptimizerMap's lookup rules and errors, config."""
import h5py
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import optimizers as O
from .opt_helpers import FakeVar, nest, resume_from_file

STEPS = 50
SHAPES = {"enc/kernel": (4, 3), "enc/bias": (3,), "dec/kernel": (3, 2), "dec/bias": (2,),
          "head/w": (2,)}


def _optimizers(k):
    opt = k.optimizers
    mapping = opt.OptimizerMap(opt.SGD(0.05, momentum=0.9),
                               {"enc/.*": opt.Adam(0.01, use_ema=True, ema_momentum=0.9),
                                "head/w": opt.Lion(0.003)})
    return opt.MultiOptimizer(mapping)


def _data(seed=4):
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    grads = [{k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
             for _ in range(STEPS)]
    return params, grads


def test_trajectory_matches_tf_keras(tf):
    params, grads = _data()
    theirs = _optimizers(tf.keras)
    tvars = []
    for path in SHAPES:
        scope, name = path.split("/")
        with tf.keras.name_scope(scope):
            tvars.append(tf.keras.Variable(params[path], name=name))
    theirs.build(tvars)

    @tf.function
    def tf_step(gs):
        theirs.apply_gradients(zip(gs, tvars))

    ours = _optimizers(jkeras)
    p = nest({k: jnp.asarray(v) for k, v in params.items()})
    state = ours.init(p)
    step = jax.jit(lambda p, s, g: ours.step(g, p, s))
    for i, g in enumerate(grads):
        tf_step([tf.constant(g[k]) for k in SHAPES])
        p, state = step(p, state, nest(g))
        if (i + 1) % 10 == 0:
            for k, v in zip(SHAPES, tvars):
                scope, name = k.split("/")
                np.testing.assert_allclose(np.asarray(p[scope][name]), np.asarray(v),
                                           rtol=1e-5, atol=1e-6, err_msg=f"{k} after {i + 1}")
    assert [type(o).__name__ for o in ours.optimizers] == \
        [type(o).__name__ for o in theirs.optimizers] == ["Adam", "Lion", "SGD"]
    ours._last_state = state
    assert int(ours.iterations) == int(theirs.iterations.numpy()) == STEPS
    for a, b in zip(ours.optimizers, theirs.optimizers):
        assert int(a.iterations) == int(b.iterations.numpy())
    # finalize: the Adam variables take their moving averages, the others stay.
    final = ours.finalize_params(p, state)
    np.testing.assert_allclose(np.asarray(final["enc"]["kernel"]),
                               np.asarray(state.slots["optimizers"][0].slots["average"]
                                          ["enc/kernel"]))
    assert final["dec"]["kernel"] is p["dec"]["kernel"]


def _model(k):
    L = k.layers
    return k.Sequential([k.Input((4,)), L.Dense(3, activation="tanh", name="enc"),
                         L.Dense(2, name="dec")])


def _selector(k):
    adam = k.optimizers.Adam(0.01, name="adam_enc")
    sgd = k.optimizers.SGD(0.1, momentum=0.5, name="sgd_rest")
    return lambda variable: adam if "enc" in variable.path else sgd


def test_fit_and_weights_file_match_tf_keras(tf, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = rng.normal(size=(64, 2)).astype(np.float32)
    ours, theirs = _model(jkeras), _model(tf.keras)
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=O.MultiOptimizer(_selector(jkeras)), loss="mse")
    theirs.compile(optimizer=tf.keras.optimizers.MultiOptimizer(_selector(tf.keras)),
                   loss="mse")
    h_ours = ours.fit(x, y, epochs=4, batch_size=4, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, epochs=4, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)
    path = str(tmp_path / "jk.weights.h5")
    ours.save_weights(path)
    keras_vars = [np.asarray(v) for v in theirs.optimizer.variables]
    with h5py.File(path, "r") as f:
        saved = [f[f"optimizer/vars/{i}"][()] for i in range(len(f["optimizer/vars"]))]
        groups = sorted(f["optimizer/optimizers"])
    assert groups == ["adam", "sgd"]  # as Keras: by class, not by the optimizers' names
    assert [np.shape(a) for a in saved] == [np.shape(b) for b in keras_vars]
    for a, b in zip(saved, keras_vars):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    # Both libraries continue from our file as tf.keras does from its own state.
    again, back = _model(tf.keras), _model(jkeras)
    again.compile(optimizer=tf.keras.optimizers.MultiOptimizer(_selector(tf.keras)),
                  loss="mse")
    back.compile(optimizer=O.MultiOptimizer(_selector(jkeras)), loss="mse")
    resume_from_file(path, again, back, theirs, x, y)


def test_optimizer_map_lookup_as_keras(tf):
    for k in (tf.keras, jkeras):
        opt = k.optimizers
        adam, sgd, rms = opt.Adam(), opt.SGD(), opt.RMSprop()
        m = opt.OptimizerMap(default_optimizer=rms)
        m["encoder/layer_0/dense"] = adam
        m["encoder/.*"] = sgd
        m["decoder"] = adam
        assert m["decoder"] is adam and m["encoder/layer_0/dense"] is adam
        assert m["encoder/layer_0/attention/query"] is sgd
        assert m["decoder/layer_0/dense"] is rms
        assert len(m) == 3 and list(m) == ["encoder/layer_0/dense", "encoder/.*", "decoder"]
        m["enc.*"] = rms
        with pytest.raises(ValueError, match="Multiple optimizers assigned"):
            m["encoder/x"]


def _error(fn):
    with pytest.raises((ValueError, TypeError)) as e:
        fn()
    return type(e.value), str(e.value)


def test_errors_match_tf_keras(tf):
    cases = [
        lambda k: k.optimizers.OptimizerMap("adam"),
        lambda k: k.optimizers.OptimizerMap(k.optimizers.SGD(), ["x"]),
        lambda k: k.optimizers.OptimizerMap(k.optimizers.SGD()).__setitem__(3, k.optimizers.SGD()),
        lambda k: k.optimizers.OptimizerMap(k.optimizers.SGD()).__setitem__("a", "sgd"),
        lambda k: k.optimizers.OptimizerMap(k.optimizers.SGD()).__setitem__(
            "a", k.optimizers.LossScaleOptimizer(k.optimizers.SGD())),
    ]
    for case in cases:
        theirs, ours = _error(lambda: case(tf.keras)), _error(lambda: case(jkeras))
        assert ours[0] is theirs[0]
        assert ours[1].split("Received")[0] == theirs[1].split("Received")[0]
    m = O.OptimizerMap(O.SGD())
    m["a"] = O.Adam()
    with pytest.raises(ValueError, match="'a' already exists in the OptimizerMap"):
        m["a"] = O.SGD()
    multi = O.MultiOptimizer(m)
    with pytest.raises(AttributeError, match="Learning rate cannot be accessed"):
        multi.learning_rate
    with pytest.raises(AttributeError, match="Learning rate cannot be set"):
        multi.learning_rate = 0.1


def test_config_round_trips_with_tf_keras(tf):
    theirs = tf.keras.optimizers.MultiOptimizer(tf.keras.optimizers.OptimizerMap(
        tf.keras.optimizers.SGD(0.1), {"enc/.*": tf.keras.optimizers.Adam(0.01)}),
        loss_scale_factor=4.0)
    ours = O.deserialize(tf.keras.optimizers.serialize(theirs))
    assert type(ours) is O.MultiOptimizer
    assert ours.get_config() == theirs.get_config()
    assert [type(o).__name__ for o in ours.optimizers] == ["Adam", "SGD"]
    assert all(o.loss_scale_factor == 4.0 for o in ours.optimizers)
    assert tf.keras.optimizers.deserialize(O.serialize(ours)).get_config() == \
        theirs.get_config()


def test_apply_gradients_takes_every_variable():
    a, b = FakeVar(np.ones(2, np.float32), "enc/w"), FakeVar(np.ones(2, np.float32), "dec/w")
    multi = O.MultiOptimizer(O.OptimizerMap(O.SGD(1.0), {"enc/.*": O.SGD(0.5)}))
    multi.apply_gradients([(jnp.ones(2), a), (jnp.ones(2), b)])
    np.testing.assert_allclose(np.asarray(a.value), 0.5)
    np.testing.assert_allclose(np.asarray(b.value), 0.0)
    assert int(multi.iterations) == 1
    with pytest.raises(ValueError, match="Gradients must match trainable variables"):
        multi.apply_gradients([(jnp.ones(2), a)])
