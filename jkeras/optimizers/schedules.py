"""Learning-rate schedules with Keras 3's formulas, written in jax.numpy.

A schedule is called with the optimizer's `iterations` (the step count *before* the
update being computed, as Keras does) and returns a float32 scalar. Everything is
traceable, so schedules run inside a jitted/scanned training step.

Arithmetic follows keras/src/optimizers/schedules/learning_rate_schedule.py op for op
(float32 throughout, python scalars folded in as float32) so values agree with
tf.keras to float32 rounding.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.config_object import ConfigObject


def _f32(x):
    return jnp.asarray(x, jnp.float32)


def _div(a, b):
    """a / b, correctly rounded like TF's division, even under jit.

    XLA rewrites division by a constant into multiplication by its reciprocal, which is
    off by an ulp for most steps; at exact multiples that flips `floor`/`ceil`
    (staircase, cycle) and leaves `1 - step/decay_steps` a tiny nonzero at the end of a
    PolynomialDecay. Hiding the divisor behind an optimization barrier keeps a true
    divide for scalar steps (as the optimizer calls it)."""
    return a / jax.lax.optimization_barrier(_f32(b))


class LearningRateSchedule(ConfigObject):
    """Base class: subclasses implement `__call__(step)` and `get_config()`."""

    def __call__(self, step):
        raise TypeError(
            f"Learning rate schedule '{self.__class__.__name__}' "
            "must override `__call__(self, step)`."
        )

    def get_config(self):
        raise TypeError(
            f"Learning rate schedule '{self.__class__.__name__}' "
            "must override `get_config()` in order to be serializable."
        )

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except TypeError:
            args = ""
        return f"{self.__class__.__name__}({args})"


def _check_decay_steps(decay_steps):
    if decay_steps <= 0:
        raise ValueError(
            f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}"
        )


class _RateDecay(LearningRateSchedule):
    """Shared arguments of the exponential and inverse-time decays."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name or type(self).__name__
        _check_decay_steps(decay_steps)

    def _progress(self, step):
        p = _div(_f32(step), self.decay_steps)
        return jnp.floor(p) if self.staircase else p

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_RateDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (floored if staircase)."""

    def __call__(self, step):
        return _f32(self.initial_learning_rate) * jnp.power(_f32(self.decay_rate),
                                                            self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i-1] < step <= boundaries[i]`, `values[-1]` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} "
                f"of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = jnp.asarray(step)
        # Keras casts the boundaries to the step's dtype and sums masked values.
        bounds = [jnp.asarray(b).astype(step.dtype) for b in self.boundaries]
        dtype = jnp.asarray(self.values[0]).dtype
        vals = [jnp.asarray(v, dtype) for v in self.values]
        result = jnp.zeros((), dtype)
        result += (step <= bounds[0]).astype(dtype) * vals[0]
        result += (step > bounds[-1]).astype(dtype) * vals[-1]
        for low, high, v in zip(bounds[:-1], bounds[1:], vals[1:-1]):
            result += ((step > low) & (step <= high)).astype(dtype) * v
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end`;
    with `cycle=True` decay_steps grows to the first multiple above `step`."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_decay_steps(decay_steps)

    def __call__(self, step):
        initial = _f32(self.initial_learning_rate)
        end = _f32(self.end_learning_rate)
        gs = _f32(step)
        ds = _f32(self.decay_steps)
        if self.cycle:
            multiplier = jnp.where(gs == 0, _f32(1.0), jnp.ceil(_div(gs, self.decay_steps)))
            ds = ds * multiplier
        else:
            gs = jnp.minimum(gs, ds)
        p = _div(gs, ds)
        return (initial - end) * jnp.power(1 - p, _f32(self.power)) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(_RateDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (floored if staircase)."""

    def __call__(self, step):
        return _f32(self.initial_learning_rate) / (
            _f32(1.0) + _f32(self.decay_rate) * self._progress(step))


class CosineDecay(LearningRateSchedule):
    """Cosine decay from `initial_learning_rate` (or `warmup_target` after a linear warmup
    of `warmup_steps`) down to `alpha` times that value over `decay_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_decay_steps(decay_steps)

    def _decay(self, step, decay_steps, decay_from_lr):
        completed_fraction = _div(step, decay_steps)
        cosine_decayed = 0.5 * (1.0 + jnp.cos(_f32(math.pi) * completed_fraction))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return decay_from_lr * decayed

    def __call__(self, step):
        initial = _f32(self.initial_learning_rate)
        decay_steps = _f32(self.decay_steps)
        gs = _f32(step)
        if self.warmup_target is None:
            return self._decay(jnp.minimum(gs, decay_steps), decay_steps, initial)
        target = _f32(self.warmup_target)
        warmup_steps = _f32(self.warmup_steps)
        gs = jnp.minimum(gs, decay_steps + warmup_steps)
        # Both branches are evaluated (Keras uses cond); the unused one may be nan
        # when warmup_steps == 0, which `where` discards.
        warm = (target - initial) * _div(gs, warmup_steps) + initial
        cool = self._decay(gs - warmup_steps, decay_steps, target)
        return jnp.where(gs < warmup_steps, warm, cool)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods of `first_decay_steps`, each
    `t_mul` times longer than the last, restarting at `m_mul` times the previous peak."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        if self.first_decay_steps <= 0:
            raise ValueError(
                "Argument `first_decay_steps` must be > 0. "
                f"Received: first_decay_steps={self.first_decay_steps}"
            )

    def __call__(self, step):
        t_mul, m_mul, alpha = _f32(self._t_mul), _f32(self._m_mul), _f32(self.alpha)
        fraction = _div(_f32(step), self.first_decay_steps)
        if self._t_mul == 1.0:
            i_restart = jnp.floor(fraction)
            fraction = fraction - i_restart
        else:
            i_restart = jnp.floor(jnp.log(1.0 - fraction * (1.0 - t_mul)) / jnp.log(t_mul))
            sum_r = (1.0 - jnp.power(t_mul, i_restart)) / (1.0 - t_mul)
            fraction = (fraction - sum_r) / jnp.power(t_mul, i_restart)
        m_fac = jnp.power(m_mul, i_restart)
        cosine_decayed = 0.5 * m_fac * (1.0 + jnp.cos(_f32(math.pi) * fraction))
        return _f32(self.initial_learning_rate) * ((1 - alpha) * cosine_decayed + alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


ALL_SCHEDULES = {
    cls.__name__: cls
    for cls in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
                InverseTimeDecay, CosineDecay, CosineDecayRestarts)
}


def serialize(schedule):
    """Keras's serialized form: {'module', 'class_name', 'config', 'registered_name'}."""
    return {
        "module": "keras.optimizers.schedules",
        "class_name": schedule.__class__.__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """Inverse of `serialize`; also accepts Keras's own serialized schedules."""
    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or ALL_SCHEDULES.get(name)
    if cls is None:
        raise ValueError(
            f"Unknown learning rate schedule: {name!r}. "
            f"Known schedules: {sorted(ALL_SCHEDULES)}."
        )
    return cls.from_config(dict(config.get("config", {})))


def from_keras(obj):
    """A tf.keras / keras schedule object rebuilt as ours (None if `obj` is not one)."""
    if isinstance(obj, LearningRateSchedule):
        return obj
    cls = ALL_SCHEDULES.get(type(obj).__name__)
    module = type(obj).__module__ or ""
    if cls is not None and module.startswith(("keras", "tf_keras", "tensorflow")):
        return cls.from_config(dict(obj.get_config()))
    return None


def value_at(schedule, step):
    """Host-side convenience: the schedule's value at `step` as a numpy float32."""
    return np.float32(schedule(jnp.asarray(step, jnp.int32)))
