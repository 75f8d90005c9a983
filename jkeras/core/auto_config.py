"""Keras's automatic config: the plain constructor arguments of a custom layer or model that does
not write its own `get_config()` (Keras's `Operation.__new__` / `_auto_config`), captured when
the object is created and merged into its base config."""
import inspect

_PLAIN = (str, int, float, bool, type(None))


def _plain(value):
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return isinstance(value, _PLAIN)


def auto_config(cls, args, kwargs):
    """The constructor arguments of a new layer or model when they are all plain values (Keras's
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


def merge_auto_config(cls, auto, base):
    """`auto` (captured constructor arguments, or None when some were not plain values) merged
    into the `base` config as Keras's automatic config; layers and subclassed models share it."""
    if auto is None:
        raise TypeError(
            f"Object {cls.__name__} was created by passing non-serializable argument values in "
            "`__init__()`, and therefore the object must override `get_config()` in order to "
            "be serializable. Please implement `get_config()` (return the constructor "
            "arguments: `{**super().get_config(), 'units': self.units}`).")
    params = inspect.signature(cls.__init__).parameters
    takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
    config = {"name": base["name"], **auto, "trainable": base["trainable"],
              "dtype": base["dtype"]}
    return {k: v for k, v in config.items()
            if takes_kwargs or k in params or k not in ("name", "trainable", "dtype")}
