"""Keras 3 operations recorded in functional configs (`keras.ops.*` on symbolic tensors).

tf.keras writes `x + y`, `x[:, :2]`, `ops.cast(...)` and the mask an `Embedding(mask_zero=True)`
hands to the next layer (`not_equal(x, 0)`) as graph nodes of Keras *operations*, e.g.
{"module": "keras.src.ops.numpy", "class_name": "NotEqual", "registered_name": "NotEqual"}.
Each class here replays one of them as a weightless jkeras layer, so such files load; saved
again, they keep Keras's module and names, so tf.keras reads them back. They are pure
jax.numpy functions: no code from the file runs.
"""
import jax.numpy as jnp

from jkeras.core.layer import Layer
from jkeras.core.symbolic import any_symbolic
from jkeras.ops import operation_layer

_NUMPY = "keras.src.ops.numpy"
_CORE = "keras.src.ops.core"


class KerasOperation(Layer):
    """A weightless layer standing for one Keras operation; `fn` is its jax.numpy function."""
    fn = None
    _keras_operation = True  # Keras lists operations in a functional config but not in `layers`

    def __init__(self, name=None, **kwargs):
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)

    _static_args = None  # {argument position: value} of the recorded call's non-tensor args
    _arg_count = None

    def bind_static(self, args):
        """Keep the recorded call's constant arguments (`0` in `not_equal(x, 0)`, a slice) on
        the layer; returns the tensor arguments, which are what the graph passes at run time."""
        self._arg_count = len(args)
        self._static_args = {i: a for i, a in enumerate(args) if not any_symbolic(a)}
        return [a for a in args if any_symbolic(a)]

    def full_args(self, tensors):
        """The recorded call's arguments: the given tensors with the constants put back."""
        if self._static_args is None:
            return list(tensors)
        tensors = iter(tensors)
        return [self._static_args[i] if i in self._static_args else next(tensors)
                for i in range(self._arg_count)]

    def call(self, *tensors):
        return self.compute(*self.full_args(tensors))

    def compute(self, *args):
        return type(self).fn(*args)

    def get_config(self):
        return {"name": self.name}

    def get_build_config(self):
        return None  # Keras operations have no build config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _numpy_op(class_name, fn, base=None):
    """A `keras.src.ops.numpy` operation class replayed by the jax.numpy function `fn`."""
    return type(class_name, (base or KerasOperation,),
                {"fn": staticmethod(fn), "__module__": _NUMPY})


class Cast(KerasOperation):
    def __init__(self, dtype, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.target_dtype = jnp.dtype(dtype).name

    def compute(self, x):
        return jnp.asarray(x).astype(self.target_dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.target_dtype}


Cast.__module__ = _CORE


class GetItem(KerasOperation):
    def compute(self, x, key):
        return x[tuple(key) if isinstance(key, list) else key]


GetItem.__module__ = _NUMPY


class _Reduction(KerasOperation):
    def __init__(self, axis=None, keepdims=False, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.axis = [axis] if isinstance(axis, int) else axis
        self.keepdims = keepdims

    def compute(self, x):
        axis = tuple(self.axis) if self.axis is not None else None
        return type(self).fn(x, axis=axis, keepdims=self.keepdims)

    def get_config(self):
        return {"name": self.name, "axis": self.axis, "keepdims": self.keepdims}


def _reduction(class_name, fn):
    return _numpy_op(class_name, fn, _Reduction)


OPERATIONS = [
    _numpy_op("Add", jnp.add), _numpy_op("Subtract", jnp.subtract),
    _numpy_op("Multiply", jnp.multiply), _numpy_op("TrueDivide", jnp.true_divide),
    _numpy_op("Divide", jnp.divide), _numpy_op("Power", jnp.power),
    _numpy_op("Maximum", jnp.maximum), _numpy_op("Minimum", jnp.minimum),
    _numpy_op("Matmul", jnp.matmul), _numpy_op("Equal", jnp.equal),
    _numpy_op("NotEqual", jnp.not_equal), _numpy_op("Greater", jnp.greater),
    _numpy_op("GreaterEqual", jnp.greater_equal), _numpy_op("Less", jnp.less),
    _numpy_op("LessEqual", jnp.less_equal), _numpy_op("LogicalAnd", jnp.logical_and),
    _numpy_op("LogicalOr", jnp.logical_or), _numpy_op("Negative", jnp.negative),
    _numpy_op("Abs", jnp.abs), _numpy_op("Absolute", jnp.abs), _numpy_op("Exp", jnp.exp),
    _numpy_op("Log", jnp.log), _numpy_op("Sqrt", jnp.sqrt), _numpy_op("Square", jnp.square),
    _numpy_op("LogicalNot", jnp.logical_not),
    _reduction("Any", jnp.any), _reduction("All", jnp.all), _reduction("Sum", jnp.sum),
    _reduction("Mean", jnp.mean), _reduction("Max", jnp.max), _reduction("Min", jnp.min),
    Cast, GetItem,
]


BY_NAME = {cls.__name__: cls for cls in OPERATIONS}


def is_operation_config(config):
    return isinstance(config, dict) and str(config.get("module", "")).startswith("keras.src.ops.")


def operation_from_config(config):
    """The op layer for a Keras operation's config; a clear error for ops jkeras lacks."""
    name = config.get("class_name")
    cls = operation_layer.class_for_config(config.get("module"), name) or BY_NAME.get(name)
    if cls is None:
        raise ValueError(
            f"This functional model uses the Keras operation '{name}' (module "
            f"{config.get('module')!r}), which jkeras cannot replay. Replace it with a layer, or "
            "pass a layer class for it in `custom_objects`.")
    return cls.from_config(dict(config.get("config") or {}))
