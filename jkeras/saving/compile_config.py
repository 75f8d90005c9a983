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
    store = model.__dict__.get("_jk_store")
    if not model.compiled or store is None or not store.config:
        return {}
    cfg = store.config
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
    from jkeras.training.step import frozen_paths, split_frozen
    store = model._jk()
    if not model.built or model.optimizer is None or store.opt_state is not None:
        return
    frozen = frozen_paths(model)
    store.opt_state = model.optimizer.init(
        split_frozen(model.get_variables()["params"], frozen)[0])
    store.frozen_at_init = frozen
    model.optimizer._last_state = store.opt_state
