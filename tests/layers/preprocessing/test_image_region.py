"""RandomErasing: tf.keras's own sampled boxes give the same output; the erased areas follow
`scale` and the probability `factor`; config; inference."""
import numpy as np
import pytest

from jkeras import layers as L


def test_erasing_given_tf_transformation(tf, images, same_config):
    x = images((4, 7, 6, 3))
    ours, theirs = L.RandomErasing(seed=1), tf.keras.layers.RandomErasing(seed=1)
    t = theirs.get_random_transformation(x)
    expected = theirs.transform_images(x, t).numpy()
    out = ours.erase(x, np.asarray(t["batch_masks"]), np.asarray(t["apply_erasing"]),
                     np.asarray(t["fill_value"]))
    np.testing.assert_array_equal(out, expected)
    same_config(ours, theirs)
    np.testing.assert_array_equal(ours(x, training=False), x)


def test_erased_area_and_probability():
    x = np.full((600, 8, 8, 1), 100.0, np.float32)
    out = np.asarray(L.RandomErasing(factor=(1.0, 1.0), scale=(0.25, 0.25), fill_value=0.0)(x))
    fraction = (out == 0).mean(axis=(1, 2, 3))
    assert np.all(fraction > 0.1) and np.all(fraction <= 0.4)  # a 4x4-ish box on 8x8
    boxes = L.RandomErasing(seed=2, fill_value=[1.0, 2.0, 3.0])(np.zeros((500, 6, 6, 3), "float32"))
    erased = np.asarray(boxes).max(axis=(1, 2, 3)) > 0
    assert 0.4 < erased.mean() < 0.6  # probability ~ U(0, 1): about half


@pytest.mark.parametrize("make,match", [
    (lambda: L.RandomErasing(factor=2.0), "`factor` argument"),
    (lambda: L.RandomErasing(scale=(0.1, 0.2, 0.3)), "`scale` argument"),
    (lambda: L.RandomErasing(fill_value=[1, 2]), "list of three numbers"),
    (lambda: L.RandomErasing(fill_value="noise"), "list of three numbers"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
