"""Vocabularies in `.keras` archives (assets/…/vocabulary.txt, idf_weights in the weights file),
both ways with tf.keras: the lookup layers write Keras's files, and a model holding adapted text
layers round-trips between jkeras and tf.keras with its vocabularies."""
import zipfile

import numpy as np
import pytest

import jkeras
from jkeras import layers as L
from jkeras.saving import deserialize_keras_object, serialize_keras_object

CORPUS = np.array(["the cat sat on the mat", "the dog ate my homework", "cats and dogs",
                   "a cat and a dog"])
QUERY = np.array(["the cat ate the dog", "unknown words here"])
IDS = np.array([[1, 2, 3, 0], [4, 2, 0, 0]], np.int64)


def _layer_pairs(tf):
    return [
        (L.TextVectorization(output_sequence_length=5),
         tf.keras.layers.TextVectorization(output_sequence_length=5), CORPUS),
        (L.TextVectorization(output_mode="tf_idf", ngrams=2),
         tf.keras.layers.TextVectorization(output_mode="tf_idf", ngrams=2), CORPUS),
        (L.StringLookup(mask_token="[M]", num_oov_indices=2),
         tf.keras.layers.StringLookup(mask_token="[M]", num_oov_indices=2),
         np.array([["b", "a"], ["a", "c"]])),
        (L.IntegerLookup(output_mode="tf_idf"), tf.keras.layers.IntegerLookup(output_mode="tf_idf"),
         np.array([[1, 2], [2, 3], [7, 7]])),
    ]


def test_save_assets_writes_keras_files(tf, tmp_path):
    for i, (ours, theirs, data) in enumerate(_layer_pairs(tf)):
        ours.adapt(data)
        theirs.adapt(data)
        (tmp_path / f"o{i}").mkdir()
        (tmp_path / f"t{i}").mkdir()
        ours.save_assets(str(tmp_path / f"o{i}"))
        theirs.save_assets(str(tmp_path / f"t{i}"))
        assert (tmp_path / f"o{i}" / "vocabulary.txt").read_bytes() == \
            (tmp_path / f"t{i}" / "vocabulary.txt").read_bytes()
        store, tf_store = ours.save_keras_store(), {}
        theirs.save_own_variables(tf_store)
        assert sorted(store) == sorted(tf_store) == list(ours.keras_store_names())
        for key in store:
            np.testing.assert_allclose(store[key], tf_store[key], rtol=1e-6)
        fresh = type(ours).from_config(ours.get_config())
        fresh.load_keras_store(tf_store)
        fresh.load_assets(str(tmp_path / f"t{i}"))
        assert fresh.get_vocabulary() == theirs.get_vocabulary()
        np.testing.assert_allclose(fresh(data), theirs(data).numpy(), rtol=1e-6)


def test_vocabulary_in_config_writes_no_asset(tmp_path):
    layer = L.StringLookup(vocabulary=["a", "b"])
    layer.save_assets(str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def _text_models(tf):
    """The same subclassed model in both libraries: adapted text layers held as attributes
    (they run on the host, outside `call`), an Embedding head on token ids."""
    tk = tf.keras
    saving = pytest.importorskip("keras").saving  # tf.keras's own saving namespace

    @jkeras.saving.register_keras_serializable(package="jk_assets")
    class TextModel(jkeras.Model):
        def __init__(self, vectorizer, lookup, **kwargs):
            super().__init__(**kwargs)
            self.vectorizer = deserialize_keras_object(vectorizer) \
                if isinstance(vectorizer, dict) else vectorizer
            self.lookup = deserialize_keras_object(lookup) if isinstance(lookup, dict) else lookup
            self.embed = L.Embedding(32, 3)
            self.pool = L.GlobalAveragePooling1D()
            self.head = L.Dense(1)

        def call(self, ids):
            return self.head(self.pool(self.embed(ids)))

        def get_config(self):
            return {**super().get_config(), "vectorizer": serialize_keras_object(self.vectorizer),
                    "lookup": serialize_keras_object(self.lookup)}

    ours = TextModel

    @saving.register_keras_serializable(package="jk_assets")
    class TextModel(tk.Model):  # noqa: F811
        def __init__(self, vectorizer, lookup, **kwargs):
            super().__init__(**kwargs)
            self.vectorizer = saving.deserialize_keras_object(vectorizer) \
                if isinstance(vectorizer, dict) else vectorizer
            self.lookup = saving.deserialize_keras_object(lookup) \
                if isinstance(lookup, dict) else lookup
            self.embed = tk.layers.Embedding(32, 3)
            self.pool = tk.layers.GlobalAveragePooling1D()
            self.head = tk.layers.Dense(1)

        def call(self, ids):
            return self.head(self.pool(self.embed(ids)))

        def get_config(self):
            return {**super().get_config(),
                    "vectorizer": saving.serialize_keras_object(self.vectorizer),
                    "lookup": saving.serialize_keras_object(self.lookup)}

    return ours, TextModel


def _adapted(cls_module, tf_idf=False):
    vec = cls_module.TextVectorization(max_tokens=30, output_mode="tf_idf" if tf_idf else "int")
    vec.adapt(CORPUS)
    lookup = cls_module.StringLookup()
    lookup.adapt(np.array(["x", "y", "y", "z"]))
    return vec, lookup


@pytest.mark.parametrize("tf_idf", [False, True])
def test_tf_keras_model_with_vocabularies_loads(tf, tmp_path, tf_idf):
    TextModel, TFTextModel = _text_models(tf)
    vec, lookup = _adapted(tf.keras.layers, tf_idf)
    theirs = TFTextModel(vec, lookup)
    theirs(IDS)
    path = str(tmp_path / "tf.keras")
    theirs.save(path)
    assert "assets/layers/text_vectorization/_lookup_layer/vocabulary.txt" in \
        zipfile.ZipFile(path).namelist()  # a subclassed model's layers are under `layers/`
    ours = jkeras.models.load_model(path)
    assert isinstance(ours, TextModel)
    assert ours.vectorizer.get_vocabulary() == vec.get_vocabulary()
    assert ours.lookup.get_vocabulary() == lookup.get_vocabulary()
    np.testing.assert_allclose(ours.vectorizer(QUERY), vec(QUERY).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(ours.lookup(np.array(["y", "q"])), lookup(["y", "q"]).numpy())
    np.testing.assert_allclose(ours(IDS), theirs(IDS).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("zipped", [True, False])
def test_jkeras_model_with_vocabularies_loads_in_tf_keras(tf, tmp_path, zipped):
    TextModel, _ = _text_models(tf)
    vec, lookup = _adapted(L, tf_idf=True)
    ours = TextModel(vectorizer=vec, lookup=lookup)  # two positional args: see report
    ours(IDS)
    path = str(tmp_path / ("ours.keras" if zipped else "ours_dir"))
    ours.save(path, zipped=zipped)
    back = jkeras.models.load_model(path)
    assert back.vectorizer.get_vocabulary() == vec.get_vocabulary()
    np.testing.assert_allclose(back.vectorizer(QUERY), vec(QUERY), rtol=1e-6)
    if not zipped:
        return
    names = zipfile.ZipFile(path).namelist()
    assert "assets/layers/text_vectorization/vocabulary.txt" in names
    assert "assets/layers/text_vectorization/_lookup_layer/vocabulary.txt" in names
    theirs = tf.keras.models.load_model(path)
    assert theirs.vectorizer.get_vocabulary() == vec.get_vocabulary()
    assert theirs.lookup.get_vocabulary() == lookup.get_vocabulary()
    np.testing.assert_allclose(theirs.vectorizer(QUERY).numpy(), vec(QUERY), rtol=1e-6)
    np.testing.assert_allclose(theirs(IDS).numpy(), ours(IDS), rtol=1e-5, atol=1e-6)


def test_missing_vocabulary_asset_is_a_clear_error(tmp_path):
    layer = L.StringLookup()
    with pytest.raises(ValueError, match="no vocabulary.txt asset"):
        layer.load_assets(str(tmp_path))


def test_tf_keras_model_on_string_inputs_is_refused_clearly(tf, tmp_path):
    vec = tf.keras.layers.TextVectorization(output_sequence_length=4)
    vec.adapt(CORPUS)
    inputs = tf.keras.Input(shape=(1,), dtype="string")
    tf.keras.Model(inputs, vec(inputs)).save(tmp_path / "text.keras")
    with pytest.raises(ValueError, match="takes string inputs .* runs string layers on the host"):
        jkeras.models.load_model(tmp_path / "text.keras")
