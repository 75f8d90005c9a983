"""Layers by family. `Layer` is the base for custom layers."""
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers.core import Activation, Dense, Flatten, Identity, Lambda, Reshape
from jkeras.layers.input_layer import Input, InputLayer
from jkeras.layers.merging import Add, Concatenate
from jkeras.layers.preprocessing import Normalization

__all__ = ["Layer", "InputSpec", "Dense", "Activation", "Flatten", "Reshape", "Lambda", "Identity",
           "Input", "InputLayer", "Add", "Concatenate", "Normalization"]
