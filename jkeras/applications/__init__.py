"""Keras's model zoo (`keras.applications`) with Keras's layer names and weight order, so
weight files written by tf.keras (`.weights.h5`, legacy `.h5`, Keras's ImageNet files) load.
Each family's module has its `preprocess_input` and `decode_predictions`."""
from jkeras.applications import (densenet, efficientnet, imagenet_utils, inception_resnet_v2,
                                 inception_v3, mobilenet, mobilenet_v2, mobilenet_v3, resnet,
                                 resnet50, resnet_v2, vgg16, vgg19, xception)
from jkeras.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from jkeras.applications.efficientnet import (EfficientNetB0, EfficientNetB1, EfficientNetB2,
                                              EfficientNetB3, EfficientNetB4, EfficientNetB5,
                                              EfficientNetB6, EfficientNetB7)
from jkeras.applications.inception_resnet_v2 import InceptionResNetV2
from jkeras.applications.inception_v3 import InceptionV3
from jkeras.applications.mobilenet import MobileNet
from jkeras.applications.mobilenet_v2 import MobileNetV2
from jkeras.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from jkeras.applications.resnet import ResNet50, ResNet101, ResNet152
from jkeras.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from jkeras.applications.vgg16 import VGG16
from jkeras.applications.vgg19 import VGG19
from jkeras.applications.xception import Xception

__all__ = ["imagenet_utils", "vgg16", "vgg19", "resnet", "resnet50", "resnet_v2", "mobilenet",
           "mobilenet_v2", "mobilenet_v3", "densenet", "VGG16", "VGG19", "ResNet50",
           "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2", "MobileNet",
           "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large", "DenseNet121", "DenseNet169",
           "DenseNet201", "efficientnet", "EfficientNetB0", "EfficientNetB1", "EfficientNetB2",
           "EfficientNetB3", "EfficientNetB4", "EfficientNetB5", "EfficientNetB6",
           "EfficientNetB7", "xception", "Xception",
           "inception_v3", "InceptionV3", "inception_resnet_v2", "InceptionResNetV2"]
from jkeras.applications import efficientnet_v2
from jkeras.applications.efficientnet_v2 import (EfficientNetV2B0, EfficientNetV2B1,
                                                 EfficientNetV2B2, EfficientNetV2B3,
                                                 EfficientNetV2L, EfficientNetV2M,
                                                 EfficientNetV2S)

__all__ += ["efficientnet_v2", "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
            "EfficientNetV2B3", "EfficientNetV2S", "EfficientNetV2M", "EfficientNetV2L"]
from jkeras.applications import convnext
from jkeras.applications.convnext import (ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall,
                                          ConvNeXtTiny, ConvNeXtXLarge)

__all__ += ["convnext", "ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge",
            "ConvNeXtXLarge"]
from jkeras.applications import nasnet
from jkeras.applications.nasnet import NASNetLarge, NASNetMobile

__all__ += ["nasnet", "NASNetMobile", "NASNetLarge"]
