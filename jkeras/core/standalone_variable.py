"""`keras.Variable`: a variable made by the user (Keras 3's constructor), on its own or as a
layer's weight.

On its own it holds a value: `.value`, `assign`, `.numpy()`, arithmetic, `np.asarray`, and JAX
takes it as its value (a pytree of one leaf). Assigned as an attribute of a layer
(`self.v = keras.Variable(...)` in `__init__` or `build`), the layer adopts it as one of its
weights in Keras's tracking order (trainable or not), so `init` / `apply`, `fit` and the weight
files see it like an `add_weight` weight. Its path is fixed when it is made, from the open
`name_scope`s (a layer's `build` runs inside one named after the layer), as Keras.

Every jkeras variable is a `keras.Variable` to `isinstance` (a layer's `add_weight` weights
included), as every Keras variable is.
"""
import jax.numpy as jnp
import numpy as np

from jkeras.core import config, frame as frames, naming, random, scopes, serialization
from jkeras.core import variable as layer_variable
from jkeras.core.name_scope import current_path

_AGGREGATIONS = (None, "none", "mean", "sum", "only_first_replica")
_SYNCHRONIZATIONS = (None, "none", "on_read", "on_write", "auto")


class _AnyVariable(type):
    """`isinstance(x, keras.Variable)` is true for every jkeras variable."""

    def __instancecheck__(cls, obj):
        if cls is Variable:
            return isinstance(obj, layer_variable.Variable)
        return super().__instancecheck__(obj)

    def __subclasscheck__(cls, sub):
        if cls is Variable:
            return issubclass(sub, layer_variable.Variable)
        return super().__subclasscheck__(sub)


def _standardize_shape(shape, path):
    if shape is None:
        raise ValueError("Undefined shapes are not supported.")
    if not hasattr(shape, "__iter__"):
        raise ValueError(f"Cannot convert '{shape}' to a shape.")
    out = []
    for d in tuple(shape):
        if d is None:
            raise ValueError("Shapes used to initialize variables must be fully-defined (no "
                             f"`None` dimensions). Received: shape={tuple(shape)} for variable "
                             f"path='{path}'")
        if isinstance(d, (str, float)):
            raise ValueError(f"Cannot convert '{shape}' to a shape. Found invalid dimension "
                             f"'{d}' of type '{type(d)}'. ")
        d = int(d)
        if d < 0:
            raise ValueError(f"Cannot convert '{shape}' to a shape. Negative dimensions are "
                             "not allowed.")
        out.append(d)
    return tuple(out)


class Variable(layer_variable.Variable, metaclass=_AnyVariable):
    """Represents a backend-agnostic variable (Keras 3's `keras.Variable`).

    Args:
        initializer: initial value (array-like) or an initializer (callable or name) called
            with `shape` and `dtype`.
        shape: the shape; required with an initializer.
        dtype: defaults to the initial value's dtype, else `floatx()`.
        trainable: whether training updates it (default True).
        autocast: whether a mixed-precision layer reads it in its compute dtype.
        aggregation: `"none"`, `"mean"`, `"sum"` or `"only_first_replica"` (an annotation).
        synchronization: `"none"`, `"on_read"`, `"on_write"` or `"auto"` (an annotation).
        name: a name without `/`; automatic (`variable`, `variable_1`, ...) when None.
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None):
        self._auto_named = name is None
        name = naming.unique_name("variable") if name is None else name
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        if aggregation not in _AGGREGATIONS:
            raise ValueError("Invalid value for argument `aggregation`. Expected one of `None`, "
                             "`'none'`, `'mean'`, `'sum'`, `'only_first_replica'`. "
                             f"Received: aggregation={aggregation}")
        if synchronization not in _SYNCHRONIZATIONS:
            raise ValueError("Invalid value for argument `synchronization`. Expected one of "
                             "`None`, `'none'`, `'on_read'`, `'on_write'`, `'auto'`. "
                             f"Received: synchronization={synchronization}")
        self._layer = None
        self.name = name
        parent = current_path()
        self._path = f"{parent}/{name}" if parent else name
        self.trainable = bool(trainable)
        self.autocast = bool(autocast)
        self.aggregation = aggregation or "none"
        self.synchronization = synchronization or "none"
        self.regularizer = None
        self.constraint = None
        self.overwrite_with_gradient = False
        self._value = None
        get_initializer = serialization.family_member("initializers", "get")
        if isinstance(initializer, str):
            initializer = get_initializer(initializer)
        if callable(initializer) and not hasattr(initializer, "__array__"):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from an initializer, the `shape` argument should "
                    f"be specified. Received: initializer={initializer} and shape={shape}")
            self.shape = _standardize_shape(shape, self._path)
            self.dtype = jnp.dtype(config.standardize_dtype(dtype))
            self.initializer = get_initializer(initializer)
            if scopes.in_stateless_scope():
                scopes.register_uninitialized_variable(self)
            else:
                self._deferred_initialize()
            return
        value = initializer.value if isinstance(initializer, layer_variable.Variable) \
            else initializer
        value = jnp.asarray(value, dtype=None if dtype is None
                            else config.standardize_dtype(dtype))
        if scopes.in_stateless_scope():
            raise ValueError(
                "You are attempting to create a variable while in a stateless scope. This is "
                "disallowed. Make sure that all variables are created before you start using "
                "your layer/model objects.")
        self.shape = tuple(value.shape)
        self.dtype = jnp.dtype(value.dtype)
        self.initializer = get_initializer(np.asarray(value))  # pure `init` gives it again
        self._value = value

    def _deferred_initialize(self):
        if self._value is not None:
            raise ValueError(f"Variable {self.path} is already initialized.")
        if scopes.in_stateless_scope():
            raise ValueError(
                "You are attempting to initialize a variable while in a stateless scope. This "
                "is disallowed. Make sure that all variables are initialized before you start "
                "using your layer/model objects.")
        self._value = jnp.asarray(
            self.initializer(self.shape, self.dtype, key=random.next_key()), self.dtype)

    @property
    def path(self):
        return self._path

    @property
    def value(self):
        scope = scopes.get_stateless_scope()
        mapped = None if scope is None else scope.get_current_value(self)
        if mapped is not None:
            return mapped
        frame = None if self._layer is None else frames.frame_of(self._layer)
        if frame is not None:  # read in its layer's call: the value bound for this call
            return frame.bound(self.name)
        if self._value is None:  # created in a stateless scope: a placeholder until then
            return jnp.asarray(self.initializer(self.shape, self.dtype, key=random.next_key()),
                               self.dtype)
        return self._value

    def _store(self, value):
        frame = None if self._layer is None else frames.frame_of(self._layer)
        if frame is not None and not self.trainable:  # assigned in its layer's call
            if frame.init_key is None:
                frame.assign_state(self.name, value)
            return
        super()._store(value)

    def _adopt(self, layer, taken):
        """Become `layer`'s weight (Keras tracks a Variable assigned to a layer attribute)."""
        if self._layer is not None and self._layer is not layer:
            raise ValueError(
                f"Variable '{self.path}' is already a weight of layer '{self._layer.name}' and "
                f"cannot also be tracked by layer '{layer.name}'. Share the layer instead.")
        while self.name in taken:
            if not self._auto_named:
                raise ValueError(
                    f"Layer '{layer.name}' already has a weight named '{self.name}'. Give the "
                    "Variable a unique `name=`.")
            self.name = naming.unique_name("variable")
            self._path = self._path.rpartition("/")[0] + "/" + self.name \
                if "/" in self._path else self.name
        self._layer = layer

    # Keras's remaining tensor protocol (the base gives arithmetic, comparisons, indexing)
    def __bool__(self):
        raise TypeError("A Keras Variable cannot be used as a boolean.")

    def __int__(self):
        if self.ndim > 0:
            raise TypeError("Only scalar arrays can be converted to Python scalars. "
                            f"Got: shape={self.shape}")
        return int(self.value)

    def __float__(self):
        if self.ndim > 0:
            raise TypeError("Only scalar arrays can be converted to Python scalars. "
                            f"Got: shape={self.shape}")
        return float(self.value)

    def __jax_array__(self):
        return self.value

    def __pos__(self): return self.value
    def __abs__(self): return jnp.abs(self.value)
    def __invert__(self): return jnp.invert(self.value)
    def __floordiv__(self, o): return jnp.floor_divide(self.value, o)
    def __rfloordiv__(self, o): return jnp.floor_divide(o, self.value)
    def __mod__(self, o): return jnp.mod(self.value, o)
    def __rmod__(self, o): return jnp.mod(o, self.value)
    def __and__(self, o): return jnp.logical_and(self.value, o)
    def __rand__(self, o): return jnp.logical_and(o, self.value)
    def __or__(self, o): return jnp.logical_or(self.value, o)
    def __ror__(self, o): return jnp.logical_or(o, self.value)
    def __xor__(self, o): return jnp.logical_xor(self.value, o)
    def __rxor__(self, o): return jnp.logical_xor(o, self.value)
    def __round__(self, ndigits=None): return jnp.round(self.value, decimals=ndigits or 0)

    def __repr__(self):
        value = "" if self._value is None else f", value={np.asarray(self._value)}"
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype.name}"
                f"{value}>")


layer_variable.register_as_its_value(Variable)
