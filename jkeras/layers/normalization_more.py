"""GroupNormalization, UnitNormalization and RMSNormalization, with Keras 3's weights, configs
and numerics (statistics in float32 at least)."""
import jax
import jax.numpy as jnp

from jkeras import initializers
from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import config_utils


class GroupNormalization(Layer):
    _penalty_weights = {"gamma": "gamma", "beta": "beta"}
    """Normalise each sample over groups of channels (`groups=-1`: one channel per group, i.e.
    instance normalisation), then scale by `gamma` and shift by `beta` per channel."""

    supports_masking = True

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or (
                groups <= 0 and groups != -1):
            raise ValueError(f"{type(self).__name__}: Received an invalid value for argument "
                             "`groups`, expected a "
                             "positive integer (or `-1` for instance normalization). "
                             f"Received: groups={groups}")
        super().__init__(**kwargs)
        self.groups, self.axis, self.epsilon = groups, axis, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension "
                             f"but the layer received an input with shape {input_shape}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number "
                             f"of channels ({dim}). (layer '{self.name}')")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number "
                             f"of channels ({dim}). (layer '{self.name}')")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        if self.scale:
            self.gamma = self.add_weight(shape=(dim,), name="gamma",
                                         initializer=self.gamma_initializer, autocast=False)
        if self.center:
            self.beta = self.add_weight(shape=(dim,), name="beta",
                                        initializer=self.beta_initializer, autocast=False)

    def call(self, inputs):
        x = jnp.asarray(inputs)
        axis = self.axis % x.ndim
        grouped_shape = x.shape[:axis] + (self.groups, x.shape[axis] // self.groups) + \
            x.shape[axis + 1:]
        g = x.reshape(grouped_shape).astype(jnp.promote_types(x.dtype, jnp.float32))
        reduce = tuple(i for i in range(1, g.ndim) if i != axis)
        mean = jnp.mean(g, axis=reduce, keepdims=True)
        variance = jnp.var(g, axis=reduce, keepdims=True)
        inv = jax.lax.rsqrt(variance + self.epsilon)
        param_shape = [1] * g.ndim
        param_shape[axis], param_shape[axis + 1] = self.groups, x.shape[axis] // self.groups
        if self.scale:
            inv = inv * self.gamma.reshape(param_shape).astype(g.dtype)
        res = -mean * inv
        if self.center:
            res = res + self.beta.reshape(param_shape).astype(g.dtype)
        return (g * inv + res).reshape(x.shape).astype(self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": config_utils.initializer(self.beta_initializer),
                "gamma_initializer": config_utils.initializer(self.gamma_initializer),
                **config_utils.regularizers_and_constraints(self, "beta", "gamma")}


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm along `axis` (`x * rsqrt(max(sum(x^2), 1e-24))`)."""
    _builds_at_init = True  # Keras: built once constructed
    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple "
                            f"of ints. Received: axis={axis}")

    def call(self, inputs):
        x = jnp.asarray(inputs)
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
        return x * jnp.minimum(jax.lax.rsqrt(square_sum), 1.0 / 1e-12)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class RMSNormalization(Layer):
    """`x * rsqrt(mean(x^2 over axis) + epsilon) * scale`, `scale` learned per normalised
    position (ones)."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        if isinstance(self.axis, (list, tuple)):
            self.axis = sorted(self.axis)
            shape = tuple(input_shape[dim] for dim in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")

    def call(self, inputs):
        x = jnp.asarray(inputs)
        compute = jnp.promote_types(x.dtype, jnp.float32)
        x32 = x.astype(compute)
        rrms = jax.lax.rsqrt(jnp.mean(jnp.square(x32), axis=tuple(self.axis), keepdims=True)
                             + self.epsilon)
        return (x32 * rrms * self.scale.astype(compute)).astype(x.dtype)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
