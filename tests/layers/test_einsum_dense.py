"""EinsumDense: Keras's einsum_dense_test argument combinations through layer_test (tf.keras
parity), and errors that name the layer."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

# (equation, bias_axes, input shape, output_shape, expected kernel, bias, output shapes)
COMBOS = {
    "_1d_end_weight": ("ab,b->a", None, (2, 32), (), (32,), None, (2,)),
    "_2d_middle_weight": ("ab,bc->ac", None, (2, 32), (64,), (32, 64), None, (2, 64)),
    "_3d_bert": ("abc,cde->abde", None, (2, 1, 2), (1, 3, 4), (2, 3, 4), None, (2, 1, 3, 4)),
    "_3d_3_bias": ("abc,cde->abde", "e", (2, 1, 2), (1, 3, 4), (2, 3, 4), (4,), (2, 1, 3, 4)),
    "_3d_2_bias": ("abc,cde->abde", "d", (2, 1, 2), (1, 3, 4), (2, 3, 4), (3, 1), (2, 1, 3, 4)),
    "_3d_1_3_bias": ("abc,cde->abde", "be", (2, 7, 2), (7, 3, 4), (2, 3, 4), (7, 1, 4),
                     (2, 7, 3, 4)),
    "_3d_bert_projection": ("BFNH,NHD->BFD", None, (2, 1, 2, 3), (1, 4), (2, 3, 4), None,
                            (2, 1, 4)),
    "_2d_bert": ("abc,cd->abd", None, (2, 1, 2), (1, 4), (2, 4), None, (2, 1, 4)),
    "_embedding_1d": ("i,d->id", None, (2,), (2,), (2,), None, (2, 2)),
    "_xlnet_lm": ("ibd,nd->ibn", None, (2, 2, 1), (2, 2), (2, 1), None, (2, 2, 2)),
    "_2d_precast": ("...b,bc->...c", None, (2, 32), (64,), (32, 64), None, (2, 64)),
    "_2d_precast_elided_input_used_in_output": ("...bc,bc->...b", None, (2, 32, 64), (32,),
                                                (32, 64), None, (2, 32)),
    "_2d_precast_multiple_elided_dims": ("...b,bc->...c", None, (2, 3, 32), (64,), (32, 64),
                                         None, (2, 3, 64)),
    "_3d_precast": ("...c,cde->...de", None, (1, 2), (3, 4), (2, 3, 4), None, (1, 3, 4)),
    "_3d_precast_3_bias": ("...c,cde->...de", "e", (1, 2), (3, 4), (2, 3, 4), (4,), (1, 3, 4)),
    "_3d_precast_2_bias": ("...c,cde->...de", "d", (1, 2), (3, 4), (2, 3, 4), (3, 1),
                           (1, 3, 4)),
    "_3d_precast_2_3_bias": ("...c,cde->...de", "de", (1, 2), (3, 4), (2, 3, 4), (3, 4),
                             (1, 3, 4)),
    "_2d_postcast": ("bc...,cd->bd...", None, (1, 2, 3), (4,), (2, 4), None, (1, 4, 3)),
    "_3d_postcast": ("bc...,cde->bde...", None, (1, 2), (3, 4), (2, 3, 4), None, (1, 3, 4)),
    "_3d_postcast_1_bias": ("bc...,cde->bde...", "d", (1, 2), (3, 4), (2, 3, 4), (3, 1),
                            (1, 3, 4)),
    "_3d_postcast_2_bias": ("bc...,cde->bde...", "e", (1, 2), (3, 4), (2, 3, 4), (4,),
                            (1, 3, 4)),
    "_3d_postcast_1_2_bias": ("bc...,cde->bde...", "de", (1, 2), (3, 4), (2, 3, 4), (3, 4),
                              (1, 3, 4)),
    "_3d_postcast_elided_bias": ("bc...,cd->bd...", "d", (1, 2, 3), (4,), (2, 4), (4, 1),
                                 (1, 4, 3)),
}


@pytest.mark.parametrize("name", sorted(COMBOS))
def test_einsum_dense(tf, name):
    equation, bias_axes, in_shape, out_shape, kernel, bias, expected = COMBOS[name]
    result = layer_test(L.EinsumDense, {"equation": equation, "output_shape": out_shape,
                                        "bias_axes": bias_axes},
                        input_shape=in_shape, expected_output_shape=expected,
                        expected_num_trainable_weights=1 if bias is None else 2)
    shapes = [w.shape for w in result.layer.get_weights()]
    assert shapes == [kernel] + ([bias] if bias is not None else [])


def test_activation_and_initializer_axes(tf):
    result = layer_test(L.EinsumDense, {"equation": "abc,cde->abde", "output_shape": (None, 3, 4),
                                        "activation": "relu", "kernel_initializer": "he_normal"},
                        input_shape=(2, 5, 6), expected_output_shape=(2, 5, 3, 4))
    assert (np.asarray(result.outputs) >= 0).all()


def test_invalid_equation_is_refused_at_construction():
    with pytest.raises(ValueError, match=r"EinsumDense 'proj': Invalid einsum equation 'ab->b'"):
        L.EinsumDense("ab->b", 3, name="proj")


def test_equation_that_does_not_fit_the_input_names_the_layer():
    layer = L.EinsumDense("abc,cd->abd", (5, 4), name="proj")
    with pytest.raises(ValueError, match=r"EinsumDense 'proj' \(equation 'abc,cd->abd', "
                                         r"output_shape \(5, 4\)\) does not fit inputs of shape "
                                         r"\(2, 3, 6\): Input shape and output shape do not "
                                         r"match at shared dimension 'b'"):
        layer(np.zeros((2, 3, 6), "float32"))


def test_bias_axis_not_in_output():
    with pytest.raises(ValueError, match=r"Bias dimension 'x' was requested, but is not part of "
                                         r"the output spec 'ac'"):
        L.EinsumDense("ab,bc->ac", 3, bias_axes="x")(np.zeros((2, 4), "float32"))
