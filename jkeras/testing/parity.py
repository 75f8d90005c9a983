"""Side-by-side checks of a tf.keras model and its jkeras twin: largest output and gradient gaps.

    report = jkeras.testing.compare_with_tf(tf_model, x)   # converts through a `.keras` file
    print(report)                                           # a table, worst weight first
    jkeras.testing.assert_parity(tf_model, x, rtol=1e-5)    # AssertionError listing the gaps

The gradient is that of a fixed scalar of the outputs, `sum over outputs of mean(output ** 2) / 2`
(nonzero even behind a softmax), or of `loss(targets, outputs)` when both are given, with respect
to the trainable weights, in Keras weight order on both sides.
"""
import dataclasses
import os
import tempfile

import jax
import jax.numpy as jnp
import numpy as np


@dataclasses.dataclass
class ParityReport:
    """Largest absolute and relative differences; `per_weight` maps weight paths to the largest
    absolute gradient difference of that weight."""
    max_output_abs: float
    max_output_rel: float
    max_grad_abs: float
    max_grad_rel: float
    per_weight: dict
    loss_tf: float
    loss_jkeras: float

    def within(self, rtol=1e-5, atol=1e-6):
        return (self.max_output_abs <= atol + rtol * self._out_scale
                and all(d <= atol + rtol * s for d, s in self._grad_scales.values()))

    def __str__(self):
        lines = [f"outputs: max |diff| {self.max_output_abs:.3g} (relative {self.max_output_rel:.3g})",
                 f"scalar: tf.keras {self.loss_tf:.9g}, jkeras {self.loss_jkeras:.9g}",
                 f"gradients: max |diff| {self.max_grad_abs:.3g} (relative {self.max_grad_rel:.3g})"]
        for path, diff in sorted(self.per_weight.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {path}: {diff:.3g}")
        return "\n".join(lines)


def compare_with_tf(tf_model, inputs, *, jkeras_model=None, loss=None, targets=None,
                    training=False):
    """Compare `tf_model` with its jkeras twin on `inputs`.

    The twin is `jkeras_model` with tf.keras's weights copied in (`set_weights`), or, when not
    given, `jkeras.models.load_model` of the `.keras` file `tf_model.save` writes (the one-call
    conversion). `loss`: a loss name or a pair `(tf_loss, jkeras_loss)` of callables
    `(y_true, y_pred) -> scalar`, used with `targets`.
    """
    tf = _tensorflow()
    if (loss is None) != (targets is None):
        raise ValueError("compare_with_tf: pass `loss` and `targets` together (or neither). "
                         f"Received: loss={loss!r}, targets={'given' if targets is not None else None}.")
    twin = jkeras_model if jkeras_model is not None else convert_from_tf(tf_model)
    if jkeras_model is not None:
        _copy_weights(tf_model, twin)
    tf_loss, jk_loss = _losses(loss)

    def tf_scalar(outputs):
        if tf_loss is not None:  # per-sample loss functions are averaged, as fit does
            return tf.reduce_mean(tf_loss(targets, outputs))
        return sum(tf.reduce_mean(tf.square(o)) for o in tf.nest.flatten(outputs)) / 2

    def jk_scalar(outputs):
        if jk_loss is not None:
            return jnp.mean(jk_loss(targets, outputs))
        return sum(jnp.mean(jnp.square(o)) for o in jax.tree_util.tree_leaves(outputs)) / 2

    with tf.GradientTape() as tape:
        tf_out = tf_model(inputs, training=training)
        tf_value = tf_scalar(tf_out)
    tf_grads = tape.gradient(tf_value, tf_model.trainable_weights)

    non_trainable = [w.numpy() for w in twin.non_trainable_weights]

    def jk_value(trainable):
        out, _ = twin.stateless_call(trainable, non_trainable, inputs, training=training)
        return jk_scalar(out), out

    trainable = [jnp.asarray(w.numpy()) for w in twin.trainable_weights]
    (jk_val, jk_out), jk_grads = jax.value_and_grad(jk_value, has_aux=True)(trainable)

    out_abs, out_rel, out_scale = _diffs(_leaves_tf(tf_out), jax.tree_util.tree_leaves(jk_out))
    per_weight, scales, g_abs, g_rel = {}, {}, 0.0, 0.0
    for var, g_tf, g_jk in zip(twin.trainable_weights, tf_grads, jk_grads):
        g_tf = np.zeros(g_jk.shape, np.float32) if g_tf is None else np.asarray(g_tf)
        a, r, s = _diffs([g_tf], [g_jk])
        per_weight[var.path] = a
        scales[var.path] = (a, s)
        g_abs, g_rel = max(g_abs, a), max(g_rel, r)
    report = ParityReport(out_abs, out_rel, g_abs, g_rel, per_weight, float(tf_value),
                          float(jk_val))
    report._out_scale, report._grad_scales = out_scale, scales
    return report


def assert_parity(tf_model, inputs, *, rtol=1e-5, atol=1e-6, **kwargs):
    """`compare_with_tf`, raising AssertionError with the report when a gap exceeds
    `atol + rtol * max|reference|` (per output set and per weight gradient)."""
    report = compare_with_tf(tf_model, inputs, **kwargs)
    if not report.within(rtol, atol):
        raise AssertionError(f"jkeras and tf.keras differ beyond rtol={rtol}, atol={atol}:\n"
                             f"{report}")
    return report


def convert_from_tf(tf_model):
    """The jkeras twin of a tf.keras model: its `.keras` file read by `jkeras.models.load_model`."""
    from jkeras.models import load_model

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        tf_model.save(path)
        return load_model(path, compile=False)


def _copy_weights(tf_model, twin):
    theirs, ours = tf_model.weights, twin.weights
    if [tuple(w.shape) for w in theirs] != [tuple(w.shape) for w in ours]:
        raise ValueError(
            "compare_with_tf: the jkeras model's weights do not line up with the tf.keras "
            f"model's. Expected shapes {[tuple(w.shape) for w in theirs]}, received "
            f"{[tuple(w.shape) for w in ours]} (model '{twin.name}').")
    twin.set_weights([w.numpy() for w in theirs])


def _tensorflow():
    try:
        import tensorflow
    except ImportError:
        raise ImportError(
            "jkeras.testing's parity helpers compare against tf.keras, and TensorFlow is not "
            "installed. Install it with `pip install tensorflow-cpu` (or `pip install -e "
            "\".[test]\"` in a jkeras checkout).") from None
    return tensorflow


def _losses(loss):
    if loss is None:
        return None, None
    if isinstance(loss, str):
        import jkeras
        tf = _tensorflow()
        return tf.keras.losses.get(loss), jkeras.losses.get(loss)
    if isinstance(loss, (tuple, list)) and len(loss) == 2 and all(map(callable, loss)):
        return loss
    raise TypeError("compare_with_tf: `loss` must be a loss name or a pair "
                    f"(tf_loss, jkeras_loss) of callables. Received: {loss!r}")


def _leaves_tf(value):
    if isinstance(value, dict):
        return [np.asarray(value[k]) for k in sorted(value)]
    if isinstance(value, (list, tuple)):
        return [np.asarray(v) for v in value]
    return [np.asarray(value)]


def _diffs(ref, got):
    """(max abs diff, max relative diff, max |ref|) over paired arrays."""
    got = list(got)
    if len(ref) != len(got):
        raise ValueError(f"compare_with_tf: tf.keras gave {len(ref)} outputs, jkeras {len(got)}.")
    worst_abs = worst_rel = scale = 0.0
    for r, g in zip(ref, got):
        r, g = np.asarray(r, np.float64), np.asarray(g, np.float64)
        if r.shape != g.shape:
            raise ValueError(f"compare_with_tf: output shapes differ: tf.keras {r.shape}, "
                             f"jkeras {g.shape}.")
        d = np.abs(r - g)
        worst_abs = max(worst_abs, float(d.max(initial=0.0)))
        worst_rel = max(worst_rel, float((d / np.maximum(np.abs(r), 1e-12)).max(initial=0.0)))
        scale = max(scale, float(np.abs(r).max(initial=0.0)))
    return worst_abs, worst_rel, scale
