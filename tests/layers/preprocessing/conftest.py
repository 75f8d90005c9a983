"""Fixtures of the preprocessing tests: random images, and comparing configs with tf.keras."""
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest


def _images(shape, seed=0, high=255.0):
    return (np.random.default_rng(seed).uniform(0, high, size=shape)).astype(np.float32)


def _plain(config):
    """A config as JSON sees it (tuples -> lists), without the per-instance name."""
    config = json.loads(json.dumps(config))
    config.pop("name", None)
    return config


def _assert_same_config(ours, theirs):
    assert _plain(ours.get_config()) == _plain(theirs.get_config())


@pytest.fixture
def images():
    """images(shape, seed=0, high=255.0): float32 pixels uniform in [0, high)."""
    return _images


@pytest.fixture
def same_config():
    """same_config(ours, theirs): get_config equal to tf.keras's as JSON, name aside."""
    return _assert_same_config


def _keras_jax(layer_code, x, method="call"):
    """Output of `layer_code` (a keras layer expression) on `x` under Keras 3's JAX backend, run
    in a subprocess: the reference where Keras's JAX and TF backends differ. `method`: "call"
    (the layer on x) or a Python expression in `layer` and `x`."""
    expression = "layer(x)" if method == "call" else method
    code = ("import io, sys, numpy as np, keras\n"
            "x = np.load(io.BytesIO(sys.stdin.buffer.read()))\n"
            f"layer = {layer_code}\n"
            f"np.save(sys.stdout.buffer, np.asarray({expression}))\n")
    buf = io.BytesIO()
    np.save(buf, x)
    out = subprocess.run([sys.executable, "-c", code], input=buf.getvalue(), capture_output=True,
                         env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"},
                         check=True).stdout
    return np.load(io.BytesIO(out))


@pytest.fixture
def keras_jax(tf):
    """keras_jax(layer_code, x, method="call"): Keras 3 (JAX backend) output, see _keras_jax.
    Depends on `tf` so these tests carry the `tensorflow` marker (keras comes with it)."""
    return _keras_jax


def _given_matches_tf(tf, name, kwargs, x, transformation, args, rtol=1e-5, atol=1e-4):
    """Our `adjust(x, *args)` equals tf.keras's `transform_images(x, transformation)` for the
    same sampled parameters; configs equal; identity at inference. Returns (ours, theirs)."""
    from jkeras import layers
    ours, theirs = getattr(layers, name)(**kwargs), getattr(tf.keras.layers, name)(**kwargs)
    expected = np.asarray(theirs.transform_images(x, transformation, training=True))
    np.testing.assert_allclose(ours.adjust(x, *args), expected, rtol=rtol, atol=atol)
    _assert_same_config(ours, theirs)
    np.testing.assert_array_equal(ours(x, training=False), x)
    return ours, theirs


@pytest.fixture
def given_matches_tf(tf):
    """given_matches_tf(name, kwargs, x, transformation, args): see _given_matches_tf."""
    return lambda *a, **k: _given_matches_tf(tf, *a, **k)


def _call_matches_tf(tf, name, kwargs, x, rtol=1e-5, atol=1e-4):
    """`layers.<name>(**kwargs)(x)` (a training call) equals tf.keras's and the configs agree.
    Returns (ours, theirs)."""
    from jkeras import layers
    ours, theirs = getattr(layers, name)(**kwargs), getattr(tf.keras.layers, name)(**kwargs)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=rtol, atol=atol)
    _assert_same_config(ours, theirs)
    return ours, theirs


@pytest.fixture
def call_matches_tf(tf):
    """call_matches_tf(name, kwargs, x, rtol=1e-5, atol=1e-4): see _call_matches_tf."""
    return lambda *a, **k: _call_matches_tf(tf, *a, **k)
