"""Keras 3's post-training quantization of Dense, EinsumDense and Embedding (`layer.quantize`).

`QuantizableMixin.quantize("int8")` replaces a built layer's float weight by an int8 weight and
its scale (Keras's names, dtypes, shapes and order), and sets the policy
`QuantizedDTypePolicy("int8_from_<policy>")`; "int4" packs two int4 values per int8 byte, per
output channel or in groups with zero points (`Int4DTypePolicy("int4/<block>_from_...")`). A
layer created with such a policy (e.g. from a saved config) declares the quantized weights in
`build`. The quantized weights are non-trainable, so they sit in the `state` half of the pure
variables: `init` / `apply` stay pure.

Each layer class supplies: `_quantize_base` (quantize refuses subclasses unless
`type_check=False`, as Keras), `_float_weight_name`, per mode `_<mode>_build(shape)` (declares
the weights), `_<mode>_values(float_value)` (name -> quantized value) and `_<mode>_call`, and
`_variable_serialization_spec` (Keras's saved order per mode).
"""
import re
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import dtype_policy as policies
from jkeras.quantizers import (AbsMaxQuantizer, Int4QuantizationConfig, QuantizationConfig,
                               validate_and_resolve_config)


def _no_cotangent(x):
    """The cotangent of an input that gradients do not flow to (float0 for integers)."""
    if jnp.issubdtype(x.dtype, jnp.integer):
        return np.zeros(x.shape, dtype=jax.dtypes.float0)
    return jnp.zeros_like(x)


def int8_contract(contract, grad_contract, inputs, kernel, kernel_scale, scale_like_kernel,
                  quantize_inputs, compute_dtype):
    """`contract(q(inputs), kernel, preferred_element_type)` rescaled, with Keras's
    straight-through gradient: the inputs' gradient is `grad_contract(upstream, kernel /
    scale)`; none for kernel or scale.

    `quantize_inputs(x) -> (int8 x, scale laid out like the output)` or None (weight-only);
    `scale_like_kernel(kernel_scale)` lays the kernel scale out like the kernel."""

    def forward(x, k, s):
        if quantize_inputs is None:
            y = contract(x, k, None)
            return jnp.divide(y.astype(compute_dtype), s)
        qx, x_scale = quantize_inputs(x)
        y = contract(qx, k, jnp.int32).astype(compute_dtype)
        return jnp.divide(y, jnp.multiply(x_scale, s))

    @jax.custom_vjp
    def run(x, k, s):
        return forward(x, k, s)

    def run_fwd(x, k, s):
        return forward(x, k, s), (k, s)

    def run_bwd(residuals, upstream):
        k, s = residuals
        float_kernel = jnp.divide(k.astype(compute_dtype), scale_like_kernel(s))
        return grad_contract(upstream, float_kernel), _no_cotangent(k), _no_cotangent(s)

    run.defvjp(run_fwd, run_bwd)
    return run(inputs, kernel, kernel_scale)


def straight_through(forward, grad_contract, inputs, float_kernel):
    """`forward(inputs, float_kernel)` whose inputs' gradient is `grad_contract(upstream,
    float_kernel)` (through any rounding of the inputs); none for the kernel."""

    @jax.custom_vjp
    def run(x, k):
        return forward(x, k)

    def run_fwd(x, k):
        return forward(x, k), k

    def run_bwd(k, upstream):
        return grad_contract(upstream, k), jnp.zeros_like(k)

    run.defvjp(run_fwd, run_bwd)
    return run(inputs, float_kernel)


def _not_implemented(layer, name="quantize"):
    return NotImplementedError(f"Layer {type(layer).__name__} does not have a `{name}` method "
                               "implemented.")


def check_quantize_args(layer, mode, compute_dtype):
    """Keras's checks before quantizing `layer` (built, not quantized yet, a known mode)."""
    if not layer.built:
        raise ValueError("Cannot quantize a layer that isn't yet built. "
                         f"Layer '{layer.name}' (of type '{type(layer).__name__}') is not built "
                         "yet.")
    if getattr(layer, "_is_quantized", False):
        raise ValueError(f"Layer '{layer.name}' is already quantized with "
                         f"dtype_policy='{layer.dtype_policy.name}'. Received: mode={mode}")
    if mode not in policies.QUANTIZATION_MODES:
        raise ValueError("Invalid quantization mode. "
                         f"Expected one of {policies.QUANTIZATION_MODES}. Received: mode={mode}")
    if mode == "int8" and compute_dtype == "float16":
        raise ValueError(f"Quantization mode='{mode}' doesn't work well with "
                         "compute_dtype='float16'. Consider loading model/layer with another "
                         "dtype policy such as 'mixed_bfloat16' or 'mixed_float16' before "
                         "calling `quantize()`.")


class QuantizableMixin:
    """`quantize`, the quantized build and the saved variable order for the layers above."""

    quantization_config = None
    _quantize_base = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if any(base.__dict__.get("_quantization_hooks") for base in cls.__bases__):
            cls._quantize_base = cls  # the layer class itself; its subclasses need type_check

    def quantize(self, mode=None, type_check=True, config=None):
        """Quantize this built layer's weights in place (`mode`: "int8"), as Keras."""
        config = validate_and_resolve_config(mode, config)
        mode = config.mode
        check_quantize_args(self, mode, self.compute_dtype)
        if type_check and type(self) is not self._quantize_base:
            raise _not_implemented(self)
        self._check_own_call()
        self._hook(mode, "values")  # a mode this layer lacks fails before anything changes
        self.quantization_config = config
        float_var = self._weight_attrs[self._float_weight_name]
        values = self._hook(mode, "values")(float_var.value)
        self._weight_attrs.pop(self._float_weight_name)
        self._own_weights.remove(float_var)
        self._quantized_build(float_var.shape, mode)
        for name, value in values.items():
            self._weight_attrs[name].assign(value)
        if self.dtype_policy.quantization_mode is None:
            name = mode
            if mode == "int4":
                block_size = self._int4_block_size()
                name = f"int4/{-1 if block_size is None else block_size}"
            self.dtype_policy = policies.get(f"{name}_from_{self.dtype_policy.name}")

    def _hook(self, mode, part):
        """The layer's `_<mode>_<part>` method (build, values, call)."""
        hook = getattr(self, f"_{mode}_{part}", None)
        if hook is None:
            raise NotImplementedError(f"jkeras's {type(self).__name__} does not support "
                                      f"quantization mode '{mode}' yet (layer '{self.name}').")
        return hook

    def _quantized_call(self, *args):
        return self._hook(self.quantization_mode, "call")(*args)

    def _int4_block_size(self):
        """None (per output channel) or the group size, from the config or else the policy."""
        config = self.quantization_config
        if isinstance(config, Int4QuantizationConfig):
            block_size = config.block_size
        else:
            block_size = getattr(self._own_policy(), "block_size", None)
        return None if block_size == -1 else block_size

    def _set_quantization_config(self, config):
        """The constructor's `quantization_config`: None or a `QuantizationConfig`."""
        if config is not None and not isinstance(config, QuantizationConfig):
            raise ValueError("Argument `quantization_config` must be an instance of "
                             f"`QuantizationConfig`. Received: quantization_config={config} "
                             f"(of type {type(config)}) in layer '{self.name}'.")
        self.quantization_config = config

    def _quantized_build(self, float_shape, mode):
        self._check_own_call()
        self._hook(mode, "build")(float_shape)
        self._is_quantized = True

    def _check_own_call(self):
        """A subclass with its own `call` (ReversibleEmbedding's reverse projection) would read
        the int8 weight as if it were float: refuse instead."""
        if type(self).call is not self._quantize_base.call:
            raise NotImplementedError(
                f"Layer {type(self).__name__} does not have a `quantize` method implemented. "
                f"jkeras quantizes {self._quantize_base.__name__} layers whose `call` is "
                f"{self._quantize_base.__name__}'s own.")

    def _add_quantized_weight(self, name, shape, dtype, initializer):
        var = self.add_weight(name=name, shape=shape, initializer=initializer, dtype=dtype,
                              trainable=False)
        var.regularizer = var.constraint = None  # Keras gives quantized weights neither
        return var

    def _inputs_quantizer(self):
        default = AbsMaxQuantizer() if self.quantization_mode == "int8" else None
        return QuantizationConfig.activation_quantizer_or_default(self.quantization_config,
                                                                  default)

    def _keras_store_order(self):
        """A quantized layer's variables in the order Keras's `save_own_variables` writes them
        (None when not quantized: the usual order)."""
        if not self.quantization_mode:
            return None
        names = self._variable_serialization_spec[self.quantization_mode]
        by_name = {w.name: w for w in self._own_weights}
        return [by_name[n] for n in names if n in by_name]


def quantize_model(model, mode=None, config=None, filters=None, **kwargs):
    """Keras's `Model.quantize`: quantize every leaf layer that `filters` selects (a regex on
    the name, a list of them, or a callable); a layer Keras cannot quantize gives a warning."""
    type_check = kwargs.pop("type_check", True)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments passed to {type(model).__name__}: "
                         f"{kwargs}")
    if filters is not None and not isinstance(filters, (str, list, tuple)) and \
            not callable(filters):
        raise ValueError("The `filters` argument must be a regex string, a list of regex "
                         f"strings, or a callable. Received: {type(filters)}")
    for layer in _flatten_layers(model):
        if not _selected(layer, filters) or layer._child_layers():
            continue
        if isinstance(layer, QuantizableMixin):
            try:
                layer.quantize(mode, type_check=type_check, config=config)
            except NotImplementedError as e:
                warnings.warn(str(e))
            continue
        validate_and_resolve_config(mode, config)  # Keras's errors for the arguments
        warnings.warn(str(_not_implemented(layer)))


def _flatten_layers(layer):
    out, seen, stack = [], set(), [layer]
    while stack:
        current = stack.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        out.append(current)
        stack = list(_children(current)) + stack
    return out


def _children(layer):
    layers = getattr(layer, "_layers", None)  # a Sequential's list holds its InputLayer
    return layers if isinstance(layers, list) and layers else layer._child_layers()


def _selected(layer, filters):
    if filters is None:
        return True
    if isinstance(filters, str):
        return bool(re.search(filters, layer.name))
    if isinstance(filters, (list, tuple)):
        return any(re.search(p, layer.name) for p in filters)
    return bool(filters(layer))


def _keep_paths(tree, params):
    if isinstance(tree, dict) and isinstance(params, dict):
        return {k: _keep_paths(v, params[k]) for k, v in tree.items() if k in params}
    return tree


def keep_optimizer_slots(opt_state, params):
    """An optimizer state (`slots` of params-shaped trees) without the slots of weights that
    quantization removed (the float kernels), as Keras's optimizer keeps training the rest;
    None (a fresh optimizer) for a state of another form."""
    slots = getattr(opt_state, "slots", None)
    if not isinstance(slots, dict):
        return None
    return opt_state._replace(slots={name: _keep_paths(value, params)
                                     for name, value in slots.items()})
