"""text_dataset_from_directory against keras.utils."""
import numpy as np
import pytest

from jkeras import utils


@pytest.fixture
def reviews(tmp_path):
    root = tmp_path / "reviews"
    texts = {"neg": ["bad film", "awful, truly", "not good at all", "meh"],
             "pos": ["great film", "loved it — très bien", "good", "superb acting", "fine"]}
    for label, items in texts.items():
        (root / label).mkdir(parents=True)
        for i, t in enumerate(items):
            (root / label / f"{i}.txt").write_text(t, encoding="utf-8")
        (root / label / "notes.md").write_text("ignored")
    return root


@pytest.mark.parametrize("kw", [dict(), dict(max_length=5, batch_size=3),
                                dict(label_mode="binary"), dict(label_mode=None),
                                dict(label_mode="categorical", batch_size=None)])
def test_text_batches_match_keras(tf, reviews, kw):
    ref_ds = tf.keras.utils.text_dataset_from_directory(reviews, shuffle=False, verbose=False,
                                                        **kw)
    ref = list(ref_ds.as_numpy_iterator())
    ours = utils.text_dataset_from_directory(reviews, shuffle=False, verbose=False, **kw)
    got = list(ours)
    assert len(got) == len(ref) and ours.class_names == ref_ds.class_names
    for g, r in zip(got, ref):
        g, r = (g, r) if isinstance(r, tuple) else ((g,), (r,))
        texts = np.vectorize(lambda b: b.decode("utf-8", errors="ignore"))(np.asarray(r[0]))
        np.testing.assert_array_equal(g[0], texts)
        for a, b in zip(g[1:], r[1:]):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


def test_text_split_and_errors(tf, reviews, tmp_path):
    kw = dict(validation_split=0.3, seed=5, subset="both", verbose=False)
    ref = tf.keras.utils.text_dataset_from_directory(reviews, **kw)
    ours = utils.text_dataset_from_directory(reviews, **kw)
    ref_val = [t.decode() for b in ref[1].as_numpy_iterator() for t in b[0]]
    assert [t for b in ours[1] for t in b[0]] == ref_val and len(ref_val) == 2
    assert len(ours[0].file_paths) == 7 and not set(ours[0].file_paths) & set(ours[1].file_paths)
    (tmp_path / "none" / "a").mkdir(parents=True)
    for f in (tf.keras.utils.text_dataset_from_directory, utils.text_dataset_from_directory):
        with pytest.raises(ValueError, match="No text files found in directory .*Allowed format: "
                                             r"\.txt"):
            f(tmp_path / "none", verbose=False)
        with pytest.raises(ValueError, match="`labels` argument should be a list/tuple"):
            f(reviews, labels="folders", verbose=False)
