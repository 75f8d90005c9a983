"""Atomic file writes: a process killed mid-save never leaves a half-written file behind.

    with atomic_write("model.weights.h5") as tmp_path:
        write_everything_to(tmp_path)
    # only now does "model.weights.h5" change, in one os.replace

The temporary file sits in the target's folder (os.replace is atomic only within one file
system) under a hidden name; it is removed when the body raises, and the target is untouched.
"""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_write(filepath, suffix=".tmp"):
    """Yield a temporary path next to `filepath`; move it onto `filepath` when the body ends
    without an exception, delete it otherwise."""
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise ValueError(f"Cannot save to '{filepath}': the folder '{folder}' does not exist.")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(filepath)}.",
                               suffix=suffix)
    os.close(fd)
    try:
        os.chmod(tmp, _file_mode(filepath))  # mkstemp makes 0600; give the usual mode
        yield tmp
        _fsync(tmp)
        os.replace(tmp, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_folder(folder)


def _file_mode(filepath):
    try:
        return os.stat(filepath).st_mode & 0o777  # keep an overwritten file's mode
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync(path):
    # The data must be on disk before the rename makes it visible under the real name.
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _fsync_folder(folder):
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
