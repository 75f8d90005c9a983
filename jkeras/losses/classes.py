"""Loss objects: Keras's classes over the per-sample functions."""
import jax.numpy as jnp

from jkeras.core.config_object import ConfigObject
from jkeras.core.function_wrapper_config import wrapper_config, wrapper_from_config
from jkeras.core.naming import to_snake_case
from jkeras.losses.shapes import (  # noqa: F401
    _shape, squeeze_or_expand_to_same_rank)
from jkeras.losses.functions import (  # noqa: F401
    _CHECKS, binary_crossentropy, call_with_mask, categorical_crossentropy, huber,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, sparse_categorical_crossentropy)
from jkeras.losses.reduction import (  # noqa: F401
    reduce_weighted_values, standardize_reduction)


# ----------------------------------------------------------------------------- classes
class Loss(ConfigObject):
    """Base class. `call` gives per-sample values, `__call__` the reduced scalar."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = jnp.dtype(dtype or "float32").name

    def call(self, y_true, y_pred):
        raise TypeError(f"Loss subclass {type(self).__name__} must implement `call(y_true, y_pred)` returning per-sample losses.")

    def _call_with_mask(self, y_true, y_pred, logits=None):
        return self.call(y_true, y_pred), None

    def _cast_true(self, y_true):
        return jnp.asarray(y_true, self.dtype)

    def __call__(self, y_true, y_pred, sample_weight=None, logits=None):
        """Reduced loss. `logits`: see `call_with_mask` (crossentropies only)."""
        y_pred = jnp.asarray(y_pred, self.dtype)
        if logits is not None:
            logits = jnp.asarray(logits, self.dtype)
        values, mask = self._call_with_mask(self._cast_true(y_true), y_pred, logits)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction, self.dtype)

    def check_shapes(self, y_true_shape, y_pred_shape):
        """Raise a ValueError (before any trace) if y_true cannot match y_pred."""

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """Wraps `fn(y_true, y_pred, **kwargs)`; Keras aligns ranks before calling it."""

    known_functions = {}  # name -> loss function, for from_config (filled by jkeras.losses)

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name or to_snake_case(getattr(fn, "__name__", type(fn).__name__)),
                         reduction, dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self._call_with_mask(y_true, y_pred)[0]

    def _call_with_mask(self, y_true, y_pred, logits=None):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if logits is not None:
            logits = logits.reshape(y_pred.shape)
        return call_with_mask(self.fn, y_true, y_pred, logits, **self._fn_kwargs)

    def check_shapes(self, y_true_shape, y_pred_shape):
        check = _CHECKS.get(self.fn)  # only our own functions are known; others pass
        if check is not None:
            check(self.name, _shape(y_true_shape), _shape(y_pred_shape))

    def get_config(self):
        return wrapper_config(super().get_config(), self.fn, self._fn_kwargs)

    @classmethod
    def from_config(cls, config):
        return wrapper_from_config(cls, config, LossFunctionWrapper.known_functions)


class _Builtin(LossFunctionWrapper):
    _args = ()  # constructor arguments that go into get_config

    def __init__(self, fn, reduction, name, dtype, **kwargs):
        super().__init__(fn, reduction, name, dtype, **kwargs)
        for k in self._args:
            setattr(self, k, kwargs[k])

    def get_config(self):
        return {**Loss.get_config(self), **{k: getattr(self, k) for k in self._args}}

    from_config = classmethod(Loss.from_config.__func__)


class MeanSquaredError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class Huber(_Builtin):
    # Keras's Huber.get_config drops `delta`; we keep it so from_config round-trips.
    _args = ("delta",)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, reduction, name, dtype, delta=delta)


class BinaryCrossentropy(_Builtin):
    _args = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(_Builtin):
    _args = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_Builtin):
    _args = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.axis = axis

    def _cast_true(self, y_true):
        return jnp.asarray(y_true)  # integer labels stay integers
