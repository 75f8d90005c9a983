"""`layer.trainable = False` reaches every sub-layer, as in Keras: a frozen base model's
BatchNormalization runs in inference mode inside fit (keras.io's transfer-learning recipe)."""
import numpy as np

import jkeras


def _frozen_base_model(keras):
    base = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                             keras.layers.BatchNormalization()])
    base.trainable = False
    model = keras.Sequential([keras.Input((3,)), base, keras.layers.Dense(1)])
    return base, model


def test_freezing_a_base_model_freezes_its_layers_and_batch_norm_statistics(tf):
    x = (np.random.default_rng(0).random((16, 3)) * 5 + 2).astype("float32")
    y = x.sum(1, keepdims=True)
    (base_ours, ours), (base_theirs, theirs) = _frozen_base_model(jkeras), \
        _frozen_base_model(tf.keras)
    ours.set_weights(theirs.get_weights())
    assert [l.trainable for l in base_ours.layers] == [l.trainable for l in base_theirs.layers] \
        == [False, False]
    for model in (ours, theirs):
        model.compile(optimizer="sgd", loss="mse")
    h_ours = ours.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    h_theirs = theirs.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h_ours["loss"], h_theirs["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(base_ours.layers[1].moving_mean), np.zeros(4))
    # unfreezing the base unfreezes its layers again
    base_ours.trainable = base_theirs.trainable = True
    assert [l.trainable for l in base_ours.layers] == [l.trainable for l in base_theirs.layers] \
        == [True, True]
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 6
