"""Regularizer and constraint arguments of layers and weights (Keras's `kernel_regularizer=`,
`bias_constraint=`, `add_weight(regularizer=..., constraint=...)`, `activity_regularizer=`).

A layer class lists which of its weights take which arguments in `_penalty_weights`
(weight name -> argument prefix, e.g. {"kernel": "kernel", "recurrent_kernel": "recurrent"}):
the base `__init__` then accepts `<prefix>_regularizer` / `<prefix>_constraint` and `add_weight`
attaches them to the weight of that name. The optimizer step projects constrained weights
after each update (`constrain`).
"""
from jkeras import constraints, regularizers

KINDS = ("regularizer", "constraint")


def _resolve(module, value, layer, argument, name=None):
    try:
        return module.get(value)
    except ValueError as e:
        name = name or layer.__dict__.get("name") or type(layer).__name__
        raise ValueError(f"{e} (argument `{argument}` of layer '{name}' "
                         f"({type(layer).__name__})).") from None


def argument_names(cls):
    """The regularizer / constraint keyword names instances of `cls` accept (an RNN layer's
    include those its `cell_class` takes: it passes them on)."""
    mapping = dict(getattr(cls, "_penalty_weights", {}))
    mapping.update(getattr(getattr(cls, "cell_class", None), "_penalty_weights", {}))
    prefixes = dict.fromkeys(mapping.values())
    return ["activity_regularizer"] + [f"{p}_{k}" for k in KINDS for p in prefixes]


def take_arguments(layer, kwargs, name=None):
    """Pop this layer class's regularizer / constraint arguments from `kwargs` into attributes
    (resolved with `regularizers.get` / `constraints.get`); returns the remaining kwargs.
    `name`: the layer's name for error messages (it is not set yet)."""
    kwargs = dict(kwargs)
    layer.activity_regularizer = _resolve(
        regularizers, kwargs.pop("activity_regularizer", None), layer, "activity_regularizer",
        name)
    for prefix in dict.fromkeys(getattr(type(layer), "_penalty_weights", {}).values()):
        for kind, module in zip(KINDS, (regularizers, constraints)):
            argument = f"{prefix}_{kind}"
            value = kwargs.pop(argument, None)
            if value is not None or argument not in layer.__dict__:
                setattr(layer, argument, _resolve(module, value, layer, argument, name))
    return kwargs


def attach(layer, var, regularizer, constraint):
    """Give a new weight its regularizer and constraint (explicit, else the layer's argument
    for that weight name)."""
    prefix = getattr(type(layer), "_penalty_weights", {}).get(var.name)
    if regularizer is None and prefix is not None:
        regularizer = getattr(layer, f"{prefix}_regularizer", None)
    if constraint is None and prefix is not None:
        constraint = getattr(layer, f"{prefix}_constraint", None)
    var.regularizer = _resolve(regularizers, regularizer, layer, "regularizer")
    var.constraint = _resolve(constraints, constraint, layer, "constraint")


def constrain(model, params):
    """`params` (the "params" pytree) with each trainable constrained weight projected by its
    constraint, as Keras after every optimizer update."""
    paths = model._variable_paths() if hasattr(model, "_variable_paths") else {}
    for var in model.trainable_weights:
        constraint = getattr(var, "constraint", None)
        if constraint is None or id(var) not in paths:
            continue
        path = paths[id(var)][1:]
        params = _replace(params, path, lambda w: constraint(w).astype(w.dtype))
    return params


def has_constraints(model):
    return any(getattr(v, "constraint", None) is not None for v in model.trainable_weights)


def _replace(tree, path, fn):
    if not path:
        return fn(tree)
    out = dict(tree)
    out[path[0]] = _replace(tree[path[0]], path[1:], fn)
    return out

