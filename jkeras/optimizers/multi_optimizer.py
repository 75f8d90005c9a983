"""MultiOptimizer and OptimizerMap as keras/src/optimizers/multi_optimizer.py: each variable is
updated by the optimizer its path selects.

Paths are jkeras's `variable.path` ("enc/kernel"): for a pytree of params, the keys joined by
"/"; jkeras's paths do not start with the model's name as Keras's do ("sequential/enc/kernel"),
so map keys are written without it ("enc/.*").

opt_state is an `OptimizerState(iterations, None, {"optimizers": (state per sub-optimizer)})`;
a sub-optimizer's state is over a dict {path: leaf} of the variables it owns (sub-optimizers
that own none keep an empty state and, as in Keras, never step). Keras's variable order (and
the `.weights.h5` layout): this optimizer's iteration and learning_rate (0), then each
sub-optimizer's variables, in the order of `optimizers`.
"""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.path_map import PathMap
from jkeras.optimizers import nested
from jkeras.optimizers.base import Optimizer, OptimizerState, _leaf_name
from jkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer


class OptimizerMap(PathMap):
    """Maps variable paths (exact, else `re.fullmatch` patterns) to optimizers, with a
    default for unmapped variables."""

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(
                "default_optimizer must be a Keras Optimizer instance. "
                f"Received: {default_optimizer}"
            )
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        super().__init__(optimizer_map)

    @property
    def default_optimizer(self):
        return self._default_optimizer

    def _missing(self, path):
        return self.default_optimizer

    def _many_matches(self, path, keys):
        return f"Multiple optimizers assigned to variable {path}."

    def _duplicate_key(self, key):
        return (f"'{key}' already exists in the OptimizerMap with value {self._entries[key]}. "
                "Please make sure to not use duplicated keys.")

    def _accept(self, key, optimizer):
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(
                f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        return optimizer

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        return {"default_optimizer": nested.serialize(self._default_optimizer),
                "optimizer_map": {k: nested.serialize(v) for k, v in self._entries.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        default = nested.deserialize(config["default_optimizer"], custom_objects)
        mapping = {k: nested.deserialize(v, custom_objects)
                   for k, v in (config.get("optimizer_map") or {}).items()}
        return cls(default, mapping)


class LeafVariable:
    """What an optimizer selector sees for one leaf of a params pytree."""

    def __init__(self, path, value):
        self.path = path
        self.name = path.split("/")[-1]
        self.shape = tuple(np.shape(value))
        self.dtype = jnp.asarray(value).dtype if value is not None else None
        self.value = value

    def __repr__(self):
        return f"<LeafVariable path={self.path!r} shape={self.shape}>"


def _insertion_order(tree, prefix=""):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _insertion_order(value, f"{prefix}{key}/")
    elif tree is not None:
        yield prefix[:-1], tree


def _path_string(path):
    return "/".join(_leaf_name((key,)) for key in path)


class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer `optimizer_map(variable)` returns (an
    `OptimizerMap` or a callable); `loss_scale_factor` overrides the sub-optimizers'."""

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        self._inner_optimizers = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._list_paths = None
        self._paths_by_optimizer = None
        if hasattr(optimizer_map, "values"):
            for opt in optimizer_map.values():
                self._adopt(opt)
        default = getattr(optimizer_map, "default_optimizer", None)
        if default is not None:
            self._adopt(default)

    def _adopt(self, opt):
        if not any(opt is o for o in self._inner_optimizers):
            opt.loss_scale_factor = self.loss_scale_factor
            self._inner_optimizers.append(opt)
        return next(i for i, o in enumerate(self._inner_optimizers) if o is opt)

    @property
    def optimizers(self):
        return self._inner_optimizers

    # ----- which optimizer owns which variable ------------------------------------------------
    def _assign(self, tree):
        """-> (paths, optimizer index per leaf) for a params-shaped tree."""
        leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
        if self._list_paths is not None and len(self._list_paths) == len(leaves) and \
                isinstance(tree, (list, tuple)):
            paths = list(self._list_paths)
        else:
            paths = [_path_string(path) for path, _ in leaves]
        if not isinstance(tree, (list, tuple)):
            # Keras adopts optimizers a selector returns in variable order; a model's params
            # dicts keep that order (jax flattens them sorted).
            for path, value in _insertion_order(tree):
                self._owner(LeafVariable(path, value))
        owners = [self._owner(LeafVariable(path, value))
                  for path, (_, value) in zip(paths, leaves)]
        return paths, owners

    def _owner(self, variable):
        opt = self._optimizer_map(variable)
        if not isinstance(opt, Optimizer):
            raise ValueError(f"Optimizer for variable {variable} is not an Optimizer instance.")
        if isinstance(opt, LossScaleOptimizer):
            raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
        if isinstance(opt, MultiOptimizer):
            raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
        return self._adopt(opt)

    def _split(self, paths, owners, leaves):
        return [{p: leaf for p, o, leaf in zip(paths, owners, leaves) if o == j}
                for j in range(len(self._inner_optimizers))]

    # ----- state ---------------------------------------------------------------------------------
    def init(self, params):
        paths, owners = self._assign(params)
        leaves = jax.tree_util.tree_leaves(params)
        parts = self._split(paths, owners, leaves)
        self._paths_by_optimizer = [list(part) for part in parts]
        states = tuple(opt.init(part) for opt, part in zip(self._inner_optimizers, parts))
        return OptimizerState(jnp.zeros((), jnp.int32), None, {"optimizers": states})

    def sync_state(self, state):
        states = tuple(opt.sync_state(s) for opt, s in
                       zip(self._inner_optimizers, state.slots["optimizers"]))
        return state._replace(learning_rate=None, slots={"optimizers": states})

    def _update(self, grads, state, params, decay_mask):
        treedef = jax.tree_util.tree_structure(grads)
        paths, owners = self._assign(grads)
        g_leaves = treedef.flatten_up_to(grads)
        p_leaves = treedef.flatten_up_to(params) if params is not None else [None] * len(paths)
        out = [None] * len(paths)
        states = list(state.slots["optimizers"])
        for j, opt in enumerate(self._inner_optimizers):
            mine = [i for i, o in enumerate(owners) if o == j]
            if not mine:
                continue
            sub_g = {paths[i]: g_leaves[i] for i in mine}
            sub_p = None if params is None else {paths[i]: p_leaves[i] for i in mine}
            mask = None if decay_mask is None else [decay_mask[i] for i in
                                                    sorted(mine, key=lambda i: paths[i])]
            updates, states[j] = opt._update(sub_g, states[j], sub_p, mask)
            for i in mine:
                out[i] = updates[paths[i]]
        new = OptimizerState(state.iterations + 1, None, {"optimizers": tuple(states)})
        return treedef.unflatten(out), new

    # ----- what the sub-optimizers own ---------------------------------------------------------
    @property
    def _learning_rate(self):
        # Changes when a sub-optimizer's learning rate is assigned: fit then syncs the state.
        return tuple(opt._learning_rate for opt in self.__dict__.get("_inner_optimizers", ()))

    @_learning_rate.setter
    def _learning_rate(self, value):
        del value  # the base constructor's 0.0: a MultiOptimizer has no learning rate

    @property
    def learning_rate(self):
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. "
            "Access the learning rate on the individual sub-optimizers instead."
        )

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError(
            "Learning rate cannot be set on a MultiOptimizer. "
            "Set the learning rate on the individual sub-optimizers instead."
        )

    @property
    def loss_scale_factor(self):
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self.__dict__["_loss_scale_factor"] = value
        for opt in self.__dict__.get("_inner_optimizers", ()):
            opt.loss_scale_factor = value

    @property
    def use_ema(self):
        return any(opt.use_ema for opt in self.__dict__.get("_inner_optimizers", ()))

    @use_ema.setter
    def use_ema(self, value):
        del value  # set on the sub-optimizers

    def _share_state(self, state):
        if state is not None:
            for opt, sub in zip(self.__dict__.get("_inner_optimizers", ()),
                                state.slots["optimizers"]):
                opt.set_state(sub, self)

    def build(self, var_list):
        var_list = list(var_list)
        if not self.built:
            self._list_paths = [str(getattr(v, "path", getattr(v, "name", ""))) for v in var_list]
        super().build(var_list)

    def _variable_decays(self, var):
        return self._optimizer_map(var)._variable_decays(var)

    def finalize_params(self, params, opt_state):
        treedef = jax.tree_util.tree_structure(params)
        paths, owners = self._assign(params)
        leaves = treedef.flatten_up_to(params)
        for i, (path, j) in enumerate(zip(paths, owners)):
            opt, sub = self._inner_optimizers[j], opt_state.slots["optimizers"][j]
            if opt.use_ema:
                leaves[i] = sub.slots["average"][path]
        return treedef.unflatten(leaves)

    def finalize_variable_values(self, var_list):
        if self._imp_state is None:
            return
        values = self.finalize_params([jnp.asarray(v.value) for v in self._imp_vars],
                                      self._imp_state)
        index = {id(v): i for i, v in enumerate(self._imp_vars)}
        for var in var_list:
            if id(var) in index:
                var.assign(values[index[id(var)]])

    # The imperative path takes every variable at once, as Keras's MultiOptimizer.apply.
    def _select_slots(self, slots, idx):
        if list(idx) != list(range(len(self._imp_vars))):
            raise ValueError(
                "Gradients must match trainable variables one-to-one. "
                f"Received {len(idx)} gradients and {len(self._imp_vars)} variables.")
        return slots

    def _merge_slots(self, slots, new_slots, idx):
        return new_slots

    # ----- config ---------------------------------------------------------------------------------
    def get_config(self):
        return {"optimizer_map": nested.serialize(self._optimizer_map),
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["optimizer_map"] = nested.deserialize(config["optimizer_map"], custom_objects)
        return cls(**config)
