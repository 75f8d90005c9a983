"""Keras's functional forms of the merge layers: `add([x, y])` is `Add()([x, y])`, on arrays or
symbolic tensors (`**kwargs` are the layer's own, e.g. `name`)."""
from jkeras.layers.merging import Add, Concatenate
from jkeras.layers.merging_more import Average, Dot, Maximum, Minimum, Multiply, Subtract


def _functional_form(layer_class, name):
    """`name(inputs, **kwargs)`: `layer_class(**kwargs)(inputs)`, for the layers whose only
    arguments are Layer's own."""
    def merge(inputs, **kwargs):
        return layer_class(**kwargs)(inputs)
    merge.__name__ = merge.__qualname__ = name
    merge.__doc__ = f"Functional interface to the `{layer_class.__name__}` layer."
    return merge


add = _functional_form(Add, "add")
subtract = _functional_form(Subtract, "subtract")
multiply = _functional_form(Multiply, "multiply")
average = _functional_form(Average, "average")
maximum = _functional_form(Maximum, "maximum")
minimum = _functional_form(Minimum, "minimum")


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to the `Concatenate` layer."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional interface to the `Dot` layer."""
    return Dot(axes=axes, **kwargs)(inputs)
