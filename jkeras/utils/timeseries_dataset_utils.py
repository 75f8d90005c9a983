"""`timeseries_dataset_from_array`: sliding windows over an array, as a `SampleDataset`."""
import numpy as np

from jkeras.utils.sample_dataset import SampleDataset


def _check_args(data, sequence_length, sequence_stride, sampling_rate, start_index, end_index):
    n = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= n:
            raise ValueError("`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length {n}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError("`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= n:
            raise ValueError("`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {n}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, v in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if v <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={v}")
        if v >= n:
            raise ValueError(f"`{name}` must be lower than the length of the data. Received: "
                             f"{name}={v}, for data of length {n}")
    if isinstance(sequence_length, bool) or int(sequence_length) != sequence_length or (
            sequence_length <= 0):
        raise ValueError("`sequence_length` must be a positive integer. Received: "
                         f"sequence_length={sequence_length}")


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Creates a dataset of sliding windows over a timeseries provided as array.

    Window `i` holds `data[s, s + r, ..., s + r * (sequence_length - 1)]` with
    `s = start_index + i * sequence_stride` and `r = sampling_rate`; its target (when `targets`
    is given) is `targets[s]`. Windows stop where they would pass `end_index` (exclusive) or
    run out of targets.

    Args:
        data: Array or eager tensor of timesteps (axis 0 is time).
        targets: Targets of the windows (aligned with `data`), or None.
        sequence_length: Length of the output sequences (in number of timesteps).
        sequence_stride: Period between successive output sequences.
        sampling_rate: Period between successive timesteps within a sequence.
        batch_size: Number of windows per batch; None yields single windows.
        shuffle: Whether to shuffle the windows (a new order each pass).
        seed: Random seed for shuffling.
        start_index, end_index: Only timesteps in `[start_index, end_index)` are used.

    Returns:
        A `SampleDataset` (a `PyDataset`) yielding `(windows, targets)` batches, or windows
        alone when `targets` is None. Unlike Keras (which returns a `tf.data.Dataset`), the
        shuffled order is drawn with NumPy only (no extra shuffle buffer).
    """
    data = np.asarray(data)
    _check_args(data, sequence_length, sequence_stride, sampling_rate, start_index, end_index)
    if start_index is None:
        start_index = 0
    if end_index is None:
        end_index = len(data)
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        num_seqs = min(num_seqs, len(targets))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    window = np.arange(sequence_length) * sampling_rate
    series = data[start_index:end_index]
    target_part = None if targets is None else targets[start_index:end_index]

    def gather(indices):
        starts = positions[indices]
        windows = series[starts[:, None] + window[None, :]]
        if target_part is None:
            return windows
        return windows, target_part[starts]

    order = np.arange(len(positions))
    return SampleDataset(len(positions), gather, batch_size, shuffle=shuffle, seed=seed,
                         order=order)
