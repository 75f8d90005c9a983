"""Preprocessing layers, one file per family.

Numeric layers (Normalization, the image layers) run on the device inside the compiled step;
random image layers draw from the step's key and are identity when `training=False`.
"""
from jkeras.layers.preprocessing.category_encoding import CategoryEncoding
from jkeras.layers.preprocessing.discretization import Discretization
from jkeras.layers.preprocessing.hashing import HashedCrossing, Hashing
from jkeras.layers.preprocessing.image_affine import (RandomFlip, RandomPerspective,
                                                      RandomRotation, RandomShear,
                                                      RandomTranslation, RandomZoom)
from jkeras.layers.preprocessing.image_color import (RandomBrightness, RandomColorDegeneration,
                                                     RandomColorJitter, RandomContrast,
                                                     RandomGrayscale, RandomHue, RandomSaturation)
from jkeras.layers.preprocessing.image_pixel import (AutoContrast, Equalization,
                                                     RandomGaussianBlur, RandomInvert,
                                                     RandomPosterization, RandomSharpness,
                                                     Solarization)
from jkeras.layers.preprocessing.image_region import CutMix, MixUp, RandomErasing
from jkeras.layers.preprocessing.image_resizing import CenterCrop, RandomCrop, Resizing
from jkeras.layers.preprocessing.index_lookup import IntegerLookup, StringLookup
from jkeras.layers.preprocessing.normalization import Normalization
from jkeras.layers.preprocessing.text_vectorization import TextVectorization
from jkeras.layers.preprocessing.mel_spectrogram import MelSpectrogram
from jkeras.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from jkeras.layers.preprocessing.pipeline import Pipeline
from jkeras.layers.preprocessing.image_clahe import ContrastLimitedAdaptiveHistogramEqualization
from jkeras.layers.preprocessing.image_elastic import RandomElasticTransform
from jkeras.layers.preprocessing.image_composite import AugMix, RandAugment
from jkeras.layers.preprocessing.bounding_boxes import MaxNumBoundingBoxes

__all__ = ["Normalization", "Resizing", "CenterCrop", "RandomCrop", "RandomFlip",
           "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
           "RandomBrightness", "CategoryEncoding", "StringLookup", "IntegerLookup", "Hashing", "HashedCrossing", "Discretization", "TextVectorization"]
__all__ += ["RandomGrayscale", "RandomHue", "RandomSaturation", "RandomColorDegeneration",
            "RandomColorJitter", "RandomInvert", "RandomPosterization", "Solarization",
            "RandomSharpness", "AutoContrast", "RandomShear", "RandomGaussianBlur",
            "Equalization", "RandomErasing", "MixUp", "CutMix", "RandomPerspective"]
__all__ += ["STFTSpectrogram", "MelSpectrogram", "Pipeline",
            "ContrastLimitedAdaptiveHistogramEqualization", "RandomElasticTransform", "AugMix",
            "RandAugment", "MaxNumBoundingBoxes"]
