"""`jkeras.Function(inputs, outputs)` (Keras 3's symbolic Function) against tf.keras."""
import numpy as np
import pytest

import jkeras


def _graph(K):
    a = K.KerasTensor(shape=(None, 2, 3))
    b = K.KerasTensor(shape=(None, 2, 3))
    dense = K.layers.Dense(4, name="proj")
    h = dense(K.ops.sigmoid(a + b))
    return a, b, dense, {"h": h, "r": K.ops.relu(h)}


def test_called_on_arrays_equals_tf_keras(tf):
    rng = np.random.default_rng(0)
    x1, x2 = (rng.normal(size=(4, 2, 3)).astype("float32") for _ in range(2))
    results = []
    for K in (jkeras, tf.keras):
        a, b, dense, outputs = _graph(K)
        dense.set_weights([np.arange(12, dtype="float32").reshape(3, 4) / 10,
                           np.ones(4, "float32")])
        fn = K.Function(inputs=[a, b], outputs=outputs, name="fn")
        assert fn.name == "fn" and len(fn.inputs) == 2 and len(fn.outputs) == 2
        assert dense in fn.operations
        out = fn([x1, x2])
        assert sorted(out) == ["h", "r"]
        results.append({k: np.asarray(v) for k, v in out.items()})
    for k in ("h", "r"):
        np.testing.assert_allclose(results[0][k], results[1][k], rtol=1e-6, atol=1e-6)


def test_uses_the_layers_current_weights():
    x = jkeras.Input((3,))
    dense = jkeras.layers.Dense(2)
    fn = jkeras.Function(x, dense(x))
    dense.set_weights([np.ones((3, 2), "float32"), np.zeros(2, "float32")])
    np.testing.assert_array_equal(np.asarray(fn(np.ones((1, 3), "float32"))), [[3.0, 3.0]])
    assert fn.name.startswith("function")


def test_errors_in_keras_wording(tf):
    for K in (jkeras, tf.keras):
        a = K.KerasTensor(shape=(None, 3))
        b = K.KerasTensor(shape=(None, 3))
        y = K.ops.relu(a + b)
        with pytest.raises(ValueError, match="`inputs` argument cannot be empty"):
            K.Function([], y)
        with pytest.raises(ValueError, match="Graph disconnected"):
            K.Function([a], y)
        fn = K.Function([a, b], y)
        with pytest.raises(ValueError, match="invalid input structure"):
            fn({"a": np.ones((1, 3))})
        with pytest.raises(ValueError, match="incompatible inputs"):
            fn([np.ones((1, 4)), np.ones((1, 4))])
