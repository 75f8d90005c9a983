"""Parity with tf.keras on copied weights: convolutions over a grid of (padding, strides,
dilation, data_format, groups), Conv2D gradients (kernel, bias, input) against tf.GradientTape,
pooling, global pooling and the reshaping layers."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import layers as L

TOL = 1e-5  # relative to the output's scale


def inputs(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def assert_close(ours, theirs, tol=TOL):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    scale = max(1.0, float(np.abs(theirs).max()))
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * scale)


def copied(ours, theirs, x, x_tf=None):
    """Build both, check Keras's weight names/shapes/order, give both the same (tf-initialised,
    perturbed so the bias is nonzero) weights."""
    theirs(x if x_tf is None else x_tf)
    ours.build(x.shape)
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, tuple(w.shape)) for w in theirs.weights]
    ours.set_weights([w + 0.1 * inputs(w.shape, 7) for w in theirs.get_weights()])  # nonzero bias
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def channels(shape, data_format):
    """(batch, *spatial, c) -> the layout of data_format."""
    return shape if data_format == "channels_last" else (shape[0], shape[-1]) + shape[1:-1]


CONV2D_GRID = [(p, s, d, f, g) for p in ("valid", "same") for s, d in ((1, 1), (2, 1), (1, 2))
               for f in ("channels_last", "channels_first") for g in (1, 2)]


def to_first(a):
    return np.ascontiguousarray(np.moveaxis(a, -1, 1))


@pytest.mark.parametrize("padding,strides,dilation,data_format,groups", CONV2D_GRID)
def test_conv2d_forward_and_gradients(tf, padding, strides, dilation, data_format, groups):
    kwargs = dict(filters=6, kernel_size=(3, 2), strides=strides, padding=padding,
                  dilation_rate=dilation, groups=groups, activation="tanh")
    x_last = inputs((2, 9, 8, 4))
    x = x_last if data_format == "channels_last" else to_first(x_last)
    # tf.keras 3.15 / TF 2.21 on CPU adds a per-channel bias wrongly to a dilated channels_first
    # Conv2D (checked against a NumPy reference in tests/layers): compare those cases with
    # tf.keras's channels_last on the transposed input instead.
    tf_format = "channels_last" if dilation > 1 else data_format
    ours, theirs = copied(L.Conv2D(data_format=data_format, **kwargs),
                          tf.keras.layers.Conv2D(data_format=tf_format, **kwargs),
                          x, x_last if tf_format != data_format else x)
    back = to_first if tf_format != data_format else (lambda a: a)
    x_tf = x_last if tf_format != data_format else x
    y_tf = back(theirs(x_tf).numpy())
    assert_close(ours(x), y_tf)
    cotangent = inputs(y_tf.shape, 3)

    xt = tf.constant(x_tf)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(back(theirs(xt)) * cotangent) if tf_format == data_format else \
            tf.reduce_sum(tf.transpose(theirs(xt), (0, 3, 1, 2)) * cotangent)
    g_kernel, g_bias, g_x = tape.gradient(loss, [theirs.kernel, theirs.bias, xt])

    v = ours.get_variables()
    loss_fn = lambda p, x: jnp.sum(ours.apply({"params": p}, x)[0] * cotangent)  # noqa: E731
    gp, gx = jax.grad(loss_fn, argnums=(0, 1))(v["params"], jnp.asarray(x))
    assert_close(gp["kernel"], g_kernel.numpy())
    assert_close(gp["bias"], g_bias.numpy())
    assert_close(gx, back(g_x.numpy()))


@pytest.mark.parametrize("padding,strides,dilation,data_format,groups", [
    ("valid", 1, 1, "channels_last", 1), ("same", 2, 1, "channels_first", 2),
    ("causal", 1, 2, "channels_last", 2), ("causal", 2, 1, "channels_first", 1),
    ("same", 1, 3, "channels_last", 1)])
def test_conv1d(tf, padding, strides, dilation, data_format, groups):
    kwargs = dict(filters=4, kernel_size=3, strides=strides, padding=padding,
                  dilation_rate=dilation, data_format=data_format, groups=groups)
    x = inputs(channels((3, 11, 2), data_format))
    ours, theirs = copied(L.Conv1D(**kwargs), tf.keras.layers.Conv1D(**kwargs), x)
    assert_close(ours(x), theirs(x).numpy())


@pytest.mark.parametrize("padding,strides,data_format,groups", [
    ("valid", 1, "channels_last", 1), ("same", 2, "channels_first", 2)])
def test_conv3d(tf, padding, strides, data_format, groups):
    kwargs = dict(filters=4, kernel_size=(2, 3, 2), strides=strides, padding=padding,
                  data_format=data_format, groups=groups)
    x = inputs(channels((2, 5, 6, 4, 2), data_format))
    ours, theirs = copied(L.Conv3D(**kwargs), tf.keras.layers.Conv3D(**kwargs), x)
    assert_close(ours(x), theirs(x).numpy())


@pytest.mark.parametrize("padding,strides,dilation,output_padding,data_format", [
    (p, s, d, op, f) for p in ("valid", "same") for s, d, op in
    ((1, 1, None), (2, 1, None), (3, 1, 1), (2, 1, 1), (1, 2, None))
    for f in ("channels_last", "channels_first")])
def test_conv2d_transpose(tf, padding, strides, dilation, output_padding, data_format):
    kwargs = dict(filters=3, kernel_size=(3, 4), strides=strides, padding=padding,
                  dilation_rate=dilation, output_padding=output_padding, data_format=data_format)
    x = inputs(channels((2, 5, 4, 2), data_format))
    ours, theirs = copied(L.Conv2DTranspose(**kwargs), tf.keras.layers.Conv2DTranspose(**kwargs), x)
    assert_close(ours(x), theirs(x).numpy())


def test_conv1d_transpose(tf):
    kwargs = dict(filters=3, kernel_size=3, strides=2, padding="same")
    x = inputs((2, 6, 4))
    ours, theirs = copied(L.Conv1DTranspose(**kwargs), tf.keras.layers.Conv1DTranspose(**kwargs), x)
    assert_close(ours(x), theirs(x).numpy())


@pytest.mark.parametrize("padding,strides,dilation,multiplier,data_format", [
    ("valid", 1, 1, 1, "channels_last"), ("same", 2, 1, 2, "channels_last"),
    ("valid", 1, 2, 3, "channels_first"), ("same", 2, 2, 1, "channels_first"),
    ("same", 1, 1, 2, "channels_first")])
def test_depthwise_and_separable_conv2d(tf, padding, strides, dilation, multiplier, data_format):
    common = dict(kernel_size=3, strides=strides, padding=padding, dilation_rate=dilation,
                  depth_multiplier=multiplier, data_format=data_format, activation="relu")
    x = inputs(channels((2, 9, 8, 3), data_format))
    ours, theirs = copied(L.DepthwiseConv2D(**common), tf.keras.layers.DepthwiseConv2D(**common), x)
    assert_close(ours(x), theirs(x).numpy())
    ours, theirs = copied(L.SeparableConv2D(5, **common),
                          tf.keras.layers.SeparableConv2D(5, **common), x)
    assert_close(ours(x), theirs(x).numpy())


def test_depthwise_and_separable_conv1d(tf):
    common = dict(kernel_size=3, padding="same", depth_multiplier=2)
    x = inputs((2, 9, 3))
    ours, theirs = copied(L.DepthwiseConv1D(**common), tf.keras.layers.DepthwiseConv1D(**common), x)
    assert_close(ours(x), theirs(x).numpy())
    ours, theirs = copied(L.SeparableConv1D(4, **common),
                          tf.keras.layers.SeparableConv1D(4, **common), x)
    assert_close(ours(x), theirs(x).numpy())


POOL_GRID = [(kind, pool, strides, padding, f) for kind in ("MaxPooling2D", "AveragePooling2D")
             for pool, strides in ((2, None), (3, 2), ((2, 3), 1), (3, (1, 2)))
             for padding in ("valid", "same") for f in ("channels_last", "channels_first")]


@pytest.mark.parametrize("kind,pool,strides,padding,data_format", POOL_GRID)
def test_pooling2d(tf, kind, pool, strides, padding, data_format):
    kwargs = dict(pool_size=pool, strides=strides, padding=padding, data_format=data_format)
    x = inputs(channels((2, 7, 8, 3), data_format))
    assert_close(getattr(L, kind)(**kwargs)(x), getattr(tf.keras.layers, kind)(**kwargs)(x).numpy())


@pytest.mark.parametrize("pool,strides,padding", [(2, None, "valid"), ((2, 3), None, "valid"),
                                                  (3, 2, "valid"), (2, None, "same")])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_max_pooling2d_gradient_with_ties(tf, pool, strides, padding, data_format):
    """Input gradients of max pooling, on small integers so windows hold tied maxima."""
    x = np.random.default_rng(0).integers(0, 3, size=channels((2, 7, 8, 3), data_format))
    x = x.astype(np.float32)
    kwargs = dict(pool_size=pool, strides=strides, padding=padding, data_format=data_format)
    ours, theirs = L.MaxPooling2D(**kwargs), tf.keras.layers.MaxPooling2D(**kwargs)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = theirs(xt)
        cot = inputs(tuple(y.shape), 1)
        loss = tf.reduce_sum(y * cot)
    g = jax.grad(lambda x: jnp.sum(ours.apply({}, x)[0] * cot))(jnp.asarray(x))
    assert_close(g, tape.gradient(loss, xt).numpy())


@pytest.mark.parametrize("kind", ["MaxPooling1D", "AveragePooling1D", "MaxPooling3D",
                                  "AveragePooling3D"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_1d_3d(tf, kind, padding):
    x = inputs((2, 7, 3) if kind.endswith("1D") else (2, 5, 4, 5, 2))
    kwargs = dict(pool_size=3, strides=2, padding=padding)
    assert_close(getattr(L, kind)(**kwargs)(x), getattr(tf.keras.layers, kind)(**kwargs)(x).numpy())


@pytest.mark.parametrize("kind", ["GlobalAveragePooling1D", "GlobalMaxPooling1D",
                                  "GlobalAveragePooling2D", "GlobalMaxPooling2D"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling(tf, kind, data_format, keepdims):
    x = inputs((2, 5, 3) if kind.endswith("1D") else (2, 5, 4, 3))
    kwargs = dict(data_format=data_format, keepdims=keepdims)
    assert_close(getattr(L, kind)(**kwargs)(x), getattr(tf.keras.layers, kind)(**kwargs)(x).numpy())


def test_global_average_pooling1d_mask(tf):
    x = inputs((3, 5, 2))
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    assert_close(L.GlobalAveragePooling1D()(x, mask=mask),
                 tf.keras.layers.GlobalAveragePooling1D()(x, mask=mask).numpy())


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("Permute", ((3, 1, 2),), {}, (2, 3, 4, 5)),
    ("RepeatVector", (3,), {}, (2, 4)),
    ("UpSampling1D", (3,), {}, (2, 4, 3)),
    ("UpSampling2D", ((2, 3),), {}, (2, 4, 3, 2)),
    ("UpSampling2D", (2,), {"data_format": "channels_first"}, (2, 2, 4, 3)),
    ("UpSampling2D", ((2, 3),), {"interpolation": "bilinear"}, (2, 4, 5, 2)),
    ("UpSampling2D", (3,), {"interpolation": "bilinear", "data_format": "channels_first"},
     (2, 2, 4, 3)),
    ("ZeroPadding1D", ((1, 2),), {}, (2, 4, 3)),
    ("ZeroPadding2D", (((1, 0), (2, 3)),), {}, (2, 4, 3, 2)),
    ("ZeroPadding2D", ((1, 2),), {"data_format": "channels_first"}, (2, 2, 4, 3)),
    ("Cropping1D", ((1, 2),), {}, (2, 5, 3)),
    ("Cropping2D", (((1, 0), (2, 1)),), {}, (2, 4, 5, 2)),
    ("Cropping2D", (1,), {"data_format": "channels_first"}, (2, 2, 4, 5)),
])
def test_reshaping(tf, name, args, kwargs, shape):
    x = inputs(shape)
    assert_close(getattr(L, name)(*args, **kwargs)(x),
                 getattr(tf.keras.layers, name)(*args, **kwargs)(x).numpy())


def test_automatic_layer_names(tf):
    def make(module):
        return [module.Conv2D(1, 1), module.Conv1D(1, 1), module.Conv2DTranspose(1, 1),
                module.DepthwiseConv2D(1), module.SeparableConv2D(1, 1), module.MaxPooling2D(),
                module.GlobalAveragePooling2D(), module.UpSampling2D(), module.ZeroPadding2D(),
                module.Conv2D(1, 1)]
    assert [x.name for x in make(L)] == [x.name for x in make(tf.keras.layers)]
