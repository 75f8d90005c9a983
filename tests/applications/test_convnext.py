"""ConvNeXtTiny/Small/Base/Large/XLarge against tf.keras.applications."""
import jax
import numpy as np
import pytest

from jkeras import applications
from jkeras.applications import convnext


def test_convnext_tiny_outputs_match_tf(tf, parity, tmp_path):
    # nested Sequential stem/downsampling blocks, LayerScale, grouped 7x7 convs, both formats
    parity.application(tf, "ConvNeXtTiny", tmp_path, include_top=True, classes=4)


def test_convnext_tiny_headless_without_preprocessing_matches_tf(tf, parity, tmp_path):
    parity.application(tf, "ConvNeXtTiny", tmp_path, include_top=False, pooling="max",
                       include_preprocessing=False, legacy=False, scale=1.0)


@pytest.mark.parametrize("name", ["ConvNeXtSmall", "ConvNeXtBase"])
def test_bigger_convnext_structure(tf, parity, name):
    parity.same_structure(tf, name, include_top=False, input_shape=(32, 32, 3), pooling="avg")


@pytest.mark.parametrize("name,params", [("ConvNeXtLarge", 196_230_336),
                                         ("ConvNeXtXLarge", 348_147_968)])
def test_largest_convnext_param_counts(name, params):
    # Keras's counts for include_top=False (tf.keras.applications.<name>(weights=None, ...))
    model = getattr(applications, name)(weights=None, include_top=False,
                                        input_shape=(32, 32, 3))
    assert model.count_params() == params


def test_stochastic_depth_and_layer_scale():
    x = np.ones((64, 2, 2, 3), "float32")
    layer = convnext.StochasticDepth(0.25)
    assert layer(x) is not None and np.array_equal(np.asarray(layer(x)), x)
    out, _ = layer.apply({}, x, training=True, rng=jax.random.PRNGKey(0))
    kept = np.asarray(out)[:, 0, 0, 0]
    dropped = kept == 0
    assert 0 < dropped.sum() < kept.size  # some samples dropped, some kept
    np.testing.assert_allclose(kept[~dropped], 1 / 0.75, rtol=1e-6)
    assert np.all(np.asarray(out) == np.asarray(out)[:, :1, :1, :1])  # one draw per sample
    assert layer.get_config()["drop_path_rate"] == 0.25
    scale = convnext.LayerScale(0.5, 3)
    np.testing.assert_allclose(np.asarray(scale(x)), 0.5 * x)
    assert [w.shape for w in scale.weights] == [(3,)]
    assert scale.get_config()["projection_dim"] == 3


def test_convnext_errors_and_preprocess():
    x = np.arange(6.0).reshape(1, 1, 2, 3)
    assert convnext.preprocess_input(x) is x
    with pytest.raises(ValueError, match="the weights file to be loaded."):
        applications.ConvNeXtTiny(weights="nope")
    with pytest.raises(ValueError, match="`classes` should be 1000. Received classes=10"):
        applications.ConvNeXtTiny(weights="imagenet", classes=10)
