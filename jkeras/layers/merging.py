"""Merging layers over a list of inputs: Add, Concatenate."""
import jax.numpy as jnp

from jkeras.core.layer import Layer
from jkeras.core.shapes import is_shape
from jkeras.layers import merge_masks


class _Merge(Layer):
    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return merge_masks.or_mask(inputs, mask)

    def _check_list(self, inputs, shapes=False):
        single = is_shape(inputs) if shapes else not isinstance(inputs, (list, tuple))
        if single or len(inputs) < 2:
            got = "a single input" if single else f"{len(inputs)} input(s)"
            raise ValueError(f"A merge layer '{self.name}' should be called on a list of at least "
                             f"2 inputs. Received: {got}")

    def build(self, input_shape):
        self._check_list(input_shape, shapes=True)


class Add(_Merge):
    def build(self, input_shape):
        super().build(input_shape)
        shapes = [tuple(s[1:]) for s in input_shape]
        try:
            jnp.broadcast_shapes(*shapes)
        except ValueError:
            raise ValueError(f"Inputs of layer '{self.name}' must have broadcastable shapes. "
                             f"Received shapes: {[tuple(s) for s in input_shape]}") from None

    def call(self, inputs):
        self._check_list(inputs)
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Concatenate(_Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        super().build(input_shape)
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(f"Layer '{self.name}' requires inputs of the same rank. Received "
                             f"shapes: {[tuple(s) for s in input_shape]}")
        rank = ranks.pop()
        axis = self.axis % rank
        for dim in range(1, rank):
            sizes = {s[dim] for s in input_shape if s[dim] is not None}
            if dim != axis and len(sizes) > 1:
                raise ValueError(
                    f"A `Concatenate` layer '{self.name}' requires inputs with matching shapes "
                    f"except for the concatenation axis. Received: input_shape="
                    f"{[tuple(s) for s in input_shape]}")

    def call(self, inputs):
        self._check_list(inputs)
        return jnp.concatenate(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        return merge_masks.concatenate_mask(inputs, mask, self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
