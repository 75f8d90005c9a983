"""What `compile(loss=..., metrics=..., loss_weights=...)` means for each model output.

Keras 3 (trainers/compile_utils.py) resolves its `CompileLoss` / `CompileMetrics` lazily, from the
first batch's shapes ("accuracy" needs them). `CompiledOutputs` does the same once per shape
signature, before anything is traced, and then offers pure functions for the jitted step:
`loss_values`, `init_metrics`, `update_metrics`, `results`.

Log names and order follow Keras 3.15: `loss`, then the compiled metrics (prefixed with the output
name for multi-output models, `_1` suffixes for repeats, `weighted_` for weighted repeats), then
one `<output>_loss` per output when more than one output has a loss.
"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras import losses as losses_module
from jkeras.training import array_logs

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")


def _metrics_module():
    from jkeras import metrics  # imported late: written alongside this module

    return metrics


# ---------------------------------------------------------------------------- mean accumulators
def mean_init():
    return (jnp.zeros((), jnp.float32), jnp.zeros((), jnp.float32))


def mean_update(state, value, weight):
    total, count = state
    weight = jnp.asarray(weight, jnp.float32)
    return (total + jnp.asarray(value, jnp.float32) * weight, count + weight)


def mean_result(state):
    total, count = state
    return jnp.where(count == 0, jnp.zeros_like(total), total / jnp.where(count == 0, 1.0, count))


# ---------------------------------------------------------------------------- structure helpers
def _is_seq(v):
    return isinstance(v, (list, tuple))


def _result(metric, state):
    """A metric's result as float32: a scalar, or an array (several thresholds,
    F1Score(average=None), ...) that the logs carry element by element (array_logs.py)."""
    return jnp.asarray(metric.result_from(state), jnp.float32)


def _result_shape(metric):
    return tuple(jax.eval_shape(lambda: _result(metric, metric.init())).shape)


def _shape(a):
    return tuple(a.shape)


def _binary_or_sparse(t_shape, p_shape):
    is_binary = p_shape[-1] == 1 if p_shape else False
    is_sparse = len(t_shape) < len(p_shape) or (
        bool(t_shape) and bool(p_shape) and t_shape[-1] == 1 and p_shape[-1] > 1)
    return is_binary, is_sparse


def _resolve_loss(identifier, t_shape, p_shape):
    if isinstance(identifier, str) and identifier.lower() in _CROSSENTROPY:
        is_binary, is_sparse = _binary_or_sparse(t_shape, p_shape)
        fn = (losses_module.binary_crossentropy if is_binary else
              losses_module.sparse_categorical_crossentropy if is_sparse else
              losses_module.categorical_crossentropy)
        return losses_module.LossFunctionWrapper(fn, name=identifier)
    return losses_module.get(identifier)


def validate_compile_args(loss, loss_weights, metrics, weighted_metrics, steps_per_execution):
    """compile()'s argument checks (Keras wording), before anything is built."""
    spe = steps_per_execution
    if not (spe == "auto" or (isinstance(spe, (int, np.integer)) and not isinstance(spe, bool)
                              and spe >= 1)):
        raise ValueError("`steps_per_execution` must be a positive integer or 'auto'. "
                         f"Received: steps_per_execution={spe!r}")
    for arg, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
        if value and not isinstance(value, (list, tuple, dict)):
            raise ValueError(f"Expected `{arg}` argument to be a list, tuple, or dict. "
                             f"Received instead: {arg}={value} of type {type(value)}")
    if loss_weights and not isinstance(loss_weights, (list, tuple, dict, float, int)):
        raise ValueError("Expected `loss_weights` argument to be a float (single output case) "
                         "or a list, tuple, or dict (multiple output case). Received instead: "
                         f"loss_weights={loss_weights} of type {type(loss_weights)}")
    validate_loss_identifiers(loss)
    validate_metric_identifiers(metrics)
    validate_metric_identifiers(weighted_metrics)


def validate_loss_identifiers(loss):
    """Fail at `compile()` on unknown loss names (losses.get raises the Keras-style error)."""
    for leaf in _flat_config(loss):
        if leaf is not None and not (isinstance(leaf, str) and leaf.lower() in _CROSSENTROPY):
            losses_module.get(leaf)


def validate_metric_identifiers(metrics):
    get = _metrics_module().get
    for leaf in _flat_config(metrics):
        if leaf is not None and not (isinstance(leaf, str) and leaf.lower() in _ACCURACY
                                     + _CROSSENTROPY):
            get(leaf)


def _flat_config(cfg):
    if cfg is None:
        return []
    if isinstance(cfg, dict):
        return [x for v in cfg.values() for x in _flat_config(v)]
    if _is_seq(cfg):
        return [x for v in cfg for x in _flat_config(v)]
    return [cfg]


class CompiledOutputs:
    """Per-output losses and metrics, resolved for one (y, y_pred) shape signature."""

    def __init__(self, loss, loss_weights, metrics, weighted_metrics, output_names):
        self.user_loss = loss
        self.user_loss_weights = loss_weights
        self.user_metrics = metrics
        self.user_weighted_metrics = weighted_metrics
        self.model_output_names = list(output_names) if output_names else None
        self.built = False

    # ------------------------------------------------------------------------ build
    def build(self, y_spec, y_pred_spec):
        """Resolve everything from shape specs (arrays or ShapeDtypeStructs); no tracing."""
        self.pred_kind, self.names = self._output_layout(y_pred_spec)
        n = len(self.names)
        preds = self.flatten_pred(y_pred_spec)
        trues = self.flatten_true(y_spec) if y_spec is not None else [None] * n
        losses = self._per_output(self.user_loss, "loss")
        weights = self._per_output(self.user_loss_weights, "loss_weights")
        self.losses = []  # (output index, Loss, weight or None, name)
        for i, (ident, w) in enumerate(zip(losses, weights)):
            if ident is None:
                continue
            if trues[i] is None:
                raise ValueError(
                    "The model has a loss but no target data `y` was given for output "
                    f"'{self.names[i]}'. Pass `y` to fit()/evaluate().")
            loss = _resolve_loss(ident, _shape(trues[i]), _shape(preds[i]))
            loss.check_shapes(_shape(trues[i]), _shape(preds[i]))
            self.losses.append((i, loss, None if w is None else float(w),
                                self.names[i] if self.names[i] is not None else loss.name))
        self.loss_tracker_names = (
            [f"{name}_loss" for _, _, _, name in self.losses] if len(self.losses) > 1 else [])
        self.metric_entries = []  # (log name, output index, Metric, weighted)
        self._shapes = None  # their result shapes (`_result_shapes`)
        self.sub_metric_names = []  # Keras's CompileMetrics.metrics names (evaluate's order)
        counters = {}
        for weighted, cfg in ((False, self.user_metrics), (True, self.user_weighted_metrics)):
            for i, idents in enumerate(self._per_output_metrics(cfg)):
                for ident in idents:
                    m = self._resolve_metric(ident, trues[i], preds[i], i)
                    self.sub_metric_names.append(m.name)
                    self.metric_entries.append(
                        (self._log_name(m.name, i, weighted, counters), i, m, weighted))
        self.built = True
        return self

    def _output_layout(self, y_pred):
        if isinstance(y_pred, dict):
            keys = list(y_pred.keys())
            if self.model_output_names and set(keys) == set(self.model_output_names):
                keys = list(self.model_output_names)
            else:
                keys = sorted(keys)
            return "dict", keys
        if _is_seq(y_pred):
            names = self.model_output_names
            if not names or len(names) != len(y_pred):
                names = [f"output_{i}" for i in range(len(y_pred))]
            return "list", list(names)
        name = self.model_output_names[0] if self.model_output_names else None
        return "single", [name]

    def _per_output(self, cfg, arg):
        n = len(self.names)
        if cfg is None:
            return [None] * n
        if isinstance(cfg, dict):
            unknown = [k for k in cfg if k not in self.names]
            if unknown:
                raise ValueError(
                    f"Expected keys {self.names} in {arg} dict, but found "
                    f"{arg}.keys()={list(cfg.keys())}")
            return [cfg.get(k) for k in self.names]
        if _is_seq(cfg):
            if len(cfg) != n:
                raise ValueError(
                    f"`{arg}` must have one entry per model output: the model has {n} "
                    f"output(s) {self.names}, received {len(cfg)} entries: {arg}={cfg}")
            return list(cfg)
        return [cfg] * n

    def _per_output_metrics(self, cfg):
        n = len(self.names)
        if not cfg:
            return [[] for _ in range(n)]

        def as_list(v):
            return [] if v is None else list(v) if _is_seq(v) else [v]

        if n == 1:
            if isinstance(cfg, dict):
                return [[m for v in cfg.values() for m in as_list(v)]]
            return [[m for v in as_list(cfg) for m in as_list(v)]]
        if isinstance(cfg, dict) and set(cfg) <= set(self.names):
            return [as_list(cfg.get(k)) for k in self.names]
        if _is_seq(cfg) and len(cfg) == n:
            return [as_list(v) for v in cfg]
        raise ValueError(
            "Invalid `metrics`. For a model with several outputs, `metrics` should be a dict "
            f"keyed by output name {self.names} or a list with one entry per output. "
            f"Received: metrics={cfg}")

    def _resolve_metric(self, ident, t, p, i):
        loss = next((l for j, l, _, _ in self.losses if j == i), None)
        m = _metrics_module().get(
            ident, y_true_shape=None if t is None else _shape(t),
            y_pred_shape=_shape(p), loss=loss)
        if hasattr(m, "build_from_shapes") and t is not None:  # state sized by the data
            m.build_from_shapes(_shape(t), _shape(p))
        return m

    def _log_name(self, base, i, weighted, counters):
        out = self.names[i] if len(self.names) > 1 else None
        name = f"{out}_{base}" if out else base
        if name not in counters:
            counters[name] = 1
            return name
        if weighted:
            name = f"{out}_weighted_{base}" if out else f"weighted_{base}"
            if name not in counters:
                counters[name] = 1
                return name
        index = counters[name]
        counters[name] += 1
        return f"{name}_{index}"

    # ------------------------------------------------------------------------ flattening
    def flatten_pred(self, y_pred):
        if self.pred_kind == "dict":
            return [y_pred[k] for k in self.names]
        if self.pred_kind == "list":
            return list(y_pred)
        return [y_pred]

    def flatten_true(self, y):
        """Targets as a list, one per output (None where an output has no target)."""
        n = len(self.names)
        if y is None:
            return [None] * n
        if n == 1:
            if isinstance(y, dict) and len(y) == 1:
                return list(y.values())
            if _is_seq(y) and len(y) == 1:
                return [y[0]]
            return [y]
        if isinstance(y, dict):
            missing = [k for k in self.names if k not in y]
            if missing and not set(y) <= set(self.names):
                raise ValueError(
                    "y_true and y_pred have different structures: `y` has keys "
                    f"{sorted(y)} but the model's outputs are {self.names}.")
            return [y.get(k) for k in self.names]
        if _is_seq(y) and len(y) == n:
            return list(y)
        got = f"a {type(y).__name__} of {len(y)}" if _is_seq(y) else "a single array"
        raise ValueError(
            f"y_true and y_pred have different structures: the model has {n} outputs "
            f"{self.names} but `y` is {got}. Pass one target per output (list or dict).")

    def flatten_sample_weight(self, sw):
        n = len(self.names)
        if sw is None:
            return [None] * n
        if isinstance(sw, dict):
            return [sw.get(k) for k in self.names]
        if _is_seq(sw):
            if len(sw) != n:
                raise ValueError(
                    "You should provide one `sample_weight` array per output in `y`: "
                    f"expected {n}, received {len(sw)}.")
            return list(sw)
        return [sw] * n

    # ------------------------------------------------------------------------ pure functions
    def loss_values(self, y, y_pred, sample_weight):
        """(total loss, [unweighted loss per output with a loss]) for one batch."""
        trues, preds = self.flatten_true(y), self.flatten_pred(y_pred)
        sws = self.flatten_sample_weight(sample_weight)
        total, values = jnp.zeros((), jnp.float32), []
        for i, loss, w, _ in self.losses:
            v = jnp.asarray(loss(trues[i], preds[i], sws[i]), jnp.float32)
            values.append(v)
            total = total + (v * w if w is not None else v)
        return total, values

    def init_metrics(self):
        return (mean_init(), tuple(mean_init() for _ in self.loss_tracker_names),
                tuple(m.init() for _, _, m, _ in self.metric_entries))

    def update_metrics(self, states, total, values, y, y_pred, sample_weight, batch_size):
        loss_state, per_output, metric_states = states
        loss_state = mean_update(loss_state, total, batch_size)
        if self.loss_tracker_names:
            # tf.keras weighs each batch's per-output loss by `y_pred.shape[0]`, which is None
            # inside its tf.function: a plain mean over batches (Keras-JAX weighs by batch size;
            # we follow tf.keras, visible only when the last batch is partial).
            per_output = tuple(mean_update(s, v, 1.0) for s, v in zip(per_output, values))
        if self.metric_entries:
            trues, preds = self.flatten_true(y), self.flatten_pred(y_pred)
            sws = self.flatten_sample_weight(sample_weight)
            metric_states = tuple(
                m.update(s, trues[i], preds[i], sws[i]) if weighted
                else m.update(s, trues[i], preds[i])
                for (_, i, m, weighted), s in zip(self.metric_entries, metric_states))
        return (loss_state, per_output, metric_states)

    def result_names(self):
        """Log keys in the order Keras's `get_metrics_result` produces them."""
        names = []
        for name, _, m, _ in self.metric_entries:
            shape = self._result_shapes().get(name, ())
            names += array_logs.element_names(name, shape) if shape else [name]
        return ["loss"] + names + list(self.loss_tracker_names)

    def _result_shapes(self):
        if self._shapes is None:
            self._shapes = {name: _result_shape(m) for name, _, m, _ in self.metric_entries}
        return self._shapes

    def results(self, states):
        """Scalars, in `result_names()` order (a tuple, cheap to stack inside a loop)."""
        loss_state, per_output, metric_states = states
        out = [mean_result(loss_state)]
        for (_, _, m, _), s in zip(self.metric_entries, metric_states):
            value = _result(m, s)
            out += list(value.reshape(-1)) if value.ndim else [value]
        out += [mean_result(s) for s in per_output]
        return tuple(out)

    def results_dict(self, states):
        return array_logs.regroup(dict(zip(self.result_names(), self.results(states))))

    def evaluate_order(self, logs):
        """Keras's `_flatten_metrics_in_order`: a list (or the single value)."""
        names = ["loss"] + list(self.sub_metric_names) + list(self.loss_tracker_names)
        out = [logs[k] for k in names if k in logs]
        out += [logs[k] for k in sorted(logs) if k not in names]
        return out[0] if len(out) == 1 else out


def tree_spec(tree):
    """ShapeDtypeStructs for a pytree of arrays (None leaves stay None)."""
    return jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), tree)
