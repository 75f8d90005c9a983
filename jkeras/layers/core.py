"""Core layers: Dense, Activation, Flatten, Reshape, Lambda, Identity, Masking."""
import math

import jax.numpy as jnp
import numpy as np

from jkeras import activations, initializers
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import config_utils
from jkeras.layers.quantized_layers import DenseQuantization
from jkeras.core import config
from jkeras.core.serialization import serialize_keras_object


class Dense(DenseQuantization, Layer):
    """`activation(inputs @ kernel + bias)`, kernel of shape (input_dim, units)."""
    _penalty_weights = {"kernel": "kernel", "bias": "bias"}

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", quantization_config=None, **kwargs):
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{type(self).__name__}: Received an invalid value for `units`, "
                             f"expected a positive integer. Received: units={units!r}")
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._set_quantization_config(quantization_config)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"Layer '{self.name}': the last dimension of the inputs to Dense "
                             f"must be known. Received: input_shape={input_shape}")
        if self.quantization_mode:
            self._quantized_build((input_shape[-1], self.units), self.quantization_mode)
        else:
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer=self.kernel_initializer, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                        name="bias")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: int(input_shape[-1])})

    def call(self, inputs):
        if self.quantization_mode:
            x = self._quantized_call(jnp.asarray(inputs, self.compute_dtype))
        else:
            x = jnp.matmul(jnp.asarray(inputs, self.compute_dtype), self.kernel)
        if self.use_bias:
            x = x + self.bias
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": config_utils.activation(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": config_utils.initializer(self.kernel_initializer),
                "bias_initializer": config_utils.initializer(self.bias_initializer),
                **config_utils.regularizers_and_constraints(self, "kernel", "bias"),
                "quantization_config": serialize_keras_object(self.quantization_config)}


class Activation(Layer):
    _builds_at_init = True  # Keras: built once constructed
    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": config_utils.activation(self.activation)}


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError("`data_format` must be 'channels_last' or 'channels_first'. "
                             f"Received: data_format={data_format!r}")
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        x = jnp.asarray(inputs)
        if self.data_format == "channels_first" and x.ndim > 2:
            x = jnp.moveaxis(x, 1, -1)
        if x.ndim == 1:
            return x[:, None]
        return x.reshape(x.shape[0], int(math.prod(x.shape[1:])))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshape all but the batch axis to `target_shape` (one -1 allowed)."""
    _builds_at_init = True  # Keras: built once constructed

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(d == -1 for d in target_shape) > 1:
            raise ValueError(f"Layer '{self.name}' (Reshape): There must be at most one unknown "
                             "dimension (-1) in `target_shape`. Received: "
                             f"target_shape={target_shape}.")
        self.target_shape = target_shape

    def call(self, inputs):
        x = jnp.asarray(inputs)
        known = math.prod(d for d in self.target_shape if d != -1)
        size = math.prod(x.shape[1:])
        if (-1 not in self.target_shape and known != size) or (known and size % known):
            raise ValueError(f"Layer '{self.name}': cannot reshape inputs of shape "
                             f"{x.shape[1:]} ({size} values) to target_shape={self.target_shape}.")
        return x.reshape((x.shape[0],) + self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Lambda(Layer):
    """Wrap an arbitrary function of the inputs as a weightless layer."""

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda's `function` must be callable. Received: {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def get_config(self):
        from jkeras.core import serialization
        function = serialization.serialize_keras_object(self.function)
        if isinstance(function, dict) and function.get("class_name") == "__lambda__":
            code, defaults, closure = function["config"]["value"]
            function = {"class_name": "__lambda__",  # Lambda's own layout, as Keras writes it
                        "config": {"code": code, "defaults": defaults, "closure": closure}}
        return {**super().get_config(), "function": function,
                "arguments": serialization.serialize_keras_object(self.arguments)}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Refuses Python bytecode (a lambda) unless `safe_mode=False` is given or set by the
        loading function, as Keras."""
        from jkeras.core import serialization
        config = dict(config)
        scoped = serialization.in_safe_mode()
        safe = (safe_mode if safe_mode is not None else scoped) is not False
        for key in ("function", "output_shape", "mask"):
            value = config.get(key)
            if isinstance(value, dict) and value.get("class_name") == "__lambda__":
                if safe:
                    raise ValueError(
                        "Requested the deserialization of a `Lambda` layer whose `function` is "
                        "a Python lambda. This carries a potential risk of arbitrary code "
                        "execution and thus it is disallowed by default. If you trust the source "
                        "of the artifact, you can override this error by passing "
                        "`safe_mode=False` to the loading function, or calling "
                        "`jkeras.saving.enable_unsafe_deserialization()`.")
                inner = value["config"]
                config[key] = serialization.load_function(
                    inner["code"], inner.get("defaults"), inner.get("closure"))
            elif isinstance(value, dict):
                config[key] = serialization.deserialize_keras_object(value, custom_objects)
        if isinstance(config.get("output_shape"), list):
            config["output_shape"] = tuple(config["output_shape"])
        if config.get("mask") is not None:
            raise ValueError(f"jkeras's Lambda does not support `mask` yet (layer "
                             f"'{config.get('name')}'). Received: mask={config['mask']!r}")
        config.pop("mask", None)
        config["arguments"] = serialization.deserialize_keras_object(
            config.get("arguments") or {}, custom_objects)
        return super().from_config(config)


class Identity(Layer):
    _builds_at_init = True  # Keras: built once constructed
    supports_masking = True

    def call(self, inputs):
        return inputs


class Masking(Layer):
    """Mark timesteps whose features all equal `mask_value` as masked: their outputs are zeros
    and the output mask (`compute_mask`, shape inputs.shape[:-1]) is False there."""
    _builds_at_init = True  # Keras: built once constructed
    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, (str, bytes)) or not np.issubdtype(
                np.asarray(mask_value).dtype, np.number) and \
                np.asarray(mask_value).dtype != np.bool_:
            raise TypeError(f"Masking layer '{self.name}': `mask_value` must be a number. "
                            f"Received: mask_value={mask_value!r}")
        self.mask_value = mask_value

    def _keep(self, inputs):
        return jnp.any(jnp.not_equal(inputs, self.mask_value), axis=-1)

    def compute_mask(self, inputs, mask=None):
        return self._keep(jnp.asarray(inputs))

    def call(self, inputs):
        x = jnp.asarray(inputs)
        return x * self._keep(x)[..., None].astype(x.dtype)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
