"""audio_dataset_from_directory against tf.keras on a generated folder of WAV files (tones)."""
import wave

import numpy as np
import pytest

import jkeras
from jkeras import layers, utils

RATE = 8000


def write_wav(path, samples, channels=1, rate=RATE):
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(channels)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(pcm.tobytes())


def write_tones(root, per_class=6, channels=1, seed=0):
    """Class 'high' holds 1.2 kHz tones, class 'low' 200 Hz ones, of 300..500 samples, with noise."""
    rng = np.random.default_rng(seed)
    for name, freq in (("high", 1200.0), ("low", 200.0)):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            n = int(rng.integers(300, 500))
            t = np.arange(n) / RATE
            tone = 0.5 * np.sin(2 * np.pi * freq * t + rng.uniform(0, np.pi))
            tone = tone[:, None] + 0.05 * rng.normal(size=(n, channels))
            write_wav(folder / f"{i:02d}.wav", tone.reshape(-1), channels)
    return root


def batches(ds):
    return [tuple(np.asarray(a) for a in (b if isinstance(b, tuple) else (b,))) for b in ds]


@pytest.mark.parametrize("kwargs", [
    dict(batch_size=4),
    dict(batch_size=5, output_sequence_length=400, label_mode="categorical"),
    dict(batch_size=3, output_sequence_length=600, label_mode="binary"),
    dict(batch_size=None, label_mode=None),
])
def test_matches_tf_keras(tmp_path, tf, kwargs):
    root = write_tones(tmp_path / "tones", channels=2 if kwargs.get("batch_size") == 5 else 1)
    ours = utils.audio_dataset_from_directory(root, shuffle=False, verbose=False, **kwargs)
    ref = tf.keras.utils.audio_dataset_from_directory(str(root), shuffle=False, verbose=False,
                                                      **kwargs)
    assert ours.class_names == ref.class_names == (
        None if "label_mode" in kwargs and kwargs["label_mode"] is None else ["high", "low"])
    got, want = batches(ours), [tuple(np.asarray(a) for a in (b if isinstance(b, tuple) else (b,)))
                                for b in ref.as_numpy_iterator()]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


def test_validation_split_matches_tf_keras(tmp_path, tf):
    root = write_tones(tmp_path / "tones", per_class=10)
    kw = dict(validation_split=0.3, subset="both", seed=7, batch_size=4,
              output_sequence_length=350, verbose=False)
    train, val = utils.audio_dataset_from_directory(root, **kw)
    ref_train, ref_val = tf.keras.utils.audio_dataset_from_directory(str(root), **kw)
    # The validation subset is not shuffled: the same batches. Training: the same clips.
    for (x, y), (rx, ry) in zip(val, ref_val.as_numpy_iterator()):
        np.testing.assert_array_equal(x, rx)
        np.testing.assert_array_equal(y, ry)
    ours = sorted((int(y), float(np.abs(x).sum())) for xb, yb in train for x, y in zip(xb, yb))
    theirs = sorted((int(y), float(np.abs(x).sum())) for xb, yb in ref_train.as_numpy_iterator()
                    for x, y in zip(xb, yb))
    assert [o[0] for o in ours] == [t[0] for t in theirs]
    np.testing.assert_allclose([o[1] for o in ours], [t[1] for t in theirs], rtol=1e-6)


def test_sampling_rate_resamples(tmp_path):
    pytest.importorskip("scipy")
    root = write_tones(tmp_path / "tones", per_class=2)
    ds = utils.audio_dataset_from_directory(root, batch_size=None, sampling_rate=4000,
                                            shuffle=False, verbose=False)
    x, _ = ds[0]
    n = utils.audio_dataset_from_directory(root, batch_size=None, shuffle=False,
                                           verbose=False)[0][0].shape[0]
    assert x.dtype == np.float32 and x.shape == (int(np.ceil(n / 2)), 1)


def test_errors(tmp_path):
    root = write_tones(tmp_path / "tones", per_class=2)
    with pytest.raises(ValueError, match="Cannot set both `ragged` and `output_sequence_length`"):
        utils.audio_dataset_from_directory(root, ragged=True, output_sequence_length=10)
    with pytest.raises(ValueError, match="`ragged=True` is not supported"):
        utils.audio_dataset_from_directory(root, ragged=True)
    with pytest.raises(ValueError, match="`sampling_rate` should have an integer value"):
        utils.audio_dataset_from_directory(root, sampling_rate=8000.0)
    with pytest.raises(ValueError, match="`sampling_rate` should be higher than 0"):
        utils.audio_dataset_from_directory(root, sampling_rate=0)
    with pytest.raises(ValueError, match="`label_mode` argument must be one of"):
        utils.audio_dataset_from_directory(root, label_mode="sparse")
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"No audio files found in directory .*Allowed format\(s\)"):
        utils.audio_dataset_from_directory(tmp_path / "empty", verbose=False)
    with wave.open(str(root / "low" / "bad.wav"), "wb") as f:
        f.setnchannels(1), f.setsampwidth(1), f.setframerate(RATE)
        f.writeframes(bytes(100))
    ds = utils.audio_dataset_from_directory(root, shuffle=False, verbose=False)
    with pytest.raises(ValueError, match="Can only read 16-bit WAV files"):
        list(ds)


def test_example_tone_classifier_trains_from_the_folder(tmp_path):
    """A small Conv1D classifier fit from the folder of WAV files (a PyDataset for fit)."""
    root = write_tones(tmp_path / "tones", per_class=12)
    train, val = utils.audio_dataset_from_directory(
        root, batch_size=8, output_sequence_length=300, validation_split=0.25, subset="both",
        seed=1, verbose=False)
    model = jkeras.Sequential([
        jkeras.Input((300, 1)),
        layers.Conv1D(8, 9, strides=2, activation="relu"),
        layers.GlobalMaxPooling1D(),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer=jkeras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=15, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    assert history.history["val_accuracy"][-1] == 1.0
