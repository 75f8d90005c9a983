"""Keras 3's quantization configs (`keras.quantizers.QuantizationConfig` and its int8 form),
and the check that turns `quantize(mode, config)` arguments into one config."""
from jkeras.core.dtype_policy import QUANTIZATION_MODES, SUPPORTED_QUANTIZATION_MODES
from jkeras.core.serialization import deserialize_keras_object, serialize_keras_object
from jkeras.quantizers.quantizers import AbsMaxQuantizer


class QuantizationConfig:
    """The base of quantization configs: a weight quantizer and an activation quantizer (either
    None for the layer's default). Subclasses name their `mode`."""

    def __init__(self, weight_quantizer=None, activation_quantizer=None):
        self.weight_quantizer = weight_quantizer
        self.activation_quantizer = activation_quantizer

    @property
    def mode(self):
        raise NotImplementedError("Subclasses must implement this property. Do not instantiate "
                                  "QuantizationConfig directly.")

    def get_config(self):
        return {"weight_quantizer": serialize_keras_object(self.weight_quantizer),
                "activation_quantizer": serialize_keras_object(self.activation_quantizer)}

    @classmethod
    def from_config(cls, config):
        return cls(weight_quantizer=deserialize_keras_object(config.get("weight_quantizer")),
                   activation_quantizer=deserialize_keras_object(
                       config.get("activation_quantizer")))

    @staticmethod
    def weight_quantizer_or_default(config, default):
        if config is not None and config.weight_quantizer is not None:
            return config.weight_quantizer
        return default

    @staticmethod
    def activation_quantizer_or_default(config, default):
        if config is not None:
            return config.activation_quantizer
        return default


class Int8QuantizationConfig(QuantizationConfig):
    """int8: `weight_quantizer` (None: abs-max per output channel) and `activation_quantizer`
    ("default": `AbsMaxQuantizer()`, per row of the inputs; None: weight-only)."""

    def __init__(self, weight_quantizer=None, activation_quantizer="default"):
        if isinstance(activation_quantizer, str) and activation_quantizer == "default":
            activation_quantizer = AbsMaxQuantizer()
        super().__init__(weight_quantizer, activation_quantizer)
        if self.weight_quantizer is not None and self.weight_quantizer.output_dtype != "int8":
            raise ValueError("Int8QuantizationConfig requires a weight_quantizer with "
                             "output_dtype='int8'. Received: "
                             f"output_dtype={self.weight_quantizer.output_dtype}")

    @property
    def mode(self):
        return "int8"


class Int4QuantizationConfig(QuantizationConfig):
    """int4: per output channel (`block_size` None or -1, symmetric, `weight_quantizer` allowed)
    or in groups of `block_size` input rows with a zero point (the default, 128).
    `activation_quantizer` "default" means weight-only (None)."""

    def __init__(self, weight_quantizer=None, activation_quantizer="default", block_size=128):
        if isinstance(activation_quantizer, str) and activation_quantizer == "default":
            activation_quantizer = None
        super().__init__(weight_quantizer, activation_quantizer)
        if block_size is not None and block_size != -1 and block_size <= 0:
            raise ValueError("block_size must be None, -1, or a positive integer. "
                             f"Received: block_size={block_size}")
        self.block_size = block_size
        is_sub_channel = block_size is not None and block_size > 0
        if is_sub_channel and (self.weight_quantizer is not None
                               or self.activation_quantizer is not None):
            raise ValueError(
                "Int4 sub-channel quantization (block_size > 0) does not support custom "
                "quantizers. Either set block_size to None or -1 for per-channel quantization, "
                f"or remove the custom quantizer arguments. Received: block_size={block_size}")
        if self.weight_quantizer is not None:
            if tuple(self.weight_quantizer.value_range) != (-8, 7):
                raise ValueError("Int4QuantizationConfig requires a weight_quantizer with "
                                 "value_range=(-8, 7). Received: "
                                 f"value_range={self.weight_quantizer.value_range}")
            if self.weight_quantizer.output_dtype != "int8":
                raise ValueError("Int4QuantizationConfig requires a weight_quantizer with "
                                 "output_dtype='int8'. Received: "
                                 f"output_dtype={self.weight_quantizer.output_dtype}")

    @property
    def mode(self):
        return "int4"

    def get_config(self):
        return {**super().get_config(), "block_size": self.block_size}

    @classmethod
    def from_config(cls, config):
        return cls(weight_quantizer=deserialize_keras_object(config.get("weight_quantizer")),
                   activation_quantizer=deserialize_keras_object(
                       config.get("activation_quantizer")),
                   block_size=config.get("block_size", None))


_CONFIG_OF_MODE = {"int8": Int8QuantizationConfig, "int4": Int4QuantizationConfig}


def _validate_mode(mode):
    if mode is not None and mode not in QUANTIZATION_MODES:
        raise ValueError("Invalid quantization mode. "
                         f"Expected one of {QUANTIZATION_MODES}. Received: mode={mode}")
    if mode is not None and mode not in SUPPORTED_QUANTIZATION_MODES:
        raise ValueError(f"jkeras does not support quantization mode '{mode}' yet. Supported "
                         f"modes: {SUPPORTED_QUANTIZATION_MODES}. Received: mode={mode}")


def validate_and_resolve_config(mode, config):
    """The config `quantize(mode, config)` means, as Keras resolves it (a config string is a
    mode; a mode alone gets its default config; mode and config must agree)."""
    if isinstance(config, str):
        mode, config = config, None
    _validate_mode(mode)
    if config is None:
        if mode is None:
            raise ValueError("You must provide either `mode` or `config` to `quantize`.")
        return _CONFIG_OF_MODE[mode]()
    if not isinstance(config, QuantizationConfig):
        raise ValueError("Argument `config` must be an instance of `QuantizationConfig`. "
                         f"Received: config={config} (of type {type(config)})")
    if mode is not None and config.mode != mode:
        raise ValueError(f"Contradictory arguments: mode='{mode}' but "
                         f"config.mode='{config.mode}'")
    _validate_mode(config.mode)
    return config
