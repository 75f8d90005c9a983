"""Keras 3 optimizers for jkeras, usable as optax GradientTransformations.

    opt = jkeras.optimizers.get("adam")            # or Adam(learning_rate=1e-3, ...)
    opt_state = opt.init(params)
    updates, opt_state = opt.update(grads, opt_state, params)
    params = optax.apply_updates(params, updates)

See `jkeras.optimizers.base` for the opt_state layout and how a training loop syncs
`optimizer.learning_rate = x` into opt_state (`opt.sync_state(opt_state)`).
"""

import jax.numpy as jnp
import optax

from jkeras.optimizers import nested, schedules
from jkeras.optimizers.adadelta import Adadelta
from jkeras.optimizers.adafactor import Adafactor
from jkeras.optimizers.adagrad import Adagrad
from jkeras.optimizers.adam import Adam
from jkeras.optimizers.adamax import Adamax
from jkeras.optimizers.adamw import AdamW
from jkeras.optimizers.base import Optimizer, OptimizerState
from jkeras.optimizers.ftrl import Ftrl
from jkeras.optimizers.lamb import Lamb
from jkeras.optimizers.lion import Lion
from jkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from jkeras.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from jkeras.optimizers.muon import Muon
from jkeras.optimizers.nadam import Nadam
from jkeras.optimizers.optax_wrapper import OptaxOptimizer
from jkeras.optimizers.rmsprop import RMSprop
from jkeras.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from jkeras.optimizers.sgd import SGD

ALL_OBJECTS_DICT = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "adafactor": Adafactor,
    "adamax": Adamax,
    "ftrl": Ftrl,
    "lamb": Lamb,
    "lion": Lion,
    "muon": Muon,
    "nadam": Nadam,
    "schedulefreeadamw": ScheduleFreeAdamW,
    "lossscaleoptimizer": LossScaleOptimizer,
    "multioptimizer": MultiOptimizer,
    "optimizermap": OptimizerMap,
}
nested.register(ALL_OBJECTS_DICT)

# Names of `keras.optimizers` that jkeras does not provide (yet), with the reason; the API
# coverage test (tests/test_keras_catalogue.py) reads this.
LEFT_OUT = {
    "legacy": "Keras 2 optimizers; in Keras 3 the namespace only raises ImportError",
}


def get_learning_rate(opt_state):
    """The float32 learning-rate scalar stored in `opt_state` (jit-friendly)."""
    if getattr(opt_state, "learning_rate", None) is None:
        raise TypeError(
            "This optimizer state has no settable learning rate: the optimizer uses a "
            "LearningRateSchedule/callable or wraps an optax transform."
        )
    return opt_state.learning_rate


def set_learning_rate(opt_state, value):
    """A new opt_state whose learning rate is `value`; no recompilation needed.

    If the loop also calls `opt.sync_state`, assign `opt.learning_rate = value` too."""
    get_learning_rate(opt_state)  # same error for schedule / optax states
    return opt_state._replace(learning_rate=jnp.asarray(value, jnp.float32))


def serialize(optimizer):
    return {
        "module": "keras.optimizers",
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    name = config.get("class_name", "")
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS_DICT.get(str(name).lower())
    if cls is None:
        raise ValueError(_unknown(name))
    return cls.from_config(dict(config.get("config", {})), custom_objects)


def _unknown(identifier):
    return (
        f"Could not interpret optimizer identifier: {identifier!r}. Valid names are "
        f"{sorted(ALL_OBJECTS_DICT)} (case-insensitive); an optimizer instance, an "
        "optax.GradientTransformation or a config dict are also accepted."
    )


def get(identifier):
    """Resolve a string, config dict, jkeras/tf.keras optimizer or optax transform."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, optax.GradientTransformation):
        return OptaxOptimizer(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS_DICT.get(identifier.lower())
        if cls is not None:
            return cls()
    elif isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier)
    else:
        # A (tf.)keras optimizer object: rebuild ours from its config.
        cls = ALL_OBJECTS_DICT.get(type(identifier).__name__.lower())
        if cls is not None and hasattr(identifier, "get_config"):
            return cls.from_config(identifier.get_config())
    raise ValueError(_unknown(identifier))


__all__ = [
    "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lamb", "Lion",
    "LossScaleOptimizer", "MultiOptimizer", "Muon", "Nadam", "Optimizer", "OptimizerMap",
    "OptimizerState", "OptaxOptimizer",
    "RMSprop", "SGD", "ScheduleFreeAdamW", "deserialize", "get", "get_learning_rate", "schedules",
    "serialize", "set_learning_rate", "LEFT_OUT",
]
