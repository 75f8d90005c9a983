"""RandomErasing, MixUp, CutMix: equal to tf.keras given its own sampled boxes / permutations /
weights; erased areas and mixing weights follow their distributions; dict inputs; configs."""
import jax
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


@pytest.mark.parametrize("name", ["MixUp", "CutMix"])
def test_mixing_given_tf_transformation(tf, images, same_config, name):
    x = images((4, 7, 6, 3))
    labels = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    ours, theirs = getattr(L, name)(seed=1), getattr(tf.keras.layers, name)(seed=1)
    t = theirs.get_random_transformation(x)
    given = {k: np.asarray(v) for k, v in t.items()}
    np.testing.assert_allclose(ours.mix_images(x, given), theirs.transform_images(x, t).numpy(),
                               rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(ours.mix_labels(labels, given),
                               theirs.transform_labels(labels, t).numpy(), rtol=1e-6, atol=1e-6)
    same_config(ours, theirs)
    np.testing.assert_array_equal(ours(x, training=False), x)


@pytest.mark.parametrize("name", ["MixUp", "CutMix"])
def test_mixing_dict_inputs_and_draws(images, name):
    x = images((64, 6, 6, 1))
    labels = np.eye(4, dtype=np.float32)[np.arange(64) % 4]
    out = getattr(L, name)(seed=3)({"images": x, "labels": labels})
    assert set(out) == {"images", "labels"} and out["images"].shape == x.shape
    np.testing.assert_allclose(np.asarray(out["labels"]).sum(axis=1), 1.0, rtol=1e-5)
    weights = np.asarray(out["labels"]).max(axis=1)
    assert weights.min() >= 0.5 - 1e-6 and weights.max() <= 1.0 + 1e-6
    with pytest.raises(ValueError, match="keys"):
        getattr(L, name)()({"images": x, "boxes": labels})


def test_cutmix_leaves_single_images_and_mixup_weights_are_beta(images):
    x = images((5, 6, 1))
    np.testing.assert_array_equal(L.CutMix()(x), x)
    t = L.MixUp(alpha=0.5).sample(jax.random.PRNGKey(0), (4000, 2, 2, 1))
    weights = np.asarray(t["mix_weight"])
    assert abs(weights.mean() - 0.5) < 0.02 and abs(weights.var() - 0.125) < 0.01  # Beta(.5, .5)
    assert sorted(np.asarray(t["permutation_order"]).tolist()) == list(range(4000))
