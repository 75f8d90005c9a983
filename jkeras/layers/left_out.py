"""Keras 3 `keras.layers` names jkeras does not provide (yet), each with the reason.
tests/layers/test_keras_layer_names.py checks that every public keras.layers name is either in
jkeras.layers or here, and that nothing here exists in jkeras.layers."""

_PREPROCESSING = "preprocessing: not yet"

LEFT_OUT = {
    "AugMix": _PREPROCESSING,
    "ContrastLimitedAdaptiveHistogramEqualization": _PREPROCESSING,
    "MaxNumBoundingBoxes": _PREPROCESSING,
    "MelSpectrogram": _PREPROCESSING,
    "Pipeline": _PREPROCESSING,
    "RandAugment": _PREPROCESSING,
    "RandomElasticTransform": "its kernel size depends on a random draw, which jit cannot "
                              "compile into one program",
    "STFTSpectrogram": _PREPROCESSING,
    "ActivityRegularization": "jkeras has no regularizers yet (losses added from layers)",
    "TFSMLayer": "loads a TensorFlow SavedModel for inference: TensorFlow-only",
    "TorchModuleWrapper": "wraps a torch.nn.Module: PyTorch backend only",
    "deserialize": "use jkeras.saving.deserialize_keras_object (layers sit below saving)",
    "serialize": "use jkeras.saving.serialize_keras_object (layers sit below saving)",
}
