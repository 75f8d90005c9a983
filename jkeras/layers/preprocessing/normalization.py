"""Normalization: (x - mean) / max(sqrt(variance), 1e-7), statistics from `adapt` or given."""
import math

import jax.numpy as jnp
import numpy as np

from jkeras.core.layer import Layer

_EPSILON = 1e-7  # keras.backend.epsilon()


class Normalization(Layer):
    supports_masking = True  # as Keras 3: the mask passes through, the values all normalized

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.invert = bool(invert)
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError("When setting values directly, `mean` and `variance` must have the "
                             f"same shape. Received: mean shape {np.shape(mean)} and variance "
                             f"shape {np.shape(variance)}")
        self.input_mean = None if mean is None else np.asarray(mean, np.float32)
        self.input_variance = None if variance is None else np.asarray(variance, np.float32)

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis} (layer '{self.name}')")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"Layer '{self.name}': all `axis` values to be kept must have a "
                                 f"known shape. Received axis={self.axis}, inputs.shape={input_shape}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1
                                      for d in range(ndim))
        self._stats_shape = tuple(input_shape[d] for d in self._keep_axis)
        self._build_input_shape = tuple(input_shape)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._stats_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._stats_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)

    def _statistics(self):
        if self.input_mean is not None:
            mean, var = self.input_mean, self.input_variance
            if mean.ndim:  # align given stats to the kept axes, right to left
                shape = [1] * len(self._broadcast_shape)
                for i in range(1, mean.ndim + 1):
                    shape[self._keep_axis[-i]] = mean.shape[-i]
                mean, var = mean.reshape(shape), var.reshape(shape)
            return (jnp.broadcast_to(mean, self._broadcast_shape),
                    jnp.broadcast_to(var, self._broadcast_shape))
        # Inside `call` these are the bound arrays; outside, the held Variables' values.
        mean, var = (getattr(w, "value", w) for w in (self.adapt_mean, self.adapt_variance))
        return (jnp.reshape(mean, self._broadcast_shape), jnp.reshape(var, self._broadcast_shape))

    @property
    def mean(self):
        """The statistics in the inputs' broadcast shape (Keras's `layer.mean`); None before
        the layer is built."""
        return self._statistics()[0] if self._specs_built else None

    @property
    def variance(self):
        return self._statistics()[1] if self._specs_built else None

    def call(self, inputs):
        x = jnp.asarray(inputs, self.dtype)
        mean, variance = self._statistics()
        scale = jnp.maximum(jnp.sqrt(variance), _EPSILON)
        return mean + x * scale if self.invert else (x - mean) / scale

    def adapt(self, data):
        """Population mean and variance (ddof 0) over all axes but `axis`, from an array or an
        iterable of batches (combined exactly as Keras does)."""
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' was given `mean` and `variance`; it cannot be "
                             "adapted.")
        if hasattr(data, "shape") and hasattr(data, "dtype"):
            batches, first = None, np.asarray(data)
        else:
            try:
                batches = iter(data)
            except TypeError:
                raise TypeError(f"Unsupported data type: {type(data).__name__}. `adapt` supports "
                                "arrays and iterables of batches.") from None
            first = None
        if first is not None:
            self._adapt_shape(first.shape)
            mean = np.mean(first.astype(np.float64), axis=self._reduce_axis)
            var = np.var(first.astype(np.float64), axis=self._reduce_axis)
        else:
            mean, var = self._adapt_batches(batches)
        self.adapt_mean.assign(mean.astype(np.float32))
        self.adapt_variance.assign(var.astype(np.float32))

    def get_config(self):
        def listed(stats):
            return None if stats is None else np.asarray(stats).tolist()
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": listed(self.input_mean), "variance": listed(self.input_variance)}

    def _adapt_shape(self, shape):
        if not self.built:
            self._ensure_built((jnp.zeros((1,) + tuple(shape[1:]), jnp.float32),))
        for d in self._keep_axis:
            if shape[d] != self._build_input_shape[d]:
                raise ValueError(f"Layer '{self.name}' was built with input_shape="
                                 f"{self._build_input_shape}, but adapt() is being called with "
                                 f"data with an incompatible shape, data.shape={tuple(shape)}")

    def _adapt_batches(self, batches):
        mean = var = None
        total = 0
        for batch in batches:
            if isinstance(batch, tuple):
                batch = batch[0]
            batch = np.asarray(batch, np.float64)
            self._adapt_shape(batch.shape)
            count = math.prod(batch.shape[d] for d in self._reduce_axis) if self._reduce_axis else 1
            b_mean, b_var = batch.mean(axis=self._reduce_axis), batch.var(axis=self._reduce_axis)
            if mean is None:
                mean, var = np.zeros_like(b_mean), np.zeros_like(b_var)
            total += count
            w = count / total
            new_mean = mean * (1 - w) + b_mean * w
            var = (var + (mean - new_mean) ** 2) * (1 - w) + (b_var + (b_mean - new_mean) ** 2) * w
            mean = new_mean
        if mean is None:
            raise ValueError(f"Layer '{self.name}': adapt() received no data.")
        return mean, var
