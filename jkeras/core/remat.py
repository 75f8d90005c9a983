"""Rematerialization (gradient checkpointing), as Keras 3: `keras.remat(f)` is
`jax.checkpoint(f)`, and `keras.RematScope(mode=...)` makes the layers created inside it
recompute their forward pass in the backward pass.

A layer keeps the remat mode open when it was constructed (Keras's `Operation.__init__`). With
mode "full" (every such layer), "list_of_layers" (those named in `layer_names`) or
"larger_than" (those whose outputs hold more than `output_size_threshold` elements) the layer's
pure `apply` runs under `jax.checkpoint`; with "activations" its `activation` does.
"""
import collections
import functools
import math
import jax

from jkeras.core.scoped import ScopeStack, StackedScope

RematMode = collections.namedtuple("RematMode", ["mode", "output_size_threshold", "layer_names"])
_MODES = ("full", "activations", "larger_than", "list_of_layers", None)


def remat(f):
    """Applies rematerialization to a function or layer for memory optimization: the returned
    function recomputes `f`'s forward pass when its gradient is taken (`jax.checkpoint`)."""
    return jax.checkpoint(f)


class RematScope(StackedScope):
    """A context manager for enabling rematerialization.

    Args:
        mode: `"full"`, `"activations"`, `"larger_than"`, `"list_of_layers"` or `None`.
        output_size_threshold: the output size above which `"larger_than"` rematerializes a
            layer (default 1024).
        layer_names: the layer names `"list_of_layers"` rematerializes.
    """

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in _MODES:
            raise ValueError(f"Invalid mode '{mode}'. Supported modes are: 'full', "
                             "'activations', 'larger_than', 'list_of_layers', or  None.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []

    _open = ScopeStack()


def get_current_remat_mode():
    """The innermost open scope's `RematMode`, or None."""
    stack = RematScope._open.items
    if not stack:
        return None
    scope = stack[-1]
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)


def _size(tree):
    return sum(math.prod(leaf.shape) for leaf in jax.tree_util.tree_leaves(tree)
               if hasattr(leaf, "shape"))


def wrap_apply(layer, pure_apply):
    """`pure_apply(variables, inputs, rng) -> outputs` under `jax.checkpoint` when the layer's
    remat mode asks for it (modes other than "activations"), else `pure_apply` itself."""
    mode = layer.__dict__.get("_remat_mode")
    if not mode or mode.mode in (None, "activations"):
        return pure_apply
    if mode.mode == "full":
        return remat(pure_apply)
    if mode.mode == "list_of_layers":
        return remat(pure_apply) if layer.name in mode.layer_names else pure_apply

    @functools.wraps(pure_apply)
    def larger_than(*args):
        outputs = jax.eval_shape(pure_apply, *args)[0]
        fn = remat(pure_apply) if _size(outputs) > mode.output_size_threshold else pure_apply
        return fn(*args)
    return larger_than


def remats_activation(layer):
    mode = layer.__dict__.get("_remat_mode")
    return bool(mode) and mode.mode == "activations" and \
        getattr(layer, "activation", None) is not None
