"""`get_file` (`keras.utils.get_file`): downloads into Keras's cache, checks hashes, extracts.

The cache layout, hashing, messages and archive extraction are Keras's (`$KERAS_HOME` or
`~/.keras`, `cache_subdir="datasets"`, `<name>_extracted` folders), so files Keras downloaded
are reused. Downloads go through `urllib` (http, https, ftp and `file://` URLs) with Keras's
progress bar. Unlike Keras, a `cache_dir` that does not exist yet is created (Keras falls back
to `/tmp/.keras`), and `KERAS_HOME` is read at each call.
"""
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from jkeras.training.progbar import Progbar, print_msg


def keras_home():
    """`$KERAS_HOME`, else `~/.keras` (`/tmp/.keras` when the home folder is not writable)."""
    if "KERAS_HOME" in os.environ:
        return os.path.expanduser(os.environ["KERAS_HOME"])
    home = os.path.expanduser("~")
    return os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")


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


def _inside(base, relative):
    """Whether `base/relative` resolves inside `base` (a resolved path)."""
    path = os.path.realpath(os.path.join(base, relative))
    try:
        return os.path.commonpath([path, base]) == base
    except ValueError:  # different drives
        return False


def _link_inside(info, base):
    if info.islnk():  # hard links resolve from the archive root
        return _inside(base, info.name) and _inside(base, info.linkname)
    if not _inside(base, info.name):  # symlinks resolve from their own folder
        return False
    folder = os.path.dirname(os.path.realpath(os.path.join(base, info.name)))
    return _inside(base, os.path.join(folder, info.linkname))


def _safe_members(members, base, name, is_link):
    """The members that stay inside `base`; the others are skipped with Keras's warning."""
    base = os.path.realpath(base)
    for info in members:
        if _link_inside(info, base) if is_link(info) else _inside(base, name(info)):
            yield info
        else:
            warnings.warn(f"Skipping invalid path during archive extraction: '{name(info)}'.",
                          stacklevel=2)


def _extract_open_archive(archive, path):
    if isinstance(archive, zipfile.ZipFile):
        archive.extractall(path, members=_safe_members(
            archive.infolist(), path, lambda i: i.filename, lambda i: False))
        return
    kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    archive.extractall(path, members=_safe_members(
        archive, path, lambda i: i.name, lambda i: i.issym() or i.islnk()), **kwargs)


_OPENERS = {"tar": (tarfile.is_tarfile, tarfile.open), "zip": (zipfile.is_zipfile, zipfile.ZipFile)}


def _archive_formats(archive_format):
    if archive_format is None:
        return []
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    bad = [f for f in formats if f not in _OPENERS]
    if bad:
        raise ValueError(f'`archive_format` must be "auto", "tar", "zip", None or a list of '
                         f"those. Received: archive_format={archive_format!r}")
    return formats


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar (.tar, .tar.gz, .tar.bz) or zip archive into `path`; members that would
    land outside `path` are skipped with a warning, as Keras. -> True if it was an archive of
    an accepted format."""
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in _archive_formats(archive_format):
        is_match, opener = _OPENERS[kind]
        if is_match(file_path):
            with opener(file_path) as archive:
                try:
                    _extract_open_archive(archive, path)
                except (tarfile.TarError, RuntimeError, KeyboardInterrupt):
                    if os.path.isfile(path):
                        os.remove(path)
                    elif os.path.exists(path):
                        shutil.rmtree(path)
                    raise
            return True
    return False


class _DownloadProgbar:
    """`urlretrieve`'s report hook: Keras's progress bar in bytes (target unknown when the
    server sends no length)."""

    def __init__(self):
        self.progbar = None
        self.finished = False

    def __call__(self, block_num, block_size, total_size):
        total_size = None if total_size == -1 else total_size
        if self.progbar is None:
            self.progbar = Progbar(total_size)
        current = block_num * block_size
        if total_size is None:
            self.progbar.update(current)
        elif current < total_size:
            self.progbar.update(current)
        elif not self.finished:
            self.progbar.update(self.progbar.target)
            self.finished = True


def _download(origin, target):
    print_msg(f"Downloading data from {origin}")
    message = "URL fetch failure on {}: {} -- {}"
    try:
        try:
            urllib.request.urlretrieve(origin, target, _DownloadProgbar())
        except urllib.error.HTTPError as e:
            raise Exception(message.format(origin, e.code, e.msg)) from e
        except urllib.error.URLError as e:
            raise Exception(message.format(origin, e.errno, e.reason)) from e
    except (Exception, KeyboardInterrupt):
        if os.path.exists(target):
            os.remove(target)
        raise


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Downloads a file from a URL if it is not already in the cache (`keras.utils.get_file`).

    The file lands in `cache_dir/cache_subdir/fname` (`~/.keras/datasets/<name of the URL's
    file>` by default; an absolute `cache_subdir` is used as is). With `file_hash` (md5 or
    sha256; `hash_algorithm="auto"` tells them by length) a cached file that does not match is
    downloaded again, and a download that does not match raises. `extract=True` extracts a tar
    or zip archive (`archive_format`) and returns the extraction folder.
    -> the file's path, or the extraction folder with `extract=True` / `untar=True`."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    origin = os.fspath(origin)
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if extract or untar:
        _archive_formats("tar" if untar else archive_format)  # bad formats fail before a download
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
        _download(origin, target)
        if file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
            raise ValueError(
                f"Incomplete or corrupted file detected. The {hash_algorithm} file hash does not "
                f"match the provided value of {file_hash}.")
    if extract or untar:
        if not extract_archive(target, extraction_dir, "tar" if untar else archive_format):
            warnings.warn("Could not extract archive.", stacklevel=2)
        return extraction_dir
    return target
