"""InputLayer and `Input`: the entry points of functional and Sequential models."""
import jax.numpy as jnp
import numpy as np

from jkeras.core.layer import Layer
from jkeras.core.shapes import is_shape
from jkeras.core.symbolic import KerasTensor


class InputLayer(Layer):
    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 input_tensor=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if isinstance(shape, (int, np.integer)):
            shape = (int(shape),)
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument to `Input`.")
        if batch_shape is None:
            if not is_shape(shape):
                raise ValueError(f"`shape` must be a tuple of integers or None. Received: shape={shape!r}")
            batch_shape = (batch_size,) + tuple(shape)
        elif not is_shape(batch_shape):
            raise ValueError(f"`batch_shape` must be a tuple. Received: batch_shape={batch_shape!r}")
        self.batch_shape = tuple(batch_shape)
        self._input_dtype = jnp.dtype(dtype or "float32").name
        self.output = KerasTensor(self.batch_shape, self.dtype, name=self.name)
        self.output._keras_history = (self, None, 0)
        self._output_shape = self.batch_shape
        self._specs_built = True
        self.built = True

    @property
    def dtype(self):
        """The input's dtype (as Keras: not the dtype policy's, which stays the global one)."""
        return self._input_dtype

    def call(self, inputs):
        return inputs

    def get_config(self):
        """Keras's InputLayer config (no `trainable`; dtype as a plain name)."""
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, dtype=None, batch_shape=None, name=None, tensor=None):
    """A symbolic input (`keras.Input`): the start of a functional model."""
    if tensor is not None:
        return tensor
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape,
                      name=name).output
