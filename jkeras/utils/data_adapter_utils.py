"""`unpack_x_y_sample_weight` / `pack_x_y_sample_weight` (for custom `train_step`s)."""
from jkeras.training import data as data_lib


def unpack_x_y_sample_weight(data):
    """`x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` -> `(x, y, sample_weight)` with None
    for what is missing (a list counts as a tuple; anything else is `x`)."""
    return data_lib.unpack_x_y_sample_weight(data, "Data")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The tuple `fit` takes: `x` alone (a list / tuple `x` becomes `(x,)`), `(x, y)`, or
    `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)
