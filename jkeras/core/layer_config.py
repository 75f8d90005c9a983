"""Layer configs: `Layer.from_config` and the build config, in Keras 3's format.

tf.keras configs carry arguments jkeras does not have (quantization, ...). Those at their Keras
default are dropped; any other value is a clear ValueError instead of a silently different layer.
"""
import inspect

from jkeras.core import random, weight_options
from jkeras.core.auto_config import merge_auto_config
from jkeras.core.serialization import (deserialize_keras_object, dtype_name,
                                       serialize_dtype_policy, serialize_keras_object)
from jkeras.core.symbolic import KerasTensor

# Keras-only arguments and the values that change nothing in jkeras ("any" = every value).
_KERAS_ONLY_DEFAULTS = {
    "quantization_config": (None,), "lora_rank": (None,), "lora_alpha": (None,),
    "sparse": (False,), "ragged": (False,), "optional": (False,),
    "synchronized": (False,), "renorm": (False,), "renorm_clipping": (None,),
    "renorm_momentum": "any", "stateful": (False,), "unroll": "any",
    "zero_output_for_mask": (False,), "use_cudnn": "any", "seed": "any",
    "sliding_window": (None,), "use_gate": (False,),
}


# Arguments our layers take through **kwargs (so their signatures do not name them).
_THROUGH_KWARGS = {"rms_scaling"}


def _accepted_arguments(cls):
    """Keyword names some `__init__` in the class's MRO takes."""
    names = set(_THROUGH_KWARGS) | set(weight_options.argument_names(cls))
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                names.add(p.name)
    return names


def _drop_keras_only(cls, config):
    accepted = _accepted_arguments(cls)
    name = config.get("name")
    out = {}
    for key, value in config.items():
        if key in accepted:
            out[key] = value
            continue
        if key.endswith(("_regularizer", "_constraint")) and value is None:
            continue
        allowed = _KERAS_ONLY_DEFAULTS.get(key)
        if allowed == "any" or (allowed is not None and value in allowed):
            continue
        raise ValueError(
            f"jkeras's {cls.__name__} does not support the argument `{key}`={value!r} yet "
            f"(layer '{name}'). Supported arguments: {sorted(accepted)}.")
    return out


def layer_from_config(cls, config):
    """`cls(**config)` after turning nested Keras configs into objects (as Keras's layers do)."""
    if not isinstance(config, dict):
        raise TypeError(f"{cls.__name__}.from_config expects a dict. Received: {config!r}")
    config = dict(config)
    if "dtype" in config:
        config["dtype"] = dtype_name(config["dtype"])
    config = _drop_keras_only(cls, config)
    for key, value in config.items():
        if isinstance(value, dict) and "class_name" in value and "config" in value:
            config[key] = deserialize_keras_object(value)
    try:
        return cls(**config)
    except TypeError as e:
        raise TypeError(
            f"{cls.__name__} could not be deserialized from its config: {e}. If it is a custom "
            "layer, its `get_config()` must return every `__init__` argument, and nested objects "
            f"must be deserialized in its `from_config()`. config={config}") from None


def base_layer_config(layer):
    """Layer.get_config: name, trainable, the dtype policy, and for a custom layer without its
    own `get_config()` the constructor arguments captured by `Layer.__new__`."""
    config = {"name": layer.name, "trainable": layer.trainable,
              "dtype": serialize_dtype_policy(layer.dtype_policy)}
    if layer.__dict__.get("activity_regularizer") is not None:  # as Keras's base config
        config["activity_regularizer"] = serialize_keras_object(layer.activity_regularizer)
    if "_layer_auto_config" in layer.__dict__:
        config = with_auto_config(layer, config)
    return config


def with_auto_config(layer, base):
    """Keras's automatic config for a custom layer without `get_config()`: its constructor
    arguments (captured at creation) between the name and trainable/dtype."""
    return merge_auto_config(type(layer), layer.__dict__.get("_layer_auto_config"), base)


def _shape_of(x):
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    return tuple(getattr(x, "shape", ()))


def build_config_of(layer):
    """Keras's build config: the input shape of the first call (symbolic shapes keep None)."""
    if not layer.built:
        return None
    nodes = layer.__dict__.get("_inbound_nodes") or []
    if nodes and nodes[0].args:
        return {"input_shape": _shape_of(nodes[0].args[0])}
    shape = layer.__dict__.get("_build_input_shape")
    if shape is None:
        return None
    return {"input_shape": shape}


def _as_shape(value):
    """JSON lists back to shape tuples; a list of shapes stays a list."""
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, int) for v in value):
        return tuple(value)
    if isinstance(value, (list, tuple)):
        return [_as_shape(v) for v in value]
    return value


def build_layer_from_config(layer, config):
    """Create `layer`'s weights for a build config ({"input_shape"} or {"shapes_dict"})."""
    if not config or layer.built:
        return
    if "input_shape" in config:
        inputs = (_as_shape(config["input_shape"]),)
    elif "shapes_dict" in config:
        shapes = [_as_shape(v) for v in config["shapes_dict"].values()]
        while shapes and shapes[-1] is None:
            shapes.pop()
        inputs = tuple(shapes)
    else:
        raise ValueError(f"Layer '{layer.name}': a build config needs 'input_shape' or "
                         f"'shapes_dict'. Received: {config!r}")
    variables = layer.init(random.next_key(), *inputs)
    layer._assign_tree(variables, only_unbuilt=True)
