"""Keras 3's object config format: `serialize_keras_object` / `deserialize_keras_object`.

An object becomes {"module", "class_name", "config", "registered_name"} (plus "build_config"),
with the public Keras module ("keras.layers", "keras.initializers", ...) so tf.keras reads our
configs and we read its. Keras-internal modules that tf.keras may write (e.g.
"keras.src.layers.core.dense") resolve by their family ("layers") to the same jkeras class.

This floor cannot import the families (layers, optimizers, ... sit above it): each family is
registered with `register_family` by the floor that knows them all (jkeras.saving.serialization)
and looked up here by the word a config names.
"""
import base64
import builtins
import inspect
import marshal
import types

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import dtype_policy as dtype_policies
from jkeras.core.dtype_policy import DTypePolicy, DTypePolicyMap
from jkeras.core import registry
from jkeras.core.registry import (  # re-exported: see __all__
    CustomObjectScope, SafeModeScope, custom_object_scope, enable_unsafe_deserialization,
    get_registered_name, get_registered_object, in_safe_mode, register_keras_serializable)

__all__ = ["serialize_keras_object", "deserialize_keras_object", "register_keras_serializable",
           "get_registered_object", "get_registered_name", "custom_object_scope",
           "CustomObjectScope", "SafeModeScope", "in_safe_mode", "enable_unsafe_deserialization",
           "DTypePolicy", "register_family", "family_member"]

PLAIN_TYPES = (str, int, float, bool)

# family word ("layers", "optimizers", ...) -> (Keras's public module, the jkeras module), in
# the order a class's public name is searched; filled by `register_family`.
_FAMILIES = {}


def register_family(word, keras_module, module):
    """Make `module`'s public classes and functions serialize under `keras_module` (e.g.
    "keras.layers") and resolve from configs whose module names the family `word`."""
    _FAMILIES[word] = (keras_module, module)


def family_module(word):
    """The registered jkeras module of a family; a clear error when it is not registered."""
    if word not in _FAMILIES:
        raise RuntimeError(f"The jkeras family '{word}' is not registered for (de)serialization: "
                           "import jkeras (the package registers every family) first.")
    return _FAMILIES[word][1]


def family_member(word, name):
    """A public class or function of a registered family, by name (e.g. ("layers", "Lambda"))."""
    return getattr(family_module(word), name)


_FEATURE_SPACE = "keras.src.layers.preprocessing.feature_space"
# Classes whose public Keras name is not "<family module>.<class name>".
_SPECIAL_PUBLIC = {"Functional": ("keras.src.models.functional", "Functional"),
                   "GroupedQueryAttention": ("keras.layers", "GroupQueryAttention"),
                   "FeatureSpace": ("keras.utils", "FeatureSpace"),
                   **{name: (_FEATURE_SPACE, name) for name in ("Feature", "Cross", "TFDIdentity")}}


def serialize_dtype_policy(policy):
    """A layer's dtype policy (or dtype name) as Keras writes it in layer configs."""
    return dtype_policies.serialize(dtype_policies.get(policy))


def dtype_name(dtype):
    """A layer's `dtype` argument from a config: a policy dict, a policy or a dtype name become
    the policy's name (a `DTypePolicyMap` stays an object); unknown names raise Keras's error."""
    if dtype is None:
        return None
    policy = dtype_policies.get(dtype)
    return policy if isinstance(policy, DTypePolicyMap) else policy.name


# ---- serialization ---------------------------------------------------------------------------
def _public_name(cls):
    """(module, class_name) under Keras's public API for a jkeras class, or None."""
    if cls.__name__ in _SPECIAL_PUBLIC and cls.__module__.startswith("jkeras."):
        return _SPECIAL_PUBLIC[cls.__name__]
    for keras_module, module in _FAMILIES.values():
        if getattr(module, cls.__name__, None) is cls:
            return keras_module, cls.__name__
    return None


def _lambda_config(fn):
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    return {"class_name": "__lambda__", "config": {"value": [code, fn.__defaults__, closure]}}


def _function_config(fn):
    """Keras writes every function as a "builtins" function whose config is its Keras name
    (built-ins) or registered name ("package>name"), else its __name__."""
    name = family_module("activations")._NAME_OF.get(id(fn))
    if name is None and getattr(fn, "__name__", None) == "<lambda>":
        return _lambda_config(fn)
    return {"module": "builtins", "class_name": "function",
            "config": name or get_registered_name(fn), "registered_name": "function"}


def serialize_keras_object(obj):
    """A JSON-ready config for `obj` in Keras 3's format (nested objects included)."""
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, (np.ndarray, np.generic, jax.Array)):
        array = np.asarray(obj)
        if array.ndim == 0:
            return array.item()
        kind = "__numpy__" if isinstance(obj, (np.ndarray, np.generic)) else "__tensor__"
        return {"class_name": kind, "config": {"value": array.tolist(), "dtype": array.dtype.name}}
    if isinstance(obj, DTypePolicy):
        return dtype_policies.serialize(obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)) or (
            callable(obj) and not hasattr(obj, "get_config") and hasattr(obj, "__name__")):
        return _function_config(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj).__name__}. To be "
                        "serializable, a class must implement the `get_config()` method.")
    inner = obj.get_config()
    if not isinstance(inner, dict):
        raise TypeError(f"The `get_config()` method of {obj!r} should return a dict. "
                        f"It returned: {inner!r}")
    public = _public_name(type(obj))
    if public is not None and type(obj) not in registry.GLOBAL_CUSTOM_NAMES:
        module, class_name, registered = public[0], public[1], None
    else:
        module, class_name = type(obj).__module__, type(obj).__name__
        registered = get_registered_name(type(obj))
    config = {"module": module, "class_name": class_name,
              "config": serialize_keras_object(inner), "registered_name": registered}
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:
        config["build_config"] = serialize_keras_object(build_config)
    compile_config = obj.get_compile_config() if hasattr(obj, "get_compile_config") else None
    if compile_config is not None:
        config["compile_config"] = serialize_keras_object(compile_config)
    return config


# ---- deserialization -------------------------------------------------------------------------
def _family_module(module):
    """The jkeras module for a Keras module path such as "keras.layers" or
    "keras.src.layers.core.dense"; None for non-Keras modules."""
    if not module or module.split(".")[0] != "keras":
        return None
    parts = module.split(".")
    if module == "keras.utils":  # FeatureSpace (Keras serializes no other utils class)
        return family_module("feature_space")
    if module == _FEATURE_SPACE:  # its Feature, Cross, TFDIdentity
        return family_module("feature_space_specs")
    if module in ("keras", "keras.models") or "models" in parts:
        return family_module("models")
    for word in ("schedules", "layers", "initializers", "optimizers", "losses", "metrics",
                 "distillation",
                 "activations", "regularizers", "constraints", "quantizers"):
        if word in parts:
            return family_module(word)
    return None


def _unknown(kind, name, config):
    return ValueError(
        f"Could not locate {kind} '{name}' (module {config.get('module')!r}). jkeras has no such "
        "built-in: if it is a custom object, pass it in `custom_objects={...}` or decorate it "
        "with `@jkeras.saving.register_keras_serializable()` and import it before loading. "
        f"Full object config: {config}")


def _public_member(module, name):
    """A public class or function of a jkeras module (never a submodule or private name)."""
    if not isinstance(name, str) or name.startswith("_"):
        return None
    found = getattr(module, name, None)
    if inspect.isclass(found) or (callable(found) and not isinstance(found, types.ModuleType)):
        return found
    return None


def _retrieve(name, registered_name, module, kind, config, custom_objects):
    lookup = name if kind == "function" else registered_name
    obj = get_registered_object(lookup, custom_objects)
    if obj is None and lookup != name:
        obj = get_registered_object(name, custom_objects)
    if obj is not None:
        return obj
    if module in ("keras", "keras.dtype_policies") or (module or "").startswith(
            "keras.src.dtype_policies"):
        if name in dtype_policies.ALL_OBJECTS_DICT:
            return dtype_policies.ALL_OBJECTS_DICT[name]
    if kind == "function" and module == "builtins":
        for family in ("activations", "losses", "metrics"):
            found = _public_member(family_module(family), name)
            if found is not None:
                return found
        if ">" not in name:  # a registered "package>name" saved under its bare name
            for key, value in custom_objects.items():
                if key.endswith(f">{name}"):
                    return value
    family = _family_module(module)
    if family is not None:
        found = _public_member(family, name)
        if found is not None:
            return found
        if family is family_module("activations") and name in family._BY_NAME:
            return family._BY_NAME[name]
    raise _unknown(kind, name, config)


def _load_lambda(value, safe_mode):
    if safe_mode:
        raise ValueError(
            "Requested the deserialization of a Python lambda. This carries a potential risk "
            "of arbitrary code execution and thus it is disallowed by default. If you trust the "
            "source of the artifact, you can override this error by passing `safe_mode=False` "
            "to the loading function, or calling "
            "`jkeras.saving.enable_unsafe_deserialization()`.")
    return load_function(*value)


def load_function(code, defaults=None, closure=None):
    """Rebuild a function from Keras's (base64 marshal code, defaults, closure) dump.

    Only bytecode from the same Python minor version loads; names the function uses are
    looked up among jax, jax.numpy (as jnp) and numpy (as np)."""
    def cell(value):
        return (lambda: value).__closure__[0]
    raw = base64.decodebytes(code.encode("ascii"))
    try:
        code_obj = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError("Could not load the Python bytecode of a lambda: it was written by "
                         f"another Python version ({e}). Redefine the function and pass it in "
                         "`custom_objects` instead.") from None
    glob = {"__builtins__": builtins, "jax": jax, "jnp": jnp, "np": np, "numpy": np}
    closure = tuple(cell(v) for v in closure) if closure is not None else None
    return types.FunctionType(code_obj, glob, code_obj.co_name,
                              tuple(defaults) if defaults is not None else None, closure)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True):
    """The object a Keras-format config describes (inverse of `serialize_keras_object`)."""
    scoped = in_safe_mode()
    safe_mode = scoped if scoped is not None else safe_mode
    custom_objects = registry.all_custom_objects(custom_objects)
    if config is None:
        return None
    if isinstance(config, str) and custom_objects.get(config) is not None:
        return custom_objects[config]
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, custom_objects, safe_mode) for x in config]
    if isinstance(config, PLAIN_TYPES):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects, safe_mode)
                for k, v in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    if class_name in ("__numpy__", "__tensor__"):
        array = np.array(inner["value"], dtype=inner["dtype"])
        return array if class_name == "__numpy__" else jnp.asarray(array)
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner[k], custom_objects, safe_mode)
                       for k in ("start", "stop", "step")))
    if class_name == "__lambda__":
        value = inner.get("value") or [inner["code"], inner.get("defaults"), inner.get("closure")]
        return _load_lambda(value, safe_mode)
    module = config.get("module")
    registered_name = config.get("registered_name") or class_name
    if class_name == "function":
        if not isinstance(inner, str):
            raise TypeError(f"Expected 'config' to be a non-null str for a function. "
                            f"Full config: {config}")
        return _retrieve(inner, registered_name, module, "function", config, custom_objects)
    if not isinstance(inner, dict):
        raise TypeError(f"Expected 'config' to be a dict for {class_name}. Full config: {config}")
    cls = _retrieve(class_name, registered_name, module, "class", config, custom_objects)
    if isinstance(cls, types.FunctionType):
        return cls
    if not hasattr(cls, "from_config"):
        raise TypeError(f"Unable to reconstruct an instance of '{class_name}' because the class "
                        f"is missing a `from_config()` method. Full object config: {config}")
    with CustomObjectScope(custom_objects), SafeModeScope(safe_mode):
        instance = cls.from_config(inner)
        build_config = config.get("build_config")
        if build_config and not getattr(instance, "built", True):
            instance.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(instance, "compile_from_config"):
            instance.compile_from_config(compile_config)
    return instance
