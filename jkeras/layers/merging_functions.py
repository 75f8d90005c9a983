"""Keras's functional forms of the merge layers: `add([x, y])` is `Add()([x, y])`, on arrays or
symbolic tensors (`**kwargs` are the layer's own, e.g. `name`)."""
from jkeras.layers.merging import Add, Concatenate
from jkeras.layers.merging_more import Average, Dot, Maximum, Minimum, Multiply, Subtract


def add(inputs, **kwargs):
    """Functional interface to the `Add` layer."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional interface to the `Subtract` layer."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional interface to the `Multiply` layer."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional interface to the `Average` layer."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional interface to the `Maximum` layer."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional interface to the `Minimum` layer."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to the `Concatenate` layer."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional interface to the `Dot` layer."""
    return Dot(axes=axes, **kwargs)(inputs)
