"""Array-valued metrics (`F1Score(average=None)`, `Precision(thresholds=[...])`, ...) in fit /
evaluate logs, as Keras 3: History, callbacks and evaluate get the result as a float32 NumPy
array; the progress bar prints its mean.

Inside the compiled loop every log is a float32 scalar (rows of logs are stacked per step and
per epoch), so an array result travels as one scalar per element, under internal names
`<name>\\x1f<index>\\x1f<shape>` (`element_names`); `regroup` puts the elements back into one
array under `<name>` when the logs reach the host.
"""
import numpy as np

SEP = _SEP = "\x1f"  # inside internal log names (element_names)


def element_names(name, shape):
    """The internal log names of the elements of an array result `name` of `shape`."""
    dims = ",".join(str(d) for d in shape)
    return [f"{name}{_SEP}{i}{_SEP}{dims}" for i in range(int(np.prod(shape)))]


def is_element(key):
    return isinstance(key, str) and _SEP in key


def regroup(logs):
    """`logs` with the elements of each array result joined into one float32 array (in the
    place of its first element); other entries unchanged."""
    if not any(is_element(k) for k in logs):
        return dict(logs)
    out, parts = {}, {}
    for key, value in logs.items():
        if not is_element(key):
            out[key] = value
            continue
        name, index, dims = key.split(_SEP)
        if name not in parts:
            shape = tuple(int(d) for d in dims.split(",") if d)
            parts[name] = (shape, {})
            out[name] = None  # keeps the position
        parts[name][1][int(index)] = value
    for name, (shape, values) in parts.items():
        # An element may carry leading axes (an Ensemble's per-member values): they stay first.
        flat = np.stack([np.asarray(values[i], np.float32)
                         for i in range(int(np.prod(shape)))], axis=-1)
        out[name] = flat.reshape(flat.shape[:-1] + shape)
    return out
