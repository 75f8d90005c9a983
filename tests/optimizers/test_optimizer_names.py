"""Optimizer auto-names: `adam`, `adam_1`, ... restarting at `clear_session()`, as Keras."""
import jkeras


def test_clear_session_restarts_optimizer_names(tf):
    names = []
    for keras, clear in ((jkeras, jkeras.utils.clear_session),
                         (tf.keras, tf.keras.backend.clear_session)):
        clear()
        first, second = keras.optimizers.Adam(), keras.optimizers.Adam()
        clear()
        names.append((first.name, second.name, keras.optimizers.Adam().name))
    assert names[0] == names[1] == ("adam", "adam_1", "adam")
