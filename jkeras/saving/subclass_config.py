"""Model.get_config / Model.from_config for subclassed models, as Keras's model.py and
Operation: a functional config revives a functional model; otherwise `cls(**config)`. A
subclass without its own `get_config()` saves its plain constructor arguments (Keras's
automatic config, captured when the model is created).
"""
import inspect

from jkeras.saving.model_config import base_model_config, functional_from_config


# ---- Model.from_config (subclassed models and the functional fallback) ---------------------
_FUNCTIONAL_KEYS = ("name", "layers", "input_layers", "output_layers")


def model_from_config(cls, config, custom_objects=None):
    from jkeras.models.functional import Functional
    from jkeras.models.model import Model
    params = inspect.signature(cls.__init__).parameters
    names = [p for p in params if p != "self"]
    takes_varargs = any(p.kind is p.VAR_POSITIONAL for p in params.values()) and any(
        p.kind is p.VAR_KEYWORD for p in params.values())
    functional_args = [p for p in inspect.signature(Functional.__init__).parameters
                       if p != "self"]
    revivable = cls in (Model, Functional) or names == functional_args or takes_varargs
    if all(key in config for key in _FUNCTIONAL_KEYS) and revivable:
        return functional_from_config(Functional if cls is Model else cls, config,
                                      custom_objects)
    config = dict(config)
    if isinstance(config.get("dtype"), dict):  # a DTypePolicy config: Layer takes the name
        from jkeras.saving.serialization import dtype_name
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


# ---- subclassed models: Keras's automatic config ---------------------------------------------
_PLAIN = (str, int, float, bool, type(None))


def _plain(value):
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return isinstance(value, _PLAIN)


def auto_config(cls, args, kwargs):
    """The constructor arguments of a new model when they are all plain values (Keras's
    `_auto_config`, which lets subclasses without `get_config()` save); else None."""
    signature = inspect.signature(cls.__init__)
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return None
    params = list(signature.parameters.values())
    if any(p.kind is p.POSITIONAL_ONLY for p in params[1:]):
        return None
    bound.apply_defaults()
    values = dict(bound.arguments)
    values.pop(params[0].name, None)
    for p in params[1:]:
        if p.kind is p.VAR_KEYWORD:
            values.update(values.pop(p.name, {}))
        elif p.kind is p.VAR_POSITIONAL and values.pop(p.name, ()):
            return None
    values.pop("name", None)
    return values if _plain(values) else None


def subclassed_get_config(model):
    """Model.get_config: the base keys, plus the automatic config when the class does not
    write its own `get_config()` (as Keras's Operation.get_config)."""
    from jkeras.models.model import Model
    config = base_model_config(model)
    cls = type(model)
    if cls.get_config is not Model.get_config or cls.__init__ is Model.__init__:
        return config
    from jkeras.saving.layer_config import merge_auto_config
    return merge_auto_config(cls, model.__dict__.get("_auto_config"), config)
