"""BatchNormalization and LayerNormalization with Keras 3's numerics.

Both compute in at least float32 and use `x * inv + (beta - mean * inv)` with
`inv = gamma * rsqrt(var + epsilon)`, the same arithmetic order as Keras's
`ops.batch_normalization` / `ops.layer_normalization`, so parity holds to rounding.
"""
import numbers
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import initializers
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import config_utils

_EPSILON = 1e-7  # keras.backend.epsilon(), used by the masked moments


def _check_number(layer_name, arg, value, positive=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{layer_name}: `{arg}` must be a number. Received: {arg}={value!r}")
    if positive and value < 0:
        raise ValueError(f"{layer_name}: `{arg}` must be >= 0. Received: {arg}={value!r}")
    return float(value)


def _compute_dtype(x):
    # Statistics overflow in float16/bfloat16, so Keras upcasts to float32 at least.
    return jnp.result_type(x.dtype, jnp.float32) if jnp.issubdtype(x.dtype, jnp.floating) \
        else jnp.dtype(jnp.float32)


def _normalize(x, mean, variance, gamma, beta, epsilon):
    inv = jax.lax.rsqrt(variance + epsilon)
    if gamma is not None:
        inv = inv * gamma
    res = -mean * inv
    if beta is not None:
        res = res + beta
    return x * inv + res


class _AffineNormalization(Layer):
    """The learned `gamma` (scale) and `beta` (center) that both normalizations may have."""
    _penalty_weights = {"gamma": "gamma", "beta": "beta"}

    def _set_affine(self, center, scale, beta_initializer, gamma_initializer):
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.supports_masking = True
        self.gamma = None
        self.beta = None

    def _add_affine(self, shape, scale, center):
        # Keras's creation order: gamma, then beta.
        if scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         name="gamma", trainable=True,
                                         autocast=False)
        if center:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                        name="beta", trainable=True,
                                        autocast=False)

    def compute_output_shape(self, input_shape):
        return input_shape

    def _affine_config(self):
        init = config_utils.initializer
        return {"center": self.center, "scale": self.scale,
                "beta_initializer": init(self.beta_initializer),
                "gamma_initializer": init(self.gamma_initializer),
                **config_utils.regularizers_and_constraints(self, "beta", "gamma")}


class BatchNormalization(_AffineNormalization):
    """Normalize with batch statistics in training, moving statistics in inference.

    Training calls update `moving = moving * momentum + batch * (1 - momentum)` (biased batch
    variance). As in Keras 3, a layer with `trainable=False` always runs in inference mode.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 synchronized=False, **kwargs):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError("BatchNormalization: `axis` must be an integer. "
                             f"Received: axis={axis!r}")
        momentum = _check_number("BatchNormalization", "momentum", momentum)
        epsilon = _check_number("BatchNormalization", "epsilon", epsilon, positive=True)
        if synchronized:
            raise ValueError("Argument synchronized=True is only supported "
                             "with the TensorFlow backend.")
        for arg in ("renorm", "renorm_clipping"):
            if kwargs.pop(arg, None):
                raise ValueError(f"BatchNormalization: `{arg}` is not supported by jkeras.")
        kwargs.pop("renorm_momentum", None)
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self._set_affine(center, scale, beta_initializer, gamma_initializer)
        self.synchronized = False
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"Layer '{self.name}': axis {self.axis} is out of bounds for input "
                             f"shape {tuple(input_shape)}. Received: axis={self.axis}")
        size = input_shape[self.axis]
        if size is None:
            raise ValueError(f"Layer '{self.name}': the normalized axis {self.axis} of the inputs "
                             f"must have a known size. Received: input_shape={tuple(input_shape)}")
        shape = (int(size),)
        # Keras's creation order: gamma, beta, moving_mean, moving_variance.
        self._add_affine(shape, self.scale, self.center)
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer,
                                           name="moving_mean", trainable=False,
                                           autocast=False)
        self.moving_variance = self.add_weight(
            shape=shape, initializer=self.moving_variance_initializer, name="moving_variance",
            trainable=False, autocast=False)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: int(size)})
        self._reduction_axes = tuple(d for d in range(ndim) if d != self.axis % ndim)

    def call(self, inputs, training=False, mask=None):
        x = jnp.asarray(inputs)
        if mask is not None and jnp.ndim(mask) != x.ndim - 1:
            raise ValueError("The mask provided should be one dimension less than the inputs. "
                             f"Received: mask.shape={jnp.shape(mask)}, inputs.shape={x.shape}")
        x = x.astype(_compute_dtype(x))
        shape = [1] * x.ndim
        shape[self.axis] = x.shape[self.axis]

        def per_channel(v):
            return None if v is None else jnp.reshape(jnp.asarray(v, x.dtype), shape)

        moving_mean = jnp.asarray(self.moving_mean, x.dtype)
        moving_variance = jnp.asarray(self.moving_variance, x.dtype)
        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            self.assign_state("moving_mean",
                              moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.assign_state("moving_variance",
                              moving_variance * self.momentum + variance * (1.0 - self.momentum))
        else:
            mean, variance = moving_mean, moving_variance
        out = _normalize(x, per_channel(mean), per_channel(variance), per_channel(self.gamma),
                         per_channel(self.beta), self.epsilon)
        return out.astype(self.compute_dtype)

    def _moments(self, x, mask):
        axes = self._reduction_axes
        if mask is None:
            return jnp.mean(x, axis=axes), jnp.var(x, axis=axes)
        # Masked positions take no part in the batch statistics (Keras's weighted moments).
        weights = jnp.broadcast_to(jnp.expand_dims(jnp.asarray(mask, bool), -1), x.shape)
        count = jnp.sum(weights.astype(x.dtype), axis=axes, keepdims=True) + _EPSILON
        mean = jnp.sum(jnp.where(weights, x, 0), axis=axes, keepdims=True) / count
        variance = jnp.sum(jnp.where(weights, jnp.square(x - mean), 0), axis=axes,
                           keepdims=True) / count
        return jnp.reshape(mean, (-1,)), jnp.reshape(variance, (-1,))

    def get_config(self):
        init = config_utils.initializer
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, **self._affine_config(),
                "moving_mean_initializer": init(self.moving_mean_initializer),
                "moving_variance_initializer": init(self.moving_variance_initializer),
                "synchronized": self.synchronized, "renorm": False, "renorm_clipping": None,
                "renorm_momentum": 0.99}


class LayerNormalization(_AffineNormalization):
    """Normalize each sample over `axis` (int or list of ints): `gamma * (x - mean) /
    sqrt(var + epsilon) + beta`. The deprecated `rms_scaling=True` follows Keras 3.15:
    `gamma * x / sqrt(var + epsilon)` with no beta."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", **kwargs):
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated. This argument incorrectly "
                "scales the input by the variance, not the root mean square.")
        if isinstance(axis, (list, tuple)) and all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
            axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            axis = int(axis)
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis!r}")
        epsilon = _check_number("LayerNormalization", "epsilon", epsilon, positive=True)
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon
        self._set_affine(center, scale, beta_initializer, gamma_initializer)
        self.rms_scaling = rms_scaling

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"Layer '{self.name}': axis {a} is out of bounds for input "
                                 f"shape {tuple(input_shape)}. Received: axis={self.axis}")
            if input_shape[a] is None:
                raise ValueError(f"Layer '{self.name}': the normalized axis {a} of the inputs "
                                 f"must have a known size. Received: input_shape="
                                 f"{tuple(input_shape)}")
        self._axes = axes
        shape = tuple(int(input_shape[a]) for a in axes)
        self._add_affine(shape, self.scale or self.rms_scaling,
                         self.center and not self.rms_scaling)
        # Any rank that still has the normalized axes is fine, as in Keras.
        self.input_spec = InputSpec(min_ndim=max(a + 1 if a >= 0 else -a for a in axes),
                                    axes={a: int(input_shape[a]) for a in axes})

    def call(self, inputs):
        x = jnp.asarray(inputs)
        x = x.astype(_compute_dtype(x))
        axes = tuple(self._axes)
        broadcast = [1] * x.ndim
        for a in axes:
            broadcast[a] = x.shape[a]

        def bcast(v):
            # Weights already line up when only the last axis is normalized.
            if v is None:
                return None
            v = jnp.asarray(v, x.dtype)
            return v if self._axes == [x.ndim - 1] or self._axes == [-1] else v.reshape(broadcast)

        variance = jnp.var(x, axis=axes, keepdims=True)
        if self.rms_scaling:
            out = x * jax.lax.rsqrt(variance + self.epsilon)
            if self.gamma is not None:
                out = out * bcast(self.gamma)
        else:
            mean = jnp.mean(x, axis=axes, keepdims=True)
            out = _normalize(x, mean, variance, bcast(self.gamma), bcast(self.beta), self.epsilon)
        return out.astype(self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                **self._affine_config(), "rms_scaling": self.rms_scaling}
