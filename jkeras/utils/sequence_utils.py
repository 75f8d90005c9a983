"""`pad_sequences` (`keras.utils.pad_sequences`): NumPy, on the host."""
import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pads sequences to the same length.

    Args:
        sequences: List of sequences (each a list or array; items may be arrays of one shape).
        maxlen: Maximum length of all sequences; the longest sequence's length when None.
        dtype: Type of the output (`object` or a string dtype for variable-length strings).
        padding: "pre" or "post": pad before or after each sequence.
        truncating: "pre" or "post": drop values from the beginning or the end of sequences
            longer than `maxlen`.
        value: Padding value (a float, or a string with a string / object dtype).

    Returns:
        NumPy array of shape `(len(sequences), maxlen) + sample_shape`.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    if maxlen is not None and (isinstance(maxlen, bool) or int(maxlen) != maxlen or maxlen < 0):
        raise ValueError(f"`maxlen` must be a non-negative integer or None. Received: "
                         f"maxlen={maxlen!r}")
    num_samples = len(sequences)
    lengths = []
    sample_shape = ()
    found_first = False
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError as e:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {str(x)}") from e
        if not found_first and len(x):
            sample_shape = np.asarray(x).shape[1:]
            found_first = True
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    maxlen = int(maxlen)
    is_dtype_str = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_dtype_str:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings.")
    out = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at position {idx} is different "
                f"from expected shape {sample_shape}")
        if padding == "post":
            out[idx, :len(trunc)] = trunc
        else:
            out[idx, -len(trunc):] = trunc
    return out
