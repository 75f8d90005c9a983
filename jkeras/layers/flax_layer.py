"""FlaxLayer: a Flax module as a layer (Keras's `keras.layers.FlaxLayer`). Flax is an optional
extra (`pip install flax`), imported when a FlaxLayer is made.

- A `flax.linen.Module`: its "params" collection becomes the trainable weights, every other
  collection (e.g. "batch_stats") non-trainable state, updated by `apply` in training
  (`mutable=DenyList(["params"])`, as Keras). `method` is the module method to run (default
  `__call__`) or a function `(module, inputs[, training])`; it takes `inputs` and optionally
  `training`. Keys as Keras: init gets {"params", "dropout"}, a training call {"dropout"},
  inference no keys. `variables` (a dict from `module.init`) gives initial values.
- A `flax.nnx.Module` (jkeras's addition; Keras 3.15 wraps linen only): its `nnx.Param`s are the
  trainable weights and its other state except rng streams (e.g. batch statistics)
  non-trainable; `training` selects `module.train()` / `module.eval()` for that call, and in
  training the module's rng streams restart from the call's key (so Dropout draws from the key
  fit gives each step, as in linen). An NNX module already holds its values, so `variables`
  must be None.

Weights are "variable", "variable_1", ... in tree order (JaxLayer's names). For saving, the
module's class must be registered (`jkeras.saving.register_keras_serializable`) with
`get_config` / `from_config`, as Keras requires; NNX modules are rebuilt from their config and
then take the saved values.
"""
import inspect

import jax

from jkeras.layers import config_utils
from jkeras.layers.jax_layer import JaxLayer


def _flax():
    try:
        import flax
        import flax.linen  # noqa: F401
    except ImportError:
        raise ImportError("FlaxLayer needs Flax, an optional dependency: install it with "
                          "`pip install flax` (or jkeras's extra: `pip install jkeras[flax]`)."
                          ) from None
    return flax


def _is_nnx(module):
    try:
        from flax import nnx
    except ImportError:
        return False
    return isinstance(module, nnx.Module)


class FlaxLayer(JaxLayer):
    def __init__(self, module, method=None, variables=None, **kwargs):
        flax = _flax()
        self.module, self.method = module, method
        self._nnx = _is_nnx(module)
        if self._nnx:
            call_fn, init_fn, params, state = self._nnx_functions(module, method, variables)
        elif isinstance(module, flax.linen.Module):
            call_fn, init_fn = self._linen_functions(flax, module, method)
            params, state = _variables_to_params_and_state(variables)
        else:
            raise TypeError("FlaxLayer expects a `flax.linen.Module` or `flax.nnx.Module` "
                            f"instance as `module`. Received: module={module!r} (of type "
                            f"{type(module).__name__})")
        super().__init__(call_fn=call_fn, init_fn=init_fn, params=params, state=state, **kwargs)

    # ---- linen ---------------------------------------------------------------------------------
    def _linen_functions(self, flax, module, method):
        mutable = flax.linen.DenyList(["params"])
        target = method or module.__call__
        if isinstance(target, str):
            target = getattr(module, target)
        if "inputs" not in inspect.signature(target).parameters:
            raise ValueError("FlaxLayer: the module method must take an argument named "
                             f"`inputs` (and optionally `training`). Received: {target}")

        def call_with_training(params, state, rng, inputs, training):
            return module.apply(_params_and_state_to_variables(params, state), inputs,
                                rngs=_call_rngs(rng), method=method, mutable=mutable,
                                training=training)

        def call_without_training(params, state, rng, inputs):
            return module.apply(_params_and_state_to_variables(params, state), inputs,
                                rngs=_call_rngs(rng), method=method, mutable=mutable)

        def init_with_training(rng, inputs, training):
            return _variables_to_params_and_state(
                module.init(_init_rngs(rng), inputs, method=method, training=training))

        def init_without_training(rng, inputs):
            return _variables_to_params_and_state(
                module.init(_init_rngs(rng), inputs, method=method))

        if "training" in inspect.signature(target).parameters:
            return call_with_training, init_with_training
        return call_without_training, init_without_training

    # ---- nnx -----------------------------------------------------------------------------------
    def _nnx_functions(self, module, method, variables):
        from flax import nnx
        if variables is not None:
            raise ValueError("FlaxLayer: `variables` applies to a linen module; an NNX module "
                             "already holds its values. Received: variables given with "
                             f"module={type(module).__name__}")
        if isinstance(method, str) or getattr(method, "__self__", None) is module:
            method = getattr(type(module), method if isinstance(method, str) else
                             method.__name__)  # run on the call's copy of the module
        run = method if method is not None else type(module).__call__
        signature = inspect.signature(run).parameters
        if "inputs" not in signature:
            raise ValueError("FlaxLayer: the module method must take an argument named "
                             f"`inputs` (and optionally `training`). Received: {run}")
        takes_training = "training" in signature
        graphdef, params, rngs, rest = nnx.split(module, nnx.Param, nnx.RngState, ...)
        rng_tree = nnx.to_pure_dict(rngs)

        def call_fn(params, state, rng, inputs, training):
            live = nnx.merge(graphdef, params, _reseeded(rng_tree, rng), state)
            live.train() if training else live.eval()
            out = run(live, inputs, training=training) if takes_training else run(live, inputs)
            _, _, _, new_state = nnx.split(live, nnx.Param, nnx.RngState, ...)
            return out, nnx.to_pure_dict(new_state)

        return call_fn, None, nnx.to_pure_dict(params), nnx.to_pure_dict(rest)

    def get_config(self):
        method = self.method
        if getattr(method, "__self__", None) is self.module:
            method = method.__name__  # a bound method is saved by name, as Keras
        config = {**super().get_config(), "module": config_utils.nested(self.module),
                  "method": config_utils.nested(method)}
        config.pop("call_fn")
        config.pop("init_fn")
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        module = config_utils.from_nested(config["module"])
        method = config["method"]
        method = getattr(module, method) if isinstance(method, str) else \
            config_utils.from_nested(method)
        config["module"], config["method"] = module, method
        return super().from_config(config)


def _reseeded(rng_tree, rng):
    """An NNX module's rng streams restarted from the call's key (unchanged without one)."""
    if rng is None:
        return rng_tree
    leaves, treedef = jax.tree_util.tree_flatten(rng_tree)
    fresh = []
    for i, leaf in enumerate(leaves):
        if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
            key = jax.random.fold_in(rng, i)
            typed = jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key)
            fresh.append(key if typed else jax.random.wrap_key_data(key))
        else:  # a stream's counter
            fresh.append(jax.numpy.zeros_like(leaf))
    return jax.tree_util.tree_unflatten(treedef, fresh)


def _call_rngs(rng):
    return {} if rng is None else {"dropout": rng}


def _init_rngs(rng):
    params_key, dropout_key = jax.random.split(rng)
    return {"params": params_key, "dropout": dropout_key}


def _params_and_state_to_variables(params, state):
    return {**(params or {}), **(state or {})}


def _variables_to_params_and_state(variables):
    """Keras's split of a linen variables dict: {"params": ...} and the other collections."""
    if variables is None:
        return None, None
    variables = dict(variables)
    params = {"params": variables.pop("params")} if "params" in variables else {}
    return params, variables
