"""ResNet50V2/101V2/152V2 (`keras.applications.resnet_v2`): pre-activation ResNets."""
from jkeras.applications import common
from jkeras.applications.resnet import stack_residual_blocks_v2, variant

ResNet50V2 = variant(stack_residual_blocks_v2, (3, 4, 6, 3), (2, 2, 2, 1), True, "resnet50v2",
                     "tf", "He et al., 2016")
ResNet101V2 = variant(stack_residual_blocks_v2, (3, 4, 23, 3), (2, 2, 2, 1), True,
                      "resnet101v2", "tf", "He et al., 2016")
ResNet152V2 = variant(stack_residual_blocks_v2, (3, 8, 36, 3), (2, 2, 2, 1), True,
                      "resnet152v2", "tf", "He et al., 2016")

preprocess_input, decode_predictions = common.family_functions("tf")
