"""Keras's `*_test.py` argument combinations replayed across the layer families: dtype policies
(`float16`, `mixed_bfloat16`) give Keras's output, compute and variable dtypes, and
`data_format="channels_first"` gives Keras's values and shapes.

References: tf.keras's symbolic call (its output spec and the variables it creates: no TF kernel
runs), and for channels_first values tf.keras in channels_last on transposed inputs with the
same weights (TF's CPU kernels refuse NCHW convolutions on some machines).
"""
import numpy as np
import pytest

import jkeras

RNG = np.random.default_rng(0)
SHAPES = {2: (2, 6), 3: (2, 6, 4), 4: (2, 6, 6, 4), 5: (2, 4, 4, 4, 2)}

DTYPE_CASES = [
    ("Dense", (3,), 2), ("EinsumDense", ("ab,bc->ac", 3), 2), ("Embedding", (5, 3), "int"),
    ("Activation", ("relu",), 2), ("ReLU", (), 2), ("Softmax", (), 2), ("PReLU", (), 2),
    ("Dropout", (0.5,), 2), ("GaussianNoise", (0.1,), 2), ("SpatialDropout1D", (0.1,), 3),
    ("BatchNormalization", (), 2), ("LayerNormalization", (), 2),
    ("GroupNormalization", (2,), 3), ("UnitNormalization", (), 2), ("RMSNormalization", (), 2),
    ("Conv1D", (2, 2), 3), ("Conv2D", (2, 2), 4),
    ("DepthwiseConv2D", (2,), 4), ("SeparableConv1D", (2, 2), 3),
    ("MaxPooling2D", (), 4), ("AveragePooling1D", (2,), 3), ("GlobalAveragePooling1D", (), 3),
    ("AdaptiveMaxPooling1D", (2,), 3), ("Flatten", (), 3), ("Reshape", ((24,),), 3),
    ("UpSampling2D", (), 4), ("ZeroPadding1D", (), 3), ("Cropping2D", (), 4),
    ("GRU", (2,), 3),
    ("MultiHeadAttention", (2, 2), "pair"),
    ("Attention", (), "list"),
    ("Add", (), "merge"), ("Concatenate", (), "merge"), ("Dot", (1,), "merge"),
    ("Masking", (), 3), ("Rescaling", (2.0,), 2), ("Identity", (), 2),
    ("TimeDistributed", "Dense", 3),
    ("SpectralNormalization", "Dense", 2),
]


def _make(mod, name, args, policy):
    if isinstance(args, str):  # a wrapper around a layer with the same policy
        inner = getattr(mod.layers, args)(2, dtype=policy)
        return getattr(mod.layers, name)(inner, dtype=policy)
    return getattr(mod.layers, name)(*args, dtype=policy)


def _symbolic_inputs(mod, kind):
    if kind == "int":
        return (mod.Input((3,), dtype="int32"),)
    if kind == "pair":
        return (mod.Input((3, 4)), mod.Input((3, 4)))
    if kind == "list":
        return ([mod.Input((3, 4)), mod.Input((3, 4))],)
    if kind == "merge":
        return ([mod.Input((4,)), mod.Input((4,))],)
    return (mod.Input(SHAPES[kind][1:]),)


def _arrays(kind):
    if kind == "int":
        return (RNG.integers(0, 5, (2, 3)).astype("int32"),)
    if kind in ("pair", "list"):
        x = RNG.normal(size=(2, 3, 4)).astype("float32")
        return (x, x) if kind == "pair" else ([x, x],)
    if kind == "merge":
        x = RNG.normal(size=(2, 4)).astype("float32")
        return ([x, x],)
    return (RNG.normal(size=SHAPES[kind]).astype("float32"),)


def _dtype_name(d):
    return np.dtype(getattr(d, "name", d)).name if str(d) != "bfloat16" and \
        getattr(d, "name", str(d)) != "bfloat16" else "bfloat16"


def _weight_dtypes(layer):
    return sorted((w.path.split("/")[-1], _dtype_name(w.dtype)) for w in layer.weights)


def _summary(layer, outputs):
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return ([_dtype_name(o.dtype) for o in outputs], _weight_dtypes(layer),
            layer.compute_dtype, layer.variable_dtype)


@pytest.mark.parametrize("policy", ["float16", "mixed_bfloat16"])
@pytest.mark.parametrize("name,args,kind", DTYPE_CASES, ids=[c[0] for c in DTYPE_CASES])
def test_dtype_policy_matches_tf_keras(tf, name, args, kind, policy):
    theirs = _make(tf.keras, name, args, policy)
    expected = _summary(theirs, theirs(*_symbolic_inputs(tf.keras, kind)))
    ours = _make(jkeras, name, args, policy)
    assert _summary(ours, ours(*_symbolic_inputs(jkeras, kind))) == expected
    eager = _make(jkeras, name, args, policy)
    training = name in ("Dropout", "GaussianNoise", "SpatialDropout1D", "BatchNormalization")
    assert _summary(eager, eager(*_arrays(kind), training=training)) == expected


CHANNELS_FIRST = [
    ("Conv1D", (2, 3), {}, 1), ("Conv2D", (2, 3), {"strides": 2, "padding": "same"}, 2),
    ("Conv3D", (2, 2), {}, 3), ("Conv1DTranspose", (2, 3), {"strides": 2}, 1),
    ("Conv2DTranspose", (2, 3), {"strides": 2, "padding": "same"}, 2),
    ("Conv3DTranspose", (2, 2), {}, 3), ("DepthwiseConv1D", (3,), {"depth_multiplier": 2}, 1),
    ("DepthwiseConv2D", (3,), {}, 2), ("SeparableConv1D", (2, 3), {}, 1),
    ("SeparableConv2D", (2, 3), {"dilation_rate": 2}, 2), ("Conv2D", (4, 3), {"groups": 2}, 2),
    ("MaxPooling1D", (), {}, 1), ("MaxPooling2D", (), {"padding": "same", "strides": 1}, 2),
    ("MaxPooling3D", (), {}, 3), ("AveragePooling1D", (2,), {}, 1),
    ("AveragePooling2D", (3,), {"padding": "same", "strides": 2}, 2),
    ("AveragePooling3D", (2,), {}, 3), ("GlobalAveragePooling1D", (), {}, 1),
    ("GlobalAveragePooling2D", (), {"keepdims": True}, 2), ("GlobalMaxPooling3D", (), {}, 3),
    ("GlobalMaxPooling1D", (), {"keepdims": True}, 1),
    ("AdaptiveAveragePooling1D", (3,), {}, 1), ("AdaptiveAveragePooling2D", ((2, 3),), {}, 2),
    ("AdaptiveMaxPooling2D", (2,), {}, 2), ("AdaptiveMaxPooling3D", (2,), {}, 3),
    ("UpSampling2D", (), {"interpolation": "bilinear"}, 2), ("UpSampling3D", (), {}, 3),
    ("ZeroPadding1D", ((1, 2),), {}, 1), ("ZeroPadding2D", (((1, 2), (0, 1)),), {}, 2),
    ("ZeroPadding3D", (), {}, 3), ("Cropping2D", (((1, 0), (0, 1)),), {}, 2),
    ("Cropping3D", (), {}, 3), ("SpatialDropout2D", (0.3,), {}, 2),
]
CF_SHAPES = {1: (2, 4, 7), 2: (2, 4, 6, 7), 3: (2, 2, 4, 6, 5)}


@pytest.mark.parametrize("name,args,kwargs,rank", CHANNELS_FIRST,
                         ids=[f"{c[0]}{c[2]}" for c in CHANNELS_FIRST])
def test_channels_first_matches_tf_keras(tf, name, args, kwargs, rank):
    x_first = RNG.normal(size=CF_SHAPES[rank]).astype("float32")
    x_last = np.moveaxis(x_first, 1, -1)
    theirs = getattr(tf.keras.layers, name)(*args, **kwargs, data_format="channels_last")
    expected = np.moveaxis(np.asarray(theirs(x_last)), -1, 1) if name[:6] != "Global" or \
        kwargs.get("keepdims") else np.asarray(theirs(x_last))
    ours = getattr(jkeras.layers, name)(*args, **kwargs, data_format="channels_first")
    ours(x_first)
    if theirs.weights:
        ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(np.asarray(ours(x_first)), expected, rtol=1e-5, atol=1e-5)
    symbolic_ref = getattr(tf.keras.layers, name)(*args, **kwargs, data_format="channels_first")
    expected_shape = tuple(symbolic_ref.compute_output_shape((None,) + x_first.shape[1:]))
    fresh = getattr(jkeras.layers, name)(*args, **kwargs, data_format="channels_first")
    assert tuple(fresh(jkeras.Input(x_first.shape[1:])).shape) == expected_shape


def test_flatten_channels_first_matches_tf_keras(tf):
    x = RNG.normal(size=(2, 3, 4, 5)).astype("float32")
    for data_format in ("channels_first", "channels_last"):
        np.testing.assert_array_equal(
            np.asarray(jkeras.layers.Flatten(data_format=data_format)(x)),
            np.asarray(tf.keras.layers.Flatten(data_format=data_format)(x)))
