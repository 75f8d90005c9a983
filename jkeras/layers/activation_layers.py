"""Activation layers with arguments: ReLU, LeakyReLU, Softmax (with mask), ELU, PReLU."""
import numbers
import warnings

import jax
import jax.numpy as jnp

from jkeras import activations, initializers
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import config_utils


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class _Elementwise(Layer):
    _builds_at_init = True  # Keras: built once constructed
    supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class _OneArgument(_Elementwise):
    """An activation with one numeric argument: `_activation(inputs, <_argument>=value)`."""
    _argument = None

    def _set_argument(self, value, kwargs):
        super().__init__(**kwargs)
        setattr(self, self._argument, value)

    def call(self, inputs):
        return self._activation(inputs, **{self._argument: getattr(self, self._argument)})

    def get_config(self):
        return {**super().get_config(), self._argument: getattr(self, self._argument)}


class ReLU(_Elementwise):
    """`max_value`-clipped relu: `x` above `threshold`, `negative_slope * (x - threshold)` below."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        if max_value is not None and (not _is_number(max_value) or max_value < 0.0):
            raise ValueError("max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        if not _is_number(negative_slope) or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be None or a negative value. "
                             f"Received: negative_slope={negative_slope}")
        if not _is_number(threshold) or threshold < 0.0:
            raise ValueError("threshold of a ReLU layer cannot be None or a negative value. "
                             f"Received: threshold={threshold}")
        super().__init__(**kwargs)
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_OneArgument):
    """`x` if `x > 0` else `negative_slope * x`; Keras 3's layer default slope is 0.3."""
    _argument, _activation = "negative_slope", staticmethod(activations.leaky_relu)

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.")
        if not _is_number(negative_slope) or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             f"negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        self._set_argument(negative_slope, kwargs)


def _large_negative_number(dtype):
    # What Keras puts at masked positions before the softmax.
    return -3e4 if jnp.dtype(dtype) == jnp.float16 else -1e9


class Softmax(_Elementwise):
    """Softmax over `axis` (int or tuple). A `mask` (True/ >0.5 = keep) gives masked positions
    zero probability."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        x = activations._as_array(inputs)
        if mask is not None:
            mask = jnp.asarray(mask)
            if mask.ndim > x.ndim:
                raise ValueError("The `mask` must be broadcastable to `inputs` and must not have "
                                 f"more dimensions. Received: inputs.shape={x.shape}, "
                                 f"mask.shape={mask.shape}")
            if any(m != 1 and m != i for m, i in zip(mask.shape[::-1], x.shape[::-1])):
                raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask "
                                 "dimension must be 1 or match the corresponding input "
                                 f"dimension. Received: inputs.shape={x.shape}, "
                                 f"mask.shape={mask.shape}")
            if mask.dtype != jnp.bool_:
                mask = mask > 0.5
            x = jnp.where(mask, x, jnp.asarray(_large_negative_number(x.dtype), x.dtype))
        axis = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis
        if isinstance(axis, tuple) and len(axis) > 1:
            out = jnp.exp(x - jax.nn.logsumexp(x, axis=axis, keepdims=True))
        else:
            out = jax.nn.softmax(x, axis=axis[0] if isinstance(axis, tuple) else axis)
        if mask is not None:
            # A fully masked row would otherwise come out uniform.
            out = jnp.where(mask, out, jnp.zeros_like(out))
        return out

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class ELU(_OneArgument):
    """`x` if `x > 0` else `alpha * (exp(x) - 1)`."""
    _argument, _activation = "alpha", staticmethod(activations.elu)

    def __init__(self, alpha=1.0, **kwargs):
        if not _is_number(alpha):
            raise ValueError(f"ELU: `alpha` must be a number. Received: alpha={alpha!r}")
        self._set_argument(alpha, kwargs)


class PReLU(_Elementwise):
    """`x` if `x > 0` else `alpha * x` with a learned `alpha` per input unit (shared along
    `shared_axes`, 1-based axes of the inputs)."""
    _builds_at_init = False  # it has a weight
    _penalty_weights = {"alpha": "alpha"}

    def __init__(self, alpha_initializer="Zeros", shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for i in self.shared_axes or ():
            if not 1 <= i < len(input_shape):
                raise ValueError(f"Layer '{self.name}' (PReLU): `shared_axes` entries must be "
                                 f"axes 1..{len(input_shape) - 1} of the inputs. Received: "
                                 f"shared_axes={self.shared_axes}, input_shape={input_shape}")
            param_shape[i - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f"Layer '{self.name}' (PReLU): every non-shared input axis needs a "
                             f"known size. Received: input_shape={input_shape}")
        self.alpha = self.add_weight(shape=tuple(param_shape), name="alpha",
                                     initializer=self.alpha_initializer)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if self.shared_axes and i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs):
        x = jnp.asarray(inputs)
        return jax.nn.relu(x) - self.alpha * jax.nn.relu(-x)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": config_utils.initializer(self.alpha_initializer),
                **config_utils.regularizers_and_constraints(self, "alpha"),
                "shared_axes": self.shared_axes}
