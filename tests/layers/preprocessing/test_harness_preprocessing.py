"""`layer_test` on the preprocessing layers (see tests/layers/test_harness_existing.py): purity,
jit, gradients where there are weights, shapes, config round trips, weight files and tf.keras
parity built from our config. Random layers are compared in inference mode (identity, as
tf.keras) and run once in training mode; their exact training outputs and distributions are in
the family test files. Host layers (strings, vocabularies, hashes) run the host subset of the
checks (see layer_test's docstring)."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test

_r = np.random.default_rng(0)
IMG = _r.uniform(0, 255, size=(2, 8, 8, 3)).astype("float32")
IMG_CF = np.transpose(IMG, (0, 3, 1, 2))
IDS = np.array([[0, 2, 1], [3, 3, 0]], "int32")
WORDS = np.array([["cat", "dog"], ["fish", "cat"]])
INTS = np.array([[5, 7], [9, 5]], "int64")


def _img(**kw):
    return dict(input_data=IMG, **kw)


# name -> (init_kwargs, layer_test keyword arguments)
CASES = {
    "Resizing": ({"height": 5, "width": 4, "interpolation": "bilinear"},
                 _img(expected_output_shape=(2, 5, 4, 3))),
    "CenterCrop": ({"height": 4, "width": 6}, _img(expected_output_shape=(2, 4, 6, 3))),
    "RandomCrop": ({"height": 6, "width": 6, "seed": 1}, _img(
        expected_output_shape=(2, 6, 6, 3), tf_parity=False)),  # Keras 3.15 does not crop at
    # inference (contrary to its docstring); jkeras does: see image_resizing.RandomCrop
    "RandomFlip": ({"mode": "horizontal_and_vertical", "seed": 2}, _img()),
    "RandomRotation": ({"factor": 0.2, "fill_mode": "constant"}, _img()),
    "RandomZoom": ({"height_factor": 0.2, "width_factor": (-0.1, 0.3)}, _img()),
    "RandomTranslation": ({"height_factor": 0.1, "width_factor": 0.2}, _img()),
    "RandomShear": ({"x_factor": (0.0, 0.2), "y_factor": (0.1, 0.3)}, _img()),  # tf.keras's
    # from_config refuses its own negative lower bounds
    "RandomPerspective": ({"factor": 0.5, "scale": 0.5, "seed": 3}, _img()),
    "RandomContrast": ({"factor": 0.3}, _img()),
    "RandomBrightness": ({"factor": 0.2}, _img()),
    "RandomGrayscale": ({"factor": 0.5}, _img()),
    "RandomHue": ({"factor": 0.3, "value_range": (0, 255)}, _img()),
    "RandomSaturation": ({"factor": 0.4}, _img()),
    "RandomColorDegeneration": ({"factor": 0.5}, _img()),
    "RandomColorJitter": ({"brightness_factor": 0.2, "contrast_factor": 0.3}, _img()),
    "RandomInvert": ({"factor": 0.5}, _img()),
    "RandomPosterization": ({"factor": (1, 4)}, _img()),
    "RandomSharpness": ({"factor": 0.3}, _img()),
    "RandomGaussianBlur": ({"factor": 0.5, "kernel_size": 3, "sigma": 1.0}, _img()),
    "RandomErasing": ({"factor": 0.5, "scale": (0.1, 0.3)}, _img()),
    "Solarization": ({"addition_factor": 0.2, "threshold_factor": 0.3}, _img()),
    "AutoContrast": ({"value_range": (0, 255)}, _img()),
    "Equalization": ({"value_range": (0, 255), "bins": 64}, _img()),
    "MixUp": ({"alpha": 0.3}, _img()),
    "CutMix": ({"factor": 0.5}, _img()),
    "CategoryEncoding": ({"num_tokens": 4, "output_mode": "multi_hot"},
                         dict(input_data=IDS, expected_output_shape=(2, 4))),
    "Discretization": ({"bin_boundaries": [-0.5, 0.0, 0.7]},
                       dict(input_shape=(3, 4), expected_output_shape=(3, 4))),
    # host layers
    "StringLookup": ({"vocabulary": ["cat", "dog"], "num_oov_indices": 2},
                     dict(input_data=WORDS, expected_output_shape=(2, 2))),
    "IntegerLookup": ({"vocabulary": [5, 9], "output_mode": "count"},
                      dict(input_data=INTS, expected_output_shape=(2, 3))),
    "Hashing": ({"num_bins": 7, "salt": 3}, dict(input_data=WORDS, expected_output_shape=(2, 2))),
    "HashedCrossing": ({"num_bins": 5}, dict(
        input_data=[np.array(["a", "b", "c"]), np.array([1, 2, 3])], expected_output_shape=(3,))),
    "TextVectorization": ({"vocabulary": ["the", "cat", "sat"], "output_sequence_length": 5},
                          dict(input_data=np.array(["the cat sat down", "a cat"]),
                               expected_output_shape=(2, 5))),
}

CHANNELS_FIRST = {  # a data_format case for the layers whose work depends on the layout
    "Resizing": ({"height": 5, "width": 4, "data_format": "channels_first"},
                 dict(input_data=IMG_CF, expected_output_shape=(2, 3, 5, 4))),
    "CenterCrop": ({"height": 4, "width": 6, "data_format": "channels_first"},
                   dict(input_data=IMG_CF, expected_output_shape=(2, 3, 4, 6))),
    "AutoContrast": ({"value_range": (0, 255), "data_format": "channels_first"},
                     dict(input_data=IMG_CF)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer(tf, name):
    init_kwargs, kwargs = CASES[name]
    layer_test(getattr(L, name), init_kwargs, **kwargs)


@pytest.mark.parametrize("name", sorted(CHANNELS_FIRST))
def test_layer_channels_first(name):
    init_kwargs, kwargs = CHANNELS_FIRST[name]
    # TF's NCHW kernels depend on the CPU: parity for channels_first is in the family files
    layer_test(getattr(L, name), init_kwargs, tf_parity=False, **kwargs)
