"""`keras.applications.imagenet_utils`: ImageNet preprocessing, decoding and input checks.

`decode_predictions` reads `imagenet_class_index.json` from `class_index_path`, else fetches it
as Keras does (`utils.get_file` into `$KERAS_HOME/models/`, by default `~/.keras/models/`; a copy
already there is used).
"""
import json
import os
import warnings

import jax.numpy as jnp
import numpy as np

from jkeras import activations
from jkeras.utils import file_utils

CLASS_INDEX = None
CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
CAFFE_MEAN = (103.939, 116.779, 123.68)
TORCH_MEAN = (0.485, 0.456, 0.406)
TORCH_STD = (0.229, 0.224, 0.225)


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a batch of images (values in [0, 255]), as Keras's `preprocess_input`.

    mode: "caffe" (RGB->BGR, minus the ImageNet mean pixel, no scaling), "tf" (scaled to
    [-1, 1]) or "torch" (scaled to [0, 1], then normalised by the ImageNet mean and std).
    A NumPy float array is modified in place where the dtype allows (as Keras); a JAX array
    gives a new array.
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    data_format = _data_format(data_format)
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_array(jnp.asarray(x), data_format, mode)


def _data_format(data_format):
    if data_format is None:
        return "channels_last"
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    return data_format


def _channel_shape(ndim, data_format):
    if data_format == "channels_first":
        return (3, 1, 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)
    return (1,) * (ndim - 1) + (3,)


def _flip_channels(x, data_format):
    if data_format == "channels_first":
        return x[::-1, ...] if x.ndim == 3 else x[:, ::-1, ...]
    return x[..., ::-1]


def _preprocess_numpy(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype("float32", copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = TORCH_MEAN, TORCH_STD
    else:
        x = _flip_channels(x, data_format)
        mean, std = CAFFE_MEAN, None
    shape = _channel_shape(x.ndim, data_format)
    x -= np.asarray(mean, x.dtype).reshape(shape)
    if std is not None:
        x /= np.asarray(std, x.dtype).reshape(shape)
    return x


def _preprocess_array(x, data_format, mode):
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype("float32")
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x = x / 255.0
        mean, std = TORCH_MEAN, TORCH_STD
    else:
        x = _flip_channels(x, data_format)
        mean, std = CAFFE_MEAN, None
    shape = _channel_shape(x.ndim, data_format)
    x = x + (-jnp.asarray(mean, x.dtype)).reshape(shape)
    if std is not None:
        x = x / jnp.asarray(std, x.dtype).reshape(shape)
    return x


def decode_predictions(preds, top=5, class_index_path=None):
    """The `top` ImageNet classes of each row of `preds` (shape (samples, 1000)) as lists of
    `(class_name, class_description, score)`.

    The class index is read from `class_index_path`, else from Keras's cache
    (`<KERAS_HOME>/models/imagenet_class_index.json`), downloaded there first if missing.
    """
    global CLASS_INDEX
    preds = np.asarray(preds)
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Received array with shape: {preds.shape}")
    if class_index_path is not None:
        index = _read_class_index(os.fspath(class_index_path))
    else:
        if CLASS_INDEX is None:
            CLASS_INDEX = _read_class_index(_find_class_index())
        index = CLASS_INDEX
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(index[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


def _find_class_index():
    return file_utils.get_file(CLASS_INDEX_FILE, CLASS_INDEX_PATH, cache_subdir="models",
                               file_hash="c2c37ea517e94d9795004a39431a14cb")


def _read_class_index(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"No ImageNet class index at '{path}'. Download "
                                f"{CLASS_INDEX_PATH} and pass its local path.")
    with open(path) as f:
        index = json.load(f)
    if not isinstance(index, dict) or "0" not in index:
        raise ValueError(f"'{path}' is not an ImageNet class index: expected a JSON object "
                         '{"0": ["n01440764", "tench"], ...}.')
    return index


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """The model's input shape from the user's `input_shape` (Keras's checks and errors)."""
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if data_format == "channels_first" else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {channels} input channels.", stacklevel=3)
        default_shape = ((input_shape[0], default_size, default_size)
                         if data_format == "channels_first"
                         else (default_size, default_size, input_shape[-1]))
    else:
        default_shape = ((3, default_size, default_size) if data_format == "channels_first"
                         else (default_size, default_size, 3))
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  Received: "
                             f"input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels, spatial = ((input_shape[0], input_shape[1:]) if data_format == "channels_first"
                             else (input_shape[-1], input_shape[:2]))
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if data_format == "channels_first" else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return tuple(input_shape)


def correct_pad(inputs, kernel_size):
    """The ZeroPadding2D padding before a strided 'valid' convolution (channels_last)."""
    input_size = inputs.shape[1:3]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if input_size[0] is None else (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """Pretrained weights allow only `None` or "softmax" as the classifier activation."""
    if weights is None:
        return
    fn = activations.get(classifier_activation)
    if fn not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, with "
                         "`include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")
