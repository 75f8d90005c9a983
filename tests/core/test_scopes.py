"""`StatelessScope`, `SymbolicScope` and `name_scope` against tf.keras (Keras 3)."""
import numpy as np
import pytest

import jkeras


def _both(tf):
    return (jkeras, tf.keras)


def test_mapped_values_are_read_and_the_layer_is_unchanged(tf):
    results = []
    for K in _both(tf):
        d = K.layers.Dense(2, activity_regularizer="l2")
        d.build((None, 3))
        kernel = d.kernel.numpy().copy()
        with K.StatelessScope([(d.kernel, np.ones((3, 2))), (d.bias, np.zeros(2))],
                              collect_losses=True) as scope:
            y = d(np.arange(3, dtype="float32")[None])
            read = np.asarray(d.kernel.value)
        np.testing.assert_array_equal(d.kernel.numpy(), kernel)  # unchanged after
        assert list(d.losses) == []
        results.append((np.asarray(y), read, [float(np.asarray(v)) for v in scope.losses]))
    (y1, r1, l1), (y2, r2, l2) = results
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(r1, r2)
    np.testing.assert_allclose(l1, l2, rtol=1e-6)
    assert len(l1) == 1


def test_assignments_are_recorded_not_applied(tf):
    x = np.arange(6, dtype="float32").reshape(2, 3)
    out = []
    for K in _both(tf):
        bn = K.layers.BatchNormalization()
        bn.build((None, 3))
        with K.StatelessScope() as scope:
            bn(x, training=True)
            inside = np.asarray(bn.moving_mean.value)
        out.append((np.asarray(scope.get_current_value(bn.moving_mean)), inside,
                    bn.moving_mean.numpy(), scope.get_current_value(bn.gamma)))
    (a1, i1, m1, g1), (a2, i2, m2, g2) = out
    np.testing.assert_allclose(a1, a2, rtol=1e-6)
    np.testing.assert_allclose(i1, a1)  # read back inside the scope: the recorded value
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_array_equal(m1, np.zeros(3))
    assert g1 is None and g2 is None


def test_a_standalone_variable_inside_the_scope(tf):
    for K in _both(tf):
        v = K.Variable(np.zeros(2, "float32"))
        with K.StatelessScope([(v, np.full(2, 3.0))]) as scope:
            np.testing.assert_array_equal(np.asarray(v.value), [3.0, 3.0])
            v.assign(v + 1.0)
        np.testing.assert_array_equal(np.asarray(scope.get_current_value(v)), [4.0, 4.0])
        np.testing.assert_array_equal(v.numpy(), [0.0, 0.0])


def test_variables_created_inside_are_initialized_on_exit(tf):
    for K in _both(tf):
        with K.StatelessScope():
            v = K.Variable(initializer="ones", shape=(2,))
            np.testing.assert_array_equal(np.asarray(v.value), [1.0, 1.0])
            with pytest.raises(ValueError, match="create a variable while in a stateless scope"):
                K.Variable(np.ones(2))
        np.testing.assert_array_equal(v.numpy(), [1.0, 1.0])


def test_errors_in_keras_wording(tf):
    for K in _both(tf):
        d = K.layers.Dense(2)
        d.build((None, 3))
        with pytest.raises(ValueError, match="all keys in argument `mapping` must be Variable"):
            K.StatelessScope([(1, 2)])
        with pytest.raises(ValueError, match="with a shape that matches"):
            K.StatelessScope([(d.kernel, np.ones(2))])


def test_symbolic_scope_nests():
    from jkeras.core import scopes
    assert not scopes.in_symbolic_scope()
    with jkeras.SymbolicScope() as outer:
        with jkeras.SymbolicScope():
            assert scopes.in_symbolic_scope()
        assert scopes.get_symbolic_scope() is outer
    assert not scopes.in_symbolic_scope()


def test_name_scope_arguments_and_errors(tf):
    for K in _both(tf):
        scope = K.name_scope("abc")
        assert (scope.name, scope.caller, scope.deduplicate) == ("abc", None, True)
        with pytest.raises(ValueError, match="cannot contain character `/`"):
            K.name_scope("a/b")
        with K.name_scope("a"):
            with K.name_scope("b", override_parent="root"):
                v = K.Variable(1.0, name="v")
        assert v.path == "root/b/v"
