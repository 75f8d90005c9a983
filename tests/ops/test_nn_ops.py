"""keras.ops.nn: jkeras against Keras's own JAX backend on generated inputs (and gradients)."""
import numpy as np
import pytest

import jkeras
from keras_reference import Case, check_case

rng = np.random.default_rng(1)


def f32(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape).astype("float32")


ACTIVATIONS = ["relu", "relu6", "sigmoid", "sparse_sigmoid", "softplus", "softsign",
               "sparse_plus", "silu", "swish", "log_sigmoid", "hard_sigmoid", "hard_silu",
               "hard_swish", "selu", "hard_tanh", "tanh_shrink", "squareplus", "leaky_relu",
               "elu", "celu", "gelu", "soft_shrink", "hard_shrink", "glu", "softmax",
               "log_softmax", "sparsemax"]


def _conv_cases():
    cases = []
    for n, shape in ((1, (2, 7, 3)), (2, (2, 6, 5, 3)), (3, (1, 5, 4, 4, 2))):
        x = f32(*shape)
        k = f32(*((3,) * n), shape[-1], 4)
        cases.append(Case("ops.conv", x, k, grad=True))
        cases.append(Case("ops.conv", x, k, strides=2, padding="same"))
        cases.append(Case("ops.conv", x, k, dilation_rate=2, padding="SAME"))
        x_cf = np.moveaxis(x, -1, 1).copy()
        cases.append(Case("ops.conv", x_cf, k, strides=1, padding="same", data_format="channels_first"))
        cases.append(Case("ops.max_pool", x, 2, strides=2, grad=True))
        cases.append(Case("ops.max_pool", x, 2, strides=1, padding="same"))
        cases.append(Case("ops.average_pool", x, 2, strides=2, grad=True))
        cases.append(Case("ops.average_pool", x, 3, strides=2, padding="same"))
        cases.append(Case("ops.average_pool", x_cf, 2, strides=(1,) * n + (2,),
                          data_format="channels_first"))
        cases.append(Case("ops.adaptive_average_pool", x, 2))
        cases.append(Case("ops.adaptive_max_pool", x, 3))
        cases.append(Case("ops.adaptive_average_pool", x_cf, 3, data_format="channels_first"))
        kt = f32(*((3,) * n), 4, shape[-1])
        cases.append(Case("ops.conv_transpose", x, kt, grad=True))
        cases.append(Case("ops.conv_transpose", x, kt, strides=2, padding="same"))
        cases.append(Case("ops.conv_transpose", x, kt, strides=2, output_padding=1))
        cases.append(Case("ops.conv_transpose", x_cf, kt, strides=2, padding="same",
                          data_format="channels_first"))
    x = f32(2, 6, 5, 4)
    cases.append(Case("ops.conv", x, f32(3, 3, 2, 6)))  # grouped
    cases.append(Case("ops.conv", x, f32(3, 3, 3, 6)))
    cases.append(Case("ops.conv", f32(1, 2, 2, 1), f32(3, 3, 1, 1)))
    cases.append(Case("ops.depthwise_conv", x, f32(3, 3, 4, 2), grad=True))
    cases.append(Case("ops.depthwise_conv", x, f32(3, 3, 4, 1), strides=2, padding="same"))
    cases.append(Case("ops.depthwise_conv", f32(2, 7, 3), f32(3, 3, 2), dilation_rate=2))
    cases.append(Case("ops.depthwise_conv", x, f32(3, 3, 2, 2)))
    cases.append(Case("ops.separable_conv", x, f32(3, 3, 4, 2), f32(1, 1, 8, 5), grad=True))
    cases.append(Case("ops.separable_conv", x, f32(3, 3, 4, 1), f32(1, 1, 4, 3), padding="same"))
    cases.append(Case("ops.conv_transpose", x, f32(3, 3, 2, 3)))
    cases.append(Case("ops.max_pool", x, 2, strides=2, padding="full"))
    return cases


def _cases():
    cases = []
    for name in ACTIVATIONS:
        cases.append(Case(f"ops.{name}", f32(2, 6), grad=name != "sparsemax"))
    cases.append(Case("ops.nn.relu", np.arange(-3, 3, dtype="int32")))
    cases += [Case("ops.leaky_relu", f32(4), negative_slope=0.5),
              Case("ops.elu", f32(4), alpha=0.5), Case("ops.celu", f32(4), alpha=2.0),
              Case("ops.gelu", f32(4), approximate=False, grad=True),
              Case("ops.squareplus", f32(4), b=1.0), Case("ops.glu", f32(4, 2), axis=0),
              Case("ops.soft_shrink", f32(5), threshold=1.0),
              Case("ops.hard_shrink", f32(5), threshold=1.0),
              Case("ops.threshold", f32(5), 0.5, -1.0),
              Case("ops.softmax", f32(2, 3, 4), axis=1), Case("ops.softmax", f32(2, 3, 4), axis=(1, 2)),
              Case("ops.log_softmax", f32(2, 3, 4), axis=(0, 2)),
              Case("ops.sparsemax", f32(3, 4), axis=0)]
    cases += _conv_cases()
    labels = np.array([0, 2, 1, 4])
    cases += [Case("ops.one_hot", labels, 4), Case("ops.one_hot", labels, 5, axis=0, dtype="int32"),
              Case("ops.one_hot", np.array([[0, 1], [2, 3]]), 3),
              Case("ops.multi_hot", np.array([[0, 1], [2, 2]]), 4),
              Case("ops.multi_hot", np.array([0, 3]), num_classes=5, dtype="int32"),
              Case("ops.multi_hot", np.array([[0, 1]]), num_tokens=3),
              Case("ops.multi_hot", np.array([[0, 1]]))]
    probs = rng.dirichlet(np.ones(5), size=3).astype("float32")
    onehot = np.eye(5, dtype="float32")[[0, 3, 4]]
    cases += [Case("ops.categorical_crossentropy", onehot, probs),
              Case("ops.categorical_crossentropy", onehot, f32(3, 5), from_logits=True),
              Case("ops.categorical_crossentropy", onehot, f32(3, 4)),
              Case("ops.sparse_categorical_crossentropy", np.array([0, 3, 4]), probs),
              Case("ops.sparse_categorical_crossentropy", np.array([[0], [3], [4]]), f32(3, 5),
                   from_logits=True),
              Case("ops.sparse_categorical_crossentropy", np.array([0, 3]), f32(3, 5)),
              Case("ops.binary_crossentropy", (f32(3, 2) > 0).astype("float32"),
                   f32(3, 2, low=0.01, high=0.99)),
              Case("ops.binary_crossentropy", (f32(3, 2) > 0).astype("float32"), f32(3, 2),
                   from_logits=True),
              Case("ops.binary_crossentropy", f32(3), f32(2))]
    x = f32(4, 3, 5)
    cases += [Case("ops.moments", x, axes=[0, 1]), Case("ops.moments", x, axes=[2], keepdims=True),
              Case("ops.moments", x.astype("float16"), axes=[0]),
              Case("ops.batch_normalization", x, f32(5), f32(5, low=0.5, high=2), axis=-1,
                   offset=f32(5), scale=f32(5), grad=True),
              Case("ops.batch_normalization", x, f32(3), f32(3, low=0.5, high=2), axis=1,
                   epsilon=0.1),
              Case("ops.layer_normalization", x, grad=True),
              Case("ops.layer_normalization", x, f32(5), f32(5), axis=-1, epsilon=1e-3),
              Case("ops.layer_normalization", x, f32(3, 5), f32(3, 5), axis=(1, 2)),
              Case("ops.rms_normalization", x, grad=True),
              Case("ops.rms_normalization", x, f32(5), axis=-1, epsilon=1e-5),
              Case("ops.rms_normalization", x, axis=(1, 2)),
              Case("ops.normalize", x, grad=True), Case("ops.normalize", x, axis=0, order=1),
              Case("ops.normalize", x, order=3), Case("ops.normalize", x, order=0),
              Case("ops.polar", f32(3, low=0.1), f32(3)),
              Case("ops.psnr", f32(2, 4, 4, 1, low=0, high=1), f32(2, 4, 4, 1, low=0, high=1), 1.0),
              Case("ops.psnr", f32(2, 3), f32(3, 2), 1.0)]
    target = np.array([[1, 2, 2, 0], [3, 1, 0, 0]], "int32")
    logits = f32(2, 6, 5)
    cases += [Case("ops.ctc_loss", target, logits, np.array([3, 2]), np.array([6, 5]),
                   tol=(1e-4, 1e-5)),
              Case("ops.ctc_loss", target, logits, np.array([3, 2]), np.array([6, 5]),
                   mask_index=4, tol=(1e-4, 1e-5)),
              Case("ops.ctc_decode", logits, np.array([6, 4])),
              Case("ops.ctc_decode", logits, np.array([6, 4]), merge_repeated=False,
                   mask_index=2),
              Case("ops.ctc_decode", logits, np.array([6, 4]), strategy="nope")]
    q, k, v = f32(2, 4, 4, 8), f32(2, 5, 4, 8), f32(2, 5, 4, 8)
    mask = rng.random((2, 1, 4, 5)) > 0.3
    cases += [Case("ops.dot_product_attention", q, k, v, grad=True),
              Case("ops.dot_product_attention", q, k, v, mask=mask, scale=0.5),
              Case("ops.dot_product_attention", q, k, v, bias=f32(2, 4, 4, 5)),
              Case("ops.dot_product_attention", q, f32(2, 4, 4, 8), f32(2, 4, 4, 8), is_causal=True),
              Case("ops.dot_product_attention", q, f32(2, 5, 2, 8), f32(2, 5, 2, 8)),
              Case("ops.dot_product_attention", f32(2, 4, 8), k, v),
              Case("ops.dot_product_attention", q, k, v, attn_logits_soft_cap=20.0)]
    img = f32(2, 3, 6, 5)
    cases += [Case("ops.unfold", img, 2), Case("ops.unfold", img, (3, 2), dilation=1, padding=1, stride=2),
              Case("ops.unfold", f32(3, 4), 2),
              Case("ops.fold", f32(2, 12, 20), (6, 5), 2),
              Case("ops.fold", f32(2, 6, 12), (5, 5), (2, 1), padding=1, stride=2),
              Case("ops.fold", f32(2, 3, 4, 5), 4, 2),
              Case("ops.depth_to_space", f32(2, 3, 4, 8), 2),
              Case("ops.depth_to_space", f32(2, 8, 3, 4), 2, data_format="channels_first"),
              Case("ops.space_to_depth", f32(2, 4, 6, 3), 2),
              Case("ops.space_to_depth", f32(2, 3, 4, 6), 2, data_format="channels_first"),
              Case("ops.space_to_depth", f32(2, 4, 6, 3), 1)]
    return cases


CASES = _cases()


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.id for c in CASES])
def test_matches_keras_jax_backend(index, keras_ref):
    check_case(jkeras, CASES[index], keras_ref[index])


def test_pool_strides_default_to_pool_size():
    # Keras's JAX backend fails on strides=None (it expands pool_size twice); the documented
    # default is strides = pool_size.
    x = f32(2, 6, 5, 3)
    for op in (jkeras.ops.max_pool, jkeras.ops.average_pool):
        np.testing.assert_array_equal(op(x, 2), op(x, 2, strides=2))
        np.testing.assert_array_equal(op(x, (2, 1)), op(x, (2, 1), strides=(2, 1)))
