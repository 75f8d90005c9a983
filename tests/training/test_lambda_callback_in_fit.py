"""A LambdaCallback's hooks (instance attributes) must see each epoch's real weights: epochs are
not fused past it."""
import numpy as np

import jkeras
from jkeras import layers as L


def test_lambda_callback_sees_every_epochs_weights():
    x = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = jkeras.Sequential([jkeras.Input(shape=(3,)), L.Dense(1)])
    model.compile(optimizer=jkeras.optimizers.SGD(0.05), loss="mse")
    seen = []
    probe = jkeras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()[0].copy()))
    model.fit(x, y, batch_size=64, epochs=4, verbose=0, callbacks=[probe])
    assert len(seen) == 4
    for earlier, later in zip(seen, seen[1:]):
        assert not np.allclose(earlier, later)  # each epoch's own weights, not the final ones
    np.testing.assert_array_equal(seen[-1], model.get_weights()[0])
