"""Model.get_config / Model.from_config for subclassed models, as Keras's model.py and
Operation: a functional config revives a functional model; otherwise `cls(**config)`. A
subclass without its own `get_config()` saves its plain constructor arguments (Keras's
automatic config, captured when the model is created).

`model` and `functional` are the Model and Functional classes (passed in by Model, which this
module sits below).
"""
import inspect

from jkeras.core.auto_config import merge_auto_config
from jkeras.core.layer import Layer
from jkeras.core.serialization import dtype_name
from jkeras.models.functional_config import functional_from_config

_FUNCTIONAL_KEYS = ("name", "layers", "input_layers", "output_layers")


def model_from_config(cls, config, custom_objects, *, model, functional):
    params = inspect.signature(cls.__init__).parameters
    names = [p for p in params if p != "self"]
    takes_varargs = any(p.kind is p.VAR_POSITIONAL for p in params.values()) and any(
        p.kind is p.VAR_KEYWORD for p in params.values())
    functional_args = [p for p in inspect.signature(functional.__init__).parameters
                       if p != "self"]
    revivable = cls in (model, functional) or names == functional_args or takes_varargs
    if all(key in config for key in _FUNCTIONAL_KEYS) and revivable:
        return functional_from_config(functional if cls is model else cls, config,
                                      custom_objects)
    config = dict(config)
    if isinstance(config.get("dtype"), dict):  # a DTypePolicy config: Layer takes the name
        config["dtype"] = dtype_name(config["dtype"])
    try:
        return cls(**config)
    except TypeError as e:
        raise TypeError(
            "Unable to revive model from config. When overriding the `get_config()` method, "
            "make sure that the returned config contains all items used as arguments in the "
            f"constructor to {cls}, which is the default behavior. You can override this "
            "default behavior by defining a `from_config(cls, config)` class method to "
            f"specify how to create an instance of {cls.__name__} from its config.\n\n"
            f"Received config={config}\n\nError encountered during deserialization: {e}"
        ) from None


def subclassed_get_config(instance, auto, *, model):
    """Model.get_config: the base keys, plus the automatic config `auto` (the captured
    constructor arguments) when the class does not write its own `get_config()` (as Keras's
    Operation.get_config)."""
    config = dict(Layer.get_config(instance))
    cls = type(instance)
    if cls.get_config is not model.get_config or cls.__init__ is model.__init__:
        return config
    return merge_auto_config(cls, auto, config)
