"""`layer_test` on every layer class jkeras.layers exports (one case per class; aliases share
their class's case): purity, jit, gradients, shapes, config, weight files and tf.keras parity."""
import inspect

import jkeras
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

# Not layers one calls on data: the base class, the spec object and the graph input.
NOT_CALLABLE = {"Layer": "abstract base class", "InputSpec": "not a layer",
                "InputLayer": "the functional graph's input (tests/models)"}

SEQ, IMG, VOL = (2, 5, 3), (2, 6, 6, 3), (2, 4, 4, 4, 2)
_r = np.random.default_rng(0)
_h = lambda: _r.normal(size=(2, 3)).astype("float32")  # noqa: E731

# name -> (init_kwargs, layer_test keyword arguments)
CASES = {
    "Dense": ({"units": 3}, dict(input_shape=(2, 4), expected_output_shape=(2, 3),
                                 expected_num_trainable_weights=2)),
    "Activation": ({"activation": "tanh"}, dict(input_shape=(2, 4), expected_output_shape=(2, 4))),
    "Flatten": ({}, dict(input_shape=(2, 3, 4), expected_output_shape=(2, 12))),
    "Reshape": ({"target_shape": (4, 3)}, dict(input_shape=(2, 12),
                                               expected_output_shape=(2, 4, 3))),
    "Lambda": ({"function": jkeras.activations.tanh}, dict(
        input_shape=(2, 4), expected_output_shape=(2, 4), tf_parity=False)),
    "Identity": ({}, dict(input_shape=(2, 4), expected_output_shape=(2, 4))),
    "Add": ({}, dict(input_shape=[(2, 4), (2, 4)], expected_output_shape=(2, 4))),
    "Subtract": ({}, dict(input_shape=[(2, 4), (2, 4)], expected_output_shape=(2, 4))),
    "Multiply": ({}, dict(input_shape=[(2, 4), (2, 4)], expected_output_shape=(2, 4))),
    "Average": ({}, dict(input_shape=[(2, 4), (2, 4), (2, 4)], expected_output_shape=(2, 4))),
    "Maximum": ({}, dict(input_shape=[(2, 4), (2, 4)], expected_output_shape=(2, 4))),
    "Minimum": ({}, dict(input_shape=[(2, 4), (2, 4)], expected_output_shape=(2, 4))),
    "Concatenate": ({"axis": 1}, dict(input_shape=[(2, 4), (2, 3)], expected_output_shape=(2, 7))),
    "Dot": ({"axes": 1, "normalize": True}, dict(input_shape=[(2, 4), (2, 4)],
                                                 expected_output_shape=(2, 1))),
    "Normalization": ({"mean": [0.5, -1.0, 2.0], "variance": [4.0, 0.25, 1.0]},
                      dict(input_shape=(2, 3), expected_output_shape=(2, 3))),
    "BatchNormalization": ({"momentum": 0.9}, dict(
        input_shape=(3, 4), expected_output_shape=(3, 4), expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=2)),
    "LayerNormalization": ({"axis": -1}, dict(input_shape=SEQ, expected_output_shape=SEQ,
                                              expected_num_trainable_weights=2)),
    "Dropout": ({"rate": 0.3, "seed": 1}, dict(input_shape=(2, 4), expected_output_shape=(2, 4),
                                               expected_num_seed_generators=1)),
    "SpatialDropout1D": ({"rate": 0.2}, dict(input_shape=SEQ, expected_output_shape=SEQ)),
    "SpatialDropout2D": ({"rate": 0.2}, dict(input_shape=IMG, expected_output_shape=IMG)),
    "SpatialDropout3D": ({"rate": 0.2}, dict(input_shape=VOL, expected_output_shape=VOL)),
    "GaussianNoise": ({"stddev": 0.2}, dict(input_shape=(2, 4), expected_output_shape=(2, 4))),
    "ActivityRegularization": ({"l1": 0.01, "l2": 0.02},
                               dict(input_shape=(2, 4), expected_output_shape=(2, 4))),
    "ReLU": ({"max_value": 1.0, "negative_slope": 0.1}, dict(input_shape=(2, 4),
                                                              expected_output_shape=(2, 4))),
    "LeakyReLU": ({"negative_slope": 0.2}, dict(input_shape=(2, 4), expected_output_shape=(2, 4))),
    "Softmax": ({"axis": 1}, dict(input_shape=SEQ, expected_output_shape=SEQ)),
    "ELU": ({"alpha": 0.5}, dict(input_shape=(2, 4), expected_output_shape=(2, 4))),
    "Rescaling": ({"scale": 0.5, "offset": -1.0}, dict(input_shape=(2, 4),
                                                       expected_output_shape=(2, 4))),
    "Conv1D": ({"filters": 4, "kernel_size": 3, "padding": "same"},
               dict(input_shape=SEQ, expected_output_shape=(2, 5, 4))),
    "Conv2D": ({"filters": 2, "kernel_size": (2, 3), "strides": 2},
               dict(input_shape=IMG, expected_output_shape=(2, 3, 2, 2))),
    "Conv3D": ({"filters": 2, "kernel_size": 2}, dict(input_shape=VOL,
                                                      expected_output_shape=(2, 3, 3, 3, 2))),
    "Conv1DTranspose": ({"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
                        dict(input_shape=SEQ, expected_output_shape=(2, 10, 2))),
    "Conv2DTranspose": ({"filters": 2, "kernel_size": 3, "strides": 2},
                        dict(input_shape=IMG, expected_output_shape=(2, 13, 13, 2))),
    "Conv3DTranspose": ({"filters": 2, "kernel_size": 2}, dict(
        input_shape=VOL, expected_output_shape=(2, 5, 5, 5, 2))),
    "DepthwiseConv1D": ({"kernel_size": 2, "depth_multiplier": 2},
                        dict(input_shape=SEQ, expected_output_shape=(2, 4, 6))),
    "DepthwiseConv2D": ({"kernel_size": 3, "padding": "same"},
                        dict(input_shape=IMG, expected_output_shape=IMG)),
    "SeparableConv1D": ({"filters": 4, "kernel_size": 3}, dict(
        input_shape=SEQ, expected_output_shape=(2, 3, 4), expected_num_trainable_weights=3)),
    "SeparableConv2D": ({"filters": 4, "kernel_size": 3}, dict(
        input_shape=IMG, expected_output_shape=(2, 4, 4, 4), expected_num_trainable_weights=3)),
    "MaxPooling1D": ({"pool_size": 2}, dict(input_shape=SEQ, expected_output_shape=(2, 2, 3))),
    "MaxPooling2D": ({"pool_size": 2, "padding": "same"},
                     dict(input_shape=(2, 5, 5, 3), expected_output_shape=(2, 3, 3, 3))),
    "MaxPooling3D": ({"pool_size": 2}, dict(input_shape=VOL,
                                            expected_output_shape=(2, 2, 2, 2, 2))),
    "AveragePooling1D": ({"pool_size": 2, "strides": 1},
                         dict(input_shape=SEQ, expected_output_shape=(2, 4, 3))),
    "AveragePooling2D": ({"pool_size": 3, "padding": "same"},
                         dict(input_shape=IMG, expected_output_shape=(2, 2, 2, 3))),
    "AveragePooling3D": ({"pool_size": 2}, dict(input_shape=VOL,
                                                expected_output_shape=(2, 2, 2, 2, 2))),
    "GlobalAveragePooling1D": ({}, dict(input_shape=SEQ, expected_output_shape=(2, 3))),
    "GlobalAveragePooling2D": ({"keepdims": True}, dict(input_shape=IMG,
                                                        expected_output_shape=(2, 1, 1, 3))),
    "GlobalAveragePooling3D": ({}, dict(input_shape=VOL, expected_output_shape=(2, 2))),
    "GlobalMaxPooling1D": ({}, dict(input_shape=SEQ, expected_output_shape=(2, 3))),
    "GlobalMaxPooling2D": ({}, dict(input_shape=IMG, expected_output_shape=(2, 3))),
    "GlobalMaxPooling3D": ({"keepdims": True}, dict(input_shape=VOL,
                                                    expected_output_shape=(2, 1, 1, 1, 2))),
    "Permute": ({"dims": (2, 1)}, dict(input_shape=SEQ, expected_output_shape=(2, 3, 5))),
    "RepeatVector": ({"n": 3}, dict(input_shape=(2, 4), expected_output_shape=(2, 3, 4))),
    "UpSampling1D": ({"size": 2}, dict(input_shape=SEQ, expected_output_shape=(2, 10, 3))),
    "UpSampling2D": ({"size": (2, 1), "interpolation": "bilinear"},
                     dict(input_shape=IMG, expected_output_shape=(2, 12, 6, 3))),
    "ZeroPadding1D": ({"padding": (1, 2)}, dict(input_shape=SEQ, expected_output_shape=(2, 8, 3))),
    "ZeroPadding2D": ({"padding": ((1, 0), (2, 1))}, dict(input_shape=IMG,
                                                          expected_output_shape=(2, 7, 9, 3))),
    "Cropping1D": ({"cropping": (1, 0)}, dict(input_shape=SEQ, expected_output_shape=(2, 4, 3))),
    "Cropping2D": ({"cropping": ((1, 0), (0, 2))}, dict(input_shape=IMG,
                                                        expected_output_shape=(2, 5, 4, 3))),
    "Embedding": ({"input_dim": 10, "output_dim": 3}, dict(
        input_shape=(2, 5), input_dtype="int32", expected_output_shape=(2, 5, 3),
        expected_num_trainable_weights=1)),
    "RNN": ({"cell": L.SimpleRNNCell(3), "return_sequences": True},
            dict(input_shape=SEQ, expected_output_shape=(2, 5, 3))),
    "SimpleRNN": ({"units": 3}, dict(input_shape=SEQ, expected_output_shape=(2, 3),
                                     expected_num_trainable_weights=3)),
    "LSTM": ({"units": 3, "return_state": True}, dict(
        input_shape=SEQ, expected_output_shape=[(2, 3)] * 3, expected_num_trainable_weights=3)),
    "GRU": ({"units": 3, "return_sequences": True}, dict(
        input_shape=SEQ, expected_output_shape=(2, 5, 3), expected_num_trainable_weights=3)),
    "SimpleRNNCell": ({"units": 3}, dict(input_data={"inputs": _h(), "states": [_h()]},
                                         expected_output_shape=[(2, 3), (2, 3)])),
    "LSTMCell": ({"units": 3}, dict(input_data={"inputs": _h(), "states": [_h(), _h()]},
                                    expected_output_shape=[(2, 3)] * 3)),
    "GRUCell": ({"units": 3}, dict(input_data={"inputs": _h(), "states": [_h()]},
                                   expected_output_shape=[(2, 3), (2, 3)])),
    "Bidirectional": ({"layer": L.GRU(2, return_sequences=True)}, dict(
        input_shape=SEQ, expected_output_shape=(2, 5, 4), expected_num_trainable_weights=6)),
    "MultiHeadAttention": ({"num_heads": 2, "key_dim": 2}, dict(
        input_shape={"query_shape": (2, 3, 4), "value_shape": (2, 5, 4)},
        expected_output_shape=(2, 3, 4), expected_num_trainable_weights=8)),
}


# Layers added with the harness have their layer_test calls in their own test files.
TESTED_ELSEWHERE = {
    "TimeDistributed": "test_wrappers.py", "Wrapper": "test_wrappers.py",
    "Masking": "test_masking_prelu.py", "PReLU": "test_masking_prelu.py",
    "GaussianDropout": "test_regularization_more.py",
    "AlphaDropout": "test_regularization_more.py", "Attention": "test_dot_attention.py",
    "AdditiveAttention": "test_dot_attention.py",
    "GroupNormalization": "test_normalization_more.py",
    "UnitNormalization": "test_normalization_more.py",
    "RMSNormalization": "test_normalization_more.py", "EinsumDense": "test_einsum_dense.py",
    "UpSampling3D": "test_reshaping_3d.py", "ZeroPadding3D": "test_reshaping_3d.py",
    "Cropping3D": "test_reshaping_3d.py",
    "GroupQueryAttention": "test_grouped_attention.py",
    "StackedRNNCells": "test_stacked_rnn_cells.py", "JaxLayer": "test_jax_layer.py",
    "ConvLSTM1D": "test_conv_lstm.py", "ConvLSTM2D": "test_conv_lstm.py",
    "ConvLSTM3D": "test_conv_lstm.py",
    "ReversibleEmbedding": "test_reversible_embedding.py",
    "SpectralNormalization": "test_spectral_normalization.py",
    "FlaxLayer": "test_flax_layer.py",
    "STFTSpectrogram": "preprocessing/test_stft_spectrogram.py",
    "MelSpectrogram": "preprocessing/test_mel_spectrogram.py",
    "Pipeline": "preprocessing/test_pipeline.py",
    "ContrastLimitedAdaptiveHistogramEqualization": "preprocessing/test_image_clahe.py",
    "RandomElasticTransform": "preprocessing/test_image_elastic.py",
    "RandAugment": "preprocessing/test_image_composite.py",
    "AugMix": "preprocessing/test_image_composite.py",
    "MaxNumBoundingBoxes": "preprocessing/test_bounding_boxes.py",
    **{f"Adaptive{k}Pooling{d}D": "test_adaptive_pooling.py" for k in ("Average", "Max")
       for d in (1, 2, 3)},
}


# Preprocessing layers: their layer_test cases are in preprocessing/test_harness_preprocessing.py
# (random layers compared in inference mode, host layers through layer_test's host checks).
TESTED_ELSEWHERE.update({n: "preprocessing/test_harness_preprocessing.py" for n in (
    "AutoContrast", "CategoryEncoding", "CenterCrop", "CutMix", "Discretization", "Equalization",
    "HashedCrossing", "Hashing", "IntegerLookup", "MixUp", "RandomBrightness",
    "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomCrop",
    "RandomErasing", "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHue",
    "RandomInvert", "RandomPerspective", "RandomPosterization", "RandomRotation",
    "RandomSaturation", "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom",
    "Resizing", "Solarization", "StringLookup", "TextVectorization")})


def _exported_classes():
    names = {}
    for name in L.__all__:
        obj = getattr(L, name)
        if inspect.isclass(obj):
            names.setdefault(obj, name)
    return sorted(n for n in names.values() if n not in NOT_CALLABLE)


def test_every_exported_class_has_a_case():
    assert sorted(set(_exported_classes()) - set(CASES) - set(TESTED_ELSEWHERE)) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer(tf, name):
    init_kwargs, kwargs = CASES[name]
    layer_test(getattr(L, name), init_kwargs, **kwargs)
