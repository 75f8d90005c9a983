"""TextVectorization on the host (see host_layer): standardize, split, n-grams, then a
StringLookup with mask token "" (index 0 pads); int / multi_hot / count / tf_idf outputs."""
import re

import numpy as np

from jkeras.layers.preprocessing import category_encoding
from jkeras.layers.preprocessing.host_layer import HostPreprocessingLayer, as_strings
from jkeras.layers.preprocessing.index_lookup import StringLookup

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _check_choice(value, allowed, arg):
    if value is None or callable(value) or value in allowed:
        return
    raise ValueError(f"The `{arg}` argument of layer TextVectorization received an invalid value "
                     f"{value!r}. Allowed values are: {list(allowed)}, None, or a callable.")


def ngrams(tokens, widths):
    """tf.strings.ngrams with separator " ": every n-gram of each width, widths in order."""
    return [" ".join(tokens[i:i + n]) for n in widths for i in range(len(tokens) - n + 1)]


class TextVectorization(HostPreprocessingLayer):
    """Strings -> token indices (padded with 0; `output_sequence_length` truncates or pads) or
    multi_hot / count / tf_idf vectors. A callable `standardize` receives a NumPy array of str
    (as on Keras's JAX backend); a callable `split` receives one standardized string and
    returns its tokens."""

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, vocabulary_size=None, **kwargs):
        category_encoding.check_sparse(sparse)
        if ragged:
            raise ValueError("`ragged=True` can only be used with the TensorFlow backend.")
        _check_choice(standardize, _STANDARDIZE, "standardize")
        _check_choice(split, _SPLIT, "split")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in _MODES:
            raise ValueError("The `output_mode` argument of layer TextVectorization received an "
                             f"invalid value {output_mode!r}. Allowed values are: {list(_MODES)}.")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or isinstance(ngrams, int) or
                (isinstance(ngrams, tuple) and all(isinstance(i, int) for i in ngrams))):
            raise ValueError("`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None or
                                         isinstance(output_sequence_length, int)):
            raise ValueError("`output_sequence_length` must be either None or an integer when "
                             "`output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is not "
                             f"'int'. Received output_sequence_length={output_sequence_length}.")
        if output_mode == "one_hot" and split is not None:
            raise ValueError("TextVectorization: `output_mode='one_hot'` encodes one token per "
                             "input string; set `split=None` (or use 'multi_hot' / 'count').")
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(name=name, **kwargs)
        self.standardize, self.split, self.ngrams = standardize, split, ngrams
        self._ngram_widths = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_mode, self.output_sequence_length = output_mode, output_sequence_length
        self.encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            encoding=encoding, vocabulary_size=vocabulary_size, name=f"{self.name}_lookup")

    # ---- text processing --------------------------------------------------------------------
    def _standardized(self, inputs):
        text = as_strings(inputs, self.encoding)
        if callable(self.standardize):
            return as_strings(self.standardize(text.astype(str)), self.encoding)
        out = text.reshape(-1).copy()
        for i, s in enumerate(out):
            if self.standardize in ("lower", "lower_and_strip_punctuation"):
                s = s.translate(_ASCII_LOWER)  # tf.strings.lower: ASCII letters only
            if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
                s = _PUNCTUATION.sub("", s)
            out[i] = s
        return out.reshape(text.shape)

    def _token_lists(self, inputs):
        """Inputs -> (one list of tokens per row, shape of the rows)."""
        text = self._standardized(inputs)
        if self.split is None:
            rows = text.reshape(-1, 1) if text.ndim <= 1 else text.reshape(text.shape[0], -1)
            lists = [list(r) for r in rows]
        else:
            if text.ndim > 1:
                if text.shape[-1] != 1:
                    raise ValueError("When using `TextVectorization` to tokenize strings, the "
                                     "input rank must be 1 or the last shape dimension must be 1. "
                                     f"Received: inputs.shape={text.shape} with rank={text.ndim}")
                text = text[..., 0]
            text = text.reshape(-1)
            if self.split == "whitespace":
                lists = [s.split() for s in text]
            elif self.split == "character":
                lists = [list(s) for s in text]
            else:
                lists = [list(as_strings(self.split(s))) for s in text]
        if self._ngram_widths is not None:
            lists = [ngrams(tokens, self._ngram_widths) for tokens in lists]
        return lists

    # ---- vocabulary ---------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from an array / list of strings or an iterable of batches."""
        if self._lookup_layer._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary "
                             "via `vocabulary` argument or `set_vocabulary()` method.")
        if isinstance(data, (list, tuple, np.ndarray, str, bytes)) or hasattr(data, "shape"):
            batches = [data]
        else:
            batches = data

        def docs():
            for i, batch in enumerate(batches):
                if steps is not None and i >= steps:
                    break
                batch = np.asarray(batch, dtype=object)
                yield from self._token_lists(batch.reshape(-1) if batch.ndim == 0 else batch)
        self._lookup_layer.learn(docs())

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)
        self._lookup_layer._has_input_vocabulary = True

    # Keras's saving hooks go to the lookup (TextVectorization saves its vocabulary twice, here
    # and under `_lookup_layer`, as Keras does).
    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)

    def keras_store_names(self):
        return self._lookup_layer.keras_store_names()

    def save_keras_store(self):
        return self._lookup_layer.save_keras_store()

    def load_keras_store(self, store):
        self._lookup_layer.load_keras_store(store)

    # ---- call -----------------------------------------------------------------------------------
    def call(self, inputs):
        self._lookup_layer.check_vocabulary_known()
        text = np.asarray(inputs, dtype=object)
        lists = self._token_lists(text.reshape(1) if text.ndim == 0 else text)
        flat = np.empty(sum(len(t) for t in lists), dtype=object)
        flat[:] = [t for tokens in lists for t in tokens]
        indices = self._lookup_layer.indices_of(flat) if flat.size else np.zeros(0, np.int64)
        if self.output_mode == "int" and self.split is None:
            out = indices.reshape(text.shape if text.ndim else (1,))
            return out if self.output_sequence_length is None else \
                self._fit_length(out.reshape(out.shape[0], -1))
        width = max([len(t) for t in lists] + [0])
        pad = 0 if self.output_mode == "int" else -1  # -1 encodes to nothing
        matrix = np.full((len(lists), width), pad, np.int64)
        start = 0
        for row, tokens in enumerate(lists):
            matrix[row, :len(tokens)] = indices[start:start + len(tokens)]
            start += len(tokens)
        if self.output_mode != "int":
            return self._lookup_layer.encode_indices(matrix)
        return matrix if self.output_sequence_length is None else self._fit_length(matrix)

    def _fit_length(self, matrix):
        length = self.output_sequence_length
        out = np.zeros((matrix.shape[0], length), np.int64)
        keep = min(length, matrix.shape[1])
        out[:, :keep] = matrix[:, :keep]
        return out

    def get_config(self):
        lookup = self._lookup_layer.get_config()
        return {**super().get_config(), "max_tokens": lookup["max_tokens"],
                "standardize": self.standardize, "split": self.split, "ngrams": self.ngrams,
                "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": lookup["pad_to_max_tokens"], "sparse": False,
                "ragged": False, "vocabulary": lookup["vocabulary"],
                "idf_weights": lookup["idf_weights"], "encoding": self.encoding,
                "vocabulary_size": self.vocabulary_size()}
