"""Keras 3 `keras.layers` names jkeras does not provide (yet), each with the reason.
tests/layers/test_keras_layer_names.py checks that every public keras.layers name is either in
jkeras.layers or here, and that nothing here exists in jkeras.layers."""

LEFT_OUT = {
    "TFSMLayer": "loads a TensorFlow SavedModel for inference: TensorFlow-only",
    "TorchModuleWrapper": "wraps a torch.nn.Module: PyTorch backend only",
}
