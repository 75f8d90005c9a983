"""VGG16 (`keras.applications.vgg16`), and the VGG builder VGG19 shares."""
from jkeras import layers
from jkeras.applications import common, imagenet_utils

URL = common.WEIGHTS_BASE + "vgg16/"
IMAGENET = {True: ("vgg16_weights_tf_dim_ordering_tf_kernels.h5", URL,
                   "64373286793e3c8b2b4e3219cbf3544b"),
            False: ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", URL,
                    "6d6bbae143d832006294945121d1f1fc")}


def build_vgg(convs_per_block, imagenet, include_top, weights, input_tensor, input_shape,
              pooling, classes, classifier_activation, name):
    img_input = common.checked_input(input_tensor, input_shape, include_top, weights, classes)
    x = img_input
    for block, (n, filters) in enumerate(zip(convs_per_block, (64, 128, 256, 512, 512)), 1):
        for i in range(1, n + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = common.pooled(x, pooling)
    return common.make_model(img_input, input_tensor, x, name, weights, imagenet[include_top])


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """VGG16 (Simonyan & Zisserman, 2015) with Keras's layer names and weight order.
    Inputs: `preprocess_input` (caffe mode) of images in [0, 255]; default size 224x224."""
    return build_vgg((2, 2, 3, 3, 3), IMAGENET, include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


preprocess_input, decode_predictions = common.family_functions("caffe")
