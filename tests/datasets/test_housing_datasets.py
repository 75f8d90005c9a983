"""Boston and California housing on small synthetic npz files, against Keras 3's loaders
(same seeded shuffle and split)."""
import numpy as np
import pytest

from jkeras import datasets


def test_boston_housing(load_both, tf):
    rng = np.random.default_rng(0)
    np.savez(load_both.served / "boston_housing.npz", x=rng.normal(size=(31, 13)),
             y=rng.uniform(10, 50, 31))
    for options in ({}, {"test_split": 0.5, "seed": 3}, {"test_split": 0.0}):
        ours, theirs = load_both("boston_housing", **options)
        load_both.assert_same(ours, theirs)
    assert ours[0][0].shape == (31, 13) and ours[1][0].shape == (0, 13)
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError) as ours_error:
            datasets.boston_housing.load_data(test_split=bad)
        with pytest.raises(ValueError) as keras_error:
            tf.keras.datasets.boston_housing.load_data(test_split=bad)
        assert str(ours_error.value) == str(keras_error.value)


def test_california_housing(load_both, tf):
    rng = np.random.default_rng(1)
    np.savez(load_both.served / "california_housing.npz",
             x=rng.normal(size=(650, 8)).astype("float32"),
             y=rng.uniform(25000, 500000, 650).astype("float32"))
    for options in ({}, {"version": "small"}, {"version": "small", "test_split": 0.1,
                                               "seed": 5}):
        ours, theirs = load_both("california_housing", **options)
        load_both.assert_same(ours, theirs)
    assert len(ours[0][0]) + len(ours[1][0]) == 600 and ours[0][0].dtype == np.float32
    ours, _ = load_both("california_housing", version="medium")  # the same ValueError
    assert "Argument `version` must be one of 'small', 'large'" in str(ours)
