"""`compile()` arguments to and from Keras 3's "compile_config" (config.json of a .keras file).

Keras writes {"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
"steps_per_execution", "jit_compile"}, each value through `serialize_keras_object`.
Two jkeras-specific choices, so files stay portable both ways:
- steps_per_execution "auto" (jkeras's default) is written as Keras's default 1, and a 1 read
  from a file becomes "auto" again (the results are the same; only jkeras's speed differs).
- jit_compile is written as the resolved bool (as Keras), but read back as "auto": a TF-backend
  file says False when TF chose not to use XLA; jkeras always compiles unless run_eagerly=True.
"""
import warnings

from jkeras.saving import serialization

_KEYS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
         "steps_per_execution", "jit_compile")


def serialize_compile_config(model):
    """Keras's compile_config for a compiled jkeras model ({} when not compiled)."""
    cfg = model.engine.compile_args if model.compiled else None
    if not cfg:
        return {}
    steps = cfg.get("steps_per_execution")
    config = {
        "optimizer": model.optimizer,
        "loss": cfg.get("loss"),
        "loss_weights": cfg.get("loss_weights"),
        "metrics": cfg.get("metrics"),
        "weighted_metrics": cfg.get("weighted_metrics"),
        "run_eagerly": bool(model.run_eagerly),
        "steps_per_execution": 1 if steps in (None, "auto") else steps,
        "jit_compile": bool(model.jit_compile),
    }
    try:
        return serialization.serialize_keras_object(config)
    except TypeError as e:  # e.g. an optimizer wrapping a raw optax transform
        warnings.warn(f"Model '{model.name}': its compile() arguments cannot be saved ({e}); "
                      "the model is saved uncompiled. Call `compile()` again after loading.",
                      stacklevel=3)
        return {}


def compile_arguments(config, custom_objects=None):
    """The keyword arguments of `compile()` for a compile_config (ours or tf.keras's)."""
    if not isinstance(config, dict):
        raise ValueError(f"A compile_config must be a dict; received {config!r}.")
    unknown = sorted(set(config) - set(_KEYS))
    if unknown:
        raise ValueError(f"Unknown keys {unknown} in compile_config; jkeras reads {list(_KEYS)}.")
    try:
        args = serialization.deserialize_keras_object(dict(config),
                                                      custom_objects=custom_objects)
    except (ValueError, TypeError) as e:
        raise type(e)(f"The model's compile configuration could not be restored: {e} Pass "
                      "`compile=False` to load_model() to load the model uncompiled, then call "
                      "`compile()` yourself.") from None
    if args.get("steps_per_execution") in (None, 1):
        args["steps_per_execution"] = "auto"
    args["jit_compile"] = "auto"
    if args.get("optimizer") is None:
        args.pop("optimizer", None)
    return args


def build_optimizer_state(model):
    """Create the optimizer state over the trainable weights now (Keras's `optimizer.build`
    during loading), so saved optimizer variables have somewhere to go."""
    if model.built and model.optimizer is not None:
        model.engine.build_optimizer_state()
