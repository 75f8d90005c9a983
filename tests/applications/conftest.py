"""Parity helpers for the applications: structure against tf.keras.applications, and outputs
after loading weights tf.keras wrote (`.weights.h5` and legacy `.h5`)."""
import functools

import numpy as np
import pytest


def layer_table(model):
    """[(layer name, [weight shapes in Keras order])] for every layer."""
    return [(layer.name, [tuple(w.shape) for w in layer.weights]) for layer in model.layers]


def randomize(tf_model, seed=0):
    """Random weights for every variable (variances positive), so BatchNorm stats matter."""
    rng = np.random.default_rng(seed)
    for layer in tf_model.layers:
        values = []
        for w in layer.weights:
            shape = tuple(w.shape)
            if "variance" in w.path:
                values.append(rng.uniform(0.5, 1.5, shape).astype("float32"))
            elif "gamma" in w.path or "moving_mean" in w.path or "beta" in w.path \
                    or "bias" in w.path:
                values.append(rng.normal(0, 0.1, shape).astype("float32") + (
                    1.0 if "gamma" in w.path else 0.0))
            else:
                fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
                if len(shape) == 4 and shape[-1] == 1 and "depthwise" in w.path:
                    fan_in = int(np.prod(shape[:2]))
                values.append((rng.normal(0, 1, shape) / np.sqrt(max(fan_in, 1)))
                              .astype("float32"))
        if values:
            layer.set_weights(values)


class Parity:
    def structure(self, jk_model, tf_model):
        assert jk_model.name == tf_model.name
        assert layer_table(jk_model) == layer_table(tf_model)
        assert jk_model.count_params() == tf_model.count_params()
        assert len(jk_model.trainable_weights) == len(tf_model.trainable_weights)
        assert tuple(jk_model.output_shape) == tuple(tf_model.output_shape)

    def outputs(self, build_jk, tf_model, tmp_path, input_shape, batch=1, atol=1e-4,
                legacy=True, scale=255.0):
        """tf.keras writes both formats; jkeras loads each; outputs agree on random images."""
        randomize(tf_model)
        x = (np.random.default_rng(1).random((batch,) + tuple(input_shape)) * scale) \
            .astype("float32")
        want = tf_model(x, training=False).numpy()
        new = tmp_path / "w.weights.h5"
        tf_model.save_weights(str(new))
        jk = build_jk()
        self.structure(jk, tf_model)
        jk.load_weights(str(new))
        got = np.asarray(jk(x, training=False))
        np.testing.assert_allclose(got, want, atol=atol, rtol=1e-4)
        if legacy:
            old = tmp_path / "m.h5"
            tf_model.save(str(old))
            jk2 = build_jk(weights=str(old))  # `weights=<path>` loads through load_weights
            np.testing.assert_allclose(np.asarray(jk2(x, training=False)), want, atol=atol,
                                       rtol=1e-4)
        return jk


    def application(self, tf, name, tmp_path, input_shape=(32, 32, 3), **options):
        """jkeras.applications.<name> and tf.keras's on the same arguments (options holds the
        constructor's keywords plus `outputs()`'s batch/legacy/scale)."""
        from jkeras import applications
        run = {k: options.pop(k) for k in ("batch", "legacy", "scale") if k in options}
        kw = dict(options, input_shape=input_shape, weights=None)
        ref = getattr(tf.keras.applications, name)(**kw)
        return self.outputs(functools.partial(getattr(applications, name), **kw), ref,
                            tmp_path, input_shape, **run)

    def same_structure(self, tf, name, **kw):
        from jkeras import applications
        kw = dict(kw, weights=None)
        self.structure(getattr(applications, name)(**kw), getattr(tf.keras.applications, name)(**kw))


@pytest.fixture
def parity():
    return Parity()
