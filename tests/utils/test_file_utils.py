"""get_file: downloads from a local http server and file:// origins, the cache, hashes and
archives, against tf.keras.utils.get_file."""
import hashlib
import os
import tarfile
import warnings
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


def test_argument_errors_are_keras(tmp_path):
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
    with pytest.warns(UserWarning, match="Skipping invalid path during archive extraction: "
                                         "'../escape.txt'"):
        out = utils.get_file(origin=bad.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert not os.path.exists(out)  # nothing was safe to extract (as Keras)
    assert not (tmp_path / "c" / "datasets" / "escape.txt").exists()
    with pytest.raises(ValueError, match='`archive_format` must be "auto", "tar", "zip"'):
        utils.get_file(origin=zf.as_uri(), extract=True, archive_format="rar", cache_dir=tmp_path)


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


def _serve(server, name, data):
    (server.root / name).write_bytes(data)
    return f"{server.url}/{name}"


def test_http_download_then_cache_hit_without_a_request(http_server, tmp_path, capsys):
    data = bytes(range(256)) * 300
    url = _serve(http_server, "blob.bin", data)
    sha = hashlib.sha256(data).hexdigest()
    path = utils.get_file(origin=url, cache_dir=tmp_path / "c", file_hash=sha)
    assert path == os.path.join(tmp_path / "c", "datasets", "blob.bin")
    assert open(path, "rb").read() == data and http_server.paths == ["/blob.bin"]
    out = capsys.readouterr().out
    assert f"Downloading data from {url}" in out and "76800/76800" in out  # the byte progress bar
    # Cached with the right hash (sha256 told from its length, or md5): no request.
    assert utils.get_file("blob.bin", url, cache_dir=tmp_path / "c", file_hash=sha) == path
    assert utils.get_file("blob.bin", url, cache_dir=tmp_path / "c",
                          md5_hash=hashlib.md5(data).hexdigest()) == path
    assert utils.get_file("blob.bin", url, cache_dir=tmp_path / "c") == path
    assert http_server.paths == ["/blob.bin"]
    utils.get_file("blob.bin", url, cache_dir=tmp_path / "c", force_download=True)
    assert http_server.paths == ["/blob.bin"] * 2


def test_a_cached_file_with_a_wrong_hash_is_downloaded_again(http_server, tmp_path, capsys):
    data = b"fresh contents\n" * 10
    url = _serve(http_server, "f.txt", data)
    cached = tmp_path / "c" / "datasets" / "f.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"stale")
    md5 = hashlib.md5(data).hexdigest()
    path = utils.get_file(origin=url, cache_dir=tmp_path / "c", file_hash=md5,
                          hash_algorithm="md5")
    assert open(path, "rb").read() == data and http_server.paths == ["/f.txt"]
    assert ("A local file was found, but it seems to be incomplete or outdated because the md5 "
            f"file hash does not match the original value of {md5} so we will re-download the "
            "data.") in capsys.readouterr().out
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected. The auto file "
                                         "hash does not match the provided value of " + "0" * 64):
        utils.get_file("g.txt", url, cache_dir=tmp_path / "c", file_hash="0" * 64)


def test_http_errors_as_keras_and_no_partial_file(http_server, tmp_path, tf):
    url = f"{http_server.url}/missing.npz"
    with pytest.raises(Exception) as ours:
        utils.get_file(origin=url, cache_dir=tmp_path)
    (tmp_path / "k").mkdir()
    with pytest.raises(Exception) as theirs:
        tf.keras.utils.get_file(origin=url, cache_dir=tmp_path / "k")
    assert str(ours.value) == str(theirs.value) == (
        f"URL fetch failure on {url}: 404 -- File not found")
    assert type(ours.value) is type(theirs.value) is Exception
    assert not os.path.exists(tmp_path / "datasets" / "missing.npz")


def test_keras_home_is_the_default_cache(http_server, tmp_path, monkeypatch):
    url = _serve(http_server, "h.txt", b"home")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    path = utils.get_file(origin=url, cache_subdir="models")
    assert path == os.path.join(tmp_path / "home", "models", "h.txt")
    assert utils.get_file(origin=url, cache_subdir=str(tmp_path / "abs")) == str(
        tmp_path / "abs" / "h.txt")  # an absolute cache_subdir is used as is


def test_http_archives_extract_as_keras(http_server, tmp_path, tf):
    (tmp_path / "payload" / "sub").mkdir(parents=True)
    (tmp_path / "payload" / "sub" / "x.txt").write_text("tarred")
    with tarfile.open(http_server.root / "bundle.tar.gz", "w:gz") as t:
        t.add(tmp_path / "payload", arcname="payload")
    with zipfile.ZipFile(http_server.root / "z.zip", "w") as z:
        z.writestr("inner/y.txt", "zipped")
        z.writestr("../escape.txt", "no")
    listing = lambda root: sorted(os.path.relpath(os.path.join(d, f), root)
                                  for d, _, fs in os.walk(root) for f in fs)
    for case, kw in enumerate((dict(origin=f"{http_server.url}/bundle.tar.gz", extract=True),
               dict(fname="bundle.tar.gz", origin=f"{http_server.url}/bundle.tar.gz",
                    extract=True, archive_format="tar"),
               dict(fname="data", origin=f"{http_server.url}/z.zip", extract=True),
               dict(origin=f"{http_server.url}/z.zip", extract=True, archive_format="tar"))):
        ours_dir, keras_dir = tmp_path / f"ours{case}", tmp_path / f"keras{case}"
        keras_dir.mkdir()
        with warnings.catch_warnings(record=True) as ours_warned:
            warnings.simplefilter("always")
            ours = utils.get_file(cache_dir=ours_dir, **kw)
        with warnings.catch_warnings(record=True) as keras_warned:
            warnings.simplefilter("always")
            theirs = tf.keras.utils.get_file(cache_dir=keras_dir, **kw)
        assert os.path.relpath(ours, ours_dir) == os.path.relpath(theirs, keras_dir)
        assert listing(ours_dir) == listing(keras_dir)
        assert [str(w.message) for w in ours_warned] == [str(w.message) for w in keras_warned]
    assert open(tmp_path / "ours2" / "datasets" / "data" / "inner" / "y.txt").read() == "zipped"
