"""Helpers shared by the optimizer tests: nested params from "scope/name" keys, and a minimal
variable for the `apply_gradients` path."""
import warnings

import jax.numpy as jnp
import numpy as np


def nest(flat):
    """{"enc/kernel": a} -> {"enc": {"kernel": a}}."""
    out = {}
    for path, value in flat.items():
        scope, name = path.split("/")
        out.setdefault(scope, {})[name] = value
    return out


class FakeVar:
    """What `apply_gradients` needs of a variable: `value`, `assign`, and a `path`."""

    def __init__(self, value, path=""):
        self.value, self.path = jnp.asarray(value), path

    def assign(self, value):
        self.value = jnp.asarray(value)


def resume_from_file(path, again, back, reference, x, y):
    """`again` (tf.keras) and `back` (jkeras), compiled alike, load `path` (Keras must find
    every group where it looks: warnings fail); all three train one more epoch and end equal."""
    again.optimizer.build(again.trainable_variables)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again.load_weights(path)
    back.load_weights(path)
    for m in (again, reference, back):
        m.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    for a, b, c in zip(again.get_weights(), reference.get_weights(), back.get_weights()):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.asarray(c), np.asarray(b), rtol=1e-4, atol=1e-6)


def tf_trajectory(tf, opt, tvars, grads, keys, every=10):
    """tf.keras's variables every `every` steps of `opt.apply_gradients` (in a tf.function)."""
    opt.build(tvars)
    apply = tf.function(lambda gs: opt.apply_gradients(zip(gs, tvars)))
    snapshots = []
    for i, g in enumerate(grads):
        apply([tf.constant(g[k]) for k in keys])
        if (i + 1) % every == 0:
            snapshots.append({k: np.asarray(v) for k, v in zip(keys, tvars)})
    return snapshots
