"""Every public name of keras.losses and keras.metrics (Keras 3.15) exists in jkeras.losses /
jkeras.metrics with the same kind (class or function), or is listed with a reason in the
package's LEFT_OUT dict -- and LEFT_OUT holds only names that really are missing."""
import inspect
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402

import jkeras  # noqa: E402


@pytest.mark.parametrize("module", ["losses", "metrics"])
def test_every_keras_name_is_here_or_left_out(module):
    theirs, ours = getattr(keras, module), getattr(jkeras, module)
    names = sorted(n for n in dir(theirs) if not n.startswith("_")
                   and not inspect.ismodule(getattr(theirs, n)))
    assert len(names) > 40
    missing = [n for n in names if not hasattr(ours, n) and n not in ours.LEFT_OUT]
    assert missing == [], f"keras.{module} names neither in jkeras.{module} nor LEFT_OUT"
    for name in names:
        if hasattr(ours, name):
            assert inspect.isclass(getattr(ours, name)) == inspect.isclass(
                getattr(theirs, name)), name
            assert callable(getattr(ours, name)), name
    for name, reason in ours.LEFT_OUT.items():
        assert name in names and not hasattr(ours, name), name
        assert isinstance(reason, str) and len(reason) > 10, name
