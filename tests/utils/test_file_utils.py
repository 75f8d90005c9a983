"""get_file: the cache, file:// origins, hashes and archives; never the network."""
import hashlib
import os
import tarfile
import zipfile

import pytest

from jkeras import utils


def test_file_origin_is_copied_into_the_cache_and_reused(tmp_path):
    src = tmp_path / "data.csv"
    src.write_text("a,b\n1,2\n")
    cache = tmp_path / "cache"
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    path = utils.get_file(origin=src.as_uri(), cache_dir=cache, file_hash=sha)
    assert path == os.path.join(cache, "datasets", "data.csv") and open(path).read() == "a,b\n1,2\n"
    src.unlink()  # a cache hit does not need the origin any more
    assert utils.get_file("data.csv", "https://example.com/data.csv", cache_dir=cache,
                          file_hash=sha) == path
    md5 = hashlib.md5(b"a,b\n1,2\n").hexdigest()
    assert utils.get_file("data.csv", "https://x/data.csv", cache_dir=cache, md5_hash=md5) == path


def test_offline_origins_raise_with_the_expected_path(tmp_path):
    with pytest.raises(ValueError, match=r"does not download: 'https://example.com/d.npz'.*"
                                         r"datasets/d.npz"):
        utils.get_file(origin="https://example.com/d.npz", cache_dir=tmp_path)
    with pytest.raises(ValueError, match='Please specify the "origin" argument'):
        utils.get_file("x")
    with pytest.raises(ValueError, match="Paths are no longer accepted as the `fname`"):
        utils.get_file("a/b.txt", origin="https://x/b.txt", cache_dir=tmp_path)
    src = tmp_path / "f.txt"
    src.write_text("x")
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        utils.get_file(origin=src.as_uri(), cache_dir=tmp_path / "c", file_hash="0" * 64)


def test_archives_are_extracted_as_keras(tmp_path):
    (tmp_path / "payload").mkdir()
    (tmp_path / "payload" / "x.txt").write_text("hello")
    tar = tmp_path / "bundle.tar.gz"
    with tarfile.open(tar, "w:gz") as t:
        t.add(tmp_path / "payload", arcname="payload")
    out = utils.get_file("bundle.tar.gz", tar.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert out == os.path.join(tmp_path / "c", "datasets", "bundle_extracted")
    assert open(os.path.join(out, "payload", "x.txt")).read() == "hello"
    zf = tmp_path / "z.zip"
    with zipfile.ZipFile(zf, "w") as z:
        z.writestr("inner/y.txt", "zip!")
    out = utils.get_file(origin=zf.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert out.endswith(os.path.join("datasets", "z.zip")) and os.path.isdir(out)
    assert open(os.path.join(out, "inner", "y.txt")).read() == "zip!"
    bad = tmp_path / "evil.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../escape.txt", "no")
    with pytest.raises(ValueError, match="Refusing to extract"):
        utils.get_file(origin=bad.as_uri(), extract=True, cache_dir=tmp_path / "c")


def test_paths_and_extraction_match_keras_for_file_origins(tf, tmp_path):
    (tmp_path / "payload").mkdir()
    (tmp_path / "payload" / "x.txt").write_text("hello")
    tar = tmp_path / "bundle.tar.gz"
    with tarfile.open(tar, "w:gz") as t:
        t.add(tmp_path / "payload", arcname="payload")
    plain = tmp_path / "plain.txt"
    plain.write_text("plain")
    for kw in (dict(origin=plain.as_uri()), dict(fname="renamed.txt", origin=plain.as_uri()),
               dict(origin=tar.as_uri(), extract=True),
               dict(fname="bundle.tar.gz", origin=tar.as_uri(), extract=True),
               dict(fname="bundle", origin=tar.as_uri(), untar=True, cache_subdir="models")):
        case = str(len(os.listdir(tmp_path)))
        ours_dir, keras_dir = tmp_path / ("ours" + case), tmp_path / ("keras" + case)
        ours_dir.mkdir()
        keras_dir.mkdir()  # (Keras falls back to /tmp/.keras for a missing one)
        ours = utils.get_file(cache_dir=ours_dir, **kw)
        theirs = tf.keras.utils.get_file(cache_dir=keras_dir, **kw)
        assert os.path.relpath(ours, ours_dir) == os.path.relpath(theirs, keras_dir)
        listing = lambda root: sorted(os.path.relpath(os.path.join(d, f), root)
                                      for d, _, fs in os.walk(root) for f in fs)
        if os.path.isdir(ours):
            assert listing(ours) == listing(theirs)
        else:
            assert open(ours).read() == open(theirs).read()
