"""RandAugment and AugMix against tf.keras: with factor=0 every sub-layer is deterministic, so a
given choice of ops (and, for AugMix, given mixing weights) must reproduce tf.keras's
transform_images exactly; draws (ops vary between calls, outputs stay in range), identity at
inference, configs, layer_test and errors."""
import jax
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

EQUALIZATION = 10  # RandAugment's index of `equalization` (see the note in the test)


@pytest.fixture
def x(images):
    return images((2, 8, 8, 3))


@pytest.mark.parametrize("pair", [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (9, 0), (3, 3)])
def test_rand_augment_given_ops_match_tf(tf, x, same_config, pair):
    ours = L.RandAugment(factor=0.0, num_ops=2)
    theirs = tf.keras.layers.RandAugment(factor=0.0, num_ops=2)
    transformation = theirs.get_random_transformation(x)
    transformation["layer_idxes"] = tf.constant(pair)
    expected = theirs.transform_images(x, transformation).numpy()
    out = np.asarray(ours.adjust(x, np.array(pair), jax.random.PRNGKey(0)))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-4)
    same_config(ours, theirs)


def test_rand_augment_equalization_op_is_our_equalization(x):
    # jkeras's Equalization and tf.keras's can differ by one grey level where a value sits on
    # a bin edge (tests/layers/preprocessing/test_image_pixel.py compares them); here the op
    # must be exactly our layer.
    out = np.asarray(L.RandAugment(factor=0.0, num_ops=1).adjust(
        x, np.array([EQUALIZATION]), jax.random.PRNGKey(0)))
    np.testing.assert_array_equal(out, np.asarray(L.Equalization()(x)))


def test_rand_augment_draws(x):
    layer = L.RandAugment(num_ops=2, factor=0.5)
    outs = [np.asarray(layer(x)) for _ in range(4)]
    assert all(o.shape == x.shape for o in outs)
    assert len({o.tobytes() for o in outs}) > 1  # different ops / parameters per call
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    np.testing.assert_array_equal(np.asarray(L.RandAugment(num_ops=0)(x)), x)


def _augmix_transformation(theirs, x, chains, weights, blend):
    return {"chain_mixing_weights": np.float32(weights), "weight_sample": np.float32(blend),
            "chain_transforms": [[{"layer_name": name, "transformation": getattr(
                theirs, name).get_random_transformation(x, training=True)} for name in chain]
                for chain in chains]}


@pytest.mark.parametrize("all_ops", [True, False])
def test_augmix_given_transformation_matches_tf(tf, x, same_config, all_ops):
    ours = L.AugMix(factor=0.0, num_chains=2, chain_depth=2, all_ops=all_ops)
    theirs = tf.keras.layers.AugMix(factor=0.0, num_chains=2, chain_depth=2, all_ops=all_ops)
    names = ours._augment_layers
    none = len(names)
    picks = np.array([[0, 4], [5, none]]) if not all_ops else np.array([[7, 3], [none, 8]])
    chains = [[names[p] for p in row if p != none] for row in picks]
    weights, blend = [0.3, 0.7], 0.4
    expected = theirs.transform_images(x, _augmix_transformation(theirs, x, chains, weights,
                                                                 blend)).numpy()
    out = np.asarray(ours.adjust(x, picks, np.float32(weights), np.float32(blend),
                                 jax.random.PRNGKey(0)))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-4)
    same_config(ours, theirs)


def test_augmix_draws(x):
    layer = L.AugMix(value_range=(0, 255), seed=3)
    outs = [np.asarray(layer(x)) for _ in range(3)]
    assert len({o.tobytes() for o in outs}) > 1
    assert all(o.min() >= 0 and o.max() <= 255 for o in outs)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


@pytest.mark.parametrize("cls, kwargs", [(L.RandAugment, {"num_ops": 2, "factor": 0.4}),
                                         (L.AugMix, {"num_chains": 1, "chain_depth": 2})])
def test_layer_test(tf, x, cls, kwargs):
    layer_test(cls, kwargs, input_data=x, expected_output_shape=x.shape)


@pytest.mark.parametrize("make, match", [
    (lambda: L.RandAugment(factor=1.5), r"in the range \[0, 1\]"),
    (lambda: L.AugMix(factor=-0.2), r"in the range \[0, 1\]"),
    (lambda: L.RandAugment(value_range=255), "`value_range` argument"),
    (lambda: L.AugMix(interpolation="bicubic"), "Unknown `interpolation`"),
])
def test_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("layer", [lambda: L.RandAugment(num_ops=1),
                                   lambda: L.AugMix(num_chains=1, chain_depth=1)])
def test_training_apply_under_jit_picks_on_device(x, layer):
    layer = layer()
    layer(x, training=False)
    variables = layer.get_variables()
    step = jax.jit(lambda v, k: layer.apply(v, x, training=True, rng=k)[0])
    outs = [np.asarray(step(variables, jax.random.PRNGKey(i))) for i in range(4)]
    assert all(o.shape == x.shape and np.all(np.isfinite(o)) for o in outs)
    assert len({o.tobytes() for o in outs}) > 1
