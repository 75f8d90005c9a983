"""Module-scoped Keras (JAX backend) reference results for the op cases of a test module."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from keras_reference import keras_results  # noqa: E402


@pytest.fixture(scope="module")
def keras_ref(request, tmp_path_factory):
    """Keras's results, one per entry of the module's `CASES` (same order)."""
    return keras_results(request.module.CASES, str(tmp_path_factory.mktemp("keras_ref")))
