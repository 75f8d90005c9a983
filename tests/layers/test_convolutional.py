"""Convolutions: exact values against a NumPy reference, shapes (init/apply, symbolic, Keras's
formula), jit, grad, weight names/layouts, and errors raised before JAX sees data."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers as L


def rand(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def same_pads(size, k, stride, dilation):
    """TF/Keras "same": total padding split with the extra value on the right."""
    k = (k - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def np_conv2d(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1), groups=1):
    """Direct channels_last cross-correlation with groups, the definition Keras documents."""
    kh, kw, cin_g, cout = kernel.shape
    if padding == "same":
        (t, b), (l, r) = (same_pads(x.shape[1], kh, strides[0], dilation[0]),
                          same_pads(x.shape[2], kw, strides[1], dilation[1]))
        x = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    n, h, w, _ = x.shape
    oh = (h - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    ow = (w - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    out = np.zeros((n, oh, ow, cout), np.float64)
    per = cout // groups
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    patch = x[:, i * strides[0] + a * dilation[0], j * strides[1] + b * dilation[1]]
                    for g in range(groups):
                        cin = slice(g * cin_g, (g + 1) * cin_g)
                        cout_g = slice(g * per, (g + 1) * per)
                        out[:, i, j, cout_g] += patch[:, cin] @ kernel[a, b, :, cout_g]
    return out


def built(layer, shape, weights):
    layer.build(shape)
    layer.set_weights(weights)
    return layer


# ---- exact values ---------------------------------------------------------------------------
@pytest.mark.parametrize("padding,strides,dilation,groups", [
    ("valid", 1, 1, 1), ("same", 1, 1, 1), ("same", 2, 1, 1), ("valid", 2, 1, 2),
    ("valid", 1, 2, 1), ("same", 1, 2, 2), ("same", (2, 1), 1, 1)])
def test_conv2d_matches_numpy_reference(padding, strides, dilation, groups):
    x = rand((2, 7, 6, 4))
    kernel, bias = rand((3, 2, 4 // groups, 6), 1), rand((6,), 2)
    layer = built(L.Conv2D(6, (3, 2), strides=strides, padding=padding, dilation_rate=dilation,
                           groups=groups), (None, 7, 6, 4), [kernel, bias])
    s = (strides,) * 2 if isinstance(strides, int) else strides
    expected = np_conv2d(x, kernel, s, padding, (dilation,) * 2, groups) + bias
    np.testing.assert_allclose(layer(x), expected, rtol=1e-5, atol=1e-5)


def test_conv2d_small_hand_computed_case():
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    layer = built(L.Conv2D(1, 2), (None, 3, 3, 1),
                  [np.array([1, 0, 0, -1], np.float32).reshape(2, 2, 1, 1), np.array([0.5])])
    # each output = top-left - bottom-right + 0.5 = -4 + 0.5
    np.testing.assert_allclose(layer(x)[0, :, :, 0], np.full((2, 2), -3.5))


@pytest.mark.parametrize("strides,dilation", [(2, 1), (1, 2)])
def test_conv2d_channels_first_equals_channels_last_transposed(strides, dilation):
    # (the dilated case is where tf.keras's own channels_first goes wrong on CPU, see parity)
    x = rand((2, 8, 8, 3))
    kernel, bias = rand((3, 3, 3, 5), 1), rand((5,), 2)
    kw = dict(padding="same", strides=strides, dilation_rate=dilation)
    last = built(L.Conv2D(5, 3, **kw), (None, 8, 8, 3), [kernel, bias])
    first = built(L.Conv2D(5, 3, data_format="channels_first", **kw), (None, 3, 8, 8),
                  [kernel, bias])
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)),
                               np.asarray(last(x)).transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-5)


def test_conv1d_causal_only_sees_the_past():
    x = np.arange(1, 6, dtype=np.float32).reshape(1, 5, 1)
    layer = built(L.Conv1D(1, 2, padding="causal", dilation_rate=2, use_bias=False),
                  (None, 5, 1), [np.array([10.0, 1.0], np.float32).reshape(2, 1, 1)])
    # y[t] = 10 * x[t-2] + x[t] (x[<0] = 0)
    np.testing.assert_allclose(layer(x)[0, :, 0], [1, 2, 13, 24, 35])


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    """<conv(x), y> == <x, conv_transpose(y)> with the same kernel (Keras's layout
    (kh, kw, filters, in) for the transpose is (kh, kw, in, out) of the forward conv)."""
    kernel = rand((3, 3, 4, 6), 1)
    # output_padding=1 recovers the 8th row that a stride-2 "valid" conv drops
    for padding, strides, output_padding in [("valid", 1, None), ("same", 2, None),
                                             ("valid", 2, 1)]:
        fwd = built(L.Conv2D(6, 3, strides=strides, padding=padding, use_bias=False),
                    (None, 8, 8, 4), [kernel])
        x = rand((2, 8, 8, 4), 3)
        y = rand(fwd(x).shape, 4)
        back = built(L.Conv2DTranspose(4, 3, strides=strides, padding=padding, use_bias=False,
                                       output_padding=output_padding),
                     (None,) + y.shape[1:], [kernel])
        xt = back(y)
        assert xt.shape == x.shape
        np.testing.assert_allclose(np.vdot(fwd(x), y), np.vdot(x, xt), rtol=1e-4)


def test_depthwise_and_separable_match_numpy():
    x = rand((2, 6, 6, 3))
    dw, bias = rand((3, 3, 3, 2), 1), rand((6,), 2)
    layer = built(L.DepthwiseConv2D(3, depth_multiplier=2), (None, 6, 6, 3), [dw, bias])
    expected = np.concatenate([np_conv2d(x[..., c:c + 1], dw[:, :, c:c + 1, :]) for c in range(3)],
                              axis=-1) + bias  # output channel c * multiplier + m
    np.testing.assert_allclose(layer(x), expected, rtol=1e-5, atol=1e-5)
    pw, pbias = rand((1, 1, 6, 4), 3), rand((4,), 4)
    sep = built(L.SeparableConv2D(4, 3, depth_multiplier=2), (None, 6, 6, 3), [dw, pw, pbias])
    np.testing.assert_allclose(sep(x), (expected - bias) @ pw[0, 0] + pbias, rtol=1e-5, atol=1e-5)


# ---- shapes -----------------------------------------------------------------------------------
CASES = [
    (lambda: L.Conv1D(4, 3), (None, 10, 2)),
    (lambda: L.Conv1D(4, 3, padding="causal", strides=2), (None, 10, 2)),
    (lambda: L.Conv1D(4, 3, groups=2, data_format="channels_first"), (None, 2, 10)),
    (lambda: L.Conv2D(4, 3, padding="same", strides=2), (None, 9, 7, 3)),
    (lambda: L.Conv2D(6, (3, 1), dilation_rate=2, groups=3, data_format="channels_first"),
     (None, 3, 9, 7)),
    (lambda: L.Conv3D(2, 2, strides=(1, 2, 1)), (None, 5, 6, 4, 1)),
    (lambda: L.Conv2DTranspose(3, 3, strides=2), (None, 5, 4, 2)),
    (lambda: L.Conv2DTranspose(3, 4, strides=2, padding="same", output_padding=1,
                               data_format="channels_first"), (None, 2, 5, 4)),
    (lambda: L.Conv1DTranspose(3, 3, dilation_rate=2), (None, 6, 2)),
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", strides=2),
     (None, 7, 7, 3)),
    (lambda: L.DepthwiseConv1D(2, data_format="channels_first"), (None, 3, 7)),
    (lambda: L.SeparableConv2D(5, 3, strides=2, dilation_rate=1), (None, 9, 9, 2)),
    (lambda: L.SeparableConv1D(5, 3, padding="same"), (None, 9, 2)),
]


@pytest.mark.parametrize("make,shape", CASES)
def test_init_apply_symbolic_and_formula_agree(make, shape):
    layer = make()
    v = layer.init(jax.random.PRNGKey(0), shape)
    x = rand((2,) + shape[1:])
    y, state = layer.apply(v, x)
    assert state == {}
    expected = layer.compute_output_shape((2,) + shape[1:])
    assert y.shape == tuple(expected)
    symbolic = make()(jkeras.Input(shape[1:]))
    assert tuple(symbolic.shape) == (None,) + tuple(expected[1:])


@pytest.mark.parametrize("make,shape", CASES)
def test_jit_and_grad(make, shape):
    layer = make()
    v = layer.init(0, shape)
    x = jnp.asarray(rand((2,) + shape[1:]))
    y, _ = layer.apply(v, x)
    np.testing.assert_allclose(jax.jit(layer.apply)(v, x)[0], y, rtol=1e-5, atol=1e-5)
    gp, gx = jax.grad(lambda p, x: jnp.sum(layer.apply({"params": p}, x)[0] ** 2),
                      argnums=(0, 1))(v["params"], x)
    assert set(gp) == set(v["params"])
    for g in jax.tree_util.tree_leaves((gp, gx)):
        assert bool(jnp.isfinite(g).all()) and float(jnp.abs(g).sum()) > 0


def test_vmap_over_apply():
    layer = L.Conv2D(2, 3)
    v = layer.init(0, (None, 6, 6, 1))
    xs = jnp.asarray(rand((3, 2, 6, 6, 1)))
    out = jax.vmap(lambda x: layer.apply(v, x)[0])(xs)
    np.testing.assert_allclose(out[1], layer.apply(v, xs[1])[0], rtol=1e-6)


# ---- weights ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make,shape,expected", [
    (lambda: L.Conv2D(8, 3, groups=2), (None, 5, 5, 4), [("kernel", (3, 3, 2, 8)), ("bias", (8,))]),
    (lambda: L.Conv1D(8, 3, use_bias=False), (None, 5, 4), [("kernel", (3, 4, 8))]),
    (lambda: L.Conv2DTranspose(8, (3, 2)), (None, 5, 5, 4),
     [("kernel", (3, 2, 8, 4)), ("bias", (8,))]),
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=2, data_format="channels_first"),
     (None, 4, 5, 5), [("kernel", (3, 3, 4, 2)), ("bias", (8,))]),
    (lambda: L.SeparableConv2D(7, 3, depth_multiplier=2), (None, 5, 5, 4),
     [("depthwise_kernel", (3, 3, 4, 2)), ("pointwise_kernel", (1, 1, 8, 7)), ("bias", (7,))]),
])
def test_keras_weight_names_order_and_layouts(make, shape, expected):
    layer = make()
    layer.build(shape)
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == expected
    v = layer.init(0, shape)
    assert {k: a.shape for k, a in v["params"].items()} == dict(expected)


def test_initializers_and_activation():
    layer = L.Conv2D(2, 1, activation="relu", kernel_initializer="ones", bias_initializer=
                     jkeras.initializers.Constant(-1.0))
    y = layer(np.array([[[[0.25, 0.25]], [[1.0, 2.0]]]], np.float32))  # (1, 2, 1, 2)
    np.testing.assert_allclose(np.asarray(y)[0, :, 0, 0], [0.0, 2.0])
    dw = L.DepthwiseConv2D(1, depthwise_initializer="ones", use_bias=False)
    np.testing.assert_allclose(dw(np.full((1, 2, 2, 3), 3.0, np.float32)), 3.0)


def test_in_a_sequential_cnn():
    model = jkeras.Sequential([jkeras.Input((12, 12, 1)), L.Conv2D(4, 3, activation="relu"),
                               L.MaxPooling2D(), L.Conv2D(8, 3, padding="same"),
                               L.GlobalAveragePooling2D(), L.Dense(3)])
    assert model(rand((2, 12, 12, 1))).shape == (2, 3)
    assert [w.name for w in model.weights] == ["kernel", "bias"] * 3


# ---- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make,match", [
    (lambda: L.Conv2D(0, 3), r"Conv2D: Invalid value for argument `filters`.*filters=0"),
    (lambda: L.Conv2D(-2, 3), r"filters=-2"),
    (lambda: L.Conv2D(2.5, 3), r"filters=2.5"),
    (lambda: L.Conv2DTranspose(0, 3), r"Conv2DTranspose: .*filters=0"),
    (lambda: L.SeparableConv2D(0, 3), r"filters=0"),
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=0), r"depth_multiplier=0"),
    (lambda: L.Conv2D(4, 3, padding="full"), r"`padding` argument must be one of .*full"),
    (lambda: L.Conv2D(4, 3, padding="causal"), r"padding='causal'"),
    (lambda: L.MaxPooling2D(padding="full"), r"MaxPooling2D: .*'valid' or 'same'.*full"),
    (lambda: L.Conv2D(4, 3, data_format="nhwc"), r"data_format.*Received: data_format=nhwc"),
    (lambda: L.Conv2D(4, 3, strides=2, dilation_rate=2),
     r"`strides > 1` not supported in conjunction with `dilation_rate > 1`"),
    (lambda: L.Conv1D(4, 3, strides=2, dilation_rate=2), r"Conv1D: `strides > 1`"),
    (lambda: L.Conv2D(4, (3, 3, 3)), r"`kernel_size` argument must be a tuple of 2 integers"),
    (lambda: L.Conv2D(4, 0), r"kernel_size.*do not satisfy `value > 0`"),
    (lambda: L.Conv2D(4, 3, strides=0), r"strides.*do not satisfy"),
    (lambda: L.Conv2D(4, 3, groups=3), r"filters must be evenly divisible by the number of groups"),
    (lambda: L.Conv2DTranspose(4, 3, strides=2, output_padding=2),
     r"`output_padding` must be strictly less than `strides`"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrong_rank_fails_before_jax_with_the_layer_name():
    layer = L.Conv2D(4, 3, name="c2")
    with pytest.raises(ValueError, match=r'layer "c2" .*expected ndim=4, found ndim=3'):
        layer(rand((2, 8, 8)))
    with pytest.raises(ValueError, match=r"expected ndim=4, found ndim=3"):
        L.Conv2D(4, 3).init(0, (None, 8, 8))
    layer = L.Conv1D(4, 3)
    layer(rand((2, 8, 3)))
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=4"):
        layer(rand((2, 8, 8, 3)))


def test_wrong_channels_after_build():
    layer = L.Conv2D(4, 3)
    layer(rand((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3"):
        layer(rand((1, 5, 5, 2)))


@pytest.mark.parametrize("make,shape", [
    (lambda: L.Conv2D(4, 9), (2, 8, 8, 3)),
    (lambda: L.Conv2D(4, 3, dilation_rate=4), (2, 8, 8, 3)),
    (lambda: L.Conv1D(4, 5), (2, 4, 3)),
    (lambda: L.DepthwiseConv2D(9), (2, 8, 8, 3)),
    (lambda: L.SeparableConv2D(4, (1, 9)), (2, 8, 8, 3)),
])
def test_kernel_larger_than_valid_input(make, shape):
    with pytest.raises(ValueError, match=r"computed output size would be zero or negative"):
        make()(rand(shape))


def test_kernel_too_large_for_a_later_smaller_input():
    layer = L.Conv2D(2, 3)
    v = layer.init(0, (None, 8, 8, 1))
    with pytest.raises(ValueError, match=r"Conv2D .*: computed output size would be zero"):
        jax.jit(layer.apply)(v, jnp.zeros((1, 2, 8, 1)))


def test_groups_must_divide_input_channels():
    with pytest.raises(ValueError, match=r"input channels must be evenly divisible by the number "
                                         r"of groups. Received groups=2, but the input has 3"):
        L.Conv2D(4, 3, groups=2)(rand((1, 5, 5, 3)))


def test_unknown_channels_rejected():
    with pytest.raises(ValueError, match=r"channel dimension of the inputs must be known"):
        L.Conv2D(4, 3).build((None, 5, 5, None))
