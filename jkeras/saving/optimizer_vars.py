"""A jkeras optimizer state <-> Keras 3's list of optimizer variables (`optimizer/vars`).

Keras's `optimizer.variables` order (keras/src/optimizers/base_optimizer.py):
    iterations (int; tf.keras writes int64), learning_rate (float32; only when it is a plain
    float, not a schedule or callable), then the slots made in `build(trainable_variables)`:
    each `add_optimizer_variables(vars, names)` call interleaves its names per variable.
    With use_ema, "average" per variable comes first, then (gradient_accumulation_steps)
    "gradient_accumulator" per variable, then the rule's groups (`opt.keras_slot_groups()`),
    then optimizer-wide scalars (Nadam's u_product).
    Adam/AdamW: momentum_0, velocity_0, momentum_1, velocity_1, ... then (amsgrad)
    velocity_hat for every variable. SGD: momentum per variable (when momentum != 0).
    RMSprop: velocity for all, then momentum for all (momentum > 0), then average_gradient for
    all (centered). Adagrad: accumulator per variable.
Variables are ordered as the model's trainable weights (frozen layers have no slots).

jkeras keeps that state as `OptimizerState(iterations, learning_rate, slots)` with
`slots = {slot name: pytree shaped like the trainable params}` in `model.engine.opt_state`
(the optimizer's one state); an optimizer used through `apply_gradients` keeps it in
`optimizer._imp_state` with per-variable lists. A wrapped optax transform (OptaxOptimizer) is
written as iterations then its state's leaves: jkeras reads that back, Keras has no equivalent.
"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.naming import to_snake_case
from jkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from jkeras.optimizers.multi_optimizer import MultiOptimizer
from jkeras.saving import keras_walk


def _is_optax(opt):
    from jkeras.optimizers.optax_wrapper import OptaxOptimizer
    return isinstance(opt, OptaxOptimizer)


def slot_groups(opt):
    """The slot names of each Keras `add_optimizer_variables` call, in build order."""
    return opt.keras_slot_groups()


def scalar_names(opt):
    """Optimizer-wide scalars Keras creates after the slots (Nadam's u_product)."""
    return [name for name, _ in opt._scalar_specs()]


def _float_lr(opt):
    return isinstance(getattr(opt, "_learning_rate", None), float)


def base_arrays(opt, iterations):
    """iterations (+ learning_rate): all an unbuilt Keras optimizer has."""
    out = [np.asarray(iterations, np.int64)]
    if _float_lr(opt):
        out.append(np.asarray(opt._learning_rate, np.float32))
    return out


# ---- where the state lives -----------------------------------------------------------------
class StateView:
    """An optimizer state, how to read its slots in Keras's variable order, and where it lives
    (the model's training store, or the optimizer's own `apply_gradients` state)."""

    def __init__(self, state, slot_keys, optax=False, imperative=False):
        self.state = state
        self.slot_keys = slot_keys  # per variable: a key path into each slot tree, or an index
        self.optax = optax
        self.imperative = imperative

    def keras_arrays(self, opt):
        out = base_arrays(opt, np.asarray(self.state.iterations))
        if self.optax:
            return out + [np.asarray(a) for a in jax.tree_util.tree_leaves(self.state.slots)]
        for group in slot_groups(opt):
            for key in self.slot_keys:
                for name in group:
                    value = _get(self.state.slots[name], key)
                    if value is not None:  # None: no such slot for this variable (Muon)
                        out.append(np.asarray(value))
        return out + [np.asarray(self.state.slots[name]) for name in scalar_names(opt)]

    def with_keras_arrays(self, opt, arrays):
        """A new view whose state holds `arrays` (ordered as `keras_arrays`, shapes checked)."""
        rest = list(arrays[1:])
        lr = rest.pop(0) if _float_lr(opt) else None
        if self.optax:
            leaves, treedef = jax.tree_util.tree_flatten(self.state.slots)
            slots = treedef.unflatten([_like(a, old) for a, old in zip(rest, leaves)])
        else:
            slots, values = dict(self.state.slots), iter(rest)
            for group in slot_groups(opt):
                for key in self.slot_keys:
                    for name in group:
                        old = _get(slots[name], key)
                        if old is not None:
                            slots[name] = _set(slots[name], key, _like(next(values), old))
            for name in scalar_names(opt):
                slots[name] = _like(next(values), slots[name])
        state = self.state._replace(iterations=jnp.asarray(np.asarray(arrays[0]), jnp.int32),
                                    slots=slots)
        if lr is not None:
            state = state._replace(learning_rate=jnp.asarray(np.asarray(lr), jnp.float32))
        return StateView(state, self.slot_keys, self.optax, self.imperative)


class LossScaleView:
    """A LossScaleOptimizer's state in Keras's order: its own iteration and learning_rate (Keras
    never moves them: 0), step_counter, dynamic_scale, then the inner optimizer's variables
    (which Keras also writes on their own, as the `inner_optimizer` child group)."""

    def __init__(self, state, inner):
        self.state, self.inner = state, inner
        self.imperative = inner.imperative

    def keras_arrays(self, opt):
        own = [np.asarray(0, np.int64), np.asarray(0.0, np.float32),
               np.asarray(self.state.slots["step_counter"], np.int64),
               np.asarray(self.state.slots["dynamic_scale"], np.float32)]
        return own + self.inner.keras_arrays(opt.inner_optimizer)

    def child_arrays(self, opt):
        """{child group: (object name, arrays)}: what Keras writes below the optimizer's."""
        inner = opt.inner_optimizer
        return {"inner_optimizer": (inner.name, self.inner.keras_arrays(inner))}

    def with_keras_arrays(self, opt, arrays):
        inner = self.inner.with_keras_arrays(opt.inner_optimizer, arrays[4:])
        slots = {"inner": inner.state.slots,
                 "step_counter": _like(arrays[2], self.state.slots["step_counter"]),
                 "dynamic_scale": _like(arrays[3], self.state.slots["dynamic_scale"])}
        state = inner.state._replace(slots=slots)
        return LossScaleView(state, inner)


class MultiView:
    """A MultiOptimizer's state in Keras's order: its own iteration and learning_rate (0), then
    each sub-optimizer's variables (also written as the child groups `optimizers/<name>`)."""

    def __init__(self, state, subs):
        self.state, self.subs = state, subs
        self.imperative = all(sub.imperative for sub in subs)

    def keras_arrays(self, opt):
        out = [np.asarray(self.state.iterations, np.int64), np.asarray(0.0, np.float32)]
        for sub_opt, view in zip(opt.optimizers, self.subs):
            out += view.keras_arrays(sub_opt)
        return out

    def child_arrays(self, opt):
        used, out = {}, {}
        for sub_opt, view in zip(opt.optimizers, self.subs):
            group = keras_walk.unique_name(to_snake_case(type(sub_opt).__name__), used)
            out[f"optimizers/{group}"] = (sub_opt.name, view.keras_arrays(sub_opt))
        return out

    def with_keras_arrays(self, opt, arrays):
        rest, subs = list(arrays[2:]), []
        for sub_opt, view in zip(opt.optimizers, self.subs):
            n = len(view.keras_arrays(sub_opt))
            subs.append(view.with_keras_arrays(sub_opt, rest[:n]))
            rest = rest[n:]
        state = self.state._replace(
            iterations=jnp.asarray(np.asarray(arrays[0]), jnp.int32),
            slots={"optimizers": tuple(view.state for view in subs)})
        return MultiView(state, subs)


def _multi_view(opt, state, order, imperative):
    """`order`: every variable's path in Keras's variable order."""
    subs = []
    for sub_opt, sub_state, owned in zip(opt.optimizers, state.slots["optimizers"],
                                         opt._paths_by_optimizer):
        owned = set(owned)
        keys = [(path,) for path in order if path in owned]
        subs.append(StateView(sub_state, keys, optax=_is_optax(sub_opt), imperative=imperative))
    return MultiView(state, subs)


def _wrap_loss_scale(opt, state, make_inner_view):
    inner = make_inner_view(opt.inner_optimizer, opt.inner_state(state))
    return LossScaleView(state, inner)


def _like(value, old):
    return jnp.asarray(np.asarray(value), jnp.asarray(old).dtype)


def current_view(model, opt):
    """The state of `opt` for `model` as it is now, or None when the optimizer is not built."""
    engine = getattr(model, "engine", None)
    if engine is not None and opt is getattr(model, "optimizer", None):
        if engine.live is not None:  # saving from a callback during fit: the loop's state
            model.jax_state_sync()
        state = engine.opt_state
        if state is not None:
            return _fit_view(model, opt, state)
    if getattr(opt, "built", False) and getattr(opt, "_imp_state", None) is not None:
        keys = list(range(len(opt._imp_vars)))
        if isinstance(opt, MultiOptimizer):
            return _multi_view(opt, opt._imp_state, list(opt._list_paths), True)
        if isinstance(opt, LossScaleOptimizer):
            return _wrap_loss_scale(opt, opt._imp_state, lambda o, s: StateView(
                s, keys, optax=_is_optax(o), imperative=True))
        return StateView(opt._imp_state, keys, optax=_is_optax(opt), imperative=True)
    return None


def fresh_view(model, opt):
    """Build the state now (Keras's `optimizer.build(model.trainable_variables)`): the state
    `fit` would start from, over the trainable weights. Returns (view, frozen paths)."""
    from jkeras.training.step import frozen_paths, split_frozen
    frozen = frozen_paths(model)
    state = opt.sync_state(opt.init(split_frozen(model.get_variables()["params"], frozen)[0]))
    return _fit_view(model, opt, state), frozen


def _fit_view(model, opt, state):
    if isinstance(opt, LossScaleOptimizer):
        return _wrap_loss_scale(opt, state, lambda o, s: _fit_view(model, o, s))
    if isinstance(opt, MultiOptimizer):
        paths = model._variable_paths()
        order = ["/".join(paths[id(v)][1:]) for v in model.weights
                 if id(v) in paths and paths[id(v)][0] == "params"]
        return _multi_view(opt, state, order, False)
    if _is_optax(opt):
        return StateView(state, [], optax=True)
    paths = model._variable_paths()
    some_slot = next(iter(state.slots.values()), None) if state.slots else None
    keys = []
    for var in model.weights:  # trainable ones keep their relative order here
        path = paths.get(id(var))
        if path is not None and path[0] == "params" and (
                some_slot is None or _has(some_slot, path[1:])):
            keys.append(path[1:])
    return StateView(state, keys)


def install(model, opt, view, frozen=None):
    """Make `view.state` the state the next `fit` (or `apply_gradients`) continues from; a
    float learning rate read from the file becomes the optimizer's (as assigning Keras's
    learning_rate variable does)."""
    state = view.state
    if state.learning_rate is not None and _float_lr(opt):
        opt.learning_rate = float(np.asarray(state.learning_rate))
    if view.imperative:
        opt._imp_state = state
    else:
        engine = model.engine
        engine.opt_state = state
        if engine.live is not None:  # loaded by a callback during fit: the next step uses it
            engine.loaded_opt_state = state
        if frozen is not None:
            engine.frozen_at_init = frozen


# ---- nested dict paths -----------------------------------------------------------------------
def _get(tree, key):
    if isinstance(key, int):
        return tree[key]
    for k in key:
        tree = tree[k]
    return tree


def _has(tree, key):
    for k in key:
        if not isinstance(tree, dict) or k not in tree:
            return False
        tree = tree[k]
    return True


def _set(tree, key, value):
    """A copy of `tree` with `value` at `key` (dicts copied along the path only)."""
    if isinstance(key, int):
        out = list(tree)
        out[key] = value
        return out
    if not key:
        return value
    out = dict(tree)
    out[key[0]] = _set(tree[key[0]], key[1:], value)
    return out
