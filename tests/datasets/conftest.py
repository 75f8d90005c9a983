"""`load_both`: one loader of jkeras.datasets and the same loader of Keras 3 (keras.src.datasets,
the tf.keras of TF 2.21) run on the same synthetic files, served from a folder as `file://` URLs.

jkeras's loader runs as shipped (its real `get_file`, cache under `$KERAS_HOME`); only its origin
constants point to the folder and its hash constants to the synthetic files' sha256. Keras's
`get_file` is wrapped the same way (origin redirected, hash replaced, its own cache folder); the
wrapper records the origins and hashes Keras asked for, which must be jkeras's constants.
A ValueError must be raised by both, with the same message; it is then returned.
"""
import hashlib
import importlib
import os

import numpy as np
import pytest

from jkeras import datasets

_PAIRS = (("ORIGIN", "FILE_HASH"), ("WORD_INDEX_ORIGIN", "WORD_INDEX_HASH"))


def listing(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs)


def _basename(origin):
    return origin.rsplit("/", 1)[-1]


@pytest.fixture
def load_both(tf, tmp_path, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    ours_home, keras_home = tmp_path / "jkeras_home", tmp_path / "keras_home"
    keras_home.mkdir()  # (Keras falls back to /tmp/.keras for a missing cache_dir)
    monkeypatch.setenv("KERAS_HOME", str(ours_home))

    def url(origin):
        return f"{served.as_uri()}/{_basename(origin)}"

    def sha(origin):
        return hashlib.sha256((served / _basename(origin)).read_bytes()).hexdigest()

    def run(name, function="load_data", **kwargs):
        with pytest.MonkeyPatch.context() as mp:
            return _run(mp, name, function, **kwargs)

    def _run(monkeypatch, name, function, **kwargs):
        ours_module = getattr(datasets, name)
        keras_module = importlib.import_module(f"keras.src.datasets.{name}")
        expected = {"origins": set(), "hashes": set()}
        for origin_attr, hash_attr in _PAIRS:
            if hasattr(ours_module, origin_attr):
                origin = getattr(ours_module, origin_attr)
                expected["origins"].add(origin)
                expected["hashes"].add(getattr(ours_module, hash_attr))
                monkeypatch.setattr(ours_module, origin_attr, url(origin))
                monkeypatch.setattr(ours_module, hash_attr, sha(origin))
        if hasattr(ours_module, "BASE"):  # Fashion-MNIST: one folder, no hashes
            expected["origins"] |= {ours_module.BASE + f for f in ours_module.FILES}
            monkeypatch.setattr(ours_module, "BASE", served.as_uri() + "/")
        asked = []
        real = keras_module.get_file

        def keras_get_file(fname=None, origin=None, **kw):
            asked.append((origin, kw.get("file_hash")))
            if kw.get("file_hash") is not None:
                kw["file_hash"] = sha(origin)
            return real(fname, origin=url(origin), cache_dir=str(keras_home), **kw)

        monkeypatch.setattr(keras_module, "get_file", keras_get_file)
        ours = _call(getattr(ours_module, function), kwargs)
        theirs = _call(getattr(keras_module, function), kwargs)
        if isinstance(ours, Exception) or isinstance(theirs, Exception):
            assert type(ours) is type(theirs) and str(ours) == str(theirs)
            return ours, theirs
        assert {o for o, _ in asked} <= expected["origins"]
        assert {h for _, h in asked} - {None} <= expected["hashes"]
        assert listing(ours_home) == listing(keras_home)  # same file names and cache layout
        return ours, theirs

    run.served, run.home, run.assert_same = served, ours_home, assert_same_arrays
    return run


def _call(function, kwargs):
    """The function's result, or the ValueError it raised (compared between the two sides)."""
    try:
        return function(**kwargs)
    except ValueError as e:
        return e


def assert_same_arrays(ours, theirs):
    """`((x_train, y_train), (x_test, y_test))` equal in values, dtypes and shapes."""
    for a, b in zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1])):
        assert a.dtype == b.dtype and a.shape == b.shape
        if a.dtype == object:
            assert [list(s) for s in a] == [list(s) for s in b]
        else:
            assert np.array_equal(a, b)  # (assert_array_equal takes seconds on CIFAR's 150 MB)
