"""Symbolic tensors of the functional API: calling a layer on them records a graph node."""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import masking, naming, serialization
from jkeras.core.variable import Variable


class KerasTensor:
    """A placeholder with a shape (batch dim None) and dtype, and the node that made it."""

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(shape)
        self.dtype = jnp.dtype(dtype).name
        self.name = name or naming.unique_name("keras_tensor")
        self._keras_history = None  # (layer, node, index in the node's flat outputs)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __bool__(self):
        raise TypeError(
            "A symbolic KerasTensor cannot be used as a Python bool: functional models are built "
            "from layer calls. Use a subclassed Model for value-dependent control flow.")

    def _op(self, fn, *others):
        Lambda = serialization.family_member("layers", "Lambda")  # layers/ sits above core/
        return Lambda(fn)(self, *others) if not others else Lambda(lambda xs: fn(*xs))([self, *others])

    def __add__(self, o): return self._op(jnp.add, o)
    def __radd__(self, o): return self._op(lambda a, b: jnp.add(b, a), o)
    def __sub__(self, o): return self._op(jnp.subtract, o)
    def __rsub__(self, o): return self._op(lambda a, b: jnp.subtract(b, a), o)
    def __mul__(self, o): return self._op(jnp.multiply, o)
    def __rmul__(self, o): return self._op(lambda a, b: jnp.multiply(b, a), o)
    def __truediv__(self, o): return self._op(jnp.divide, o)
    def __matmul__(self, o): return self._op(jnp.matmul, o)
    def __neg__(self): return self._op(jnp.negative)


class Node:
    """One call of `layer` on symbolic arguments."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer, self.args, self.kwargs, self.outputs = layer, args, kwargs, outputs
        self.input_tensors = [t for t in jax.tree_util.tree_leaves((args, kwargs), is_leaf=_is_kt)
                              if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in jax.tree_util.tree_leaves(outputs, is_leaf=_is_kt)
                               if isinstance(t, KerasTensor)]


def _is_kt(x):
    return isinstance(x, KerasTensor)


class _Spec(tuple):
    """(shape, dtype) of one output; a pytree leaf, unlike a namedtuple."""
    shape = property(lambda self: self[0])
    dtype = property(lambda self: self[1])

    def __new__(cls, shape, dtype):
        return super().__new__(cls, (shape, dtype))


def _is_spec(x):
    return isinstance(x, _Spec)


def any_symbolic(structure):
    # Variable handles are leaves here (ops and layers accept them as tensors, as Keras)
    return any(isinstance(t, KerasTensor) for t in jax.tree_util.tree_leaves(
        structure, is_leaf=lambda x: isinstance(x, (KerasTensor, Variable))))


# Stand-ins for unknown sizes when evaluating shapes: the batch axis and the other axes are
# probed at two sizes each; the free ones large enough for "valid" convolutions and pooling.
_PROBES = {1: (1, 64), 2: (2, 128)}


def _concrete(structure, probe):
    batch, free = _PROBES[probe]

    def conv(x):
        if isinstance(x, KerasTensor):
            shape = tuple((batch if i == 0 else free) if d is None else d
                          for i, d in enumerate(x.shape))
            return jax.ShapeDtypeStruct(shape, x.dtype)
        return x
    return jax.tree_util.tree_map(conv, structure, is_leaf=_is_kt)


def _zeros(structure):
    return jax.tree_util.tree_map(
        lambda s: jnp.zeros(s.shape, s.dtype) if isinstance(s, jax.ShapeDtypeStruct) else s,
        structure)


def output_specs(layer, args, kwargs):
    """Output shapes by abstract evaluation at batch sizes 1 and 2: dims that differ are None."""
    variables = layer.get_variables()
    static = {k: v for k, v in kwargs.items() if not any_symbolic(v)}
    dynamic = {k: v for k, v in kwargs.items() if any_symbolic(v)}
    training = bool(static.pop("training", False))

    def run(a, k):
        # any key: only shapes come out (a SeedGenerator in `call` needs one to trace)
        return layer.apply(variables, *a, training=training, rng=jax.random.PRNGKey(0),
                           **static, **k)[0]

    one = jax.eval_shape(run, *_concrete((args, dynamic), 1))
    two = jax.eval_shape(run, *_concrete((args, dynamic), 2))
    # Not a ShapeDtypeStruct: newer jax (0.11) rejects None dims in those.
    return jax.tree_util.tree_map(
        lambda a, b: _Spec(
            tuple(None if x != y else x for x, y in zip(a.shape, b.shape)), a.dtype), one, two)


def symbolic_call(layer, args, kwargs):
    # The inputs' symbolic masks reach a mask-consuming `call` here, but are not node inputs:
    # the functional model passes the real masks when it runs.
    spec_kwargs, first, previous_mask = masking.fill_mask_arguments(layer, args, kwargs)
    if not layer.built:
        concrete_args, concrete_kwargs = _zeros(_concrete((args, spec_kwargs), 1))
        concrete_kwargs = {k: v for k, v in concrete_kwargs.items() if k != "training"}
        concrete_args = jax.tree_util.tree_map(jnp.asarray, concrete_args)
        layer._ensure_built(concrete_args, concrete_kwargs)
    specs = output_specs(layer, args, spec_kwargs)
    outputs = jax.tree_util.tree_map(lambda s: KerasTensor(s.shape, s.dtype), specs,
                                     is_leaf=_is_spec)
    node = Node(layer, args, kwargs, outputs)
    layer._inbound_nodes.append(node)
    for i, t in enumerate(node.output_tensors):
        t._keras_history = (layer, node, i)
    if node.output_tensors:
        layer._output_shape = node.output_tensors[0].shape
    if masking.supports_masking(layer):
        for tensor, mask in _symbolic_masks(layer, first, previous_mask, node.output_tensors):
            masking.set_keras_mask(tensor, mask)
    return outputs


def _symbolic_masks(layer, first, previous_mask, outputs):
    """(output tensor, its symbolic mask) pairs from `layer.compute_mask` on abstract values."""
    def run(x, m):
        return layer.compute_mask(x, m)

    one = jax.eval_shape(run, *_concrete((first, previous_mask), 1))
    if one is None:
        return []
    two = jax.eval_shape(run, *_concrete((first, previous_mask), 2))
    masks = jax.tree_util.tree_map(
        lambda a, b: KerasTensor(tuple(None if x != y else x for x, y in zip(a.shape, b.shape)),
                                 a.dtype), one, two)
    masks = list(masks) if isinstance(masks, (list, tuple)) else [masks] * len(outputs)
    return [(t, m) for t, m in zip(outputs, masks) if m is not None]


def input_shape_of(x):
    return tuple(np.shape(x))
