"""`get_file` (`keras.utils.get_file`) without a network: cached files and `file://` origins.

The cache layout, hashing and archive extraction are Keras's (`$KERAS_HOME` or `~/.keras`,
`cache_subdir="datasets"`, `<name>_extracted` folders). jkeras never downloads: an origin
that is not a local file raises with the path where the file is expected.
"""
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.parse
import urllib.request
import warnings
import zipfile

from jkeras.training.progbar import print_msg


def keras_home():
    return os.path.expanduser(os.environ.get("KERAS_HOME", os.path.join("~", ".keras")))


def resolve_hasher(algorithm, file_hash=None):
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "auto" and file_hash is not None and len(file_hash) == 64:
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    hasher = resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    return str(hash_file(fpath, resolve_hasher(algorithm, file_hash), chunk_size)) == str(file_hash)


def _local_source(origin):
    """The local path an origin names (`file://...` or a plain path), else None."""
    parts = urllib.parse.urlsplit(origin)
    if parts.scheme == "file":
        return urllib.request.url2pathname(parts.path)
    if parts.scheme == "" and os.path.exists(origin):
        return origin
    return None


def _inside(base, target):
    base = os.path.realpath(base)
    return os.path.commonpath([base, os.path.realpath(target)]) == base


def _refuse_escapes(path, names):
    bad = [n for n in names if not _inside(path, os.path.join(path, n))]
    if bad:
        raise ValueError(f"Refusing to extract {bad[0]!r} outside of {path}.")


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar or zip archive into `path` (members escaping `path` are refused).
    -> True if it was an archive of an accepted format."""
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for kind in formats:
        if kind == "tar":
            if tarfile.is_tarfile(file_path):
                with tarfile.open(file_path) as archive:
                    if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
                        _extract(lambda: archive.extractall(path, filter="data"), path)
                    else:
                        _refuse_escapes(path, archive.getnames())
                        _extract(lambda: archive.extractall(path), path)
                return True
        elif kind == "zip":
            if zipfile.is_zipfile(file_path):
                with zipfile.ZipFile(file_path) as archive:
                    _refuse_escapes(path, archive.namelist())
                    _extract(lambda: archive.extractall(path), path)
                return True
        else:
            raise ValueError(f'`archive_format` must be "auto", "tar", "zip", None or a list of '
                             f"those. Received: archive_format={archive_format!r}")
    return False


def _extract(run, path):
    try:
        run()
    except (tarfile.TarError, RuntimeError, KeyboardInterrupt):
        if os.path.isfile(path):
            os.remove(path)
        elif os.path.exists(path):
            shutil.rmtree(path)
        raise


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Returns the path of a file from the cache, copying it from a `file://` origin first if
    it is not there (Keras's arguments; see the module docstring). -> the file's path, or the
    extraction folder with `extract=True` / `untar=True`."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    origin = os.fspath(origin)
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(cache_dir) if cache_dir is not None else keras_home()
    parent = os.path.dirname(os.path.abspath(base))
    if not (os.access(base, os.W_OK) if os.path.exists(base) else os.access(parent, os.W_OK)):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    provided = fname
    fname = os.fspath(fname) if fname is not None else None
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'."
                             "Please specify the `fname` argument.")
    elif os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the "
                         "file's parent directory, use the `cache_dir` argument. Received: "
                         f"fname={fname}")
    if extract or untar:
        if provided and "." in fname:
            target = os.path.join(datadir, fname)
            stem = fname[:fname.find(".")]
            extraction_dir = os.path.join(datadir, f"{stem}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            target = os.path.join(datadir, f"{fname}_archive")
    else:
        target = os.path.join(datadir, fname)

    fetch = force_download or not os.path.exists(target)
    if not fetch and file_hash is not None and not validate_file(target, file_hash,
                                                                 hash_algorithm):
        print_msg("A local file was found, but it seems to be incomplete or outdated because "
                  f"the {hash_algorithm} file hash does not match the original value of "
                  f"{file_hash} so we will re-download the data.")
        fetch = True
    if fetch:
        source = _local_source(origin)
        if source is None:
            raise ValueError(
                f"jkeras.utils.get_file does not download: {origin!r} is not a local file and "
                f"is not in the cache at {target!r}. Download it yourself and put it there, or "
                "pass a `file://` origin.")
        if not os.path.isfile(source):
            raise FileNotFoundError(f"The origin {origin!r} names no file ({source!r}).")
        print_msg(f"Copying data from {origin}")
        try:
            shutil.copyfile(source, target)
        except BaseException:
            if os.path.exists(target):
                os.remove(target)
            raise
        if file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
            raise ValueError(
                f"Incomplete or corrupted file detected. The {hash_algorithm} file hash does not "
                f"match the provided value of {file_hash}.")
    if extract or untar:
        if not extract_archive(target, extraction_dir, "tar" if untar else archive_format):
            warnings.warn("Could not extract archive.", stacklevel=2)
        return extraction_dir
    return target
