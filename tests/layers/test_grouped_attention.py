"""GroupQueryAttention: layer_test with tf.keras parity, masks/causal/sliding window/gate/scores
against tf.keras, Keras's errors."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

SHAPES = {"query_shape": (2, 3, 4), "value_shape": (2, 5, 4)}


@pytest.mark.parametrize("kwargs, n_weights", [
    ({"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2}, 8),
    ({"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 1, "use_bias": False}, 4),
    ({"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 2, "use_gate": True}, 10),
])
def test_group_query_attention(tf, kwargs, n_weights):
    layer_test(L.GroupQueryAttention, kwargs, input_shape=SHAPES, expected_output_shape=(2, 3, 4),
               expected_num_trainable_weights=n_weights, supports_masking=True)


def test_dropout_training(tf):
    layer_test(L.GroupQueryAttention, {"head_dim": 2, "num_query_heads": 2,
                                       "num_key_value_heads": 1, "dropout": 0.5, "seed": 3},
               input_shape=SHAPES, expected_output_shape=(2, 3, 4))


@pytest.mark.parametrize("scores", [False, True])
def test_masks_causal_window_match_tf_keras(tf, scores):
    r = np.random.default_rng(0)
    q, v = r.normal(size=(2, 4, 4)).astype("float32"), r.normal(size=(2, 4, 4)).astype("float32")
    kwargs = dict(head_dim=2, num_query_heads=4, num_key_value_heads=2, sliding_window=2)
    ours, theirs = L.GroupQueryAttention(**kwargs), tf.keras.layers.GroupQueryAttention(**kwargs)
    ours(q, v)
    theirs(q, v)
    theirs.set_weights(ours.get_weights())
    call = dict(query_mask=np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool),
                value_mask=np.array([[1, 1, 0, 0], [1, 0, 1, 1]], bool), use_causal_mask=True,
                return_attention_scores=scores)
    got, want = ours(q, v, **call), theirs(q, v, **call)
    for g, w in zip(got if scores else [got], want if scores else [want]):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match=r"`num_query_heads` must be divisible by "
                                         r"`num_key_value_heads`"):
        L.GroupQueryAttention(2, 3, 2)
    with pytest.raises(ValueError, match=r"`head_dim` must be a positive integer"):
        L.GroupQueryAttention(0, 2, 1)
    with pytest.raises(ValueError, match=r"`sliding_window` must be `None` or a positive"):
        L.GroupQueryAttention(2, 2, 1, sliding_window=0)
