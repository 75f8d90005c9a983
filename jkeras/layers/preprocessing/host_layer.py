"""The base of the preprocessing layers that run on the host, in NumPy: string and vocabulary
work (StringLookup, IntegerLookup, TextVectorization) and TensorFlow's exact hashes (Hashing,
HashedCrossing).

Keras 3 on JAX runs these layers outside the compiled step too (they need TensorFlow there and
are meant for `tf.data` pipelines). In jkeras they are plain callables on host data: apply them
to the data before the model (`x = lookup(raw)`, then `model.fit(x, y)`) or in the data pipeline.
Calling one on a symbolic tensor or inside a compiled step raises a TypeError that says so.
Outputs are NumPy arrays.
"""
import jax
import numpy as np

from jkeras.core import symbolic
from jkeras.core.layer import Layer


class HostPreprocessingLayer(Layer):
    runs_on_host = True  # outside `apply` / jit / models (jkeras.testing.layer_test asks)

    def __call__(self, inputs, *args, **kwargs):
        kwargs.pop("training", None)
        leaves = jax.tree_util.tree_leaves(inputs, is_leaf=lambda x: isinstance(x, (str, bytes)))
        if symbolic.any_symbolic(inputs) or any(isinstance(x, jax.core.Tracer) for x in leaves):
            raise TypeError(
                f"Layer '{self.name}' ({type(self).__name__}) works on the host in NumPy "
                "(strings, vocabularies, exact hashes), so it cannot be part of a jkeras model or "
                "a compiled step. Apply it to the data before the model (e.g. `x = layer(raw)`, "
                "then `model.fit(x, y)`) or in the data pipeline, as Keras 3 on JAX does.")
        self.built = True
        return self.call(inputs, *args, **kwargs)

    def call(self, inputs):
        raise NotImplementedError


def as_strings(values, encoding="utf-8"):
    """Any array-like of str / bytes / numbers -> a NumPy array of Python str (object dtype
    keeps strings of any length)."""
    array = np.asarray(values, dtype=object)
    flat = [v.decode(encoding) if isinstance(v, bytes) else str(v) for v in array.reshape(-1)]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(array.shape)


def map_unique(array, fn):
    """Apply `fn` (one value -> one value) to each distinct element of `array` once."""
    flat = array.reshape(-1)
    if flat.size == 0:
        return np.zeros(array.shape, np.int64)
    unique, inverse = np.unique(flat, return_inverse=True)
    mapped = np.asarray([fn(v) for v in unique])
    return mapped[inverse].reshape(array.shape)
