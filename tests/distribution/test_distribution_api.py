"""The `jkeras.distribution` API in the test process (its devices, usually one CPU): device
names, argument errors, set_distribution / scope, initialize's arguments, and a DataParallel
fit over this process's devices equal to a plain fit."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import distribution, layers


@pytest.fixture(autouse=True)
def _no_distribution_after():
    yield
    distribution.set_distribution(None)


def test_list_devices_names_jax_devices():
    names = [f"{d.platform}:{d.id}" for d in jax.devices()]
    assert distribution.list_devices() == names
    assert distribution.list_devices("cpu") == [f"cpu:{d.id}" for d in jax.devices("cpu")]
    assert distribution.get_device_count() == len(jax.devices())
    with pytest.raises(TypeError, match="device_type"):
        distribution.list_devices(3)
    with pytest.raises(ValueError, match="No devices of type 'abacus'"):
        distribution.list_devices("abacus")


def test_data_parallel_defaults_to_every_device():
    dp = distribution.DataParallel()
    assert dp.batch_dim_name == "batch"
    assert dp.device_mesh.axis_names == ("batch",)
    assert list(dp.device_mesh.devices) == jax.devices()
    assert dp.num_model_replicas == len(jax.devices())
    assert isinstance(dp.device_mesh.backend_mesh, jax.sharding.Mesh)
    by_object = distribution.DataParallel(devices=[jax.devices()[0]])
    by_name = distribution.DataParallel(devices=["cpu:0"])
    assert by_object.cache_key() == by_name.cache_key()


@pytest.mark.parametrize("devices, error, match", [
    (["cpu:99"], ValueError, "'cpu:99' does not exist. Available cpu devices"),
    (["cpu"], ValueError, "of the form 'type:id'"),
    ([0], TypeError, "Received: 0 of type int"),
    ("cpu:0", TypeError, "must be a list of devices"),
    (4, TypeError, "must be a list of devices"),
    (["cpu:0", "cpu:0"], ValueError, "only once"),
])
def test_bad_devices_are_rejected(devices, error, match):
    with pytest.raises(error, match=match):
        distribution.DataParallel(devices=devices)


def test_mesh_arguments_checked():
    with pytest.raises(ValueError, match="Shape does not match the number of devices"):
        distribution.DeviceMesh((len(jax.devices()) + 1,), ["batch"])
    with pytest.raises(ValueError, match="same size"):
        distribution.DeviceMesh((1,), ["batch", "model"])
    with pytest.raises(ValueError, match="cannot be empty"):
        distribution.DeviceMesh((), [])
    with pytest.raises(ValueError, match="instance of `DeviceMesh`"):
        distribution.DataParallel(device_mesh="mesh")
    mesh = distribution.DeviceMesh((1,), ["data"], devices=["cpu:0"])
    with pytest.raises(ValueError, match="not both"):
        distribution.DataParallel(device_mesh=mesh, devices=["cpu:0"])
    assert distribution.DataParallel(device_mesh=mesh).batch_dim_name == "data"


def test_set_distribution_and_scope():
    with pytest.raises(TypeError, match="Received: 'dp' of type str"):
        distribution.set_distribution("dp")
    dp = distribution.DataParallel()
    distribution.set_distribution(dp)
    assert distribution.distribution() is dp
    other = distribution.DataParallel(devices=["cpu:0"])
    with other.scope():
        assert distribution.distribution() is other
    assert distribution.distribution() is dp
    distribution.set_distribution(None)
    assert distribution.distribution() is None
    assert jkeras.distribution is distribution


def test_initialize_passes_keras_arguments_to_jax(monkeypatch):
    calls = []
    monkeypatch.setattr(jax.distributed, "initialize", lambda **kw: calls.append(kw))
    distribution.initialize("10.0.0.1:1234,10.0.0.2:2345", num_processes=2, process_id=1)
    monkeypatch.setenv("KERAS_DISTRIBUTION_JOB_ADDRESSES", "host0:99")
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "4")
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "3")
    distribution.initialize(heartbeat_timeout_seconds=10)
    bounds = dict(initialization_timeout=300, shutdown_timeout_seconds=300)
    assert calls == [
        dict(coordinator_address="10.0.0.1:1234", num_processes=2, process_id=1,
             heartbeat_timeout_seconds=100, **bounds),
        dict(coordinator_address="host0:99", num_processes=4, process_id=3,
             heartbeat_timeout_seconds=10, **bounds)]


def test_initialize_bad_arguments_fail_before_jax(monkeypatch):
    monkeypatch.setattr(jax.distributed, "initialize", lambda **kw: pytest.fail("called"))
    with pytest.raises(ValueError, match=r"has 2 jobs, but num_processes is 3"):
        distribution.initialize("a:1,b:2", num_processes=3, process_id=0)
    with pytest.raises(ValueError, match=r"`heartbeat_timeout_seconds` must be a positive "
                                         r"integer number of seconds. Received: "
                                         r"heartbeat_timeout_seconds=0"):
        distribution.initialize("a:1", 1, 0, heartbeat_timeout_seconds=0)
    with pytest.raises(TypeError):
        distribution.initialize("a:1", 1, 0, 5)  # the timeouts are keyword-only


def _fit(dist):
    jkeras.utils.set_random_seed(0)
    model = jkeras.Sequential([layers.Input((6,)), layers.Dense(8, activation="relu"),
                               layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    rs = np.random.RandomState(1)
    x, y = rs.randn(50, 6).astype("float32"), rs.randn(50, 1).astype("float32")
    distribution.set_distribution(dist)
    hist = model.fit(x, y, batch_size=8, epochs=2, verbose=0).history
    return model, hist, model.predict(x, verbose=0)


def test_fit_over_this_process_devices_matches_plain_fit():
    ref, ref_hist, ref_pred = _fit(None)
    model, hist, pred = _fit(distribution.DataParallel())
    for a, b in zip(ref.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(hist["loss"], ref_hist["loss"], atol=1e-5)
    np.testing.assert_allclose(pred, ref_pred, atol=1e-5)
    sharding = model.weights[0].value.sharding
    assert isinstance(sharding, jax.sharding.NamedSharding) and sharding.spec == jax.sharding.PartitionSpec()


def test_mesh_with_several_axes_shards_the_first_with_a_warning():
    mesh = distribution.DeviceMesh((1, 1), ["data", "model"], devices=[["cpu:0"]])
    with pytest.warns(UserWarning, match="first axis will be used"):
        dp = distribution.DataParallel(device_mesh=mesh)
    assert dp.batch_dim_name == "data"
    assert dp.device_mesh.backend_mesh.axis_names == ("data", "model")
