"""`model.engine`: a model's one training-state object.

Everything `fit` / `evaluate` / `predict` keep between calls lives here, and only here: the
compile arguments, the compiled programs and the loop decisions measured for them, the
y_pred shapes of each input signature, which weights are frozen, and the live `TrainState`
while a fit runs. The optimizer's state is not copied here: it lives on the optimizer
(`Optimizer.state_for` / `set_state`, owned by this engine), Keras's home for it.
Saving, `Ensemble` and distribution use this object's public attributes and methods.

During fit the weights live in the TrainState `live` (donated call to call). `sync` hands the
model copies (callbacks reading `self.model`); `before_call` notices when a callback replaced
them since and takes them back; `finish` returns the final state to the model.
"""
import jax
import numpy as np

from jkeras.distribution import current as distribution_lib
from jkeras.training import compile_utils, loop as loop_lib, seams
from jkeras.training.state import copy_tree, merge_frozen, new_train_state, seed_key, split_frozen
from jkeras.training.step import (Programs, frozen_paths, make_predict_step, make_test_step,
                                  make_train_step, new_eval_state)


def signature(tree):
    """Structure + per-sample shapes + dtypes (the batch dimension is left out)."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    return treedef, tuple((tuple(np.shape(a))[1:], str(getattr(a, "dtype", None) or
                                                        np.result_type(a))) for a in leaves)


class _OptimizerOwner:
    """The token under which an engine owns its optimizer's state (a deep copy of the
    optimizer gets a new token, so the copy never claims this model's state)."""


class Engine:
    """A model's training state and compiled programs (`model.engine`).

    Public attributes: `compile_config` (what the model trains with: the last compile's
    arguments, with the loss / metrics of an earlier compile that a recompile left out, as
    Keras 3), `compile_args` (the last compile's own arguments, which saving writes), `compile_id`
    (bumped by every `compile`), `programs`, `decisions`, `opt_state` (the optimizer's state
    for this model's trainable weights, stored on the optimizer), `live` (the TrainState of
    a running fit, else None). A plain object, so layer tracking never walks into it."""

    def __init__(self, model, base):
        self.model, self._base = model, base  # base: the class whose steps are the defaults
        self._owner = _OptimizerOwner()
        self.compile_id, self.compile_config, self.compile_args = 0, None, None
        self.outputs, self.programs, self.decisions = {}, {}, {}
        self.loop_risky = {}  # input signature -> forward pass has convolutions / pooling
        self.forward = {}  # (input signature, variables signature) -> y_pred shapes
        self.live, self.synced, self.given, self.synced_lr = None, True, None, None
        self.last_outputs = None
        self.last_compiled, self.loss_tracker, self.compile_metrics = None, None, {}  # seams
        self.frozen = self.frozen_at_init = None  # paths of trainable=False layers' params
        self.extras = ()  # other optimizers a custom train_step updates (their states ride along)
        self.loaded_opt_state = None  # optimizer variables loaded while fit runs (callbacks)

    # ---------------------------------------------------------------- compile
    def compiled(self, config, args):
        """Forget what the previous compile built; keep the optimizer's state when the
        optimizer and the trainable weights are the same (Keras keeps its variables)."""
        self.compile_id += 1
        self.outputs, self.programs, self.decisions, self.last_outputs = {}, {}, {}, None
        self.last_compiled, self.compile_metrics = None, {}
        self.frozen = None
        if self.opt_state is not None and self.frozen_at_init != frozen_paths(self.model):
            self.opt_state = None  # a different set of trainable weights: a fresh optimizer
        self.compile_config, self.compile_args = config, args

    @property
    def opt_state(self):
        """`model.optimizer`'s state for this model's weights (None before the first fit)."""
        opt = getattr(self.model, "optimizer", None)
        return None if opt is None else opt.state_for(self._owner)

    @opt_state.setter
    def opt_state(self, state):
        self.model.optimizer.set_state(state, self._owner)

    def build_optimizer_state(self):
        """Keras's `optimizer.build(model.trainable_variables)`: the state the next fit
        starts from, created now if there is none (loading, Ensemble)."""
        if self.opt_state is None:  # built on the trainable weights only, as Keras
            frozen = frozen_paths(self.model)
            self.opt_state = self.model.optimizer.init(
                split_frozen(self.model.get_variables()["params"], frozen)[0])
            self.frozen_at_init = frozen
        return self.opt_state

    # ---------------------------------------------------------------- resolution
    @property
    def eager(self):
        return bool(self.model.run_eagerly)

    def outputs_for(self, batch, role="train"):
        """CompiledOutputs for this batch's (y, y_pred) signature; builds the model first. For
        a `role` ("train" / "test") whose step the model overrides, the SeamOutputs of that
        step (seams.py)."""
        model, (x, y, _) = self.model, batch
        seams.check_step_signatures(model, self._base)
        if seams.runs_keras_step(model, role, self._base):
            cfg = self.compile_config
            pred = None
            if not model.built or cfg["loss"] is not None or cfg["metrics"] or (
                    cfg["weighted_metrics"]):
                # Keras builds an unbuilt model from x; compile's loss and metrics need y_pred's
                # shapes. A built model whose step takes other data (a GAN's images for a
                # generator of noise) is not called on x.
                pred = self.forward_spec(x)
                self.compiled_outputs(y, pred)  # compile_metrics for `model.metrics`
            seam_key = (role, signature(y), signature(pred), signature(x))
            if seam_key not in self.outputs:
                self.outputs[seam_key] = seams.SeamOutputs(model, role, batch,
                                                           self._seam_state(role))
            return self.outputs[seam_key]
        return self.compiled_outputs(y, self.forward_spec(x))

    def _seam_state(self, role):
        if role == "train":
            return lambda outputs: self._new_state(outputs, seams.extra_optimizers(self.model))
        return lambda outputs: new_eval_state(self.model.get_variables(), outputs.init_metrics)

    def compiled_outputs(self, y, pred):
        key = (signature(y), signature(pred))
        outputs = self.outputs.get(key)
        if outputs is None:
            cfg = self.compile_config
            outputs = compile_utils.CompiledOutputs(
                cfg["loss"], cfg["loss_weights"], cfg["metrics"], cfg["weighted_metrics"],
                getattr(self.model, "output_names", None)).build(y, pred)
            self.outputs[key] = outputs
        self.last_outputs = self.last_compiled = outputs
        return outputs

    def forward_spec(self, x):
        """Build the model if needed; y_pred's shapes (one abstract trace, which also tells
        whether the forward pass has loop-unfriendly ops, see loop.loop_risky)."""
        model = self.model
        model._build_from_inputs(x)
        variables = model.get_variables()
        if self.eager:
            return model.apply(variables, jax.tree_util.tree_map(np.asarray, x))[0]
        # The batch size is part of the key: the cached shapes are per batch (predict on 2 rows,
        # then fit on batches of 32, must not reuse the 2-row shapes).
        batch = tuple(np.shape(a)[:1] for a in jax.tree_util.tree_leaves(x))
        key = (signature(x), batch, jax.tree_util.tree_structure(variables),
               tuple(np.shape(v) for v in jax.tree_util.tree_leaves(variables)))
        if key not in self.forward:
            closed, pred = jax.make_jaxpr(
                lambda v, xs: model.apply(v, xs, training=False, rng=jax.random.PRNGKey(0))[0],
                return_shape=True)(
                    variables, compile_utils.tree_spec(x))
            self.forward[key] = pred
            self.loop_risky[signature(x)] = loop_lib.loop_risky(closed.jaxpr)
        return self.forward[key]

    def frozen_paths(self):
        """Weights of `trainable=False` layers, fixed at the first use after compile() (Keras:
        trainable weights are determined at compile time)."""
        if self.frozen is None:
            self.frozen = frozen_paths(self.model)
        return self.frozen

    def programs_for(self, outputs, nan_guard=False):
        key = (id(outputs), bool(nan_guard), self.eager, distribution_lib.cache_key())
        progs = self.programs.get(key)
        if progs is None:
            if isinstance(outputs, seams.SeamOutputs):
                train = outputs.step if outputs.role == "train" else None
                test = outputs.step if outputs.role == "test" else None
            else:
                train = make_train_step(self.model, outputs, self.model.optimizer, nan_guard,
                                        self.frozen_paths())
                test = make_test_step(self.model, outputs)
            steps = distribution_lib.wrap_steps(train, test, self._predict_step())
            progs = Programs(*steps, outputs, eager=self.eager)
            self.programs[key] = progs
        return progs

    def predict_programs(self):
        key = ("predict", self.eager, distribution_lib.cache_key())
        if key not in self.programs:
            steps = distribution_lib.wrap_steps(None, None, self._predict_step())
            self.programs[key] = Programs(*steps, None, self.eager)
        return self.programs[key]

    def _predict_step(self):
        if seams.overridden(self.model, "predict_step", self._base):
            return seams.make_predict_step(self.model)
        return make_predict_step(self.model)

    def decision(self, x):
        """The loop-or-single decision to reuse for evaluate / predict on inputs like `x`."""
        sig = signature(x)
        for k, d in self.decisions.items():
            if k[0] == "train" and k[1] == sig:
                return d
        risky = self.loop_risky.get(sig, False)
        return loop_lib.Decision("single" if risky else "loop", None)

    # ---------------------------------------------------------------- the live state of a fit
    def start(self, outputs):
        """The TrainState a fit (or train_on_batch) starts from, placed for the distribution."""
        extras = seams.extra_optimizers(self.model) if isinstance(outputs, seams.SeamOutputs) \
            else ()
        return distribution_lib.put_state(self._new_state(outputs, extras))

    def _new_state(self, outputs, extras=()):
        """With `extras` (a custom train_step's other optimizers) the state's `opt_state` is
        `(model.optimizer's, (each extra's, ...))`."""
        model, frozen = self.model, self.frozen_paths()
        variables = model.get_variables()
        if self.opt_state is None:  # built on the trainable weights only, as Keras
            self.opt_state = model.optimizer.init(split_frozen(variables["params"], frozen)[0])
            self.frozen_at_init = frozen
        self.extras = tuple(extras)
        opt_state = self.opt_state
        if self.extras:
            opt_state = (opt_state, tuple(o.sync_state(o._imp_state) for o in self.extras))
        variables, opt_state = copy_tree((variables, opt_state))
        self.synced_lr = None
        ts = new_train_state(variables, opt_state, seed_key(), outputs.init_metrics())
        return self._sync_lr(ts)

    def _main(self, opt_state):
        return opt_state[0] if self.extras else opt_state

    def _with_main(self, opt_state, main):
        return (main, opt_state[1]) if self.extras else main

    def _sync_lr(self, ts):
        """A learning rate set on the optimizer object (callbacks) goes into opt_state."""
        opt = self.model.optimizer
        lr = getattr(opt, "_learning_rate", None)
        if hasattr(opt, "sync_state") and (self.synced_lr is None or lr != self.synced_lr):
            main = opt.sync_state(self._main(ts.opt_state))
            ts = ts._replace(opt_state=self._with_main(ts.opt_state, main))
            self.synced_lr = lr
        return ts

    def _publish(self, opt_state):
        """Each optimizer's state becomes (a copy of) the running fit's."""
        self.opt_state = self._main(opt_state)
        for opt, state in zip(self.extras, opt_state[1] if self.extras else ()):
            opt._imp_state = state

    def replaced_variables(self):
        """A copy of the model's variables when a callback assigned them since `sync`, else None."""
        model = self.model
        if self.synced and self.given is not None:
            current = jax.tree_util.tree_leaves(model.get_variables())
            if len(current) != len(self.given) or any(
                    a is not b for a, b in zip(current, self.given)):
                return copy_tree(model.get_variables())
        return None

    def before_call(self, ts):
        """Before each compiled call of a fit: weights, optimizer variables or a learning rate
        that callbacks set since the last call go into the state."""
        new, v = ts, self.replaced_variables()
        if v is not None:
            new = new._replace(params=v["params"], state=v.get("state", {}))
        if self.synced:
            self.given = None
        if self.loaded_opt_state is not None:
            new = new._replace(opt_state=self._with_main(new.opt_state, self.loaded_opt_state))
            self.loaded_opt_state = None
        new = self._sync_lr(new)
        if new is not ts and distribution_lib.distribution() is not None:
            new = distribution_lib.put_state(new)  # a callback's weights, on the mesh
        return new

    def set_live(self, ts):
        self.live, self.synced = ts, False

    def sync(self):
        """Copies of the live weights and optimizer state into the model and its optimizer
        (`model.jax_state_sync()`)."""
        if self.live is None or self.synced:
            return
        variables, opt_state = copy_tree((self.live.variables(), self.live.opt_state))
        self.model.set_variables(variables)
        self._publish(opt_state)
        self.given = jax.tree_util.tree_leaves(self.model.get_variables())
        self.synced = True

    def finish(self, ts):
        """The end of a fit: the model and its optimizers take the final state."""
        model = self.model
        synced = self.synced and self.live is not None
        self.live, self.given, self.synced = None, None, True
        if ts is None or any(getattr(a, "is_deleted", lambda: False)()
                             for a in jax.tree_util.tree_leaves(ts)):
            return  # interrupted inside a donated call: the model keeps the last synced state
        main = self._main(ts.opt_state)
        finalize = getattr(model.optimizer, "finalize_params", None)
        if getattr(model.optimizer, "use_ema", False) and finalize is not None:
            # Keras's finalize_variable_values: the trainable weights become their averages
            from_opt, rest = split_frozen(ts.params, self.frozen_at_init or frozenset())
            variables = {"params": merge_frozen(finalize(from_opt, main), rest),
                         "state": ts.state}
            model.set_variables(variables)
        elif not synced:  # else the model already holds them (or a callback's edit of them)
            model.set_variables(ts.variables())
        self._publish(ts.opt_state)
        self.extras = ()
