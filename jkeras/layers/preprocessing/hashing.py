"""Hashing and HashedCrossing on the host, with TensorFlow's exact bins (FarmHash Fingerprint64,
SipHash with a salt, FingerprintCat64 for crosses: `fingerprint.py`), so no TensorFlow is needed
and the bins equal Keras's."""
import numpy as np

from jkeras.layers.preprocessing import category_encoding
from jkeras.layers.preprocessing.fingerprint import (fingerprint64, fingerprint_cat64, hash64,
                                                     standardize_salt)
from jkeras.layers.preprocessing.host_layer import HostPreprocessingLayer, map_unique

_M = (1 << 64) - 1
_CROSS_HASH_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default hash_key


def _as_hash_input(values):
    """Keras hashes the decimal text of numbers (floats truncated to int64 first)."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        values = values.astype(np.int64)
    return values


def _text(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value)).encode()
    return str(value).encode("utf-8")


class Hashing(HostPreprocessingLayer):
    """Values (strings, or numbers as their decimal text) -> bins in [0, num_bins) by
    `Fingerprint64 % num_bins` (or salted SipHash); `mask_value` goes to bin 0."""

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and kwargs["dtype"] not in ("int32", "int64"):
            raise ValueError("When `output_mode=\"int\"`, `dtype` should be an integer type, "
                             f"'int32' or 'in64'. Received: dtype={kwargs['dtype']}")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{modes}. Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `\"one_hot\"`, "
                             f"`\"multi_hot\"`, or `\"count\"`. Received: sparse={sparse} and "
                             f"output_mode={output_mode}")
        category_encoding.check_sparse(sparse)
        salt = standardize_salt(salt, "Hashing")
        dtype = kwargs.pop("dtype")
        super().__init__(dtype=dtype, **kwargs)
        self.dtype = dtype
        self.num_bins, self.mask_value, self.salt = num_bins, mask_value, salt
        self.output_mode, self.sparse = output_mode, False

    def _bin(self, value, bins):
        return hash64(_text(value), self.salt) % bins

    def call(self, inputs):
        raw = np.asarray(inputs, dtype=object if isinstance(inputs, (list, tuple)) else None)
        if self.output_mode == "one_hot" and raw.ndim and raw.shape[-1] == 1:
            raw = raw[..., 0]
        bins, values = self.num_bins, _as_hash_input(raw)
        masked = self.mask_value is not None and bins > 1
        if masked:
            bins -= 1
        out = map_unique(values, lambda v: self._bin(v, bins)).astype(np.int64)
        if masked:
            out = np.where(raw == self.mask_value, 0, out + 1)
        if self.output_mode == "int":
            return out.astype(self.dtype)
        return category_encoding.encode(out, self.output_mode, self.num_bins, self.dtype, xp=np)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


class HashedCrossing(HostPreprocessingLayer):
    """Cross two or more categorical features (integers or strings, shape (), (batch,) or
    (batch, 1)) into `num_bins` bins, as `tf.sparse.cross_hashed`."""

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        category_encoding.check_sparse(sparse)
        if output_mode not in ("int", "one_hot"):
            raise ValueError("The `output_mode` argument of layer HashedCrossing received an "
                             f"invalid value {output_mode!r}. Allowed values are: "
                             "['int', 'one_hot'].")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.num_bins, self.output_mode, self.sparse = num_bins, output_mode, False

    @staticmethod
    def _feature_hash(value):
        if isinstance(value, (int, np.integer)):
            return int(value) & _M  # TF crosses integer features by their value
        return fingerprint64(_text(value))

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`HashedCrossing` should be called on a list or tuple of inputs. "
                             f"Received: inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError("`HashedCrossing` should be called on at least two inputs. "
                             f"Received: inputs={inputs}")
        arrays = [np.asarray(x) for x in inputs]
        shape = arrays[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, `(batch_size)` "
                             f"or `(batch_size, 1)`. Received: inputs={inputs}")
        if any(a.shape != shape for a in arrays[1:]):
            raise ValueError("All `HashedCrossing` inputs should have equal shape. Received: "
                             f"inputs={inputs}")
        if not all(a.dtype.kind in "iuSUO" for a in arrays):
            raise ValueError("All `HashedCrossing` inputs should have an integer or string "
                             f"dtype. Received: inputs={inputs}")
        columns = [[self._feature_hash(v) for v in a.reshape(-1).tolist()] for a in arrays]
        out = []
        for row in zip(*columns):
            hashed = _CROSS_HASH_KEY
            for h in row:
                hashed = fingerprint_cat64(hashed, h)
            out.append(hashed % self.num_bins)
        out = np.asarray(out, np.int64).reshape(shape)
        if self.output_mode == "int":
            return out.astype(self.dtype)
        return category_encoding.encode(out, "one_hot", self.num_bins, self.dtype, xp=np)

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self.dtype}
