"""Keras's InputSpec: rank and axis checks that fail with a clear message before JAX sees data."""
import jax
import numpy as np


class InputSpec:
    def __init__(self, ndim=None, min_ndim=None, max_ndim=None, axes=None, dtype=None):
        self.ndim, self.min_ndim, self.max_ndim = ndim, min_ndim, max_ndim
        self.axes = dict(axes or {})
        self.dtype = dtype


def check_input_spec(layer, inputs):
    specs = layer.input_spec
    if specs is None or not inputs:
        return
    flat = jax.tree_util.tree_leaves(inputs[0])
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    for i, (spec, x) in enumerate(zip(specs, flat)):
        shape = tuple(np.shape(x))
        ndim = len(shape)
        head = f'Input {i} of layer "{layer.name}" is incompatible with the layer: '
        if spec.ndim is not None and ndim != spec.ndim:
            raise ValueError(f"{head}expected ndim={spec.ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(f"{head}expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{head}expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        for axis, value in spec.axes.items():
            if value is not None and ndim and shape[axis] is not None and shape[axis] != value:
                raise ValueError(f"{head}expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {shape}")
