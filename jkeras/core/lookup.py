"""Name tables for Keras's small object families (regularizers, constraints): `get`,
`serialize` and `deserialize` in Keras 3's forms.

Built-in classes resolve by class name or snake_case name; a dict config by its class name
(built-ins and `custom_objects`); a class is instantiated; any other callable is used as is.
Registered custom classes inside `.keras` files are resolved by jkeras.saving before they
reach here.
"""
import inspect

from jkeras.core.naming import to_snake_case


class Table:
    def __init__(self, kind, module, classes):
        self.kind, self.module = kind, module
        self.builtins = set(classes)
        self.by_name = {c.__name__: c for c in classes}
        self.by_name.update({to_snake_case(c.__name__): c for c in classes})

    def _unknown(self, identifier):
        return ValueError(f"Could not interpret {self.kind} identifier: {identifier}")

    def serialize(self, obj):
        if obj is None:
            return None
        cls = type(obj)
        if inspect.isfunction(obj) or not hasattr(obj, "get_config"):
            name = getattr(obj, "__name__", None)
            if name is None:
                raise TypeError(f"Cannot serialize {self.kind} {obj!r}: it has no "
                                "`get_config()` and no name.")
            return {"module": getattr(obj, "__module__", None), "class_name": "function",
                    "config": name, "registered_name": "function"}
        if cls in self.builtins:
            module, registered = self.module, None
        else:
            module, registered = cls.__module__, cls.__name__
        return {"module": module, "class_name": cls.__name__, "config": obj.get_config(),
                "registered_name": registered}

    def deserialize(self, config, custom_objects=None):
        custom_objects = dict(custom_objects or {})
        if config is None:
            return None
        if isinstance(config, str):
            found = custom_objects.get(config) or self.by_name.get(config)
            if found is None:
                raise self._unknown(config)
            return found() if inspect.isclass(found) else found
        if not isinstance(config, dict) or "class_name" not in config:
            raise self._unknown(config)
        name = config["class_name"]
        if name == "function":
            found = custom_objects.get(config.get("config"))
            if found is None:
                raise self._unknown(config)
            return found
        cls = (custom_objects.get(config.get("registered_name") or name)
               or custom_objects.get(name) or self.by_name.get(name))
        if cls is None:
            raise self._unknown(config)
        return cls.from_config(dict(config.get("config") or {}))

    def get(self, identifier):
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            obj = self.deserialize(identifier)
        elif isinstance(identifier, str):
            obj = self.by_name.get(identifier)
        else:
            obj = identifier
        if callable(obj):
            return obj() if inspect.isclass(obj) else obj
        raise self._unknown(identifier)
