"""`clone_model` and `model_from_json` (`model.to_json()` writes the string): new models from an existing one's
architecture (fresh weights, as Keras)."""
import json

import jax

from jkeras.core.symbolic import KerasTensor
from jkeras.layers.input_layer import Input, InputLayer
from jkeras.models.functional import Functional
from jkeras.models.sequential import Sequential
from jkeras.core import serialization


def _default_clone(layer):
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model with the same architecture and new weights (Keras 3's `clone_model`):
    each layer is `clone_function(layer)` (default: rebuilt from its config)."""
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {sorted(kwargs)}")
    if call_function is not None and not isinstance(model, Functional):
        if isinstance(model, Sequential):
            raise ValueError(
                "`call_function` argument is not supported with Sequential models.  In a "
                "Sequential model, layers aren't called at model-construction time (they're "
                "merely listed). Use `call_function` with Functional models only. Received "
                f"model of type '{type(model).__name__}', with call_function={call_function}")
        raise ValueError("Argument `call_function` is only supported for Functional models. "
                         f"Received model of type '{type(model).__name__}', with "
                         f"call_function={call_function}")
    clone = clone_function or _default_clone

    def clone_layer(layer):
        if recursive and isinstance(layer, (Sequential, Functional)):
            return clone_model(layer, clone_function=clone_function, recursive=True)
        return clone(layer)

    if isinstance(model, Sequential):
        first = model._layers[0] if model._layers else None
        layers = [clone_layer(layer) for layer in model.layers]
        if input_tensors is not None:
            return _compiled_like(model, Sequential([input_tensors] + layers, name=model.name))
        if isinstance(first, InputLayer):
            layers = [Input(batch_shape=first.batch_shape, dtype=first.dtype,
                            name=first.name)] + layers
        return _compiled_like(model, Sequential(layers, name=model.name,
                                                trainable=model.trainable))
    if isinstance(model, Functional):
        return _compiled_like(model, _clone_functional(model, input_tensors, clone_layer,
                                                       call_function))
    # A subclassed model: through its config (Keras does the same).
    return serialization.deserialize_keras_object(serialization.serialize_keras_object(model))


def _compiled_like(model, clone):
    """Keras compiles the clone of a compiled Sequential or functional model the same way."""
    if getattr(model, "compiled", False):
        clone.compile_from_config(model.get_compile_config())
    return clone


def _clone_functional(model, input_tensors, clone_layer, call_function=None):
    if input_tensors is None:
        new_inputs = [Input(batch_shape=x.shape, dtype=x.dtype, name=x._keras_history[0].name)
                      for x in model.inputs]
    else:
        new_inputs = list(input_tensors) if isinstance(input_tensors, (list, tuple)) \
            else [input_tensors]
        if len(new_inputs) != len(model.inputs):
            raise ValueError(f"`input_tensors` must have {len(model.inputs)} tensors (one per "
                             f"input of '{model.name}'); received {len(new_inputs)}.")
    mapped = {id(old): new for old, new in zip(model.inputs, new_inputs)}
    clones = {}

    def lookup(x):
        return mapped[id(x)] if isinstance(x, KerasTensor) else x

    for node in model._nodes:
        if id(node.layer) not in clones:  # a shared layer is cloned once, and stays shared
            clones[id(node.layer)] = clone_layer(node.layer)
        layer = clones[id(node.layer)]
        args, kwargs = jax.tree_util.tree_map(lookup, (node.args, dict(node.kwargs)),
                                              is_leaf=lambda x: isinstance(x, KerasTensor))
        out = call_function(layer, *args, **kwargs) if call_function else layer(*args, **kwargs)
        new_leaves = jax.tree_util.tree_leaves(out, is_leaf=lambda x: isinstance(x, KerasTensor))
        for old, new in zip(node.output_tensors, new_leaves):
            mapped[id(old)] = new
    outputs = jax.tree_util.tree_map(lookup, model._outputs_struct,
                                     is_leaf=lambda x: isinstance(x, KerasTensor))
    inputs = model._inputs_struct
    if isinstance(inputs, dict):
        inputs = {k: mapped[id(v)] for k, v in inputs.items()}
    elif isinstance(inputs, (list, tuple)):
        inputs = [mapped[id(v)] for v in inputs]
    else:
        inputs = mapped[id(inputs)]
    return Functional(inputs, outputs, name=model.name, trainable=model.trainable)


def model_from_json(json_string, custom_objects=None):
    """A new (unbuilt or built, uncompiled) model from `model.to_json()` output."""
    return serialization.deserialize_keras_object(json.loads(json_string),
                                                  custom_objects=custom_objects)
