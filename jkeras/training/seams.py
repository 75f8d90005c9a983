"""Keras 3's training seams (its JAX backend's form) on jkeras's engine.

A model that overrides `train_step(self, state, data)`, `test_step(self, state, data)` or
`predict_step(self, state, data)` gets it run inside the same compiled, scanned loop as the
built-in step: the adapters below turn the engine's pytrees into Keras's state lists,

    train: (trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)
    test:  (trainable_variables, non_trainable_variables, metrics_variables)
    predict: (trainable_variables, non_trainable_variables)

call the user's step while it is traced, and put the returned lists back. All conversion happens
at trace time (it is re-indexing), so the compiled step is the user's arithmetic alone.
Inside the step, `stateless_call` draws its dropout key from the step's key, and
`optimizer.stateless_apply` maps its lists onto the engine's optimizer state (a binding).
"""
import contextlib
import inspect

import jax
import jax.numpy as jnp

from jkeras.core import random as core_random, weight_options
from jkeras.metrics.base import Metric
from jkeras.optimizers import facade as optimizer_facade
from jkeras.training.state import EvalState, TrainState
from jkeras.utils.data_adapter_utils import pack_x_y_sample_weight


# ------------------------------------------------------------------ the list view of variables
def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def _set(tree, path, value):
    """A copy of nested dicts `tree` with `value` at `path` (the input is not changed)."""
    if not path:
        return value
    out = dict(tree)
    out[path[0]] = _set(tree.get(path[0], {}), path[1:], value)
    return out


class VariableLayout:
    """Where each of Keras's list entries lives in the `{"params", "state"}` pytree."""

    def __init__(self, model):
        paths = model._variable_paths()
        self.model = model
        self.trainable = [paths[id(v)] for v in model.trainable_weights]
        self.non_trainable = [paths[id(v)] for v in model.non_trainable_weights]

    def lists(self, tree):
        return ([_get(tree, p) for p in self.trainable], [_get(tree, p) for p in self.non_trainable])

    def tree(self, trainable, non_trainable, base, what):
        for name, values, paths in (("trainable_variables", trainable, self.trainable),
                                    ("non_trainable_variables", non_trainable,
                                     self.non_trainable)):
            values = list(values)
            if len(values) != len(paths):
                raise ValueError(f"{what} returned {len(values)} {name}; the model has "
                                 f"{len(paths)}. Return the state lists in the order received.")
            for path, value in zip(paths, values):
                base = _set(base, path, value)
        return base


class FitBinding(optimizer_facade.ListBinding):
    """`stateless_apply` inside fit: lists <-> the trainable params subtree the engine's
    optimizer state was built on (frozen layers' weights left out, as Keras)."""
    sync = False  # the engine writes the learning rate into the state before each call

    def __init__(self, layout, state):
        super().__init__(jax.tree_util.tree_structure(state), len(layout.trainable))
        self.model = layout.model
        self.paths = [p[1:] for p in layout.trainable]  # inside "params"
        self.values = jax.tree_util.tree_leaves(state)  # `optimizer.variables` inside the step

    def to_params(self, values):
        tree = {}
        for path, value in zip(self.paths, values):
            tree = _set(tree, path, jnp.asarray(value))
        return tree

    def pack(self, params):
        params = weight_options.constrain(self.model, params)  # as Keras, after the update
        return [_get(params, p) for p in self.paths]


# ------------------------------------------------------------------ metrics as Keras objects
class CompileMetrics(Metric):
    """Keras's `compile_metrics` container: the metrics given to compile(), as one metric whose
    result is a dict (flattened into the logs)."""

    def __init__(self, outputs):
        super().__init__(name="compile_metrics")
        self._outputs = outputs

    def init(self):
        return tuple(m.init() for _, _, m, _ in self._outputs.metric_entries)

    def update(self, state, y_true, y_pred, sample_weight=None):
        o = self._outputs
        trues, preds = o.flatten_true(y_true), o.flatten_pred(y_pred)
        sws = o.flatten_sample_weight(sample_weight)
        return tuple(m.update(s, trues[i], preds[i], sws[i]) if weighted
                     else m.update(s, trues[i], preds[i])
                     for (_, i, m, weighted), s in zip(o.metric_entries, state))

    def result_from(self, state):
        return {name: m.result_from(s)
                for (name, _, m, _), s in zip(self._outputs.metric_entries, state)}


def attribute_metrics(model):
    """Metric objects held as attributes by the model and its layers (Keras's `_metrics`)."""
    found, seen = [], set()

    def add(value):
        if isinstance(value, Metric) and id(value) not in seen:
            seen.add(id(value))
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                add(v)

    layers = [model] + [l for l in _all_layers(model)]
    for layer in layers:
        for value in layer.__dict__.values():
            add(value)
    return found


def _all_layers(layer):
    for child in layer._child_layers():
        yield child
        yield from _all_layers(child)


def flatten_logs(logs):
    """Keras's logs: nested dicts (e.g. `compile_metrics`) flattened into one level."""
    out = {}
    for k, v in logs.items():
        if isinstance(v, dict):
            out.update(flatten_logs(v))
        else:
            out[k] = jnp.asarray(v, jnp.float32)
    return out


# ------------------------------------------------------------------ overrides
def overridden(model, name, base):
    return getattr(type(model), name) is not getattr(base, name)


# What Keras's default train/test step calls: a model that overrides one of these runs Keras's
# step (its own or the default one) in the compiled loop, not the engine's equivalent step.
STEP_HOOKS = ("compute_loss", "compute_loss_and_updates", "stateless_compute_loss",
              "compute_metrics")


def runs_keras_step(model, role, base):
    return overridden(model, f"{role}_step", base) or any(
        overridden(model, name, base) for name in STEP_HOOKS)


@contextlib.contextmanager
def metrics_bound(metrics, metrics_variables):
    """Inside the block every metric of `metrics` holds its slice of `metrics_variables`
    (arrays or tracers), so `update_state` in a user's `compute_loss` updates them; the
    yielded function reads them back as one list. The metrics' own states are restored after."""
    saved, start = [], 0
    for metric in metrics:
        n = len(metric.variables)
        saved.append(metric.state)
        metric.state = metric._as_state(metrics_variables[start:start + n])
        start += n
    try:
        yield lambda: [v for m in metrics for v in jax.tree_util.tree_leaves(m.state)]
    finally:
        for metric, state in zip(metrics, saved):
            metric.state = state


def check_step_signatures(model, base):
    for name in ("train_step", "test_step", "predict_step"):
        if not overridden(model, name, base):
            continue
        params = [p for p in inspect.signature(getattr(type(model), name)).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(params) == 2:  # (self, data): Keras 2 / the TensorFlow backend
            raise TypeError(
                f"Model '{model.name}' ({type(model).__name__}) overrides `{name}(self, data)`, "
                "the TensorFlow-backend form that updates variables in place under "
                "tf.GradientTape. jkeras follows Keras 3's JAX backend: define "
                f"`{name}(self, state, data)` returning `(logs, state)` (predict_step: "
                "`(outputs, non_trainable_variables)`), with `state = (trainable_variables, "
                "non_trainable_variables, optimizer_variables, metrics_variables)` for "
                "train_step. See keras.io's guide 'Customizing what happens in fit() with JAX'.")


# ------------------------------------------------------------------ the engine's view of a seam
class SeamOutputs:
    """What the engine's programs need to know about a user step: its metric variables
    (initial values) and its logs (names, in the order the step returns them)."""
    loss_tracker_names = ()

    def __init__(self, model, role, batch, make_state):
        self.model, self.role = model, role
        self.metrics = model.metrics
        self._names, self._batch, self._make_state = None, batch, make_state
        self.step = (make_train_step(model, self, model.optimizer) if role == "train"
                     else make_test_step(model))

    def metric_variables(self):
        return [v for m in self.metrics for v in m.stateless_reset_state()]

    def _logs_template(self):
        if self._names is None:
            self._names = {}  # the state built below holds no logs yet: the step gives them
            out = jax.eval_shape(self.step, self._make_state(self), self._batch)
            self._names = dict(out.metrics[1])
        return self._names

    def init_metrics(self):
        return (self.metric_variables(),
                {k: jnp.zeros(v.shape, v.dtype) for k, v in self._logs_template().items()})

    def results(self, metrics):
        logs = metrics[1]
        return tuple(logs[k] for k in self.result_names())

    def result_names(self):
        return list(self._logs_template())

    def evaluate_order(self, logs):
        out = [logs[k] for k in self.result_names()]
        return out[0] if len(out) == 1 else out

    def results_dict(self, metrics):
        return dict(zip(self.result_names(), self.results(metrics)))


def extra_optimizers(model):
    """Optimizers the model holds as attributes besides `model.optimizer` (a GAN's
    `d_optimizer` / `g_optimizer`), in assignment order. A custom `train_step` receives their
    variables after `model.optimizer.variables`, each over the variables it was built on."""
    found = []
    for name, value in model.__dict__.items():
        if (isinstance(value, optimizer_facade.VariablesFacade) and value is not model.optimizer
                and all(value is not f for f in found)):
            if not value.built:
                raise ValueError(
                    f"Model '{model.name}' holds the optimizer `{name}` "
                    f"({type(value).__name__}), which is not built. A custom `train_step` "
                    "receives each optimizer's variables in `optimizer_variables`, so each must "
                    f"exist before fit: call `self.{name}.build(<the trainable variables it "
                    "updates>)` in `compile()`.")
            found.append(value)
    return tuple(found)


def make_train_step(model, outputs, optimizer):
    layout = VariableLayout(model)
    extras = extra_optimizers(model)

    def train_step(ts, batch):
        x, y, sw = batch
        rng, key = jax.random.split(ts.rng)
        base = {"params": ts.params, "state": ts.state}
        trainable, non_trainable = layout.lists(base)
        main = ts.opt_state[0] if extras else ts.opt_state
        opt_leaves, opt_def = jax.tree_util.tree_flatten(ts.opt_state)
        metric_vars = ts.metrics[0]
        with core_random.step_keys(key), optimizer_facade.bind(optimizer,
                                                               FitBinding(layout, main)):
            logs, state = model.train_step((trainable, non_trainable, opt_leaves, metric_vars),
                                           pack_x_y_sample_weight(x, y, sw))
        _check_state(state, 4, "train_step")
        tree = layout.tree(state[0], state[1], base, "train_step")
        if len(state[2]) != opt_def.num_leaves:
            raise ValueError(
                f"`train_step` returned {len(state[2])} optimizer_variables; it received "
                f"{opt_def.num_leaves}. Return them in the order received.")
        opt_state = jax.tree_util.tree_unflatten(opt_def, list(state[2]))
        return TrainState(tree["params"], tree["state"], opt_state, rng, ts.step + 1,
                          (list(state[3]), flatten_logs(logs)), ts.bad_step)
    return train_step


def make_test_step(model):
    layout = VariableLayout(model)

    def test_step(es, batch):
        x, y, sw = batch
        trainable, non_trainable = layout.lists({"params": es.params, "state": es.state})
        logs, state = model.test_step((trainable, non_trainable, es.metrics[0]),
                                      pack_x_y_sample_weight(x, y, sw))
        _check_state(state, 3, "test_step")
        return EvalState(es.params, es.state, (list(state[2]), flatten_logs(logs)))
    return test_step


def make_predict_step(model):
    layout = VariableLayout(model)

    def predict_step(variables, x):
        trainable, non_trainable = layout.lists(variables)
        out = model.predict_step((trainable, non_trainable), pack_x_y_sample_weight(x))
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ValueError(
                f"`predict_step` of model '{model.name}' must return `(outputs, "
                f"non_trainable_variables)` as in Keras 3's JAX backend. Received: {type(out)}.")
        return out[0]
    return predict_step


def _check_state(state, n, what):
    if not (isinstance(state, (tuple, list)) and len(state) == n):
        names = ("(trainable_variables, non_trainable_variables, optimizer_variables, "
                 "metrics_variables)" if n == 4 else
                 "(trainable_variables, non_trainable_variables, metrics_variables)")
        raise ValueError(f"`{what}` must return `(logs, state)` with state = {names}. "
                         f"Received a state of type {type(state).__name__}.")
