"""The optimizer base class: Keras 3 numerics behind an optax-style interface.

Functional contract (what a jitted training loop uses)
------------------------------------------------------
    opt_state = opt.init(params)                      # params: any pytree of float arrays
    updates, opt_state = opt.update(grads, opt_state, params)
    params = optax.apply_updates(params, updates)     # i.e. params + updates

`opt_state` is an `OptimizerState` NamedTuple (a pytree):
    iterations     int32 scalar, steps taken so far (Keras's `optimizer.iterations`).
    learning_rate  float32 scalar when the learning rate is a plain float, so it can be
                   changed between compiled calls without recompiling; None when it is a
                   schedule/callable (then it is computed from `iterations` in the step).
    slots          {Keras slot name: pytree shaped like params}, e.g. Adam's
                   {"momentum": ..., "velocity": ...}.
Schedules are evaluated at `iterations` before it is incremented, as Keras does.

Learning rate sync (object <-> state)
-------------------------------------
For a float learning rate the *object* holds the authoritative Python float:
`opt.learning_rate = 0.01` (what Keras callbacks do) only stores it. Before the next
compiled call the loop runs `opt_state = opt.sync_state(opt_state)`, which writes the
object's value into the state (cheap, never recompiles). `sync_state` always writes, so
code that instead edits the state with `set_learning_rate(opt_state, v)` must also assign
`opt.learning_rate = v` if it keeps calling `sync_state`. Setting a float on an optimizer
built with a schedule raises Keras's TypeError; assigning a new schedule is allowed
(sync_state then sets the state's learning_rate to None, and the step retraces).
The imperative `apply_gradients` path syncs by itself.

Getters return host numpy scalars: `opt.learning_rate` -> np.float32 (a schedule's value
at `opt.iterations`), `opt.iterations` -> np.int32.

`opt.iterations` (and the schedule value behind `opt.learning_rate`) come from the last
state the object was shown: the imperative `apply_gradients` sets it; a training loop
sets the optimizer's one state (`set_state`) at chunk/epoch ends. Assigning keeps a private copy of
the (scalar) iteration count, so donating that opt_state to the next compiled call later
is safe and the assignment never blocks on the device.
"""

import inspect
import numbers
import re
import warnings
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import naming
from jkeras.optimizers import clipping
from jkeras.optimizers import ema_accumulation
from jkeras.optimizers import schedules as schedules_lib
from jkeras.optimizers.facade import VariablesFacade


class OptimizerState(NamedTuple):
    iterations: Any  # int32 scalar
    learning_rate: Any  # float32 scalar, or None for schedules/callables
    slots: Any  # {slot name: params-shaped pytree}, or a wrapped optax state


def _takes_step(fn):
    """Keras calls a plain callable with no arguments; we also allow fn(step)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(
        p.kind == p.VAR_POSITIONAL
        or (p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)
        for p in params
    )


def _check_learning_rate(learning_rate):
    converted = schedules_lib.from_keras(learning_rate)
    if converted is not None:
        return converted
    if callable(learning_rate):
        return learning_rate
    # Keras accepts only `float`; we also take ints and numpy/jax scalars.
    if not isinstance(learning_rate, (bool, str)):
        try:
            if isinstance(learning_rate, numbers.Real) or np.ndim(learning_rate) == 0:
                return float(learning_rate)
        except (TypeError, ValueError):
            pass
    raise ValueError(
        "Argument `learning_rate` should be float, or an instance "
        "of LearningRateSchedule, or a callable "
        "(that takes in the current iteration value "
        "and returns the corresponding learning rate value). "
        f"Received instead: learning_rate={learning_rate}"
    )


_BASE_SLOTS = ("average", "gradient_accumulator")


def _initial_slot(p, value):
    if callable(value):
        return value(jnp.asarray(p))
    return jnp.full(jnp.shape(p), value, jnp.asarray(p).dtype)


def _leaf_name(path):
    # Keras matches `exclude_from_weight_decay(var_names=...)` against variable.name,
    # i.e. the leaf name ("kernel", "bias"), not the layer path.
    if not path:
        return ""
    key = path[-1]
    for attr in ("key", "name", "idx"):
        if hasattr(key, attr):
            return str(getattr(key, attr))
    return str(key)


class Optimizer(VariablesFacade, ema_accumulation.BaseOptionsMixin):
    """Base class. Subclasses define `_slot_specs`, optionally `_prepare`, and
    `_update_leaf`, and add their own keys to `get_config`."""

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        ema_accumulation.check_options(use_ema, ema_momentum, ema_overwrite_frequency,
                                       gradient_accumulation_steps)
        clipping.check_clip_args(clipnorm, clipvalue, global_clipnorm)
        self.name = name if name is not None else naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._learning_rate = _check_learning_rate(learning_rate)
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._last_state = None
        self._reset_facade()

    # ----- hooks for subclasses -------------------------------------------------------
    _needs_params = False  # True when the rule reads the variable (Ftrl, Lamb, Adafactor)

    def _slot_specs(self):
        """[(Keras slot name, initial value)] created per variable; the value is a float
        or a function of the variable giving the slot's array (Adafactor's factored slots)."""
        return []

    def _slot_groups(self):
        """The slot names of each Keras `add_optimizer_variables` call, in build order
        (names in one group are interleaved per variable in `optimizer.variables`)."""
        return [[name] for name, _ in self._slot_specs()]

    def _scalar_specs(self):
        """[(name, initial value)] of optimizer-wide float scalars that Keras creates after
        the slots (Nadam's u_product)."""
        return []

    def _prepare(self, lr, iterations):
        """Scalars shared by every leaf this step (e.g. Adam's alpha)."""
        return None

    def _prepare_scalars(self, lr, iterations, scalars):
        """-> (shared, new scalars); for rules with `_scalar_specs`."""
        return self._prepare(lr, iterations), scalars

    def _update_leaf(self, g, slots, lr, shared):
        """-> (delta added to the variable, {slot name: new value})."""
        raise TypeError(f"Optimizer subclass {type(self).__name__} must implement `_update_leaf`.")

    def _update_leaf_var(self, g, p, slots, lr, shared):
        """As `_update_leaf`, for rules that read the (weight-decayed) variable `p`."""
        return self._update_leaf(g, slots, lr, shared)

    def _decays_any(self):
        """Whether any variable may be weight-decayed (then `update` needs params)."""
        return self.weight_decay is not None

    def _leaf_weight_decay(self, slots):
        """The weight decay rate of the variable whose slots are `slots` (Muon: per kind)."""
        return self.weight_decay

    # ----- the optax GradientTransformation interface --------------------------------
    def init(self, params):
        slots = {
            name: jax.tree_util.tree_map(lambda p, v=value: _initial_slot(p, v), params)
            for name, value in self._all_slot_specs()
        }
        for name, value in self._scalar_specs():
            slots[name] = jnp.asarray(value, jnp.float32)
        lr = self._learning_rate
        lr = jnp.asarray(lr, jnp.float32) if isinstance(lr, float) else None
        return OptimizerState(jnp.zeros((), jnp.int32), lr, slots)

    def update(self, updates, state, params=None, **extra_args):
        """optax-style update: `updates` are the gradients; returns (updates, state)."""
        del extra_args  # accepted for optax.GradientTransformationExtraArgs callers
        return self._update(updates, state, params, None)

    def as_optax(self):
        """This optimizer as a plain `optax.GradientTransformation` (for optax.chain)."""
        import optax

        return optax.GradientTransformation(self.init, self.update)

    def step(self, grads, params, opt_state):
        """Functional convenience: -> (new params, new opt_state)."""
        updates, opt_state = self.update(grads, opt_state, params)
        new = jax.tree_util.tree_map(lambda p, u: jnp.asarray(p + u).astype(p.dtype),
                                     params, updates)
        return new, opt_state

    def current_learning_rate(self, state):
        """The float32 learning rate the next `update(…, state, …)` will use."""
        lr = self._learning_rate
        if isinstance(lr, float):
            if state.learning_rate is None:
                raise ValueError(
                    "This opt_state has no `learning_rate` (it was built while the "
                    "optimizer had a schedule). Call `opt.sync_state(opt_state)` first."
                )
            return jnp.asarray(state.learning_rate, jnp.float32)
        if isinstance(lr, schedules_lib.LearningRateSchedule) or _takes_step(lr):
            return jnp.asarray(lr(state.iterations), jnp.float32)
        # A zero-argument callable is evaluated when the step is traced.
        return jnp.asarray(lr(), jnp.float32)

    def _update(self, grads, state, params, decay_mask):
        treedef = jax.tree_util.tree_structure(grads)
        g_leaves = treedef.flatten_up_to(grads)
        decays = self._decays_any()
        if params is None:
            needs = [reason for flag, reason in (
                (decays, "weight_decay"), (self.use_ema, "use_ema=True"),
                (self._needs_params, "its update rule")) if flag]
            if needs:
                raise ValueError(
                    f"{type(self).__name__} needs `params` ({needs[0]}): call "
                    "`opt.update(grads, opt_state, params)`."
                )
            p_leaves = [None] * len(g_leaves)
        else:
            p_leaves = [jnp.asarray(p) for p in treedef.flatten_up_to(params)]
        # Keras casts each gradient to its variable's dtype.
        g_leaves = [
            jnp.asarray(g) if p is None else jnp.asarray(g).astype(p.dtype)
            for g, p in zip(g_leaves, p_leaves)
        ]
        if self.loss_scale_factor is not None:
            g_leaves = [g / self.loss_scale_factor for g in g_leaves]
        if decays and decay_mask is None:
            paths = [path for path, _ in jax.tree_util.tree_flatten_with_path(params)[0]]
            decay_mask = [self._name_decays(_leaf_name(p)) for p in paths]

        lr = self.current_learning_rate(state)
        scalar_names = [n for n, _ in self._scalar_specs()]
        scalars = {n: state.slots[n] for n in scalar_names}
        names = [n for n in state.slots if n not in scalars and n not in _BASE_SLOTS]
        slot_leaves = {n: treedef.flatten_up_to(state.slots[n]) for n in names}
        steps = self.gradient_accumulation_steps
        opt_iterations = state.iterations // steps if steps else state.iterations

        def rule(gs):
            return self._apply_rule(gs, p_leaves, slot_leaves, scalars, lr, opt_iterations,
                                    decay_mask)

        new_slots = dict(state.slots)
        if steps:
            accumulators = treedef.flatten_up_to(state.slots["gradient_accumulator"])
            out, (slot_leaves, scalars), accumulators = ema_accumulation.accumulate(
                steps, state.iterations, g_leaves, accumulators, rule, (slot_leaves, scalars))
            new_slots["gradient_accumulator"] = treedef.unflatten(accumulators)
        else:
            out, (slot_leaves, scalars) = rule(g_leaves)
        if self.use_ema:
            out, averages = ema_accumulation.ema(
                p_leaves, out, treedef.flatten_up_to(state.slots["average"]), opt_iterations,
                self.ema_momentum, self.ema_overwrite_frequency)
            new_slots["average"] = treedef.unflatten(averages)
        new_slots.update({n: treedef.unflatten(slot_leaves[n]) for n in names})
        new_slots.update(scalars)
        new_state = OptimizerState(state.iterations + 1, state.learning_rate, new_slots)
        return treedef.unflatten(out), new_state

    def _apply_rule(self, g_leaves, p_leaves, slot_leaves, scalars, lr, iterations, decay_mask):
        """Clipping, weight decay and the update rule over lists of leaves.
        -> (deltas, (new slot leaves, new scalars))."""
        decays = self._decays_any()
        g_leaves = clipping.clip_gradients(
            g_leaves, self.clipnorm, self.clipvalue, self.global_clipnorm
        )
        shared, scalars = self._prepare_scalars(lr, iterations, scalars)
        names = list(slot_leaves)
        out, new_slots = [], {n: [] for n in names}
        for i, (g, p) in enumerate(zip(g_leaves, p_leaves)):
            lr_i = lr.astype(g.dtype)
            p_dec = p
            leaf_slots = {n: slot_leaves[n][i] for n in names}
            rate = self._leaf_weight_decay(leaf_slots) if decays else None
            if rate is not None and decay_mask[i]:
                # Keras decays the variable first, then applies the step. Computing
                # the new value that way and returning (new - p) keeps the result
                # bit-identical to Keras whenever p + (new - p) is exact (small steps).
                p_dec = p - p * jnp.asarray(rate, g.dtype) * lr_i
            delta, leaf_slots = self._update_leaf_var(g, p_dec, leaf_slots, lr_i, shared)
            if p_dec is not p:
                delta = (p_dec + delta) - p
            out.append(delta)
            for n in names:
                new_slots[n].append(leaf_slots[n])
        return out, (new_slots, scalars)

    # Scalars (Nadam's u_product) are optimizer-wide, not per variable.
    def _select_slots(self, slots, idx):
        scalars = {n: slots[n] for n, _ in self._scalar_specs()}
        rest = {n: v for n, v in slots.items() if n not in scalars}
        return {**super()._select_slots(rest, idx), **scalars}

    def _merge_slots(self, slots, new_slots, idx):
        scalars = {n: new_slots[n] for n, _ in self._scalar_specs()}
        rest = {n: v for n, v in slots.items() if n not in scalars}
        new_rest = {n: v for n, v in new_slots.items() if n not in scalars}
        return {**super()._merge_slots(rest, new_rest, idx), **scalars}

    # ----- the optimizer's state: one home ----------------------------------------------
    # `_state` is the only place an optimizer's state lives. `_state_owner` says which weights it
    # is for: `VARIABLES` (built by `build(var_list)`, the apply_gradients path, a list-shaped
    # state) or the `Engine` of the model whose `fit` built it (shaped like its trainable params).
    def state_for(self, owner):
        """The state if it belongs to `owner`, else None."""
        return self.__dict__.get("_state") if self.__dict__.get("_state_owner") is owner else None

    def set_state(self, state, owner):
        """Make `state` (for `owner`'s weights) the optimizer's state."""
        self.__dict__["_state_owner"] = owner
        self._last_state = state

    @property
    def state(self):
        """The optimizer's state pytree (iterations, learning rate, slots), whoever it was built
        for; None before it is built or first used."""
        return self.__dict__.get("_state")

    # ----- learning rate & iterations (Keras attributes) -------------------------------
    @property
    def _last_state(self):
        """The state, whoever it belongs to (iterations, learning rate, loss scale read it)."""
        return self.__dict__.get("_state")

    @_last_state.setter
    def _last_state(self, state):
        self.__dict__["_state"] = state
        # A copy outlives donation of `state`'s buffers; no host sync here.
        self._last_iterations = (
            None if state is None else jnp.array(state.iterations, copy=True)
        )
        self._share_state(state)

    def _share_state(self, state):
        """Wrappers (LossScaleOptimizer, MultiOptimizer) show their optimizers their part."""

    @property
    def iterations(self):
        """Steps taken, from the last state this object saw (numpy int32)."""
        if self._last_iterations is None:
            return np.int32(0)
        steps = np.int32(np.asarray(self._last_iterations))
        # As Keras: with gradient accumulation, the number of real updates.
        return steps // self.gradient_accumulation_steps if self.gradient_accumulation_steps \
            else steps

    @property
    def learning_rate(self):
        """The current learning rate as a numpy float32 (schedules: value at
        `self.iterations`). See the module docstring for syncing into opt_state."""
        lr = self._learning_rate
        if isinstance(lr, float):
            return np.float32(lr)
        # Schedules see the real step count (not divided by gradient accumulation).
        steps = 0 if self._last_iterations is None else np.asarray(self._last_iterations)
        state = OptimizerState(jnp.asarray(steps, jnp.int32), None, {})
        return np.float32(self.current_learning_rate(state))

    @learning_rate.setter
    def learning_rate(self, value):
        new = _check_learning_rate(value)
        if isinstance(new, float) and not isinstance(self._learning_rate, float):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule`"
                " object as its `learning_rate` constructor argument, "
                "hence its learning rate is not settable. If you need the"
                " learning rate to be settable, you should instantiate "
                "the optimizer with a float `learning_rate` argument."
            )
        if not isinstance(new, float):
            self._reset_jit()  # the schedule is baked into compiled steps
        self._learning_rate = new

    def sync_state(self, state):
        """Return `state` carrying the object's current float learning rate."""
        lr = self._learning_rate
        if isinstance(lr, float):
            return state._replace(learning_rate=jnp.asarray(lr, jnp.float32))
        return state._replace(learning_rate=None)

    # ----- weight decay exclusion ------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables from weight decay, as Keras: `var_list` (variable objects,
        imperative path only) or `var_names` (regex fragments searched in the variable
        name; for pytrees the name is the leaf key, e.g. "bias")."""
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._reset_jit()

    def _name_decays(self, name):
        return self._exclude_pattern is None or self._exclude_pattern.search(name) is None

    def _variable_decays(self, var):
        if id(var) in self._exclude_ids:
            return False
        return self._name_decays(str(getattr(var, "name", "")))

    # ----- config ----------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, float):
            lr = float(np.float32(lr))  # Keras reports the float32 variable's value
        elif isinstance(lr, schedules_lib.LearningRateSchedule):
            lr = schedules_lib.serialize(lr)
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_lib.deserialize(
                config["learning_rate"], custom_objects
            )
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"
