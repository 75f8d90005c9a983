"""More merging layers: Subtract, Multiply, Average, Maximum, Minimum and Dot."""
import functools

import jax.numpy as jnp
import numpy as np
from jax import lax

from jkeras.layers import merge_masks
from jkeras.layers.merging import _Merge


def _check_two_inputs(layer, inputs):
    """Subtract and Dot take exactly two inputs (Keras's wording names the class)."""
    layer._check_list(inputs)
    if len(inputs) != 2:
        raise ValueError(f"A `{type(layer).__name__}` layer should be called on exactly 2 "
                         f"inputs. Received: {len(inputs)} inputs")


class _Elementwise(_Merge):
    """Merges a list of same-shape (broadcastable) inputs with a binary op, left to right."""

    def build(self, input_shape):
        super().build(input_shape)
        try:
            jnp.broadcast_shapes(*[tuple(1 if d is None else d for d in s[1:])
                                   for s in input_shape])
        except ValueError:
            raise ValueError(f"Inputs of layer '{self.name}' have incompatible shapes. "
                             f"Received shapes {[tuple(s) for s in input_shape]}") from None

    def _op(self, a, b):
        raise TypeError(f"Merge layer subclass {type(self).__name__} must implement `_op(a, b)`.")

    def call(self, inputs):
        self._check_list(inputs)
        return functools.reduce(self._op, inputs)


class Subtract(_Elementwise):
    """`inputs[0] - inputs[1]` (exactly two inputs)."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={[tuple(s) for s in input_shape]}")

    def call(self, inputs):
        _check_two_inputs(self, inputs)
        return inputs[0] - inputs[1]


class Multiply(_Elementwise):
    def _op(self, a, b):
        return a * b

    def call(self, inputs):
        self._check_list(inputs)
        return merge_masks.multiply_masked(inputs)


class Average(_Elementwise):
    def call(self, inputs):
        self._check_list(inputs)
        return functools.reduce(jnp.add, inputs) / len(inputs)


class _Extremum(_Elementwise):
    """Maximum / Minimum: masked entries take the running output's value (Keras's merge)."""

    def call(self, inputs):
        self._check_list(inputs)
        return merge_masks.op_masked(self._op, inputs)


class Maximum(_Extremum):
    _op = staticmethod(jnp.maximum)


class Minimum(_Extremum):
    _op = staticmethod(jnp.minimum)


def _l2_normalize(x, axis):
    # Keras's ops.normalize: x * min(rsqrt(sum(x^2)), 1/epsilon), epsilon 1e-7.
    inv = lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv, 1e7)


class Dot(_Merge):
    """Batchwise dot product of two inputs along `axes` (cosine proximity when normalize).

    Output: the first input's dims without its axis, then the second's without batch and axis;
    a rank-1 result becomes (batch, 1), as Keras's batch_dot.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        if not isinstance(axes, (int, np.integer)):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an int. "
                                f"Received: axes={axes!r}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes!r}")
            if not all(isinstance(a, (int, np.integer)) for a in axes):
                raise ValueError("Invalid format for argument `axes`: list elements should be "
                                 f"integers. Received: axes={axes!r}")
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = bool(normalize)

    def _resolve_axes(self, rank1, rank2):
        if isinstance(self.axes, (int, np.integer)):
            axes = [self.axes % rank1, self.axes % rank2] if self.axes < 0 else [self.axes] * 2
        else:
            axes = [a % r if a < 0 else a for a, r in zip(self.axes, (rank1, rank2))]
        if 0 in axes:
            raise ValueError(f"Layer '{self.name}': cannot perform a Dot over axis 0 (the batch "
                             f"axis). Received: axes={self.axes}")
        return axes

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: input_shape={[tuple(s) for s in input_shape]}")
        shape1, shape2 = input_shape
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(f"Layer '{self.name}': Dot needs inputs of rank >= 2. Received "
                             f"shapes {tuple(shape1)} and {tuple(shape2)}")
        a1, a2 = self._resolve_axes(len(shape1), len(shape2))
        if max(a1 - len(shape1), a2 - len(shape2)) >= 0:
            raise ValueError(f"Layer '{self.name}': axes={self.axes} out of range for shapes "
                             f"{tuple(shape1)} and {tuple(shape2)}")
        if shape1[a1] is not None and shape2[a2] is not None and shape1[a1] != shape2[a2]:
            raise ValueError(f"Incompatible input shapes: axis values {shape1[a1]} (at axis "
                             f"{a1}) != {shape2[a2]} (at axis {a2}). Full input shapes: "
                             f"{tuple(shape1)}, {tuple(shape2)}")

    def call(self, inputs):
        _check_two_inputs(self, inputs)
        x1, x2 = jnp.asarray(inputs[0]), jnp.asarray(inputs[1])
        a1, a2 = self._resolve_axes(x1.ndim, x2.ndim)
        if self.normalize:
            x1, x2 = _l2_normalize(x1, a1), _l2_normalize(x2, a2)
        out = lax.dot_general(x1, x2, (((a1,), (a2,)), ((0,), (0,))),
                              precision=lax.Precision.HIGHEST)
        return out[:, None] if out.ndim == 1 else out

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}
