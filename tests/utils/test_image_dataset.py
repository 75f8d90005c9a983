"""image_dataset_from_directory on a folder of real digit PNGs, against keras.utils."""
import numpy as np
import pytest

import jkeras
from jkeras import utils

from .conftest import write_digits


def _keras_batches(tf, directory, **kw):
    ds = tf.keras.utils.image_dataset_from_directory(directory, verbose=False, **kw)
    return ds, list(ds.as_numpy_iterator())


def _assert_same(ours, ref, atol=0.0):
    got = list(ours)
    assert len(got) == len(ref) == len(ours)
    for g, r in zip(got, ref):
        g, r = (g, r) if isinstance(r, tuple) else ((g,), (r,))
        for a, b in zip(g, r):
            assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
            np.testing.assert_allclose(a, b, atol=atol)


@pytest.mark.parametrize("kw", [
    dict(image_size=(8, 8)),
    dict(image_size=(12, 10), color_mode="grayscale", label_mode="categorical", batch_size=7),
    dict(image_size=(5, 6), interpolation="nearest", color_mode="rgba"),
    dict(image_size=(6, 12), crop_to_aspect_ratio=True, interpolation="bicubic"),
    dict(image_size=(6, 12), pad_to_aspect_ratio=True, label_mode=None),
    dict(image_size=8, interpolation="area", batch_size=None),
    dict(image_size=(8, 8), data_format="channels_first", class_names=["class_2", "class_0"]),
])
def test_batches_match_keras(tf, digits_dir, kw):
    ref_ds, ref = _keras_batches(tf, digits_dir, shuffle=False, **kw)
    ours = utils.image_dataset_from_directory(digits_dir, shuffle=False, verbose=False, **kw)
    _assert_same(ours, ref, atol=1e-3)
    assert ours.class_names == ref_ds.class_names
    assert ours.file_paths == ref_ds.file_paths


def test_seeded_split_matches_keras_files_and_labels(tf, digits_dir):
    kw = dict(image_size=(8, 8), validation_split=0.25, seed=11, label_mode="int")
    ref_train, ref_val = tf.keras.utils.image_dataset_from_directory(
        digits_dir, subset="both", verbose=False, **kw)
    train, val = utils.image_dataset_from_directory(digits_dir, subset="both", verbose=False,
                                                    **kw)
    assert train.file_paths == ref_train.file_paths and val.file_paths == ref_val.file_paths
    assert len(val.file_paths) == 9 and not set(train.file_paths) & set(val.file_paths)
    _assert_same(val, list(ref_val.as_numpy_iterator()))  # the validation subset is unshuffled
    alone = utils.image_dataset_from_directory(digits_dir, subset="validation", verbose=False,
                                               **kw)
    assert alone.file_paths == val.file_paths
    # the training subset: a new order each pass, the same images and labels
    xs = [np.concatenate([b[0] for b in train]) for _ in range(2)]
    assert not np.array_equal(xs[0], xs[1])
    ref_x = np.concatenate([b[0] for b in ref_train.as_numpy_iterator()])
    assert sorted(map(bytes, xs[0].astype("uint8"))) == sorted(map(bytes, ref_x.astype("uint8")))


def test_binary_labels_and_explicit_labels(tf, tmp_path):
    two = write_digits(tmp_path / "two", classes=(3, 7), per_class=5)
    ref_ds, ref = _keras_batches(tf, two, shuffle=False, label_mode="binary", image_size=(8, 8))
    _assert_same(utils.image_dataset_from_directory(two, shuffle=False, label_mode="binary",
                                                    image_size=(8, 8), verbose=False), ref)
    labels = [i % 3 for i in range(10)]
    ref_ds, ref = _keras_batches(tf, two, shuffle=False, labels=labels, image_size=(8, 8))
    ours = utils.image_dataset_from_directory(two, shuffle=False, labels=labels,
                                              image_size=(8, 8), verbose=False)
    _assert_same(ours, ref)
    assert ours.class_names == ref_ds.class_names == ["0", "1", "2"]


def test_verbose_prints_what_keras_prints(tf, digits_dir, capsys):
    utils.image_dataset_from_directory(digits_dir, validation_split=0.5, subset="training",
                                       seed=1, image_size=(8, 8))
    out = capsys.readouterr().out
    assert "Found 36 files belonging to 3 classes." in out and "Using 18 files for training." in out


def test_errors_match_keras(tf, tmp_path, digits_dir):
    empty = tmp_path / "empty"
    (empty / "a").mkdir(parents=True)
    cases = [
        (dict(directory=empty), "No images found in directory"),
        (dict(directory=digits_dir, validation_split=0.2, subset="training"),
         "you must provide a `seed`"),
        (dict(directory=digits_dir, subset="training"), "If `subset` is set, `validation_split`"),
        (dict(directory=digits_dir, label_mode="binary"), "there must be exactly 2 class_names"),
        (dict(directory=digits_dir, class_names=["class_9"]), "did not match the names of the"),
        (dict(directory=digits_dir, labels=[0, 1]), "Expected the lengths of `labels` to match"),
        (dict(directory=digits_dir, color_mode="cmyk"), "`color_mode` must be one of"),
        (dict(directory=digits_dir, interpolation="cubic"), "Argument `interpolation` should be"),
        (dict(directory=digits_dir, label_mode="sparse"), "`label_mode` argument must be one of"),
        (dict(directory=digits_dir, image_size=(1, 2, 3)), "Invalid `image_size` value"),
    ]
    for kw, msg in cases:
        with pytest.raises(ValueError, match=msg):
            tf.keras.utils.image_dataset_from_directory(verbose=False, **kw)
        with pytest.raises(ValueError, match=msg):
            utils.image_dataset_from_directory(verbose=False, **kw)


def test_fit_from_an_image_folder(digits_dir):
    train = utils.image_dataset_from_directory(digits_dir, image_size=(8, 8), batch_size=8,
                                               color_mode="grayscale", seed=0, verbose=False)
    model = jkeras.Sequential([jkeras.Input((8, 8, 1)), jkeras.layers.Rescaling(1 / 255.0),
                               jkeras.layers.Flatten(), jkeras.layers.Dense(3, "softmax")])
    model.compile(jkeras.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(train, epochs=6, verbose=0)
    assert h.history["loss"][-1] < 0.5 * h.history["loss"][0]
    assert model.evaluate(train, verbose=0)[1] > 0.9
