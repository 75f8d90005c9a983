"""Fixtures of the preprocessing tests: random images, and comparing configs with tf.keras."""
import json

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
