"""InceptionV3 (`keras.applications.inception_v3`). Default input 299x299, minimum 75x75;
inputs as `inception_v3.preprocess_input` (tf mode). Its conv/BatchNorm/ReLU units are
unnamed in Keras (`conv2d_N`, `batch_normalization_N`, `activation_N`): they are created here
in Keras's order so the automatic names agree."""
from jkeras import layers
from jkeras.applications import common

URL = common.WEIGHTS_BASE + "inception_v3/"
IMAGENET = {True: ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5", URL,
                   "9a0d58056eeedaa3f26cb7ebd46da564"),
            False: ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", URL,
                    "bcbd6486424b2319ff4ef7d526e38f63")}


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """Conv2D (no bias) + BatchNorm (no scale) + ReLU."""
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=3, scale=False,
                                  name=None if name is None else f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _chain(x, specs):
    """conv2d_bn applied in turn for each (filters, rows, cols[, strides, padding])."""
    for spec in specs:
        filters, rows, cols = spec[:3]
        strides, padding = (spec[3], spec[4]) if len(spec) > 3 else ((1, 1), "same")
        x = conv2d_bn(x, filters, rows, cols, padding=padding, strides=strides)
    return x


def _avg_branch(x, filters):
    pool = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(pool, filters, 1, 1)


def _mixed_a(x, pool_filters, name):
    branches = [_chain(x, [(64, 1, 1)]), _chain(x, [(48, 1, 1), (64, 5, 5)]),
                _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)]), _avg_branch(x, pool_filters)]
    return layers.Concatenate(axis=3, name=name)(branches)


def _mixed_c(x, width, name):
    branches = [_chain(x, [(192, 1, 1)]),
                _chain(x, [(width, 1, 1), (width, 1, 7), (192, 7, 1)]),
                _chain(x, [(width, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1),
                           (192, 1, 7)]),
                _avg_branch(x, 192)]
    return layers.Concatenate(axis=3, name=name)(branches)


def _mixed_e(x, i):
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = conv2d_bn(x, 384, 1, 1)
    branch3x3 = layers.Concatenate(axis=3, name=f"mixed9_{i}")(
        [conv2d_bn(branch3x3, 384, 1, 3), conv2d_bn(branch3x3, 384, 3, 1)])
    branch3x3dbl = _chain(x, [(448, 1, 1), (384, 3, 3)])
    branch3x3dbl = layers.Concatenate(axis=3)(
        [conv2d_bn(branch3x3dbl, 384, 1, 3), conv2d_bn(branch3x3dbl, 384, 3, 1)])
    return layers.Concatenate(axis=3, name=f"mixed{9 + i}")(
        [branch1x1, branch3x3, branch3x3dbl, _avg_branch(x, 192)])


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="inception_v3"):
    """InceptionV3 (Szegedy et al., 2016) with Keras's layer names and weight order."""
    img_input = common.checked_input(input_tensor, input_shape, include_top, weights, classes,
                                     style="inception", default_size=299, min_size=75)
    valid2 = ((2, 2), "valid")
    x = _chain(img_input, [(32, 3, 3) + valid2, (32, 3, 3, (1, 1), "valid"), (64, 3, 3)])
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _chain(x, [(80, 1, 1, (1, 1), "valid"), (192, 3, 3, (1, 1), "valid")])
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _mixed_a(x, 32, "mixed0")
    x = _mixed_a(x, 64, "mixed1")
    x = _mixed_a(x, 64, "mixed2")
    x = layers.Concatenate(axis=3, name="mixed3")(
        [_chain(x, [(384, 3, 3) + valid2]),
         _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3) + valid2]),
         layers.MaxPooling2D((3, 3), strides=(2, 2))(x)])
    x = _mixed_c(x, 128, "mixed4")
    x = _mixed_c(x, 160, "mixed5")
    x = _mixed_c(x, 160, "mixed6")
    x = _mixed_c(x, 192, "mixed7")
    x = layers.Concatenate(axis=3, name="mixed8")(
        [_chain(x, [(192, 1, 1), (320, 3, 3) + valid2]),
         _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1), (192, 3, 3) + valid2]),
         layers.MaxPooling2D((3, 3), strides=(2, 2))(x)])
    x = _mixed_e(x, 0)
    x = _mixed_e(x, 1)
    x = common.avg_pool_head(x, include_top, pooling, classes, classifier_activation, weights,
                             named_pooling=False)
    return common.make_model(img_input, input_tensor, x, name, weights, IMAGENET[include_top])


preprocess_input, decode_predictions = common.family_functions("tf")
