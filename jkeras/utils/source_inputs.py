"""`get_source_inputs`: the `Input` tensors a symbolic tensor was computed from."""
from jkeras.core.symbolic import KerasTensor


def get_source_inputs(tensor):
    """Returns the list of input tensors necessary to compute `tensor` (in the order they are
    first reached, each once). A tensor that no layer produced is its own source; anything
    that is not a symbolic tensor is returned unchanged, as Keras."""
    if not isinstance(tensor, KerasTensor):
        return tensor
    history = tensor._keras_history
    if history is None or history[1] is None:  # not from a layer call, or an Input
        return [tensor]
    sources = []
    for t in history[1].input_tensors:
        for s in get_source_inputs(t):
            if all(s is not u for u in sources):
                sources.append(s)
    return sources


def is_keras_tensor(x):
    """Whether `x` is a symbolic tensor of the functional API (`keras.utils.is_keras_tensor`)."""
    return isinstance(x, KerasTensor)
