"""RNN over a custom cell with nested inputs, states (shapes, not only sizes) and outputs, as the
guide's NestedCell (Keras 3's own RNN cannot build it: keras-team/keras-io#2142), checked
against a NumPy loop; `get_initial_state`; `state_size` given as an int."""
import jax
import numpy as np

import jkeras
from jkeras import layers as L
from jkeras import ops

B, T, I1, I2, I3, U1, U2, U3 = 2, 3, 4, 2, 3, 5, 2, 2


class NestedCell(L.Layer):
    def __init__(self, **kwargs):
        self.state_size = [(U1,), (U2, U3)]
        self.output_size = [(U1,), (U2, U3)]
        super().__init__(**kwargs)

    def build(self, input_shapes):
        self.kernel_1 = self.add_weight(shape=(input_shapes[0][1], U1), name="kernel_1")
        self.kernel_2_3 = self.add_weight(
            shape=(input_shapes[1][1], input_shapes[1][2], U2, U3), name="kernel_2_3")

    def call(self, inputs, states):
        input_1, input_2 = inputs
        s1, s2 = states
        o1 = ops.matmul(input_1, self.kernel_1)
        o23 = ops.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3)
        return (o1, o23), (s1 + o1, s2 + o23)


def data(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(B, T, I1)).astype(np.float32),
            rng.normal(size=(B, T, I2, I3)).astype(np.float32))


def test_nested_cell_matches_numpy_loop():
    cell = NestedCell()
    rnn = L.RNN(cell, return_sequences=True, return_state=True)
    x1, x2 = data()
    (seq1, seq23), s1, s23 = rnn((x1, x2))
    k1, k23 = cell.kernel_1.numpy(), cell.kernel_2_3.numpy()
    o1 = np.einsum("bti,iu->btu", x1, k1)
    o23 = np.einsum("btij,ijkl->btkl", x2, k23)
    np.testing.assert_allclose(seq1, o1, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(seq23, o23, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(s1, o1.sum(1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(s23, o23.sum(1), rtol=1e-5, atol=1e-5)
    assert [s.shape for s in rnn.get_initial_state(4)] == [(4, U1), (4, U2, U3)]
    # masked steps keep the states and repeat the previous outputs
    mask = np.array([[True, False, True], [True, True, False]])
    (m1, _), ms1, _ = rnn((x1, x2), mask=mask)
    np.testing.assert_allclose(m1[0, 1], o1[0, 0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ms1, (o1 * mask[..., None]).sum(1), rtol=1e-5, atol=1e-5)


def test_nested_cell_in_functional_model_trains():
    rnn = L.RNN(NestedCell())
    in1, in2 = jkeras.Input((None, I1)), jkeras.Input((None, I2, I3))
    outs = rnn((in1, in2))
    assert [o.shape for o in outs] == [(None, U1), (None, U2, U3)]
    model = jkeras.Model([in1, in2], outs)
    model.compile(optimizer="adam", loss="mse")
    x1, x2 = data()
    y = [np.ones((B, U1), np.float32), np.ones((B, U2, U3), np.float32)]
    loss = model.fit([x1, x2], y, epochs=3, verbose=0).history["loss"]
    assert loss[-1] < loss[0]
    jitted = jax.jit(lambda v, a, b: model.apply(v, [a, b])[0])(model.get_variables(), x1, x2)
    for a, b in zip(jitted, model([x1, x2])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


class IntStateCell(L.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units  # an int, as Keras allows

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, inputs, states):
        h = ops.matmul(inputs, self.kernel) + states[0]
        return h, [h]


def test_int_state_size_and_output_size_default():
    cell = IntStateCell(3)
    cell.output_size = 3
    x = data()[0]
    y, h = L.RNN(cell, return_state=True)(x)
    expected = np.einsum("bti,iu->bu", x, cell.kernel.numpy())
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(h, expected, rtol=1e-5, atol=1e-5)
