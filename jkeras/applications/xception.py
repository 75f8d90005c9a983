"""Xception (`keras.applications.xception`): depthwise-separable convolutions with residuals.
Default input 299x299, minimum 71x71; inputs as `xception.preprocess_input` (tf mode)."""
from jkeras import layers
from jkeras.applications import common

URL = common.WEIGHTS_BASE + "xception/"
IMAGENET = {True: ("xception_weights_tf_dim_ordering_tf_kernels.h5", URL,
                   "0a58e3b7378bc2990ea3b43d5981f1f6"),
            False: ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", URL,
                    "b0042744bf5b25fce3cb969f33bebb97")}


def _sepconv_bn(x, filters, name, relu_first=True, relu_name=None):
    if relu_first:
        x = layers.Activation("relu", name=relu_name or f"{name}_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=-1, name=f"{name}_bn")(x)


def _downsampling_block(x, block, filters, first_relu=True):
    """Two separable convolutions and a strided max-pool, plus a strided 1x1 shortcut
    (Keras leaves the shortcut's layers unnamed)."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    residual = layers.BatchNormalization(axis=-1)(residual)
    x = _sepconv_bn(x, filters[0], f"block{block}_sepconv1", relu_first=first_relu)
    x = _sepconv_bn(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.Add()([x, residual])


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="xception"):
    """Xception (Chollet, 2017) with Keras's layer names and weight order."""
    img_input = common.checked_input(input_tensor, input_shape, include_top, weights, classes,
                                     style="xception", default_size=299, min_size=71)
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=-1, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=-1, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    # Keras names block 2's only activation "block2_sepconv2_act" and has none before sepconv1.
    residual = layers.Conv2D(128, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization(axis=-1)(residual)
    x = _sepconv_bn(x, 128, "block2_sepconv1", relu_first=False)
    x = _sepconv_bn(x, 128, "block2_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name="block2_pool")(x)
    x = layers.Add()([x, residual])
    x = _downsampling_block(x, 3, (256, 256))
    x = _downsampling_block(x, 4, (728, 728))
    for i in range(8):
        residual = x
        for j in (1, 2, 3):
            x = _sepconv_bn(x, 728, f"block{i + 5}_sepconv{j}")
        x = layers.Add()([x, residual])
    x = _downsampling_block(x, 13, (728, 1024))
    x = _sepconv_bn(x, 1536, "block14_sepconv1", relu_first=False)
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sepconv_bn(x, 2048, "block14_sepconv2", relu_first=False)
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)
    x = common.avg_pool_head(x, include_top, pooling, classes, classifier_activation, weights,
                             named_pooling=False)
    return common.make_model(img_input, input_tensor, x, name, weights, IMAGENET[include_top])


preprocess_input, decode_predictions = common.family_functions("tf")
