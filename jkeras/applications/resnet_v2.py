"""ResNet50V2/101V2/152V2 (`keras.applications.resnet_v2`): pre-activation ResNets."""
from jkeras.applications import common
from jkeras.applications.resnet import build_resnet, stack_residual_blocks_v2


def _v2(depths):
    def stack_fn(x):
        x = stack_residual_blocks_v2(x, 64, depths[0], name="conv2")
        x = stack_residual_blocks_v2(x, 128, depths[1], name="conv3")
        x = stack_residual_blocks_v2(x, 256, depths[2], name="conv4")
        return stack_residual_blocks_v2(x, 512, depths[3], stride1=1, name="conv5")
    return stack_fn


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
               pooling=None, classes=1000, classifier_activation="softmax", name="resnet50v2"):
    """ResNet50V2 (He et al., 2016); inputs as `resnet_v2.preprocess_input` (tf mode)."""
    return build_resnet(_v2((3, 4, 6, 3)), True, True, "resnet50v2", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="resnet101v2"):
    """ResNet101V2; inputs as `resnet_v2.preprocess_input` (tf mode)."""
    return build_resnet(_v2((3, 4, 23, 3)), True, True, "resnet101v2", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="resnet152v2"):
    """ResNet152V2; inputs as `resnet_v2.preprocess_input` (tf mode)."""
    return build_resnet(_v2((3, 8, 36, 3)), True, True, "resnet152v2", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)


preprocess_input, decode_predictions = common.family_functions("tf")
