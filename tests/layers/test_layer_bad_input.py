"""Construction-time and shape errors of issue #16's "Bad input": Keras's wording (checked
against tf.keras where Keras raises the same error), plus the layer that raised it."""
import re

import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

X3 = np.ones((2, 4, 6), np.float32)


def _their_message(fn):
    with pytest.raises(Exception) as info:
        fn()
    return str(info.value).splitlines()[0]


@pytest.mark.parametrize("make,owner", [
    (lambda m: m.layers.GroupNormalization(groups=0), "GroupNormalization"),
    (lambda m: m.layers.Dense(0), "Dense"),
    (lambda m: m.layers.Dense(-1), "Dense"),
    (lambda m: m.layers.Dense(2.5), "Dense"),
    (lambda m: m.layers.MultiHeadAttention(0, 2), "MultiHeadAttention"),
    (lambda m: m.layers.Embedding(0, 3), "Embedding"),
    (lambda m: m.layers.Embedding(3, 0), "Embedding"),
    (lambda m: m.layers.ReversibleEmbedding(0, 3), "ReversibleEmbedding"),
], ids=["groups0", "units0", "units-1", "units2.5", "heads0", "input_dim0", "output_dim0",
        "reversible0"])
def test_construction_errors_keras_wording_and_layer(tf, make, owner):
    expected = _their_message(lambda: make(tf.keras))
    with pytest.raises(ValueError) as info:
        make(jkeras)
    assert expected in str(info.value)
    assert owner in str(info.value)


@pytest.mark.parametrize("make,shape", [
    (lambda m: m.layers.GroupNormalization(groups=4), (2, 4, 6)),
    (lambda m: m.layers.GroupNormalization(groups=8), (2, 4, 6)),
    (lambda m: m.layers.EinsumDense("abc,cd->abd", (4, 3)), (2, 6)),
    (lambda m: m.layers.EinsumDense("ab,bc->ac", 3, bias_axes="x"), (2, 6)),
], ids=["groups-not-dividing", "groups-too-many", "einsum-rank", "einsum-bias-axes"])
def test_build_errors_keras_wording_and_layer(tf, make, shape):
    x = np.ones(shape, np.float32)
    expected = _their_message(lambda: make(tf.keras)(x))
    layer = make(jkeras)
    with pytest.raises(ValueError) as info:
        layer(x)
    assert expected in str(info.value)
    assert layer.name in str(info.value)
    with pytest.raises(ValueError, match=re.escape(layer.name)):
        make(jkeras)(jkeras.Input(shape[1:]))  # the same error while a functional model is built


def test_group_query_attention_heads(tf):
    expected = _their_message(lambda: tf.keras.layers.GroupQueryAttention(
        2, num_query_heads=3, num_key_value_heads=2))
    with pytest.raises(ValueError, match=re.escape(expected)):
        L.GroupQueryAttention(2, num_query_heads=3, num_key_value_heads=2)
    with pytest.raises(ValueError, match="GroupQueryAttention .*positive integer"):
        L.GroupQueryAttention(2, num_query_heads=0, num_key_value_heads=0)


def test_einsum_equation_that_is_not_an_einsum():
    with pytest.raises(ValueError, match=r"EinsumDense 'einsum_dense\w*': Invalid einsum "):
        L.EinsumDense("ab,bc", 3)


def test_wrappers_and_reshape_in_keras_wording(tf):
    for make in (lambda m: m.layers.TimeDistributed(lambda x: x),
                 lambda m: m.layers.SpectralNormalization(3),
                 lambda m: m.layers.Reshape((-1, -1))):
        expected = _their_message(lambda: make(tf.keras))
        expected = expected.split(" at 0x")[0]  # a function's repr differs by address
        with pytest.raises(ValueError, match=re.escape(expected)):
            make(jkeras)


def test_masking_value_must_be_a_number():
    with pytest.raises(TypeError, match=r"Masking layer 'masking\w*': `mask_value` must be a "):
        L.Masking(mask_value="a")
    assert L.Masking(mask_value=np.float32(-1.0)).mask_value == -1.0


def _init(rng, inputs):
    return {"w": jnp.ones((5, 2))}


def _call(params, inputs):
    return inputs @ params["w"]


def _bad_init(rng, inputs):
    return {"w": jnp.ones((5, 2)) @ jnp.ones((3, 3))}


@pytest.mark.parametrize("symbolic", [True, False])
def test_wrapped_module_whose_output_cannot_be_inferred(symbolic):
    x = jkeras.Input((3,)) if symbolic else np.ones((2, 3), np.float32)
    layer = L.JaxLayer(_call, init_fn=_init)
    with pytest.raises(ValueError, match=r"Layer 'jax_layer\w*' \(JaxLayer\): the output of "
                                         r"`call_fn` could not be computed .*dot_general"):
        layer(x)
    layer = L.JaxLayer(_call, init_fn=_bad_init)
    with pytest.raises(ValueError, match=r"Layer 'jax_layer\w*' \(JaxLayer\): `init_fn` failed "
                                         r"for inputs of shape"):
        layer(x)


def test_traced_control_flow_in_a_wrapped_module_still_names_the_layer():
    def call(params, inputs):
        return inputs @ params["w"] if float(inputs.sum()) > 0 else inputs

    def init(rng, inputs):
        return {"w": jnp.ones((3, 2))}

    with pytest.raises(Exception, match=r"Layer 'jax_layer\w*' \(JaxLayer\)\.call\(\) uses "
                                        "Python control flow"):
        L.JaxLayer(call, init_fn=init)(jkeras.Input((3,)))
