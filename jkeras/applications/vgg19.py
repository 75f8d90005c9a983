"""VGG19 (`keras.applications.vgg19`)."""
from jkeras.applications import common
from jkeras.applications.vgg16 import build_vgg, decode_predictions, preprocess_input

URL = common.WEIGHTS_BASE + "vgg19/"
IMAGENET = {True: ("vgg19_weights_tf_dim_ordering_tf_kernels.h5", URL,
                   "cbe5617147190e668d6c5d5026f83318"),
            False: ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", URL,
                    "253f8cb515780f3b799900260a226db6")}


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    """VGG19 with Keras's layer names and weight order; inputs as `vgg19.preprocess_input`."""
    return build_vgg((2, 2, 4, 4, 4), IMAGENET, include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


__all__ = ["VGG19", "preprocess_input", "decode_predictions"]
