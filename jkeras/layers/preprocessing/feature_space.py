"""`FeatureSpace` (`keras.utils.FeatureSpace`): preprocess and encode a table of structured data.

Each feature goes through its preprocessing layer (Normalization, Rescaling, Discretization,
IntegerLookup, StringLookup, Hashing), chosen features are crossed (HashedCrossing), categorical
outputs are one-hot encoded, and the result is one concatenated float32 vector per row
(`output_mode="concat"`) or a dict of encoded features (`"dict"`). Keras 3 runs it outside the
model too (in TensorFlow, on the JAX backend); jkeras runs it on the host, in NumPy: apply it
to the raw data (`model.fit(feature_space(x), y)`) or in the data pipeline, and build the model
on `get_encoded_features()`.
"""
import numpy as np
import jax.numpy as jnp

from jkeras.layers import config_utils
from jkeras.layers.input_layer import Input
from jkeras.layers.preprocessing import feature_space_specs as specs
from jkeras.layers.preprocessing.category_encoding import CategoryEncoding
from jkeras.layers.preprocessing.discretization import Discretization
from jkeras.layers.preprocessing.hashing import HashedCrossing, Hashing
from jkeras.layers.preprocessing.host_layer import HostPreprocessingLayer
from jkeras.layers.preprocessing.index_lookup import IntegerLookup, StringLookup
from jkeras.layers.preprocessing.normalization import Normalization
from jkeras.layers.preprocessing.text_vectorization import TextVectorization

_ADAPT_BATCH = 32  # Keras batches unbatched scalars by 32 before adapting


def _element_batches(elements):
    """Keras's adapt feed for one feature: scalars batched by 32, rank 0/1 given a last axis."""
    elements = iter(elements)
    first = next(elements, None)
    if first is None:
        return
    first = np.asarray(first)
    if first.ndim == 0:
        batch = [first]
        for x in elements:
            batch.append(np.asarray(x))
            if len(batch) == _ADAPT_BATCH:
                yield np.stack(batch)[:, None]
                batch = []
        if batch:
            yield np.stack(batch)[:, None]
        return
    for x in [first, *elements]:
        x = np.asarray(x)
        yield x[..., None] if x.ndim == 1 else x


def _cardinality(name, preprocessor):
    if isinstance(preprocessor, (IntegerLookup, StringLookup)):
        return preprocessor.vocabulary_size()
    if isinstance(preprocessor, CategoryEncoding):
        return preprocessor.num_tokens
    if isinstance(preprocessor, Discretization):
        return preprocessor.num_bins or len(preprocessor.bin_boundaries) + 1
    if isinstance(preprocessor, (HashedCrossing, Hashing)):
        return preprocessor.num_bins
    raise ValueError(
        f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard feature and "
        "the dimensionality of its output space is not known, thus it cannot be one-hot "
        "encoded. Try using `output_mode='int'`.")


def _dtype_name(array):
    kind = array.dtype.kind
    return "string" if kind in "USO" else str(array.dtype)


class FeatureSpace(HostPreprocessingLayer):
    """One-stop utility for preprocessing and encoding structured data.

    Args:
        features: dict mapping feature names to their type, e.g.
            `{"age": "float_normalized", "city": FeatureSpace.string_categorical(max_tokens=10)}`.
            Types: "float", "float_normalized", "float_rescaled", "float_discretized",
            "integer_categorical", "string_categorical", "integer_hashed", "string_hashed".
        output_mode: "concat" (one float32 vector per row) or "dict" (one entry per feature).
        crosses: features to cross, e.g. `[("city", "job")]` or `FeatureSpace.cross(...)`.
        crossing_dim: default size of the hashed space of a cross (32).
        hashing_dim: default number of bins of "integer_hashed" / "string_hashed" (32).
        num_discretization_bins: default number of bins of "float_discretized" (32).

    `adapt(dataset)` (a dict of arrays or a `tf.data.Dataset` of dicts) learns every adaptable
    preprocessor; then `feature_space(data_dict)` returns the encoded features (JAX arrays).
    """

    cross = staticmethod(specs.Cross)
    feature = staticmethod(specs.Feature)
    float = staticmethod(specs.float_feature)
    float_rescaled = staticmethod(specs.float_rescaled)
    float_normalized = staticmethod(specs.float_normalized)
    float_discretized = staticmethod(specs.float_discretized)
    integer_categorical = staticmethod(specs.integer_categorical)
    string_categorical = staticmethod(specs.string_categorical)
    string_hashed = staticmethod(specs.string_hashed)
    integer_hashed = staticmethod(specs.integer_hashed)

    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None):
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {n: specs.standardize_feature(n, v, hashing_dim, num_discretization_bins)
                         for n, v in features.items()}
        self.crosses = [self._standardize_cross(c, set(features)) for c in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'dict', 'concat'}}. Received: output_mode={output_mode}")
        self.output_mode = output_mode
        self.preprocessors = {n: f.preprocessor for n, f in self.features.items()}
        self.crossers = {c.name: HashedCrossing(c.crossing_dim, name=c.name)
                         for c in self.crosses}
        self.one_hot_encoders = {}
        self.encoded_features = None
        self._is_adapted = False
        self._sublayers_built = False
        self._names = sorted(self.features) + sorted(self.crosses_by_name)

    def _standardize_cross(self, cross, feature_set):
        if isinstance(cross, dict):  # a saved `Cross`
            cross = config_utils.from_nested(cross)
        if isinstance(cross, specs.Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError("When specifying `crosses`, the argument `crossing_dim` "
                             "(dimensionality of the crossing space) should be specified as "
                             "well.")
        if any(key not in feature_set for key in cross):
            raise ValueError("All features referenced in the `crosses` argument should be "
                             f"present in the `features` dict. Received unknown features: {cross}")
        return specs.Cross(cross, crossing_dim=self.crossing_dim)

    # ---- adapt ----------------------------------------------------------------------------------
    def _list_adaptable_preprocessors(self):
        names = []
        for name, preprocessor in self.preprocessors.items():
            if isinstance(preprocessor, Normalization) and preprocessor.input_mean is not None:
                continue
            if isinstance(preprocessor, TextVectorization) and \
                    preprocessor._lookup._has_input_vocabulary:
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Learn the adaptable preprocessors (vocabularies, mean and variance, bin boundaries)
        from a dict of arrays / lists or a `tf.data.Dataset` of dicts."""
        if isinstance(dataset, dict):
            columns = {k: np.asarray(v) for k, v in dataset.items()}
            feature_elements = lambda name: iter(columns[name])  # noqa: E731
        elif hasattr(dataset, "as_numpy_iterator"):  # a tf.data.Dataset, read as NumPy
            feature_elements = lambda name: (e[name] for e in dataset.as_numpy_iterator())  # noqa
        else:
            raise ValueError("`adapt()` can only be called on a tf.data.Dataset or a dict of "
                             f"arrays/lists. Received instead: {dataset} (of type "
                             f"{type(dataset)})")
        for name in self._list_adaptable_preprocessors():
            self.preprocessors[name].adapt(_element_batches(feature_elements(name)))
        self._is_adapted = True
        self._build()

    # ---- building -------------------------------------------------------------------------------
    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before "
                                 "you can start using it.")
            self._is_adapted = True

    def _spec(self, name):
        return self.features.get(name) or self.crosses_by_name[name]

    def _build(self):
        """Create the one-hot encoders (they need the adapted cardinalities)."""
        self._check_if_adapted()
        if self._sublayers_built:
            return
        for name in self._names:
            if self._spec(name).output_mode == "one_hot":
                preprocessor = self.preprocessors.get(name) or self.crossers.get(name)
                self.one_hot_encoders[name] = CategoryEncoding(
                    num_tokens=_cardinality(name, preprocessor), output_mode="multi_hot")
        self._sublayers_built = self.built = True

    def get_encoded_features(self):
        """Symbolic inputs of the encoded features, to build the model that consumes
        `feature_space(data)`: one `Input` of the concatenated width ("concat"), or a dict of
        `Input`s named by feature ("dict")."""
        self._build()
        if self.encoded_features is None:
            widths, dtypes = {}, {}
            for name in self._names:
                spec = self._spec(name)
                if name in self.one_hot_encoders:
                    widths[name], dtypes[name] = self.one_hot_encoders[name].num_tokens, "float32"
                else:
                    widths[name] = 1
                    dtypes[name] = "float32" if spec.output_mode == "float" else "int32"
            if self.output_mode == "concat":
                self._check_concatenable({n: np.zeros((), dtypes[n]) for n in self._names})
                self.encoded_features = Input(shape=(sum(widths.values()),), dtype="float32")
            else:
                self.encoded_features = {n: Input(shape=(widths[n],), dtype=dtypes[n], name=n)
                                         for n in self._names}
        return self.encoded_features

    # ---- calling --------------------------------------------------------------------------------
    def _check_concatenable(self, encoded):
        for name in self._names:
            dtype = _dtype_name(np.asarray(encoded[name]))
            if dtype.startswith("int") or dtype.startswith("uint") or dtype == "string":
                raise ValueError(f"Cannot concatenate features because feature '{name}' has not "
                                 f"been encoded (it has dtype {dtype}). Consider using "
                                 "`output_mode='dict'`.")

    def _column(self, name, x):
        x = np.asarray(x)
        if self.features[name].dtype == "float32" and x.dtype.kind in "biuf":
            x = x.astype(np.float32)
        return x

    def _encode(self, name, x):
        if name not in self.one_hot_encoders:
            return x
        dtype = _dtype_name(x)
        if not (dtype.startswith("int") or dtype.startswith("uint")):
            raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. Thus its "
                             f"preprocessor should return an integer dtype. Instead it returns "
                             f"a {dtype} dtype.")
        return np.asarray(self.one_hot_encoders[name](x))

    def call(self, data):
        self._build()
        if not isinstance(data, dict):
            raise ValueError("A FeatureSpace can only be called with a dict. "
                             f"Received: data={data} (of type {type(data)}")
        unknown = sorted(set(data) - set(self.features))
        missing = sorted(set(self.features) - set(data))
        if unknown or missing:
            raise ValueError(f"FeatureSpace '{self.name}' expects a dict with the keys "
                             f"{sorted(self.features)}. Missing: {missing}; unknown: {unknown}.")
        data = {name: self._column(name, x) for name, x in data.items()}
        rebatched = any(x.ndim == 0 for x in data.values())
        data = {name: x.reshape(1, 1) if x.ndim == 0 else x[:, None] if x.ndim == 1 else x
                for name, x in data.items()}
        out = {name: np.asarray(self.preprocessors[name](data[name])) for name in data}
        for cross in self.crosses:
            out[cross.name] = self.crossers[cross.name]([out[n] for n in cross.feature_names])
        out = {name: self._encode(name, out[name]) for name in self._names}
        if self.output_mode == "concat":
            self._check_concatenable(out)
            merged = np.concatenate([out[n].astype(np.float32) for n in self._names], axis=-1)
            return jnp.asarray(merged[0] if rebatched else merged)
        if rebatched:
            out = {n: x[0] if x.ndim == 2 and x.shape[0] == 1 else x for n, x in out.items()}
        return {n: jnp.asarray(x) for n, x in out.items()}

    # ---- saving (Keras's `.keras` file of a FeatureSpace) ----------------------------------------
    def get_config(self):
        return {"features": {n: config_utils.nested(f) for n, f in self.features.items()},
                "output_mode": self.output_mode,
                "crosses": [config_utils.nested(c) for c in self.crosses],
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        return {name: (f.preprocessor.get_build_config() or {})
                if hasattr(f.preprocessor, "get_build_config") else {}
                for name, f in self.features.items()}

    def build_from_config(self, config):
        """As Keras: the preprocessors get their variables (filled by the weights file and
        assets next), and the space counts as adapted."""
        for name, build_config in config.items():
            preprocessor = self.features[name].preprocessor
            if hasattr(preprocessor, "build_from_config") and not preprocessor.built:
                preprocessor.build_from_config(build_config)
        self._is_adapted = True
        self.built = True

    def save(self, filepath):
        """Save the (adapted) FeatureSpace to a `.keras` file; `jkeras.saving.load_model`
        (or `keras.models.load_model`) reads it back. It must be adapted first."""
        from jkeras.saving import archive
        self._build()
        archive.save_model(self, filepath)
