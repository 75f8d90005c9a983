"""The feature and cross specifications of `FeatureSpace` (Keras's `Feature` and `Cross`), and
the preprocessing layer each named feature type stands for."""
from jkeras.core import naming
from jkeras.layers import config_utils
from jkeras.layers.preprocessing.discretization import Discretization
from jkeras.layers.preprocessing.hashing import Hashing
from jkeras.layers.preprocessing.index_lookup import IntegerLookup, StringLookup
from jkeras.layers.preprocessing.normalization import Normalization
from jkeras.layers.rescaling import Rescaling


class Cross:
    """Features crossed by hashing their combined (preprocessed) value into `crossing_dim` bins."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot'}}. Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class TFDIdentity:
    """The preprocessor of a plain `float` feature: the values as float32 (Keras's name)."""

    def __init__(self, name=None, dtype="float32", trainable=True):
        self.name = name

    def __call__(self, x):
        return x

    def get_config(self):
        return {"name": self.name, "dtype": "float32", "trainable": True}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """One input feature: its dtype, its preprocessing layer and how its output is encoded."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             "{'int', 'one_hot', 'float'}. "
                             f"Received: output_mode={output_mode}")
        self.dtype = dtype
        if isinstance(preprocessor, dict):  # from a saved config
            preprocessor = config_utils.from_nested(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {"dtype": self.dtype, "preprocessor": config_utils.nested(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _name(name, prefix):
    return name or naming.unique_name(prefix)


def float_feature(name=None):
    name = _name(name, "float")
    return Feature("float32", TFDIdentity(f"{name}_preprocessor"), "float")


def float_rescaled(scale=1.0, offset=0.0, name=None):
    name = _name(name, "float_rescaled")
    return Feature("float32", Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor"),
                   "float")


def float_normalized(name=None):
    name = _name(name, "float_normalized")
    return Feature("float32", Normalization(axis=-1, name=f"{name}_preprocessor"), "float")


def float_discretized(num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
    name = _name(name, "float_discretized")
    layer = Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                           name=f"{name}_preprocessor")
    return Feature("float32", layer, output_mode)


def integer_categorical(max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
    name = _name(name, "integer_categorical")
    layer = IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                          num_oov_indices=num_oov_indices)
    return Feature("int32", layer, output_mode)


def string_categorical(max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
    name = _name(name, "string_categorical")
    layer = StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                         num_oov_indices=num_oov_indices)
    return Feature("string", layer, output_mode)


def string_hashed(num_bins, output_mode="one_hot", name=None):
    name = _name(name, "string_hashed")
    return Feature("string", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)


def integer_hashed(num_bins, output_mode="one_hot", name=None):
    name = _name(name, "integer_hashed")
    return Feature("int32", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)


def standardize_feature(name, feature, hashing_dim, num_discretization_bins):
    """A `Feature` from a `Feature` or a type name ("float_normalized", ...)."""
    if isinstance(feature, Feature):
        return feature
    if isinstance(feature, dict):  # a saved `Feature`
        return config_utils.from_nested(feature)
    simple = {"float": float_feature, "float_normalized": float_normalized,
              "float_rescaled": float_rescaled, "integer_categorical": integer_categorical,
              "string_categorical": string_categorical}
    if isinstance(feature, str) and feature in simple:
        return simple[feature](name=name)
    if feature == "float_discretized":
        return float_discretized(num_discretization_bins, name=name)
    if feature == "integer_hashed":
        return integer_hashed(hashing_dim, name=name)
    if feature == "string_hashed":
        return string_hashed(hashing_dim, name=name)
    raise ValueError(f"Invalid feature type: {feature}")
