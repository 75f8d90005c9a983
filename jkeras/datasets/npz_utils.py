"""Reading the datasets' files without arbitrary unpickling (as Keras's `npz_utils`).

IMDB and Reuters store ragged sequences as object arrays, i.e. pickles. They are read with an
unpickler that only rebuilds NumPy arrays, so a tampered file cannot run code.
"""
import io
import pickle
import zipfile

import numpy as np

_ALLOWED_GLOBALS = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
})


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that only allows the globals NumPy arrays are rebuilt from."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to deserialize `{module}.{name}` while loading a Keras dataset. The file "
            "may be corrupted or malicious.")


def load_npy_member(fp):
    """One `.npy` stream: numeric arrays without pickle, object arrays through
    `RestrictedUnpickler`."""
    try:
        return np.lib.format.read_array(fp, allow_pickle=False)
    except ValueError:
        fp.seek(0)
        version = np.lib.format.read_magic(fp)
        if version[0] == 1:
            np.lib.format.read_array_header_1_0(fp)
        elif version[0] in (2, 3):
            np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"Unsupported `.npy` file version: {version}.")
        return RestrictedUnpickler(fp).load()


def load_npz(path):
    """An `.npz` archive as a dict of arrays (`np.load(path, allow_pickle=True)` made safe)."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[:-len(".npy")]] = load_npy_member(io.BytesIO(raw.read()))
    return arrays
