"""ReversibleEmbedding: layer_test with tf.keras parity both ways (embed, reverse projection, tied
and untied, soft cap), masks, `.keras` files across libraries and Keras's errors."""
import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.testing import layer_test

IDS = np.array([[1, 2, 0, 4], [3, 0, 0, 9]], np.int32)


@pytest.mark.parametrize("kwargs", [{}, {"tie_weights": False},
                                    {"embeddings_initializer": "he_normal"}])
def test_forward(tf, kwargs):
    n_weights = 1 if kwargs.get("tie_weights", True) else 2
    layer_test(L.ReversibleEmbedding, {"input_dim": 10, "output_dim": 3, **kwargs},
               input_data=IDS, expected_output_shape=(2, 4, 3),
               expected_num_trainable_weights=n_weights)


@pytest.mark.parametrize("kwargs", [{}, {"tie_weights": False}, {"logit_soft_cap": 0.5},
                                    {"reverse_dtype": "float32", "tie_weights": False,
                                     "logit_soft_cap": 2.0}])
def test_reverse(tf, kwargs):
    result = layer_test(L.ReversibleEmbedding, {"input_dim": 10, "output_dim": 3, **kwargs},
                        input_shape=(2, 4, 3), call_kwargs={"reverse": True},
                        expected_output_shape=(2, 4, 10))
    assert result.tf_outputs is not None
    layer, (x,) = result.layer, result.inputs
    weights = layer.get_weights()
    kernel = weights[0].T if len(weights) == 1 else weights[1]
    logits = np.asarray(x) @ kernel
    cap = kwargs.get("logit_soft_cap")
    want = logits if cap is None else np.tanh(logits / cap) * cap
    np.testing.assert_allclose(result.outputs, want, rtol=1e-5, atol=1e-6)


def test_tied_language_model_head_matches_tf_keras(tf):
    def build(lib):
        inp = lib.Input((4,), dtype="int32")
        emb = lib.layers.ReversibleEmbedding(10, 3, mask_zero=True, name="tok")
        h = lib.layers.Dense(3, name="mix")(emb(inp))
        return lib.Model(inp, emb(h, reverse=True))
    ours, theirs = build(jkeras), build(tf.keras)
    theirs.set_weights(ours.get_weights())
    assert [w.shape for w in ours.weights] == [(10, 3), (3, 3), (3,)]
    np.testing.assert_allclose(ours(IDS), theirs(IDS), rtol=1e-5, atol=1e-6)


def test_mask_only_forward():
    layer = L.ReversibleEmbedding(10, 3, mask_zero=True)
    assert layer.supports_masking
    np.testing.assert_array_equal(layer.compute_mask(IDS, None), IDS != 0)
    assert layer.compute_mask(np.ones((2, 3), "float32"), None) is None


def _model(lib):
    inp = lib.Input((4,), dtype="int32")
    emb = lib.layers.ReversibleEmbedding(10, 3, tie_weights=False, logit_soft_cap=3.0,
                                         name="tok")
    return lib.Model(inp, emb(emb(inp), reverse=True))


@pytest.mark.parametrize("direction", ["jkeras_to_tf", "tf_to_jkeras"])
def test_keras_file_both_ways(tf, tmp_path, direction):
    saver, loader = (jkeras, tf.keras) if direction == "jkeras_to_tf" else (tf.keras, jkeras)
    model = _model(saver)
    model.save(tmp_path / "m.keras")
    loaded = loader.models.load_model(tmp_path / "m.keras")
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_allclose(np.asarray(loaded(IDS)), np.asarray(model(IDS)), rtol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="`input_dim` must be a positive integer"):
        L.ReversibleEmbedding(0, 3)
    with pytest.raises(ValueError, match="`logit_soft_cap` must be a positive number"):
        L.ReversibleEmbedding(10, 3, logit_soft_cap=-1.0)
    with pytest.raises(TypeError, match="`tie_weights` must be a bool"):
        L.ReversibleEmbedding(10, 3, tie_weights="yes")
    layer = L.ReversibleEmbedding(10, 3)
    layer(IDS)
    with pytest.raises(ValueError, match="expects inputs whose last axis is output_dim=3"):
        layer(np.ones((2, 5), "float32"), reverse=True)
