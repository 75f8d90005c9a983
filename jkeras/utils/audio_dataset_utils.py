"""`audio_dataset_from_directory`: `.wav` files in class folders -> a batched `SampleDataset`.

WAV files are decoded with the standard library's `wave` module as `tf.audio.decode_wav` does
(16-bit PCM -> float32 in [-1, 1), shape `(samples, channels)`); resampling to
`sampling_rate` uses SciPy's polyphase filter (`scipy.signal.resample_poly`) where Keras uses
tensorflow-io, so resampled values differ from Keras's by the filter.
"""
import math
import wave

import numpy as np

from jkeras.utils.dataset_utils import files_dataset

ALLOWED_FORMATS = (".wav",)


def read_wav(path):
    """A 16-bit PCM WAV file -> (float32 `(samples, channels)` in [-1, 1), sampling rate)."""
    with wave.open(str(path), "rb") as f:
        width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
        frames = f.readframes(f.getnframes())
    if width != 2:
        raise ValueError(f"Can only read 16-bit WAV files (as `tf.audio.decode_wav`), but "
                         f"{path} has {8 * width}-bit samples.")
    audio = np.frombuffer(frames, dtype="<i2").reshape(-1, channels)
    return audio.astype(np.float32) / 32768.0, rate


def _fit_length(audio, length):
    """Truncate or zero-pad along time to `length` samples (`desired_samples`)."""
    if length is None or audio.shape[0] == length:
        return audio
    if audio.shape[0] > length:
        return audio[:length]
    return np.pad(audio, ((0, length - audio.shape[0]), (0, 0)))


def _resample(audio, rate_in, rate_out):
    try:
        from scipy import signal
    except ImportError:
        raise ImportError("To use the argument `sampling_rate`, you should install scipy "
                          "(`pip install scipy`).") from None
    if rate_in == rate_out:
        return audio
    g = math.gcd(int(rate_in), int(rate_out))
    return signal.resample_poly(audio, rate_out // g, rate_in // g, axis=0).astype(np.float32)


def decode_audio(path, sampling_rate=None, output_sequence_length=None):
    audio, rate = read_wav(path)
    audio = _fit_length(audio, output_sequence_length)
    if sampling_rate is not None:
        audio = _resample(audio, rate, sampling_rate)
    return audio


def pad_batch(clips):
    """Zero-pad the clips of a batch to the longest (tf.data's `padded_batch`)."""
    longest = max(c.shape[0] for c in clips)
    return np.stack([_fit_length(c, longest) for c in clips])


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 follow_links=False, verbose=True):
    """Generates a dataset from `.wav` files in a directory (Keras's arguments and order).

    Batches are float32 `(batch, sequence_length, channels)`: each clip cut or zero-padded to
    `output_sequence_length`, or, when it is None, zero-padded to the longest clip of its
    batch. Labels as `image_dataset_from_directory`. `ragged=True` is not available (JAX has
    no ragged arrays): use `batch_size=None` to get clips of their own lengths.

    Returns:
        A `SampleDataset` with `.class_names` and `.file_paths`; with `subset="both"`, a list
        `[train, validation]`.
    """
    if ragged:
        if output_sequence_length is not None:
            raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
        raise ValueError("`ragged=True` is not supported by jkeras (JAX has no ragged arrays). "
                         "Use `batch_size=None` for clips of their own lengths, or "
                         "`output_sequence_length` for fixed-length batches.")
    if sampling_rate is not None:
        if isinstance(sampling_rate, bool) or not isinstance(sampling_rate, int):
            raise ValueError("`sampling_rate` should have an integer value. "
                             f"Received: sampling_rate={sampling_rate}")
        if sampling_rate <= 0:
            raise ValueError("`sampling_rate` should be higher than 0. "
                             f"Received: sampling_rate={sampling_rate}")

    def load(paths):
        return pad_batch([decode_audio(p, sampling_rate, output_sequence_length)
                          for p in paths])

    return files_dataset("audio files", directory, ALLOWED_FORMATS, labels, label_mode,
                         class_names, batch_size, shuffle, seed, validation_split, subset,
                         follow_links, verbose, load)
