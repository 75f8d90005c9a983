"""`ops.*` on symbolic tensors as Keras 3 records them: one weightless node of the op's Keras
operation class (`Relu`, `Clip(x_min, x_max)`, `Sum(axis, keepdims)`, ...), its constructor
arguments in the config and its call arguments (tensors and constants) in the node, so a
functional model built with `jkeras.ops` saves to `.keras` as tf.keras writes it, and files
tf.keras wrote with such nodes load (see operation_table.py for the ops covered).
"""
import functools
import inspect

import numpy as np

from jkeras.core import naming
from jkeras.core.layer import Layer
from jkeras.core.symbolic import any_symbolic
from jkeras.ops import core, image, linalg, math, nn, numpy
from jkeras.ops.operation_table import OPERATIONS

_FAMILIES = {"core": core, "image": image, "linalg": linalg, "math": math, "nn": nn,
             "numpy": numpy}

_PREFIX = "keras.src.ops."
_BY_CLASS = {(key.split(".")[0], entry[0]): key for key, entry in OPERATIONS.items()}
_classes = {}


class TableOperation(Layer):
    """One Keras operation replayed by the jkeras op of the same name."""
    _keras_operation = True  # listed in a functional config, not in `model.layers`
    op_key = None

    def __init__(self, name=None, **arguments):
        arguments.pop("trainable", None)
        unknown = set(arguments) - set(self._init_names())
        if unknown:
            raise TypeError(f"Keras operation {type(self).__name__} got unexpected arguments "
                            f"{sorted(unknown)}; it takes {list(self._init_names())}.")
        super().__init__(name=name or naming.unique_name(self.op_key.split(".")[1]))
        self.arguments = arguments

    @classmethod
    def _init_names(cls):
        return OPERATIONS[cls.op_key][1]

    def call(self, *args, **kwargs):
        family, name = self.op_key.split(".")
        return getattr(_FAMILIES[family], name)(*args, **kwargs, **_as_call(self.arguments))

    def get_config(self):
        return {"name": self.name, **self.arguments}

    def get_build_config(self):
        return None  # Keras operations have no build config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _as_call(value):
    """Config values as call values: lists (JSON's tuples) become tuples (axes, shapes)."""
    if isinstance(value, dict):
        return {k: _as_call(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_as_call(v) for v in value)
    return value


@functools.lru_cache(maxsize=None)
def _signature(op):
    return inspect.signature(op)


def operation_class(key):
    """The layer class standing for Keras operation `key` ("numpy.clip"), named as Keras's."""
    if key not in _classes:
        family = key.split(".")[0]
        _classes[key] = type(OPERATIONS[key][0], (TableOperation,),
                             {"op_key": key, "__module__": _PREFIX + family})
    return _classes[key]


def class_for_config(module, class_name):
    """The class for a config's {"module": "keras.src.ops.<family>", "class_name": ...}, or None."""
    if not str(module).startswith(_PREFIX):
        return None
    key = _BY_CLASS.get((module[len(_PREFIX):], class_name))
    return operation_class(key) if key else None


def _json_safe(value):
    if isinstance(value, (list, tuple)):
        items = [_json_safe(v) for v in value]
        return _UNSAFE if any(i is _UNSAFE for i in items) else type(value)(items)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    return _UNSAFE


_UNSAFE = object()


def record(op, args, kwargs):
    """The symbolic output of `op(*args, **kwargs)` through its Keras operation class, or
    None when the op (or a non-tensor argument) has no Keras config form."""
    key = f"{op.__module__.rsplit('.', 1)[-1]}.{op.__name__}"
    if key not in OPERATIONS:
        return None
    _, init_names, call_names = OPERATIONS[key]
    try:
        bound = _signature(op).bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    arguments = {}
    for name in init_names:
        value = bound.arguments.get(name)
        safe = _json_safe(value)
        if safe is _UNSAFE or any_symbolic(value):
            return None
        arguments[name] = safe
    call_args = [bound.arguments.get(name) for name in call_names]
    return operation_class(key)(**arguments)(*call_args)
