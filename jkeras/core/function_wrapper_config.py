"""Config of an object that wraps a function (`LossFunctionWrapper`, `MeanMetricWrapper`): the
function is written by name, with its keyword arguments, and found again by that name in the
family's table (filled by the family's package, which knows every function)."""


def wrapper_config(base_config, fn, fn_kwargs):
    return {**base_config, "fn": getattr(fn, "__name__", repr(fn)), **fn_kwargs}


def wrapper_from_config(cls, config, functions):
    config = dict(config)
    fn = config.pop("fn")
    return cls(functions[fn] if isinstance(fn, str) else fn, **config)
