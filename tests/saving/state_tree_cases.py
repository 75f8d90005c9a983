"""The models of tests/saving/test_state_tree_keras.py, built the same way with jkeras (in the
test) and with Keras 3 on JAX (keras_jax_state_tree.py, in a subprocess): `build(K, case)` takes
the library module. Each case starts a fresh session, so automatic layer names (`sequential`,
`dense`) are the same in both; optimizers are named (jkeras's clear_session does not restart
their numbering)."""
import numpy as np

CASES = ("sequential", "functional", "subclassed", "lstm", "loss_scale", "multi")


def data(case):
    rs = np.random.RandomState(0)
    x = rs.randn(24, 3, 4) if case == "lstm" else rs.randn(24, 5)
    y = (rs.rand(24, 2) > 0.5) if case in ("subclassed", "loss_scale") else rs.randn(24, 2)
    return x.astype("float32"), y.astype("float32")


def fit_args(case):
    x, y = data(case)
    return (x, [y, y]) if case == "loss_scale" else (x, y)


def build(K, case):
    """A compiled model (built) of `case`, with the library `K` (jkeras or keras)."""
    clear = getattr(getattr(K, "backend", None), "clear_session", None) or K.utils.clear_session
    clear()
    layers, opt = K.layers, K.optimizers
    if case == "sequential":
        model = K.Sequential([K.Input((5,)), layers.Dense(8, activation="relu", name="d1"),
                              layers.BatchNormalization(name="bn"), layers.Dense(2, name="d2")],
                             name="seq")
        model.compile(optimizer=opt.Adam(name="adam"), loss="mse", metrics=["mae"])
    elif case == "functional":
        inputs = K.Input((5,))
        inner = K.Sequential([layers.Dense(4, name="a"), layers.BatchNormalization(),
                              layers.Dense(3, name="b")], name="inner")
        frozen = layers.Dense(6, name="frozen")
        frozen.trainable = False
        h = layers.Dense(6)(inputs)
        h = inner(frozen(h))
        model = K.Model(inputs, layers.Dense(2, name="out")(h), name="fm")
        schedule = opt.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.9)
        model.compile(optimizer=opt.SGD(schedule, momentum=0.9, nesterov=True, name="sgd"),
                      loss="mse", metrics=["mse", "mean_absolute_error"])
    elif case == "subclassed":
        model = _subclassed(K)(name="sub")
        model.compile(optimizer=opt.RMSprop(momentum=0.5, centered=True, name="rm_sprop"),
                      loss="binary_crossentropy",
                      metrics=["accuracy", K.metrics.AUC(num_thresholds=5), overlap])
        model(np.zeros((1, 5), "float32"))  # Keras builds a subclass by calling it
    elif case == "lstm":
        model = K.Sequential([K.Input((3, 4)), layers.LSTM(5, name="lstm"),
                              layers.Dense(2, name="dense")], name="lm")
        model.compile(optimizer=opt.Adam(use_ema=True, name="adam"), loss="mse")
    elif case == "loss_scale":
        inputs = K.Input((5,))
        h = layers.Dense(6, name="f1")(inputs)
        out1 = layers.Dense(2, activation="sigmoid", name="o1")(h)
        out2 = layers.Dense(2, name="o2")(h)
        model = K.Model(inputs, [out1, out2], name="two")
        scaled = opt.LossScaleOptimizer(opt.Adam(name="adam"), name="loss_scale_optimizer")
        model.compile(optimizer=scaled,
                      loss=["binary_crossentropy", "mse"], metrics=[["accuracy"], ["mae"]])
    elif case == "multi":
        model = K.Sequential([K.Input((5,)), layers.Dense(4, name="a"),
                              layers.Dense(2, name="b")], name="m")
        # "(m/)?": Keras matches `m/a/kernel`, jkeras the path inside the model (`a/kernel`)
        model.compile(optimizer=opt.MultiOptimizer(opt.OptimizerMap(
            opt.Nadam(name="nadam"), {"(m/)?a/.*": opt.Adam(name="adam")}),
            name="multi_optimizer"), loss="mse")
    else:
        raise ValueError(case)
    return model


def overlap(y_true, y_pred):
    """A metric given as a function (Keras wraps it unnamed: `mean_metric_wrapper`)."""
    return y_true * y_pred


def _subclassed(K):
    layers = K.layers

    class Sub(K.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dd = layers.Dense(4, activation="tanh", name="dd")
            self.blk = K.Sequential([layers.Dense(3, name="q")], name="blk")
            self.out = layers.Dense(2, activation="sigmoid")

        def call(self, x):
            return self.out(self.blk(self.dd(x)))

    return Sub
