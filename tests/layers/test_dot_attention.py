"""Attention and AdditiveAttention: layer_test with tf.keras parity; masks, causal masks and
scores against tf.keras; Keras's errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

_r = np.random.default_rng(0)
Q, V, K = (_r.normal(size=s).astype("float32") for s in ((2, 3, 4), (2, 5, 4), (2, 5, 4)))


@pytest.mark.parametrize("kwargs, n_weights", [({}, 0), ({"use_scale": True}, 1),
                                               ({"score_mode": "concat"}, 1),
                                               ({"score_mode": "concat", "use_scale": True}, 2)])
def test_attention(tf, kwargs, n_weights):
    layer_test(L.Attention, kwargs, input_data=[Q, V, K], expected_output_shape=(2, 3, 4),
               expected_num_trainable_weights=n_weights, supports_masking=True)


@pytest.mark.parametrize("use_scale, n_weights", [(True, 1), (False, 0)])
def test_additive_attention(tf, use_scale, n_weights):
    layer_test(L.AdditiveAttention, {"use_scale": use_scale}, input_data=[Q, V],
               expected_output_shape=(2, 3, 4), expected_num_trainable_weights=n_weights)


def test_attention_dropout_in_training(tf):
    layer_test(L.Attention, {"dropout": 0.5, "seed": 1}, input_data=[Q, V],
               expected_output_shape=(2, 3, 4), expected_num_seed_generators=1)


@pytest.mark.parametrize("cls", ["Attention", "AdditiveAttention"])
def test_masks_causal_and_scores_match_tf_keras(tf, cls):
    q_mask = np.array([[True, True, False], [True, True, True]])
    v_mask = np.array([[True, True, True, False, False], [True, False, True, True, True]])
    ours, theirs = getattr(L, cls)(), getattr(tf.keras.layers, cls)()
    ours([Q, V])
    theirs([Q, V])
    theirs.set_weights(ours.get_weights())
    kwargs = dict(mask=[q_mask, v_mask], return_attention_scores=True, use_causal_mask=True)
    for got, want in zip(ours([Q, V, K], **kwargs), theirs([Q, V, K], **kwargs)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours.compute_mask([Q, V], [q_mask, v_mask]), q_mask)


def test_errors():
    with pytest.raises(ValueError, match=r"Invalid value for argument score_mode. Expected one "
                                         r"of \{'dot', 'concat'\}. Received: score_mode=add"):
        L.Attention(score_mode="add")
    with pytest.raises(ValueError, match=r"Attention layer must be called on a list of inputs"):
        L.Attention()(Q)
    with pytest.raises(ValueError, match=r"accepts inputs list of length 2 or 3"):
        L.AdditiveAttention()([Q])
