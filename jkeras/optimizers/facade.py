"""Keras's imperative optimizer API on top of the functional core.

`optimizer.apply_gradients(zip(grads, variables))` works with any variable object that
has a `.value` (a jax array) and `.assign(new_value)` (jkeras's core Variable, or a
stand-in). Slot state is kept on the optimizer, keyed by the variables' identity, in the
order of the first call (Keras's `build`). The step itself is one jitted function per
(subset of variables, weight-decay mask), so eager custom loops stay fast.

This path's state (`self._imp_state`, built over the variables in build order) is the
optimizer's one state (`Optimizer.set_state`) owned by `VARIABLES`; a model's `fit` that
takes the optimizer over replaces it with a state for that model's weights (and the next
`apply_gradients` builds afresh). Each call syncs the object's learning rate into it. Hyperparameters other than the learning rate are read when the
step is first traced; changing them afterwards is not picked up.
"""

import warnings

import jax
import jax.numpy as jnp

from jkeras.core.scoped import Scoped


VARIABLES = "variables"  # owner of a state built by `build(var_list)` (see base.set_state)


class VariablesFacade:
    """Mixin for `Optimizer`; needs `init`, `_update`, `sync_state`, `_variable_decays`,
    `state_for`, `set_state`."""

    def _reset_facade(self):
        self._imp_vars = None  # variables in build order (strong refs keep ids unique)
        self._imp_index = {}  # id(variable) -> position
        self._jit_step = None

    @property
    def _imp_state(self):
        """OptimizerState over a list of the built variables' values (None when not built)."""
        return self.state_for(VARIABLES)

    @_imp_state.setter
    def _imp_state(self, state):
        self.set_state(state, VARIABLES)

    @property
    def built(self):
        """Keras's `built`: the optimizer holds state for a list of variables."""
        return self._imp_vars is not None and self._imp_state is not None

    def _reset_jit(self):
        self._jit_step = None

    def build(self, var_list):
        """Create slot state for `var_list` (done automatically on first apply)."""
        if self.built:
            return
        var_list = list(var_list)
        self._imp_vars = var_list
        self._imp_index = {id(v): i for i, v in enumerate(var_list)}
        self._imp_state = self.init([jnp.asarray(v.value) for v in var_list])

    # ---- Keras 3's stateless API (lists of arrays, as `train_step(state, data)` holds them) ----
    @property
    def variables(self):
        """The optimizer's state as a list of arrays (iterations, learning rate, slots). Inside
        `fit` a custom `train_step` receives the list for the model's weights instead."""
        bound = _binding.current
        if bound is not None and bound[0] is self and bound[1].values is not None:
            return list(bound[1].values)  # inside a fit step: the engine's state for the model
        return jax.tree_util.tree_leaves(self._imp_state) if self.built else []

    def state_from_variables(self, optimizer_variables):
        """The optimizer state (a pytree) whose leaves are `optimizer_variables`."""
        bound = _binding.current
        treedef = bound[1].state_treedef if bound is not None and bound[0] is self else \
            jax.tree_util.tree_structure(self._imp_state)
        return jax.tree_util.tree_unflatten(treedef, list(optimizer_variables))

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """-> (new trainable_variables, new optimizer_variables), both lists; pure."""
        bound = _binding.current
        from_lists = bound[1] if bound is not None and bound[0] is self else None
        if from_lists is None:
            if not self.built:
                raise ValueError(
                    f"To call `stateless_apply`, {type(self).__name__} must be built (i.e. its "
                    "variables must have been created). You can build it via "
                    "`optimizer.build(trainable_variables)`.")
            from_lists = ListBinding(jax.tree_util.tree_structure(self._imp_state),
                                     len(self._imp_vars),
                                     [getattr(v, "constraint", None) for v in self._imp_vars])
        params, grads, state = from_lists.unpack(trainable_variables, grads, optimizer_variables)
        state = self.sync_state(state) if from_lists.sync else state
        updates, state = self.update(grads, state, params)
        new = jax.tree_util.tree_map(lambda p, u: jnp.asarray(p + u).astype(p.dtype), params,
                                     updates)
        return from_lists.pack(new), jax.tree_util.tree_leaves(state)

    def apply_gradients(self, grads_and_vars):
        """Apply (gradient, variable) pairs in place; increments `iterations`.

        Unlike Keras (which returns the iterations variable) this returns None."""
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            return None
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return None

    def apply(self, grads, trainable_variables=None):
        """Keras's `Optimizer.apply(grads, trainable_variables=None)`."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer "
                    "must already be built on a list of variables. "
                    "Call `optimizer.build(trainable_variables)` first. "
                )
            if len(grads) != len(self._imp_vars):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the "
                    "gradients must match `optimizer.variables` one-to-one. "
                    f"Received a list of {len(grads)} gradients, but the "
                    f"optimizer is tracking {len(self._imp_vars)} "
                    "trainable variables."
                )
            variables = list(self._imp_vars)
        else:
            variables = list(trainable_variables)
            self.build(variables)
            for v in variables:
                if id(v) not in self._imp_index:
                    raise ValueError(
                        f"Unknown variable: {v}. This optimizer can only "
                        "be called for the variables it was originally built with. "
                        "When working with a new set of variables, you should "
                        "recreate a new optimizer instance."
                    )

        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        missing = [getattr(v, "path", getattr(v, "name", repr(v)))
                   for g, v in zip(grads, variables) if g is None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the "
                "loss. If using `model.compile()`, did you forget to provide a "
                "`loss` argument?"
            )
        grads = [jnp.asarray(g) for g, _ in pairs]
        variables = [v for _, v in pairs]
        idx = tuple(self._imp_index[id(v)] for v in variables)
        mask = tuple(self._variable_decays(v) for v in variables)

        state = self.sync_state(self._imp_state)
        sub = state._replace(slots=self._select_slots(state.slots, idx))
        if self._jit_step is None:
            self._jit_step = jax.jit(self._imperative_step, static_argnums=(3,))
        params = [jnp.asarray(v.value) for v in variables]
        new_params, new_sub = self._jit_step(grads, sub, params, mask)

        self._imp_state = new_sub._replace(
            slots=self._merge_slots(state.slots, new_sub.slots, idx)
        )
        for v, p in zip(variables, new_params):
            v.assign(p)
            constraint = getattr(v, "constraint", None)
            if constraint is not None:  # Keras applies constraints after the update
                v.assign(constraint(v.value))

    def _imperative_step(self, grads, state, params, decay_mask):
        updates, state = self._update(grads, state, params, list(decay_mask))
        new = [jnp.asarray(p + u).astype(p.dtype) for p, u in zip(params, updates)]
        return new, state

    # Slots are {name: [array per built variable]}; a call may touch a subset.
    def _select_slots(self, slots, idx):
        return {n: [leaves[i] for i in idx] for n, leaves in slots.items()}

    def _merge_slots(self, slots, new_slots, idx):
        merged = {n: list(leaves) for n, leaves in slots.items()}
        for n, leaves in new_slots.items():
            for j, i in enumerate(idx):
                merged[n][i] = leaves[j]
        return merged


class ListBinding:
    """How `stateless_apply`'s lists map onto this optimizer's pytrees. Outside `fit`: the state
    built by `optimizer.build(variables)` (params are a plain list). Inside `fit`, the training
    engine installs a binding for the model's params pytree (`bind`)."""
    sync = True  # outside fit, the object's learning rate is written into the state first
    values = None  # the current state's leaves, when the binding knows them (inside fit)

    def __init__(self, state_treedef, num_variables, constraints=None):
        self.state_treedef, self.num_variables = state_treedef, num_variables
        self.constraints = constraints or [None] * num_variables  # of the built variables

    def unpack(self, trainable_variables, grads, optimizer_variables):
        trainable_variables, grads = list(trainable_variables), list(grads)
        optimizer_variables = list(optimizer_variables)
        if not (len(trainable_variables) == len(grads) == self.num_variables):
            raise ValueError(
                f"`stateless_apply` expected {self.num_variables} trainable variables and as many "
                f"gradients (the variables the optimizer was built with), received "
                f"{len(trainable_variables)} variables and {len(grads)} gradients.")
        if len(optimizer_variables) != self.state_treedef.num_leaves:
            raise ValueError(
                f"`stateless_apply` expected {self.state_treedef.num_leaves} optimizer variables "
                f"(`optimizer.variables`), received {len(optimizer_variables)}.")
        state = jax.tree_util.tree_unflatten(self.state_treedef, optimizer_variables)
        return self.to_params(trainable_variables), self.to_params(grads), state

    def to_params(self, values):
        return [jnp.asarray(v) for v in values]

    def pack(self, params):
        return [p if c is None else c(p).astype(p.dtype)
                for p, c in zip(params, self.constraints)]


_binding = Scoped()


def bind(optimizer, binding):
    """Make `optimizer.stateless_apply` map its lists through `binding` (used while a step is
    traced). Other optimizers keep the lists of the variables they were built on."""
    return _binding.using((optimizer, binding))
