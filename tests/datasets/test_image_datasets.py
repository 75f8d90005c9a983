"""MNIST, Fashion-MNIST, CIFAR10 and CIFAR100 on small synthetic files in each dataset's own
format, against Keras 3's loaders on the same files."""
import gzip
import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

from jkeras import config, datasets


def _images(rng, n, *shape):
    return rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)


def test_mnist_npz(load_both):
    rng = np.random.default_rng(0)
    np.savez(load_both.served / "mnist.npz", x_train=_images(rng, 5, 28, 28),
             y_train=rng.integers(0, 10, 5, dtype=np.uint8), x_test=_images(rng, 3, 28, 28),
             y_test=rng.integers(0, 10, 3, dtype=np.uint8))
    ours, theirs = load_both("mnist")
    load_both.assert_same(ours, theirs)
    assert ours[0][0].shape == (5, 28, 28) and ours[0][0].dtype == np.uint8


def test_a_filled_cache_is_used_without_a_download(tmp_path, monkeypatch):
    # A file already where Keras keeps it ($KERAS_HOME/datasets/mnist.npz) with the expected
    # hash is read as is: the origin is never contacted.
    cached = tmp_path / "home" / "datasets" / "mnist.npz"
    cached.parent.mkdir(parents=True)
    arrays = {k: np.full((2, 28, 28) if k[0] == "x" else (2,), i, np.uint8)
              for i, k in enumerate(("x_train", "y_train", "x_test", "y_test"))}
    np.savez(cached, **arrays)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(datasets.mnist, "ORIGIN", (tmp_path / "nowhere.npz").as_uri())
    monkeypatch.setattr(datasets.mnist, "FILE_HASH",
                        hashlib.sha256(cached.read_bytes()).hexdigest())
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    # With a hash that does not match, the file is fetched again (and here the origin is gone).
    monkeypatch.setattr(datasets.mnist, "FILE_HASH", "0" * 64)
    with pytest.raises(Exception, match="URL fetch failure on file://"):
        datasets.mnist.load_data()


def _idx(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes())


def test_fashion_mnist_gzipped_idx(load_both):
    rng = np.random.default_rng(1)
    for split, n in (("train", 6), ("t10k", 4)):
        (load_both.served / f"{split}-images-idx3-ubyte.gz").write_bytes(
            _idx(_images(rng, n, 28, 28), 2051))
        (load_both.served / f"{split}-labels-idx1-ubyte.gz").write_bytes(
            _idx(rng.integers(0, 10, n, dtype=np.uint8), 2049))
    ours, theirs = load_both("fashion_mnist")
    load_both.assert_same(ours, theirs)
    assert ours[0][0].shape == (6, 28, 28) and ours[1][1].shape == (4,)
    assert (load_both.home / "datasets" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").exists()


def _tar_gz(path, members):
    with tarfile.open(path, "w:gz") as t:
        for name, obj in members.items():
            data = pickle.dumps(obj, protocol=3)  # bytes keys, as the real (Python 2) files
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))


@pytest.fixture(params=["channels_last", "channels_first"])
def image_data_format(request, tf):
    tf.keras.config.set_image_data_format(request.param)
    config.set_image_data_format(request.param)
    yield request.param
    tf.keras.config.set_image_data_format("channels_last")
    config.set_image_data_format("channels_last")


def test_cifar10_pickled_batches_in_a_tar_gz(load_both, image_data_format):
    # Keras fills 10,000 rows per training batch file; a batch of one image broadcasts to them.
    rng = np.random.default_rng(2)
    folder = "cifar-10-batches-py"
    members = {f"{folder}/data_batch_{i}": {b"data": _images(rng, 1, 3072),
                                            b"labels": [int(rng.integers(10))]}
               for i in range(1, 6)}
    members[f"{folder}/test_batch"] = {b"data": _images(rng, 7, 3072),
                                       b"labels": rng.integers(0, 10, 7).tolist()}
    _tar_gz(load_both.served / "cifar-10-python.tar.gz", members)
    ours, theirs = load_both("cifar10")
    load_both.assert_same(ours, theirs)
    shape = (32, 32, 3) if image_data_format == "channels_last" else (3, 32, 32)
    assert ours[0][0].shape == (50000, *shape) and ours[1][0].shape == (7, *shape)
    assert ours[0][1].shape == (50000, 1) and ours[1][1].dtype == np.uint8


def test_cifar100_label_modes(load_both, tf):
    rng = np.random.default_rng(3)
    folder = "cifar-100-python"
    members = {f"{folder}/{part}": {b"data": _images(rng, n, 3072),
                                    b"fine_labels": rng.integers(0, 100, n).tolist(),
                                    b"coarse_labels": rng.integers(0, 20, n).tolist()}
               for part, n in (("train", 9), ("test", 4))}
    _tar_gz(load_both.served / "cifar-100-python.tar.gz", members)
    for label_mode in ("fine", "coarse"):
        ours, theirs = load_both("cifar100", label_mode=label_mode)
        load_both.assert_same(ours, theirs)
    assert ours[0][0].shape == (9, 32, 32, 3) and ours[0][1].shape == (9, 1)
    with pytest.raises(ValueError) as ours_error:
        datasets.cifar100.load_data("medium")
    with pytest.raises(ValueError) as keras_error:
        tf.keras.datasets.cifar100.load_data("medium")
    assert str(ours_error.value) == str(keras_error.value)


def test_cifar_batches_refuse_other_pickles(tmp_path):
    class Exploit:
        def __reduce__(self):
            return (print, ("ran",))
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": Exploit(), b"labels": [0]}))
    with pytest.raises(pickle.UnpicklingError, match="Refusing to deserialize `builtins.print`"):
        datasets.cifar.load_batch(path)
