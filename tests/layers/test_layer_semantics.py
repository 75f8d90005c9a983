"""Keras 3's layer semantics replayed against tf.keras: stateless layers are `built` once
constructed (and keep a None build config), `supports_masking` per class, and masks through the
merge layers (eager, in a functional model, and under `jit`)."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers as L

# (name, constructor args): stateless layers and layers whose built / supports_masking differ.
CONSTRUCT = [
    ("Activation", ("relu",)), ("Identity", ()), ("Reshape", ((2,),)), ("Masking", ()),
    ("ReLU", ()), ("LeakyReLU", ()), ("Softmax", ()), ("ELU", ()), ("PReLU", ()),
    ("Dropout", (0.5,)), ("SpatialDropout1D", (0.1,)), ("SpatialDropout2D", (0.1,)),
    ("SpatialDropout3D", (0.1,)), ("GaussianNoise", (0.1,)), ("GaussianDropout", (0.1,)),
    ("AlphaDropout", (0.1,)), ("ActivityRegularization", ()), ("UnitNormalization", ()),
    ("MaxPooling1D", ()), ("MaxPooling2D", ()), ("MaxPooling3D", ()),
    ("AveragePooling1D", (2,)), ("AveragePooling2D", (2,)), ("AveragePooling3D", (2,)),
    ("GlobalAveragePooling1D", ()), ("GlobalAveragePooling2D", ()),
    ("GlobalAveragePooling3D", ()), ("GlobalMaxPooling1D", ()), ("GlobalMaxPooling2D", ()),
    ("GlobalMaxPooling3D", ()), ("Add", ()), ("Subtract", ()), ("Multiply", ()),
    ("Average", ()), ("Maximum", ()), ("Minimum", ()), ("Concatenate", ()), ("Dot", (1,)),
    ("Flatten", ()), ("Permute", ((1,),)), ("RepeatVector", (2,)), ("Dense", (3,)),
    ("LayerNormalization", ()), ("BatchNormalization", ()), ("Rescaling", (1.0,)),
    ("Embedding", (5, 3)), ("GroupNormalization", ()), ("RMSNormalization", ()),
]


@pytest.mark.parametrize("name,args", CONSTRUCT, ids=[c[0] for c in CONSTRUCT])
def test_built_and_supports_masking_after_construction(tf, name, args):
    theirs = getattr(tf.keras.layers, name)(*args)
    ours = getattr(L, name)(*args)
    assert (ours.built, bool(ours.supports_masking)) == \
        (theirs.built, bool(theirs.supports_masking))


@pytest.mark.parametrize("name,args,shape", [
    ("Dropout", (0.5,), (2, 3)), ("Activation", ("relu",), (2, 3)), ("Reshape", ((3,),), (2, 3)),
    ("MaxPooling1D", (), (2, 4, 3)), ("GlobalAveragePooling2D", (), (2, 4, 4, 3)),
    ("Dense", (2,), (2, 3)), ("Add", (), None)])
def test_build_config_after_a_call(tf, name, args, shape):
    x = np.ones(shape or (2, 3), np.float32)
    inputs = [x, x] if shape is None else x
    theirs = getattr(tf.keras.layers, name)(*args)
    theirs(inputs)
    ours = getattr(L, name)(*args)
    ours(inputs)
    assert ours.built
    expected = theirs.get_build_config()
    got = ours.get_build_config()
    if expected is None:
        assert got is None
    else:
        assert jkeras.tree.map_structure(
            lambda v: v, got) == jkeras.tree.map_structure(lambda v: v, expected)


def test_built_at_init_layer_still_runs_the_pure_pair():
    layer = L.MaxPooling1D()
    assert layer.built and layer.weights == []
    x = np.arange(16, dtype=np.float32).reshape(2, 4, 2)
    variables = layer.init(jax.random.PRNGKey(0), x)
    assert variables == {"params": {}, "state": {}}
    y = jax.jit(lambda v: layer.apply(v, x)[0])(variables)
    np.testing.assert_array_equal(y, np.maximum(x[:, 0::2], x[:, 1::2]))
    with pytest.raises(ValueError):  # build's shape check still runs on the first input
        L.MaxPooling2D()(x)


def test_a_subclass_that_defines_build_waits_for_it():
    class Noisy(L.Dropout):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

        def call(self, inputs, training=False):
            return inputs * self.scale

    layer = Noisy(0.1)
    assert not layer.built
    layer(np.ones((2, 3), np.float32))
    assert layer.built and len(layer.weights) == 1


RNG = np.random.default_rng(0)
A = RNG.normal(size=(2, 4, 3)).astype("float32")
B = RNG.normal(size=(2, 4, 3)).astype("float32")
A[0, 1] = 0
A[1, 3] = 0
B[0, 2] = 0
B[1, 3] = 0
MERGES = [("Add", {}), ("Subtract", {}), ("Multiply", {}), ("Average", {}), ("Maximum", {}),
          ("Minimum", {}), ("Concatenate", {}), ("Concatenate", {"axis": 1}),
          ("Dot", {"axes": 2})]


def _mask(t):
    m = getattr(t, "_keras_mask", None)
    return None if m is None else np.asarray(m)


def _merge_run(mod, name, kwargs, both_masked):
    x1 = mod.layers.Masking()(A)
    x2 = mod.layers.Masking()(B) if both_masked else B
    eager = getattr(mod.layers, name)(**kwargs)([x1, x2])
    i1, i2 = mod.Input((4, 3)), mod.Input((4, 3))
    h1 = mod.layers.Masking()(i1)
    h2 = mod.layers.Masking()(i2) if both_masked else i2
    merged = getattr(mod.layers, name)(**kwargs)([h1, h2])
    symbolic_mask = getattr(merged, "_keras_mask", None) is not None
    model = mod.Model([i1, i2], mod.layers.Activation("linear")(merged))
    return eager, model, symbolic_mask


MERGE_CASES = [(n, k, True) for n, k in MERGES] + [
    (n, k, False) for n, k in MERGES if n in ("Multiply", "Maximum", "Concatenate", "Add")]


@pytest.mark.parametrize("name,kwargs,both_masked", MERGE_CASES,
                         ids=[f"{n}{k}{b}" for n, k, b in MERGE_CASES])
def test_merge_masks_match_tf_keras(tf, name, kwargs, both_masked):
    theirs, their_model, their_symbolic = _merge_run(tf.keras, name, kwargs, both_masked)
    ours, our_model, our_symbolic = _merge_run(jkeras, name, kwargs, both_masked)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-6)
    expected_mask, got_mask = _mask(theirs), _mask(ours)
    assert (expected_mask is None) == (got_mask is None)
    if expected_mask is not None:
        np.testing.assert_array_equal(got_mask, expected_mask)
    assert our_symbolic == their_symbolic
    np.testing.assert_allclose(np.asarray(our_model([A, B])),
                               np.asarray(their_model([A, B])), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["Add", "Multiply", "Maximum", "Minimum", "Concatenate"])
def test_merged_mask_reaches_a_mask_consumer_under_jit(tf, name):
    """Masking -> merge -> GlobalAveragePooling1D: the pooled mean skips the merged mask's
    masked steps, in tf.keras and in jkeras's compiled apply."""
    def build(mod):
        i1, i2 = mod.Input((4, 3)), mod.Input((4, 3))
        merged = getattr(mod.layers, name)()([mod.layers.Masking()(i1), mod.layers.Masking()(i2)])
        return mod.Model([i1, i2], mod.layers.GlobalAveragePooling1D()(merged))

    expected = np.asarray(build(tf.keras)([A, B]))
    model = build(jkeras)
    variables = model.get_variables()
    got = jax.jit(lambda a, b: model.apply(variables, [a, b])[0])(A, B)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6, atol=1e-6)
    if name == "Multiply":  # and in the compiled predict loop
        np.testing.assert_allclose(np.asarray(model.predict([A, B], verbose=0)), expected,
                                   rtol=1e-6, atol=1e-6)


def test_merge_compute_mask_errors():
    with pytest.raises(ValueError, match="`mask` should be a list"):
        L.Add().compute_mask([A, B], np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="should have the same length"):
        L.Concatenate().compute_mask([A, B], [None])
    assert L.Add().compute_mask([A, B], [np.ones((2, 4), bool), None]) is None
    assert L.Dot(axes=2).compute_mask([A, B], [np.ones((2, 4), bool)] * 2) is None


PASS_THROUGH = [("Activation", ("relu",)), ("Identity", ()), ("ReLU", ()), ("LeakyReLU", ()),
                ("ELU", ()), ("Dropout", (0.5,)), ("GaussianNoise", (0.1,)),
                ("GaussianDropout", (0.1,)), ("AlphaDropout", (0.1,)),
                ("SpatialDropout1D", (0.2,)), ("ActivityRegularization", ()),
                ("UnitNormalization", ()), ("LayerNormalization", ()), ("Dense", (3,))]


def test_masks_flow_through_activation_dropout_and_noise_layers(tf):
    """Embedding(mask_zero) -> each layer -> the mask it passes on, eagerly and in a functional
    model ending in a mask-consuming GlobalAveragePooling1D (values as tf.keras)."""
    ids = np.array([[1, 2, 0, 0], [3, 1, 2, 0]], np.int32)

    def run(mod):
        embedding = mod.layers.Embedding(5, 3, mask_zero=True)
        table = np.arange(15, dtype=np.float32).reshape(5, 3) / 10.0
        x = embedding(ids)
        embedding.set_weights([table])
        x = embedding(ids)
        masks = []
        for name, args in PASS_THROUGH:
            layer = getattr(mod.layers, name)(*args)
            y = layer(x)
            masks.append(_mask(y))
        inputs = mod.Input((4,), dtype="int32")
        h = mod.layers.Embedding(5, 3, mask_zero=True)(inputs)
        for name, args in PASS_THROUGH[:-1]:
            h = getattr(mod.layers, name)(*args)(h)
        model = mod.Model(inputs, mod.layers.GlobalAveragePooling1D()(h))
        model.layers[1].set_weights([table])
        return masks, np.asarray(model(ids))

    their_masks, their_out = run(tf.keras)
    our_masks, our_out = run(jkeras)
    for (name, _), expected, got in zip(PASS_THROUGH, their_masks, our_masks):
        assert (expected is None) == (got is None), name
        if expected is not None:
            np.testing.assert_array_equal(got, expected, err_msg=name)
    np.testing.assert_allclose(our_out, their_out, rtol=1e-5, atol=1e-6)
