"""Keras's custom-object registry: `register_keras_serializable`, `custom_object_scope`,
`get_registered_object`, and the safe-mode scope that guards loading Python bytecode."""
import inspect
import threading

# registered name ("package>Name") -> class or function, and back.
GLOBAL_CUSTOM_OBJECTS = {}
GLOBAL_CUSTOM_NAMES = {}

_local = threading.local()


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function under "package>name" (Keras's key)."""

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError(
                "Cannot register a class that does not have a get_config() method.")
        GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_custom_objects():
    """The global dict of registered custom objects (`keras.saving.get_custom_objects`):
    entries added to it are found when loading, as with `register_keras_serializable`."""
    return GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj):
    """The name `obj` was registered under, else its `__name__` (as Keras)."""
    if obj in GLOBAL_CUSTOM_NAMES:
        return GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", None)


def _scoped_objects():
    merged = {}
    for scope in getattr(_local, "custom_scopes", []):
        merged.update(scope)
    return merged


def all_custom_objects(custom_objects=None):
    """custom_objects given, then those of enclosing `custom_object_scope`s, then the registry."""
    return {**(custom_objects or {}), **_scoped_objects(), **GLOBAL_CUSTOM_OBJECTS}


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object for `name` from custom_objects, scopes, the registry or `module_objects`."""
    if name in _scoped_objects():
        return _scoped_objects()[name]
    if name in GLOBAL_CUSTOM_OBJECTS:
        return GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


class CustomObjectScope:
    """`with custom_object_scope({"MyLayer": MyLayer}):` makes the names visible to loading."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        if not hasattr(_local, "custom_scopes"):
            _local.custom_scopes = []
        _local.custom_scopes.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _local.custom_scopes.pop()


custom_object_scope = CustomObjectScope


class SafeModeScope:
    """While open, `in_safe_mode()` is `safe_mode` (Lambda.from_config reads it)."""

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode

    def __enter__(self):
        self._previous = getattr(_local, "safe_mode", None)
        _local.safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc):
        _local.safe_mode = self._previous


_unsafe_everywhere = [False]


def enable_unsafe_deserialization():
    """Allow loading Python lambdas everywhere (Keras's `keras.config` switch)."""
    _unsafe_everywhere[0] = True


def in_safe_mode():
    """True, False, or None when no scope is open and unsafe loading was not enabled."""
    if _unsafe_everywhere[0]:
        return False
    return getattr(_local, "safe_mode", None)
