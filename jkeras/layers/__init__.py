"""Layers by family. `Layer` is the base for custom layers."""
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers.core import Activation, Dense, Flatten, Identity, Lambda, Reshape
from jkeras.layers.input_layer import Input, InputLayer
from jkeras.layers.merging import Add, Concatenate
from jkeras.layers.preprocessing import Normalization
from jkeras.layers.activation_layers import ELU, LeakyReLU, ReLU, Softmax
from jkeras.layers.normalization import BatchNormalization, LayerNormalization
from jkeras.layers.regularization import (Dropout, GaussianNoise, SpatialDropout1D,
                                          SpatialDropout2D, SpatialDropout3D)
from jkeras.layers.rescaling import Rescaling
from jkeras.layers.convolutional import (
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, Convolution1D,
    Convolution1DTranspose, Convolution2D, Convolution2DTranspose, Convolution3D,
    Convolution3DTranspose, DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D,
    SeparableConvolution1D, SeparableConvolution2D)
from jkeras.layers.pooling import (
    AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D, AvgPool3D,
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D,
    GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D,
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool2D, MaxPool3D,
    MaxPooling1D, MaxPooling2D, MaxPooling3D)
from jkeras.layers.reshaping import (Cropping1D, Cropping2D, Permute, RepeatVector, UpSampling1D,
                                     UpSampling2D, ZeroPadding1D, ZeroPadding2D)

__all__ = ["Layer", "InputSpec", "Dense", "Activation", "Flatten", "Reshape", "Lambda", "Identity",
           "Input", "InputLayer", "Add", "Concatenate", "Normalization"]
__all__ += ["BatchNormalization", "LayerNormalization", "Dropout", "SpatialDropout1D",
            "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "ReLU", "LeakyReLU",
            "Softmax", "ELU", "Rescaling"]
__all__ += ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
            "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
            "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
            "Convolution2DTranspose", "Convolution3DTranspose", "SeparableConvolution1D",
            "SeparableConvolution2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
            "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "MaxPool1D", "MaxPool2D",
            "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "GlobalAveragePooling1D",
            "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D",
            "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
            "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "Permute",
            "RepeatVector", "UpSampling1D", "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D",
            "Cropping1D", "Cropping2D"]

from jkeras.layers.embedding import Embedding  # noqa: E402
from jkeras.layers.recurrent_cells import GRUCell, LSTMCell, SimpleRNNCell  # noqa: E402
from jkeras.layers.recurrent import GRU, LSTM, RNN, Bidirectional, SimpleRNN  # noqa: E402
from jkeras.layers.attention import MultiHeadAttention  # noqa: E402
from jkeras.layers.merging_more import (Average, Dot, Maximum, Minimum, Multiply,  # noqa: E402
                                        Subtract)

__all__ += ["Embedding", "RNN", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell",
            "Bidirectional", "MultiHeadAttention", "Subtract", "Multiply", "Average", "Maximum",
            "Minimum", "Dot"]

from jkeras.layers.preprocessing import (CenterCrop, RandomBrightness, RandomContrast,  # noqa: E402
                                         RandomCrop, RandomFlip, RandomRotation,
                                         RandomTranslation, RandomZoom, Resizing)

__all__ += ["Resizing", "CenterCrop", "RandomCrop", "RandomFlip", "RandomRotation", "RandomZoom",
            "RandomTranslation", "RandomContrast", "RandomBrightness"]
from jkeras.layers.preprocessing import (CategoryEncoding, Discretization,  # noqa: E402
                                         HashedCrossing, Hashing, IntegerLookup, StringLookup,
                                         TextVectorization)

__all__ += ["CategoryEncoding", "StringLookup", "IntegerLookup", "Hashing", "HashedCrossing",
            "Discretization", "TextVectorization"]
from jkeras.layers.preprocessing import (AutoContrast, RandomColorDegeneration,  # noqa: E402
                                         RandomColorJitter, RandomGrayscale, RandomHue,
                                         RandomInvert, RandomPosterization, RandomSaturation,
                                         RandomSharpness, Solarization)
from jkeras.layers.preprocessing import (CutMix, Equalization, MixUp,  # noqa: E402
                                         RandomErasing, RandomGaussianBlur, RandomPerspective,
                                         RandomShear)

__all__ += ["RandomGrayscale", "RandomHue", "RandomSaturation", "RandomColorDegeneration",
            "RandomColorJitter", "RandomInvert", "RandomPosterization", "Solarization",
            "RandomSharpness", "AutoContrast", "RandomShear", "RandomGaussianBlur",
            "Equalization", "RandomErasing", "MixUp", "CutMix", "RandomPerspective"]
from jkeras.layers.core import Masking  # noqa: E402
from jkeras.layers.activation_layers import PReLU  # noqa: E402
from jkeras.layers.regularization import AlphaDropout, GaussianDropout  # noqa: E402
from jkeras.layers.wrappers import TimeDistributed, Wrapper  # noqa: E402

__all__ += ["Masking", "PReLU", "GaussianDropout", "AlphaDropout", "Wrapper", "TimeDistributed"]
from jkeras.layers.dot_attention import AdditiveAttention, Attention  # noqa: E402

__all__ += ["Attention", "AdditiveAttention"]
from jkeras.layers.normalization_more import (GroupNormalization, RMSNormalization,  # noqa: E402
                                              UnitNormalization)

__all__ += ["GroupNormalization", "UnitNormalization", "RMSNormalization"]
from jkeras.layers.einsum_dense import EinsumDense  # noqa: E402

__all__ += ["EinsumDense"]
from jkeras.layers.reshaping import Cropping3D, UpSampling3D, ZeroPadding3D  # noqa: E402

__all__ += ["UpSampling3D", "ZeroPadding3D", "Cropping3D"]
from jkeras.layers.merging_functions import (add, average, concatenate, dot,  # noqa: E402
                                             maximum, minimum, multiply, subtract)

__all__ += ["add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]
from jkeras.layers.grouped_attention import GroupQueryAttention  # noqa: E402

__all__ += ["GroupQueryAttention"]
from jkeras.layers.recurrent_cells import StackedRNNCells  # noqa: E402

__all__ += ["StackedRNNCells"]
from jkeras.layers.adaptive_pooling import (  # noqa: E402
    AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)

__all__ += ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
            "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]
from jkeras.layers.jax_layer import JaxLayer  # noqa: E402

__all__ += ["JaxLayer"]
from jkeras.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: E402

__all__ += ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]
from jkeras.layers.reversible_embedding import ReversibleEmbedding  # noqa: E402

__all__ += ["ReversibleEmbedding"]
from jkeras.layers.spectral_normalization import SpectralNormalization  # noqa: E402

__all__ += ["SpectralNormalization"]
from jkeras.layers.flax_layer import FlaxLayer  # noqa: E402

__all__ += ["FlaxLayer"]
