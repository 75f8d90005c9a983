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


def copied(tf, cls_name, kwargs, x):
    """Our layer built for `x` with Keras's weight names/shapes/order (checked against tf.keras's
    layer built, not run, with the same arguments) and tf-initialised weights, perturbed so the
    bias is nonzero; and the tf.keras reference (`tf_reference`) holding the same weights."""
    ours = getattr(L, cls_name)(**kwargs)
    theirs = getattr(tf.keras.layers, cls_name)(**kwargs)
    theirs.build(x.shape)
    ours.build(x.shape)
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, tuple(w.shape)) for w in theirs.weights]
    ours.set_weights([w + 0.1 * inputs(w.shape, 7) for w in theirs.get_weights()])
    return ours, tf_reference(tf, cls_name, kwargs, ours.get_weights())


def channels(shape, data_format):
    """(batch, *spatial, c) -> the layout of data_format."""
    return shape if data_format == "channels_last" else (shape[0], shape[-1]) + shape[1:-1]


CONV2D_GRID = [(p, s, d, f, g) for p in ("valid", "same") for s, d in ((1, 1), (2, 1), (1, 2))
               for f in ("channels_last", "channels_first") for g in (1, 2)]


def to_first(a):
    return np.ascontiguousarray(np.moveaxis(a, -1, 1))


def to_last(a):
    return np.ascontiguousarray(np.moveaxis(a, 1, -1))


def tf_reference(tf, cls_name, kwargs, weights):
    """tf.keras's output for `kwargs`, computed a way every TF CPU build supports.

    Without AVX-512, TensorFlow leaves oneDNN off and its plain CPU kernels refuse NCHW
    convolutions and dilated transposed convolutions. Both are computed exactly another way:
    channels_last on the transposed input (the kernel layout does not depend on data_format),
    and a transposed convolution with dilation d as one with the zero-stuffed kernel of size
    (k - 1) * d + 1 (output lengths agree: Keras uses that effective size)."""
    kwargs = dict(kwargs)
    first = kwargs.pop("data_format", "channels_last") == "channels_first"
    weights = list(weights)
    dilation = kwargs.get("dilation_rate", 1)
    if cls_name.endswith("Transpose") and np.max(dilation) > 1:
        kernel = weights[0]
        rank = kernel.ndim - 2
        d = (dilation,) * rank if np.isscalar(dilation) else tuple(dilation)
        stuffed = np.zeros(tuple((k - 1) * r + 1 for k, r in zip(kernel.shape[:rank], d))
                           + kernel.shape[rank:], kernel.dtype)
        stuffed[tuple(slice(None, None, r) for r in d)] = kernel
        weights[0] = stuffed
        kwargs["kernel_size"], kwargs["dilation_rate"] = stuffed.shape[:rank], 1
    layer = getattr(tf.keras.layers, cls_name)(data_format="channels_last", **kwargs)

    def run(x, tape_input=None):
        x_last = to_last(x) if first else x
        if not layer.built:
            layer.build(x_last.shape)
            if weights:
                layer.set_weights(weights)
        if tape_input is not None:  # x_last was given as a watched tf tensor
            y = layer(tape_input)
            return tf.experimental.numpy.moveaxis(y, -1, 1) if first else y
        y = layer(x_last).numpy()
        return to_first(y) if first else y
    run.layer = layer
    return run


@pytest.mark.parametrize("padding,strides,dilation,data_format,groups", CONV2D_GRID)
def test_conv2d_forward_and_gradients(tf, padding, strides, dilation, data_format, groups):
    kwargs = dict(filters=6, kernel_size=(3, 2), strides=strides, padding=padding,
                  dilation_rate=dilation, groups=groups, activation="tanh",
                  data_format=data_format)
    x_last = inputs((2, 9, 8, 4))
    first = data_format == "channels_first"
    x = to_first(x_last) if first else x_last
    ours, theirs = copied(tf, "Conv2D", kwargs, x)
    y_tf = theirs(x)
    assert_close(ours(x), y_tf)
    cotangent = inputs(y_tf.shape, 3)

    xt = tf.constant(x_last)  # the reference runs channels_last (see tf_reference)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(theirs(x, tape_input=xt) * cotangent)
    g_kernel, g_bias, g_x = tape.gradient(loss, [theirs.layer.kernel, theirs.layer.bias, xt])

    v = ours.get_variables()
    loss_fn = lambda p, x: jnp.sum(ours.apply({"params": p}, x)[0] * cotangent)  # noqa: E731
    gp, gx = jax.grad(loss_fn, argnums=(0, 1))(v["params"], jnp.asarray(x))
    assert_close(gp["kernel"], g_kernel.numpy())
    assert_close(gp["bias"], g_bias.numpy())
    assert_close(gx, to_first(g_x.numpy()) if first else g_x.numpy())


@pytest.mark.parametrize("padding,strides,dilation,data_format,groups", [
    ("valid", 1, 1, "channels_last", 1), ("same", 2, 1, "channels_first", 2),
    ("causal", 1, 2, "channels_last", 2), ("causal", 2, 1, "channels_first", 1),
    ("same", 1, 3, "channels_last", 1)])
def test_conv1d(tf, padding, strides, dilation, data_format, groups):
    kwargs = dict(filters=4, kernel_size=3, strides=strides, padding=padding,
                  dilation_rate=dilation, data_format=data_format, groups=groups)
    x = inputs(channels((3, 11, 2), data_format))
    ours, theirs = copied(tf, "Conv1D", kwargs, x)
    assert_close(ours(x), theirs(x))


@pytest.mark.parametrize("padding,strides,data_format,groups", [
    ("valid", 1, "channels_last", 1), ("same", 2, "channels_first", 2)])
def test_conv3d(tf, padding, strides, data_format, groups):
    kwargs = dict(filters=4, kernel_size=(2, 3, 2), strides=strides, padding=padding,
                  data_format=data_format, groups=groups)
    x = inputs(channels((2, 5, 6, 4, 2), data_format))
    ours, theirs = copied(tf, "Conv3D", kwargs, x)
    assert_close(ours(x), theirs(x))


@pytest.mark.parametrize("padding,strides,dilation,output_padding,data_format", [
    (p, s, d, op, f) for p in ("valid", "same") for s, d, op in
    ((1, 1, None), (2, 1, None), (3, 1, 1), (2, 1, 1), (1, 2, None))
    for f in ("channels_last", "channels_first")])
def test_conv2d_transpose(tf, padding, strides, dilation, output_padding, data_format):
    kwargs = dict(filters=3, kernel_size=(3, 4), strides=strides, padding=padding,
                  dilation_rate=dilation, output_padding=output_padding, data_format=data_format)
    x = inputs(channels((2, 5, 4, 2), data_format))
    ours, theirs = copied(tf, "Conv2DTranspose", kwargs, x)
    assert_close(ours(x), theirs(x))


def test_conv1d_transpose(tf):
    kwargs = dict(filters=3, kernel_size=3, strides=2, padding="same")
    x = inputs((2, 6, 4))
    ours, theirs = copied(tf, "Conv1DTranspose", kwargs, x)
    assert_close(ours(x), theirs(x))


@pytest.mark.parametrize("padding,strides,dilation,multiplier,data_format", [
    ("valid", 1, 1, 1, "channels_last"), ("same", 2, 1, 2, "channels_last"),
    ("valid", 1, 2, 3, "channels_first"), ("same", 2, 2, 1, "channels_first"),
    ("same", 1, 1, 2, "channels_first")])
def test_depthwise_and_separable_conv2d(tf, padding, strides, dilation, multiplier, data_format):
    common = dict(kernel_size=3, strides=strides, padding=padding, dilation_rate=dilation,
                  depth_multiplier=multiplier, data_format=data_format, activation="relu")
    x = inputs(channels((2, 9, 8, 3), data_format))
    ours, theirs = copied(tf, "DepthwiseConv2D", common, x)
    assert_close(ours(x), theirs(x))
    ours, theirs = copied(tf, "SeparableConv2D", dict(filters=5, **common), x)
    assert_close(ours(x), theirs(x))


def test_depthwise_and_separable_conv1d(tf):
    common = dict(kernel_size=3, padding="same", depth_multiplier=2)
    x = inputs((2, 9, 3))
    ours, theirs = copied(tf, "DepthwiseConv1D", common, x)
    assert_close(ours(x), theirs(x))
    ours, theirs = copied(tf, "SeparableConv1D", dict(filters=4, **common), x)
    assert_close(ours(x), theirs(x))


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
