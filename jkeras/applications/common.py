"""What every application shares: argument checks, the image input, the pooling head, the
model itself and its weights (a local file, or Keras's ImageNet weights).

`weights="imagenet"` fetches the file Keras publishes with `utils.get_file`, as Keras does: the
same URL, hash and cache folder (`~/.keras/models`, or `$KERAS_HOME/models`), so a file Keras
downloaded before is used as it is.
"""
import os

from jkeras import layers
from jkeras.applications import imagenet_utils
from jkeras.core.symbolic import KerasTensor
from jkeras.models.functional import Functional
from jkeras.models import keras_ops
from jkeras.utils import file_utils

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def is_file(weights):
    return isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)


_WEIGHTS_ERRORS = {  # Keras's wording differs by family
    "default": ("The `weights` argument should be either `None` (random initialization), "
                "'imagenet' (pre-training on ImageNet), or the path to the weights file to be "
                "loaded.  Received: weights={weights}",
                "If using `weights='imagenet'` with `include_top=True`, `classes` should be "
                "{n}.  Received classes={classes}"),
    "mobilenet": ("The `weights` argument should be either `None` (random initialization), "
                  "'imagenet' (pre-training on ImageNet), or the path to the weights file to "
                  "be loaded. Received weights={weights}",
                  "If using `weights='imagenet'` with `include_top=True`, `classes` should be "
                  "{n}.  Received classes={classes}"),
    "mobilenet_v2": ("The `weights` argument should be either `None` (random "
                     "initialization), `imagenet` (pre-training on ImageNet), or the path to "
                     "the weights file to be loaded.  Received `weights={weights}`",
                     'If using `weights="imagenet"` with `include_top` as true, `classes` '
                     "should be {n}. Received `classes={classes}`"),
    "mobilenet_v3": ("The `weights` argument should be either `None` (random "
                     "initialization), `imagenet` (pre-training on ImageNet), or the path to "
                     "the weights file to be loaded.  Received weights={weights}",
                     'If using `weights="imagenet"` with `include_top` as true, `classes` '
                     "should be {n}.  Received classes={classes}"),
    "densenet": ("The `weights` argument should be either `None` (random initialization), "
                 "`imagenet` (pre-training on ImageNet), or the path to the weights file to "
                 "be loaded.",
                 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
                 "should be {n}"),
    "xception": ("The `weights` argument should be either `None` (random initialization), "
                 "'imagenet' (pre-training on ImageNet), or the path to the weights file to be "
                 "loaded.",
                 "If using `weights='imagenet'` with `include_top=True`, `classes` should be "
                 "{n}.  Received classes={classes}"),
    "inception": ("The `weights` argument should be either `None` (random initialization), "
                  "`imagenet` (pre-training on ImageNet), or the path to the weights file to "
                  "be loaded; Received: weights={weights}",
                  'If using `weights="imagenet"` with `include_top=True`, `classes` should be '
                  "{n}. Received classes={classes}"),
    "inception_resnet": ("The `weights` argument should be either `None` (random "
                         "initialization), `imagenet` (pre-training on ImageNet), or the path "
                         "to the weights file to be loaded.",
                         'If using `weights="imagenet"` with `include_top=True`, `classes` '
                         "should be {n}. Received classes={classes}"),
    "efficientnet": ("The `weights` argument should be either `None` (random "
                     "initialization), `imagenet` (pre-training on ImageNet), or the path to "
                     "the weights file to be loaded.",
                     'If using `weights="imagenet"` with `include_top` as true, `classes` '
                     "should be {n}"),
    "convnext": ("The `weights` argument should be either `None` (random initialization), "
                 "`imagenet` (pre-training on ImageNet), or the path to the weights file to "
                 "be loaded.",
                 'If using `weights="imagenet"` with `include_top=True`, `classes` should be '
                 "{n}. Received classes={classes}"),
    "efficientnet_v2": ("The `weights` argument should be either `None` (random "
                        "initialization), `imagenet` (pre-training on ImageNet), or the path "
                        "to the weights file to be loaded.Received: weights={weights}",
                        'If using `weights="imagenet"` with `include_top` as true, `classes` '
                        "should be {n}"),
}


def check_weights(weights, include_top, classes, style="default", num_classes=1000):
    """Keras's checks of `weights` and `classes`, in the wording of the family (`style`)."""
    weights_error, classes_error = _WEIGHTS_ERRORS[style]
    if not (weights in {"imagenet", None} or is_file(weights)):
        raise ValueError(weights_error.format(weights=weights))
    if weights == "imagenet" and include_top and classes != num_classes:
        raise ValueError(classes_error.format(n=num_classes, classes=classes))


def checked_input(input_tensor, input_shape, include_top, weights, classes, style="default",
                  default_size=224, min_size=32):
    """Keras's argument checks, then the image input (a new `Input`, or `input_tensor`)."""
    check_weights(weights, include_top, classes, style=style)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=min_size,
        data_format="channels_last", require_flatten=include_top, weights=weights)
    return image_input(input_tensor, input_shape)


def sized_input_shape(input_shape, spatial, sizes, include_top, weights):
    """`obtain_input_shape` with the default size taken from a square `spatial` size in
    `sizes` (the sizes a family has ImageNet weights for), else 224."""
    default_size = 224
    if spatial is not None and spatial[0] == spatial[1] and spatial[0] in sizes:
        default_size = spatial[0]
    return imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32, data_format="channels_last",
        require_flatten=include_top, weights=weights)


def image_input(input_tensor, input_shape):
    """The model's input: a new `Input`, or the given symbolic `input_tensor`."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not isinstance(input_tensor, KerasTensor):
        raise ValueError("`input_tensor` must be a symbolic tensor (the output of "
                         "`jkeras.Input()` or of a layer called on one); jkeras cannot wrap a "
                         f"concrete array. Received: input_tensor={input_tensor!r} of type "
                         f"{type(input_tensor).__name__}")
    return input_tensor


def source_inputs(tensor):
    """The `Input`s a symbolic tensor comes from (Keras's `get_source_inputs`)."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        layer, node, _ = t._keras_history
        if node is None:
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
            continue
        stack.extend(reversed(node.input_tensors))
    return found


def keras_op(class_name, *args):
    """`x + 3.0` as Keras 3 records it: an operation node (not listed in `model.layers`,
    named from the same counters as layers), where jkeras's own `KerasTensor` arithmetic
    would add a `Lambda` layer."""
    op = keras_ops.BY_NAME[class_name]()
    return op(*op.bind_static(list(args)))


def pooled(x, pooling, name=None):
    """The optional global pooling of a headless model."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=name)(x)
    return x


def avg_pool_head(x, include_top, pooling, classes, classifier_activation, weights,
                  dropout_rate=0.0, kernel_initializer="glorot_uniform", named_pooling=True):
    """The top most families share: "avg_pool" (+ "top_dropout") + Dense "predictions", or,
    headless, the optional pooling named "avg_pool" / "max_pool" (unnamed in some families)."""
    if not include_top:
        names = {"avg": "avg_pool", "max": "max_pool"} if named_pooling else {}
        return pooled(x, pooling, name=names.get(pooling))
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name="top_dropout")(x)
    imagenet_utils.validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation,
                        kernel_initializer=kernel_initializer, name="predictions")(x)


def plain_head(x, include_top, pooling, classes, classifier_activation, weights):
    """Unnamed GlobalAveragePooling2D + Dense "predictions", or, headless, the optional
    unnamed pooling (MobileNetV2, NASNet)."""
    if not include_top:
        return pooled(x, pooling)
    x = layers.GlobalAveragePooling2D()(x)
    imagenet_utils.validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def make_model(img_input, input_tensor, outputs, name, weights, imagenet_file=None):
    """The functional model, with its weights loaded when asked.

    imagenet_file: (file name, URL folder, md5 or sha256 hash) of the ImageNet weights for this variant,
    or None where Keras has none for these arguments. Where Keras caches the file under another
    name than the one it downloads, the URL is the file's full URL (not ending in "/").
    """
    inputs = source_inputs(input_tensor) if input_tensor is not None else img_input
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    model = Functional(inputs, outputs, name=name)
    if weights == "imagenet":
        model.load_weights(imagenet_weights_path(name, imagenet_file))
    elif weights is not None:
        model.load_weights(weights)
    return model


def imagenet_weights_path(model_name, imagenet_file):
    """The local copy of a Keras ImageNet weights file (downloaded into Keras's cache when it is
    not there yet), or a clear error when Keras publishes none for these arguments."""
    if imagenet_file is None:
        raise ValueError(f"Keras publishes no ImageNet weights for '{model_name}' with these "
                         "arguments. Use `weights=None` or the path of a weights file.")
    fname, url_dir, file_hash = imagenet_file
    url = url_dir + fname if url_dir.endswith("/") else url_dir
    return file_utils.get_file(fname, url, cache_subdir="models", file_hash=file_hash)


_MODE_DOC = {"caffe": "RGB->BGR, then minus the ImageNet mean pixel (caffe mode).",
             "tf": "Scales pixels from [0, 255] to [-1, 1] (tf mode).",
             "torch": "Scales pixels to [0, 1], then normalises each channel by the ImageNet "
                      "mean and std (torch mode)."}


def family_functions(mode):
    """A family module's `preprocess_input` (Keras's mode for it) and `decode_predictions`."""
    def preprocess_input(x, data_format=None):
        return imagenet_utils.preprocess_input(x, data_format=data_format, mode=mode)

    def decode_predictions(preds, top=5, class_index_path=None):
        return imagenet_utils.decode_predictions(preds, top=top,
                                                 class_index_path=class_index_path)

    preprocess_input.__doc__ = f"Preprocesses a batch of images in [0, 255]: {_MODE_DOC[mode]}"
    decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
    return preprocess_input, decode_predictions
