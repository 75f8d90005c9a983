"""EfficientNetV2B0-B3/S/M/L (`keras.applications.efficientnet_v2`).

The models take images in [0, 255] and preprocess them themselves (`include_preprocessing=True`:
the B variants rescale to [0, 1] and normalise by the ImageNet mean and std, S/M/L rescale to
[-1, 1]); `preprocess_input` is the identity, as in Keras.
"""
import copy
import math

from jkeras import layers
from jkeras.applications import common, efficientnet

URL = common.WEIGHTS_BASE + "efficientnet_v2/"
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
         "se_ratio", "strides", "conv_type")  # conv_type 1: fused MBConv, 0: MBConv
_B = [(3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
      (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
      (3, 8, 112, 192, 6, 0.25, 2, 0)]
_TABLES = {
    "efficientnetv2-s": [(3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1),
                         (3, 4, 48, 64, 4, 0, 2, 1), (3, 6, 64, 128, 4, 0.25, 2, 0),
                         (3, 9, 128, 160, 6, 0.25, 1, 0), (3, 15, 160, 256, 6, 0.25, 2, 0)],
    "efficientnetv2-m": [(3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1),
                         (3, 5, 48, 80, 4, 0, 2, 1), (3, 7, 80, 160, 4, 0.25, 2, 0),
                         (3, 14, 160, 176, 6, 0.25, 1, 0), (3, 18, 176, 304, 6, 0.25, 2, 0),
                         (3, 5, 304, 512, 6, 0.25, 1, 0)],
    "efficientnetv2-l": [(3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1),
                         (3, 7, 64, 96, 4, 0, 2, 1), (3, 10, 96, 192, 4, 0.25, 2, 0),
                         (3, 19, 192, 224, 6, 0.25, 1, 0), (3, 25, 224, 384, 6, 0.25, 2, 0),
                         (3, 7, 384, 640, 6, 0.25, 1, 0)],
    **{f"efficientnetv2-b{i}": _B for i in range(4)},
}
DEFAULT_BLOCKS_ARGS = {name: [dict(zip(_KEYS, row)) for row in rows]
                       for name, rows in _TABLES.items()}


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """Number of filters scaled by the width multiplier, rounded to the divisor."""
    filters *= width_coefficient
    minimum_depth = min_depth or depth_divisor
    return int(max(minimum_depth,
                   int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    """Number of block repeats scaled by the depth multiplier."""
    return int(math.ceil(depth_coefficient * repeats))


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9,
                   activation="swish", blocks_args="default", name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax",
                   include_preprocessing=True, weights_name=None):
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
    img_input = common.checked_input(input_tensor, input_shape, include_top, weights, classes,
                                     style="efficientnet_v2", default_size=default_size)
    x = img_input
    if include_preprocessing:
        if name.split("-")[-1].startswith("b") and img_input.shape[-1] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2], axis=3)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    def filters_of(n):
        return round_filters(n, width_coefficient, min_depth, depth_divisor)

    x = layers.Conv2D(filters_of(blocks_args[0]["input_filters"]), kernel_size=3, strides=2,
                      kernel_initializer=efficientnet.conv_init(), padding="same",
                      use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=3, momentum=bn_momentum, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(args["num_repeat"] for args in blocks_args))
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError("The number of repeats in `EfficientNetV2` must be > 0. "
                             f"Received: num_repeat={args['num_repeat']}")
        args["input_filters"] = filters_of(args["input_filters"])
        args["output_filters"] = filters_of(args["output_filters"])
        block = fused_mb_conv_block if args.pop("conv_type") == 1 else mb_conv_block
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(x, activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * b / blocks,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)
            b += 1
    x = efficientnet.top(x, filters_of(1280), activation, bn_momentum, include_top, pooling,
                         classes, classifier_activation, weights, dropout_rate)
    return common.make_model(img_input, input_tensor, x, name, weights,
                             efficientnet.imagenet_file(name, weights_name, include_top, URL,
                                                        WEIGHTS_HASHES))


def _squeeze_excite(x, filters, input_filters, se_ratio, activation, name):
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape((1, 1, filters), name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=efficientnet.conv_init(), name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=efficientnet.conv_init(), name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _conv_bn(x, filters, kernel_size, strides, bn_momentum, name, activation=None,
             act_name=None):
    x = layers.Conv2D(filters, kernel_size=kernel_size, strides=strides,
                      kernel_initializer=efficientnet.conv_init(), padding="same",
                      use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=3, momentum=bn_momentum, name=f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=act_name)(x)
    return x


def _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name):
    if strides == 1 and input_filters == output_filters:
        if survival_probability:  # Keras passes it as the drop rate
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                               name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def mb_conv_block(inputs, input_filters, output_filters, expand_ratio=1, kernel_size=3,
                  strides=1, se_ratio=0.0, bn_momentum=0.9, activation="swish",
                  survival_probability=0.8, name=""):
    """MBConv: 1x1 expansion, depthwise conv, squeeze-excite, 1x1 projection."""
    filters = input_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv_bn(x, filters, 1, 1, bn_momentum, f"{name}expand", activation,
                     f"{name}expand_activation")
    x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides,
                               depthwise_initializer=efficientnet.conv_init(), padding="same",
                               use_bias=False, name=f"{name}dwconv2")(x)
    x = layers.BatchNormalization(axis=3, momentum=bn_momentum, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
    x = _conv_bn(x, output_filters, 1, 1, bn_momentum, f"{name}project")
    return _residual(x, inputs, strides, input_filters, output_filters, survival_probability,
                     name)


def fused_mb_conv_block(inputs, input_filters, output_filters, expand_ratio=1, kernel_size=3,
                        strides=1, se_ratio=0.0, bn_momentum=0.9, activation="swish",
                        survival_probability=0.8, name=""):
    """Fused MBConv: the expansion and depthwise convolutions fused into one Conv2D."""
    filters = input_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv_bn(x, filters, kernel_size, strides, bn_momentum, f"{name}expand",
                     activation, f"{name}expand_activation")
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
    fused = expand_ratio != 1
    x = _conv_bn(x, output_filters, 1 if fused else kernel_size, 1 if fused else strides,
                 bn_momentum, f"{name}project", None if fused else activation,
                 f"{name}project_activation")
    return _residual(x, inputs, strides, input_filters, output_filters, survival_probability,
                     name)


def _variant(width, depth, size, weights_name):
    default_name = f"efficientnetv2-{weights_name.lstrip('-')}"

    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              include_preprocessing=True, name=default_name):
        return EfficientNetV2(width, depth, size, name=name, include_top=include_top,
                              weights=weights, input_tensor=input_tensor,
                              input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing,
                              weights_name=weights_name)
    label = weights_name.lstrip("-").upper()
    build.__name__ = build.__qualname__ = f"EfficientNetV2{label}"
    build.__doc__ = (f"EfficientNetV2{label} (Tan & Le, 2021), default input {size}x{size}. "
                     "Takes images in [0, 255] (the model preprocesses them itself unless "
                     "`include_preprocessing=False`).")
    return build


EfficientNetV2B0 = _variant(1.0, 1.0, 224, "b0")
EfficientNetV2B1 = _variant(1.0, 1.1, 240, "b1")
EfficientNetV2B2 = _variant(1.1, 1.2, 260, "b2")
EfficientNetV2B3 = _variant(1.2, 1.4, 300, "b3")
EfficientNetV2S = _variant(1.0, 1.0, 384, "-s")
EfficientNetV2M = _variant(1.0, 1.0, 480, "-m")
EfficientNetV2L = _variant(1.0, 1.0, 480, "-l")


def preprocess_input(x, data_format=None):
    """The identity: EfficientNetV2 models preprocess their inputs themselves (as in Keras)."""
    return x


_, decode_predictions = common.family_functions("tf")
