"""Module-scoped Keras (JAX backend) reference results for the op cases of a test module.

Keras comes with the TensorFlow test extra: the tests using these references are marked
`tensorflow` (deselect with -m "not tensorflow") and skip when Keras is not installed.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from keras_reference import keras_results  # noqa: E402


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "keras_ref" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.tensorflow)


@pytest.fixture(scope="module")
def keras_ref(request, tmp_path_factory):
    """Keras's results, one per entry of the module's `CASES` (same order)."""
    pytest.importorskip("keras")
    return keras_results(request.module.CASES, str(tmp_path_factory.mktemp("keras_ref")))
