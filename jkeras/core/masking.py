"""Keras 3's mask flow on tensors: a layer's output carries `_keras_mask` (from its
`compute_mask(inputs, mask)`), and a layer whose `call` takes `mask` receives the mask of its
input when none is given. This runs for eager calls, for sub-layers called inside a model's
`call` (also under `jit` and in `fit`), and for symbolic tensors while a functional model is
built (there the mask is a symbolic tensor too, and the layer's output spec is computed with it).
"""
import functools
import inspect
import weakref

import jax

_ATTR = "_keras_mask"


# Values that take no attribute (JAX tracers under `jit`) keep their mask here, by id, for as
# long as they live (as Keras's tensor_attributes does).
_side_masks = {}


def get_keras_mask(x):
    """The mask attached to `x` (None when there is none)."""
    mask = getattr(x, _ATTR, None)
    return _side_masks.get(id(x)) if mask is None else mask


def set_keras_mask(x, mask):
    """Attach `mask` to `x` in place."""
    try:
        setattr(x, _ATTR, mask)
        return
    except (AttributeError, TypeError):
        pass
    try:
        weakref.finalize(x, _side_masks.pop, id(x), None)
    except TypeError:
        return  # neither attributes nor weak references (a Python number): no mask to keep
    _side_masks[id(x)] = mask


def _is_tensor_like(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


def mask_of(structure):
    """The masks of a tensor or a (nested) list of tensors, None when no tensor has one."""
    if isinstance(structure, (list, tuple)):
        masks = [mask_of(item) for item in structure]
        return None if all(m is None for m in masks) else type(structure)(masks)
    return get_keras_mask(structure) if _is_tensor_like(structure) else None


def supports_masking(layer):
    """Keras: a layer supports masking when it says so or overrides `compute_mask`."""
    from_base = getattr(type(layer).compute_mask, "__qualname__", "") == "Layer.compute_mask"
    return bool(getattr(layer, "supports_masking", False)) or not from_base


def fill_mask_arguments(layer, args, kwargs):
    """`kwargs` with `mask` (or `<arg>_mask`) filled from the inputs' attached masks when the
    layer's `call` takes it and the caller gave none; and the mask its output derives from."""
    tensors = {name: value for name, value in _tensor_arguments(layer, args, kwargs)}
    kwargs = dict(kwargs)
    if len(tensors) == 1 and layer._accepts_mask and kwargs.get("mask") is None:
        found = mask_of(next(iter(tensors.values())))
        if found is not None:
            kwargs["mask"] = found
    elif len(tensors) > 1:
        params = _call_parameters(layer)
        for name, value in tensors.items():
            key = f"{name}_mask"
            if key in params and kwargs.get(key) is None:
                found = mask_of(value)
                if found is not None:
                    kwargs[key] = found
    first = args[0] if args else next(iter(tensors.values()), None)
    previous = kwargs["mask"] if kwargs.get("mask") is not None else mask_of(first)
    return kwargs, first, previous


def attach_output_masks(layer, first, outputs, previous):
    """Set `_keras_mask` on the outputs from `layer.compute_mask(first, previous)`, as Keras
    does after a call of a layer that supports masking (masks already set are kept)."""
    if not supports_masking(layer):
        return
    flat = [x for x in jax.tree_util.tree_leaves(outputs) if _is_tensor_like(x)]
    if not flat or all(get_keras_mask(x) is not None for x in flat):
        return
    masks = layer.compute_mask(first, previous)
    if masks is None:
        return
    masks = list(masks) if isinstance(masks, (list, tuple)) else [masks] * len(flat)
    for tensor, mask in zip(flat, masks):
        if mask is not None and get_keras_mask(tensor) is None:
            set_keras_mask(tensor, mask)


def _call_parameters(layer):
    return _parameters_of(type(layer).call)


@functools.lru_cache(maxsize=None)
def _parameters_of(call):
    return tuple(inspect.signature(call).parameters)


def _tensor_arguments(layer, args, kwargs):
    params = [p for p in _call_parameters(layer) if p != "self"]
    named = list(zip(params, args)) + [(k, v) for k, v in kwargs.items()
                                       if k not in ("mask", "training") and
                                       not k.endswith("_mask")]
    return [(name, value) for name, value in named if _has_tensor(value)]


def _has_tensor(value):
    if isinstance(value, (list, tuple)):
        return any(_has_tensor(v) for v in value)
    return _is_tensor_like(value)
