"""The cross-process agreement check (jkeras/distribution/agreement.py) in one process, with
the 2-process gather simulated: what differs is named, what agrees is not, one process checks
nothing. The real 2-process run is in test_multiprocess.py."""
import jax
import numpy as np
import pytest
from jax.experimental import multihost_utils

import jkeras
from jkeras import layers
from jkeras.distribution import agreement, current


def _model(units):
    model = jkeras.Sequential([layers.Input((3,)), layers.Dense(units, name="d")])
    return model


def _facts(units, steps, model=None):
    return {**agreement.model_facts(model or _model(units)),
            **agreement.batch_facts(steps, (np.zeros((4, 3)), np.zeros((4, units))))}


@pytest.fixture
def two_processes(monkeypatch):
    """Pretend to be process 0 of 2; process 1's facts are given to the fixture's function."""
    def run(mine, other):
        rows = [np.asarray([w for v in f.values() for w in agreement._words(v)], np.int32)
                for f in (mine, other)]
        monkeypatch.setattr(jax, "process_count", lambda: 2)
        monkeypatch.setattr(jax, "process_index", lambda: 0)
        monkeypatch.setattr(multihost_utils, "process_allgather", lambda x: np.stack(rows))
        agreement.check_agreement(mine, "fit")
    return run


def test_equal_processes_pass(two_processes):
    model = _model(2)
    two_processes(_facts(2, 5, model), _facts(2, 5, model))


def test_different_steps_are_named_with_their_values(two_processes):
    model = _model(2)
    with pytest.raises(ValueError) as info:
        two_processes(_facts(2, 5, model), _facts(2, 4, model))
    msg = str(info.value)
    assert msg.startswith("The 2 processes disagree before fit starts: the number of steps "
                          "(batches) (process 0: 5, process 1: 4). Every process must run the "
                          "same program")
    assert msg.endswith("This process (0) has: the number of steps (batches): 5")
    assert "config" not in msg and "batch shapes" not in msg


def test_different_models_are_named(two_processes):
    with pytest.raises(ValueError) as info:
        two_processes(_facts(2, 5), _facts(3, 5))
    msg = str(info.value)
    assert ("the model's config (`model.get_config()`) (processes [0] vs processes [1]); "
            "the model's variables (paths, shapes and dtypes) (processes [0] vs processes [1]); "
            "the batch shapes (processes [0] vs processes [1])") in msg
    assert "('d/kernel', (3, 2), 'float32')" in msg and "[(4, 3), (4, 2)]" in msg
    assert "number of steps" not in msg


def test_unknown_steps_and_one_process_check_nothing(monkeypatch):
    facts = _facts(2, None)
    assert facts["the number of steps (batches)"] == "unknown"
    monkeypatch.setattr(multihost_utils, "process_allgather", lambda x: pytest.fail("gathered"))
    agreement.check_agreement(facts, "fit")  # one process
    monkeypatch.setattr(jax, "process_count", lambda: 2)
    current.check_processes(_model(2), "fit", 1, np.zeros((4, 3)))  # no distribution set
