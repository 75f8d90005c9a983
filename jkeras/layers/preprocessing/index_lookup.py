"""StringLookup and IntegerLookup: vocabulary lookups on the host (see host_layer), with Keras 3's
index layout ([mask] + OOV buckets + vocabulary), `adapt` (frequency order, ties by descending
token), output modes int / one_hot / multi_hot / count / tf_idf, and `invert`."""
import collections
import os

import numpy as np

from jkeras.layers.preprocessing import category_encoding
from jkeras.layers.preprocessing.fingerprint import hash64, standardize_salt
from jkeras.layers.preprocessing.host_layer import (HostPreprocessingLayer, as_strings,
                                                    map_unique)

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _check_choice(value, allowed, cls_name, arg):
    if value not in allowed:
        raise ValueError(f"The `{arg}` argument of layer {cls_name} received an invalid value "
                         f"{value!r}. Allowed values are: {list(allowed)}.")


def documents(data, steps=None):
    """`adapt`'s data as Keras reads it: an array or list is one batch whose rows are documents
    (a rank-1 one: one token per document); an iterable yields batches, where a rank-1 batch is
    one document. Yields one array of tokens per document."""
    if isinstance(data, (list, tuple, np.ndarray)) or hasattr(data, "shape"):
        array = np.asarray(data, dtype=object)
        batches = [array[:, None] if array.ndim == 1 else array]
    else:
        batches = data
    for i, batch in enumerate(batches):
        if steps is not None and i >= steps:
            break
        array = np.asarray(batch, dtype=object)
        array = array.reshape(1, -1) if array.ndim < 2 else array
        yield from array.reshape(array.shape[0], -1)


class IndexLookup(HostPreprocessingLayer):
    _string = True

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", salt=None, vocabulary_size=None,
                 **kwargs):
        cls_name = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        _check_choice(oov_method, ("floormod", "farmhash"), cls_name, "oov_method")
        if salt is not None and not self._string and oov_method != "farmhash":
            raise ValueError("`salt` can only be used when `oov_method='farmhash'`. "
                             f"Received: oov_method={oov_method}")
        salt = standardize_salt(salt, "IndexLookup")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        _check_choice(output_mode, _MODES, cls_name, "output_mode")
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `'one_hot'`, "
                             "`'multi_hot'`, `'count'` or `'tf_idf'`. Received: "
                             f"sparse={sparse} and output_mode={output_mode}")
        category_encoding.check_sparse(sparse)
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                             f"Received: idf_weights={idf_weights} and output_mode={output_mode}")
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(**kwargs)
        self.invert, self.max_tokens, self.num_oov_indices = invert, max_tokens, num_oov_indices
        self.mask_token, self.oov_token, self.output_mode = mask_token, oov_token, output_mode
        self.sparse, self.pad_to_max_tokens = False, pad_to_max_tokens
        self.oov_method, self.salt = oov_method, salt
        self._frozen_vocab_size = vocabulary_size
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = vocabulary is not None
        self._tokens, self._index = [], {}
        self.idf_weights = None
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, "
                             "the `idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- vocabulary -----------------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _tokens_of(self, values):
        return list(as_strings(values, self._encoding()).reshape(-1)) if self._string else \
            [int(v) for v in np.asarray(values).reshape(-1)]

    def _encoding(self):
        return "utf-8"

    def vocabulary_size(self):
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def set_vocabulary(self, vocabulary, idf_weights=None):
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary "
                                 "from file.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        vocabulary = self._tokens_of(vocabulary)
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        for name, token in (("mask_token", self.mask_token),
                            ("oov_token", self.oov_token if self.invert else None)):
            if token is not None and token in tokens:
                kind = "mask" if name == "mask_token" else "OOV"
                raise ValueError(
                    f"Found reserved {kind} token at unexpected location in `vocabulary`. Note "
                    "that passed `vocabulary` does not need to include the OOV and mask tokens. "
                    "Either remove all mask and OOV tokens, or include them only at the start of "
                    f"the vocabulary in precisely this order: {special}. Received: "
                    f"{name}={token} at vocabulary index {vocabulary.index(token)}")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {token_start + len(tokens)}; "
                             f"`max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf_weights = np.asarray(idf_weights, np.float64)
            if len(vocabulary) != len(idf_weights):
                raise ValueError("`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(idf_weights)}; len(vocabulary) is "
                                 f"{len(vocabulary)}")
            front = 0 if found_special else token_start
            self._set_idf(idf_weights, front, np.average(idf_weights))

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        self._index = {t: i + self._token_start_index() for i, t in enumerate(self._tokens)}
        if self._frozen_vocab_size is not None and self.output_mode != "int" and \
                not self.pad_to_max_tokens and self._frozen_vocab_size != self.vocabulary_size():
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the "
                "vocabulary size cannot be changed after the layer is called. Old vocab size is "
                f"{self._frozen_vocab_size}, new vocab size is {self.vocabulary_size()}")
        self._frozen_vocab_size = self.vocabulary_size()

    def _set_idf(self, weights, front, front_value):
        back = 0
        if self.pad_to_max_tokens and self.max_tokens is not None:
            back = self.max_tokens - front - len(weights)
        self.idf_weights = np.pad(weights, (front, back), constant_values=(front_value, 0)) \
            .astype(np.float32)

    # ---- adapt --------------------------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Learn the vocabulary from an array / list or an iterable of batches: tokens by
        descending count (ties: descending token), at most `max_tokens` with the special ones."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary "
                             "via `vocabulary` argument or `set_vocabulary()` method.")
        self.learn(self._tokens_of(doc) for doc in documents(data, steps))

    def learn(self, token_lists):
        """The vocabulary (and idf weights) of an iterable of documents (lists of tokens)."""
        counts, doc_counts, num_docs = collections.Counter(), collections.Counter(), 0
        for tokens in token_lists:
            counts.update(tokens)
            doc_counts.update(set(tokens))
            num_docs += 1
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        order = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start_index()]
        self._frozen_vocab_size = None
        self._set_tokens(order)
        if self.output_mode == "tf_idf":
            df = np.asarray([doc_counts[t] for t in order], np.float64)
            idf = np.log(1 + num_docs / (1 + df)).astype(np.float32)
            self._set_idf(idf, self._token_start_index(), np.mean(idf) if idf.size else 0.0)

    # ---- call ---------------------------------------------------------------------------------
    def call(self, inputs):
        self.check_vocabulary_known()
        if self.invert:
            return self._invert(np.asarray(inputs))
        indices = self.indices_of(inputs)
        return indices if self.output_mode == "int" else self.encode_indices(indices)

    def check_vocabulary_known(self):
        if self.output_mode != "int" and not self.pad_to_max_tokens and not self._tokens:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you "
                "must set the layer's vocabulary before calling it. Either pass a `vocabulary` "
                "argument to the layer, or call `adapt` with some sample data.")

    def indices_of(self, values):
        """Tokens (any shape) -> int64 indices, with the mask and OOV rules."""
        values = as_strings(values, self._encoding()) if self._string else \
            np.asarray(values, np.int64)
        return map_unique(values, self._index_of).astype(np.int64)

    def encode_indices(self, indices):
        """Indices -> this layer's one_hot / multi_hot / count / tf_idf vectors."""
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = category_encoding.encode(indices, mode, depth, np.float32, xp=np)
        return out * self.idf_weights if self.output_mode == "tf_idf" else out

    def _index_of(self, token):
        if self.mask_token is not None and token == self.mask_token:
            return 0 if self.output_mode == "int" else np.iinfo(np.int64).max
        index = self._index.get(token)
        if index is not None:
            return index
        n = self.num_oov_indices
        if n == 0:
            raise ValueError("When `num_oov_indices=0` all inputs should be in vocabulary, found "
                             f"OOV values [{token!r}], consider setting `num_oov_indices=1`.")
        if n == 1:
            return self._oov_start_index()
        if not self._string and self.oov_method != "farmhash":
            return token % n + self._oov_start_index()
        data = (token if self._string else str(token)).encode(self._encoding())
        return hash64(data, self.salt) % n + self._oov_start_index()

    def _invert(self, indices):
        vocab = self.get_vocabulary()
        fill = self.oov_token

        def token(i):
            if self.mask_token is not None and i == 0:
                return self.mask_token
            return vocab[i] if self._token_start_index() <= i < len(vocab) else fill
        out = np.empty(indices.shape, dtype=object)
        out.reshape(-1)[:] = [token(int(i)) for i in indices.reshape(-1)]
        return out

    # ---- saving: Keras's assets (vocabulary.txt) and store (idf_weights) -------------------------
    def save_assets(self, dir_path):
        """Write the vocabulary (special tokens included) as Keras does; nothing when the
        vocabulary is in the config."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary()))

    def load_assets(self, dir_path):
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        if not os.path.exists(path):
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}): the saved file has "
                             "no vocabulary.txt asset for it, and its config has no vocabulary.")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self._string else [int(line) for line in lines]
        idf = self.idf_weights if self.output_mode == "tf_idf" else None
        if idf is not None:
            idf = idf[:len(values)]
        self.set_vocabulary(values, idf_weights=idf)

    def keras_store_names(self):
        """Named datasets Keras keeps in this layer's `vars` group besides "0", "1", ..."""
        return ("idf_weights",) if self.output_mode == "tf_idf" else ()

    def save_keras_store(self):
        if self.output_mode != "tf_idf":
            return {}
        weights = self.idf_weights if self.idf_weights is not None else np.zeros(
            self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size(), np.float32)
        return {"idf_weights": np.asarray(weights, np.float32)}

    def load_keras_store(self, store):
        if self.output_mode == "tf_idf":
            self.idf_weights = np.asarray(store["idf_weights"], np.float32)

    # ---- config / saving -----------------------------------------------------------------------
    def get_config(self):
        def listed(x):
            return x.tolist() if isinstance(x, np.ndarray) else x
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "idf_weights": listed(self.input_idf_weights),
                "vocabulary": listed(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt}


class StringLookup(IndexLookup):
    """Strings -> integer indices (or encoded vectors); `invert=True` maps indices back."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name, salt=salt,
                         **kwargs)

    def _encoding(self):
        return self.encoding

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Integer values -> contiguous indices (or encoded vectors); `invert=True` maps back."""
    _string = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, name=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If `max_tokens` is set for `IntegerLookup`, it must be greater than "
                             f"1. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("The value of `num_oov_indices` argument for `IntegerLookup` must "
                             f">= 0. Received: num_oov_indices={num_oov_indices}")
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         oov_method=oov_method, salt=salt, name=name, **kwargs)

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}
