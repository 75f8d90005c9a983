"""Configs of optimizers held inside other optimizers (LossScaleOptimizer's inner optimizer,
MultiOptimizer's OptimizerMap), in Keras's `serialize_keras_object` form."""

_CLASSES = {}


def register(classes):
    """Classes a nested config may name (the package registers every optimizer it has)."""
    _CLASSES.update({name.lower(): cls for name, cls in classes.items()})


def serialize(obj):
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no `get_config` (a MultiOptimizer "
                        "built from a plain callable cannot be saved; use an OptimizerMap).")
    return {"module": "keras.optimizers", "class_name": type(obj).__name__,
            "config": obj.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    if not isinstance(config, dict):
        return config
    name = config.get("class_name", "")
    cls = (custom_objects or {}).get(name) or _CLASSES.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name!r}. Valid names are "
                         f"{sorted(_CLASSES)} (case-insensitive).")
    return cls.from_config(dict(config.get("config", {})), custom_objects)
