"""`PathMap`: a mutable mapping whose keys are paths, or regular expressions over paths.

Keras's `LayoutMap`, `DTypePolicyMap` and `OptimizerMap` all look their values up this way; each
subclass words its own errors and checks the values it stores.
"""
import re
from collections.abc import MutableMapping


class PathMap(MutableMapping):
    """`self[path]`: the entry whose key is `path`, else the one entry whose key, as a regular
    expression, matches the whole path (`re.fullmatch`), else `self._missing(path)`. Two
    matching keys are an error (`_many_matches`), and so is setting a key twice
    (`_duplicate_key`). `key in self` asks for the key itself, not for a match."""

    def __init__(self, entries=None):
        self._entries = dict(entries or {})

    def _missing(self, path):
        return None

    def _many_matches(self, path, keys):
        return f"Path '{path}' matches multiple keys: {keys}."

    def _duplicate_key(self, key):
        return (f"{key} already exist in the {type(self).__name__} with value "
                f"{self._entries[key]}. Please make sure to not use duplicated keys.")

    def _accept(self, key, value):
        """The value to store for `key` (subclasses check and convert it)."""
        return value

    def __getitem__(self, path):
        if path in self._entries:
            return self._entries[path]
        keys = [key for key in self._entries if re.fullmatch(key, path)]
        if len(keys) > 1:
            raise ValueError(self._many_matches(path, keys))
        return self._entries[keys[0]] if keys else self._missing(path)

    def __setitem__(self, key, value):
        if key in self._entries:
            raise ValueError(self._duplicate_key(key))
        self._entries[key] = self._accept(key, value)

    def __delitem__(self, key):
        return self._entries.pop(key)

    def __contains__(self, key):
        return key in self._entries

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries)
