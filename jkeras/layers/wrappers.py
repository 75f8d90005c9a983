"""Layer wrappers: `Wrapper` (the base: holds `self.layer`, config `{"layer": ...}`) and
`TimeDistributed` (the wrapped layer on every timestep).

TimeDistributed folds the time axis into the batch axis and calls the wrapped layer once, which
is Keras's per-timestep result for every layer whose output for one sample does not depend on
the other samples of the batch (the same rule as Keras's vectorized map, except a
BatchNormalization in training mode, which here sees batch x time samples at once).
"""
import jax
import jax.numpy as jnp

from jkeras.core.input_spec import InputSpec
from jkeras.core.layer import Layer
from jkeras.layers import config_utils


class Wrapper(Layer):
    """Base for layers that wrap another layer (`self.layer`)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. "
                             "Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def get_config(self):
        # (from_config: the base deserializes the nested layer config)
        return {**super().get_config(), "layer": config_utils.nested(self.layer)}


class TimeDistributed(Wrapper):
    """Apply `layer` to every temporal slice of inputs of shape (batch, time, ...)."""

    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        super().__init__(layer, **kwargs)
        self.input_spec = InputSpec(min_ndim=3)

    def build(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3 or not all(
                d is None or isinstance(d, int) for d in input_shape):
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at "
                             f"least 3 dimensions, received: {input_shape}")

    def call(self, inputs, training=None, mask=None):
        x = jnp.asarray(inputs)
        batch, steps = x.shape[:2]
        kwargs = {}
        if self.layer._accepts_training:
            kwargs["training"] = training
        if mask is not None and self.layer._accepts_mask:
            mask = jnp.asarray(mask)
            if mask.shape[:2] != (batch, steps):
                raise ValueError("`TimeDistributed` Layer should be passed a `mask` of shape "
                                 f"({batch}, {steps}, ...), received: mask.shape={mask.shape}")
            kwargs["mask"] = mask.reshape((batch * steps,) + mask.shape[2:])
        if training and self.layer.non_trainable_weights:
            # As Keras: one call per timestep, so a layer with state (BatchNormalization) sees
            # each step's batch and updates its statistics step after step.
            step_masks = kwargs.pop("mask", None)
            ys = []
            for t in range(steps):
                if step_masks is not None:
                    kwargs["mask"] = mask[:, t]
                ys.append(self.layer(x[:, t], **kwargs))
            return jax.tree_util.tree_map(lambda *ts: jnp.stack(ts, axis=1), *ys)
        y = self.layer(x.reshape((batch * steps,) + x.shape[2:]), **kwargs)
        return jax.tree_util.tree_map(
            lambda t: t.reshape((batch, steps) + t.shape[1:]), y)
