"""LayoutMap / TensorLayout / ModelParallel / distribute_tensor in the test process (one CPU
device is enough): Keras 3's regex lookup, argument errors, layouts of variables."""
import jax
import numpy as np
import pytest

import jkeras
from jkeras import distribution, layers


@pytest.fixture
def mesh():
    return distribution.DeviceMesh((1, 1), ("batch", "model"), devices=[["cpu:0"]])


def test_layout_map_regex_lookup_as_keras(mesh):
    lm = distribution.LayoutMap(mesh)
    lm[".*dense.*kernel"] = (None, "model")
    lm[".*dense.*bias"] = ("model",)
    lm["my_model/conv2d_123/kernel"] = distribution.TensorLayout((None, None, None, "model"))
    assert lm["dense_1/kernel"].axes == (None, "model")
    assert lm["model/dense_2/bias"].axes == ("model",)
    assert lm["my_model/conv2d_123/kernel"].device_mesh is mesh
    assert lm["my_model/conv3d_1/kernel"] is None and lm.get("x") is None
    assert len(lm) == 3 and list(lm)[0] == ".*dense.*kernel"
    del lm["my_model/conv2d_123/kernel"]
    assert len(lm) == 2
    lm["dense_1.*"] = (None, None)
    with pytest.raises(ValueError, match="matches multiple layout specification keys"):
        lm["dense_1/kernel"]
    with pytest.raises(ValueError, match="already exist in the LayoutMap"):
        lm[".*dense.*bias"] = ("model",)
    with pytest.raises(ValueError, match="should be a TensorLayout type"):
        lm["a"] = ["model"]
    with pytest.raises(ValueError, match="Invalid axis names for Layout"):
        lm["b"] = ("nope",)
    with pytest.raises(ValueError, match="not one"):
        lm["("] = ("model",)


def test_tensor_layout(mesh):
    layout = distribution.TensorLayout((None, "model"))
    with pytest.raises(ValueError, match="has no `device_mesh`"):
        layout.backend_layout
    layout.device_mesh = mesh
    assert layout.backend_layout == jax.sharding.NamedSharding(
        mesh.backend_mesh, jax.sharding.PartitionSpec(None, "model"))
    with pytest.raises(ValueError, match="Cannot override device mesh"):
        layout.device_mesh = mesh
    with pytest.raises(TypeError, match="tuple of mesh axis names"):
        distribution.TensorLayout("model")
    with pytest.raises(TypeError, match="a string\\) or None"):
        distribution.TensorLayout((1,))


def test_model_parallel_arguments(mesh):
    with pytest.raises(ValueError, match="You must specify a layout_map argument"):
        distribution.ModelParallel()
    with pytest.raises(ValueError, match="must be a `LayoutMap` instance"):
        distribution.ModelParallel(layout_map={})
    lm = distribution.LayoutMap(mesh)
    with pytest.raises(ValueError, match="must be one of the mesh's axis names"):
        distribution.ModelParallel(layout_map=lm, batch_dim_name="data")
    with pytest.raises(TypeError, match="unexpected keyword"):
        distribution.ModelParallel(layout_map=lm, batch_size=3)
    with pytest.raises(ValueError, match="instance of `DeviceMesh`"):
        distribution.LayoutMap("mesh")
    mp = distribution.ModelParallel(layout_map=lm, device_mesh=mesh)
    assert mp.batch_dim_name == "batch" and mp.num_model_replicas == 1
    assert mp.get_data_layout((4, 3)).axes == ("batch", None)
    lm["dense/kernel"] = (None, "model")
    dense = jkeras.Sequential([layers.Input((3,)), layers.Dense(2, name="dense")])
    kernel, bias = dense.weights
    assert mp.get_variable_layout(kernel).axes == (None, "model")
    assert mp.get_variable_layout(bias).axes == (None,)
    assert mp.get_tensor_layout("dense/kernel") is lm["dense/kernel"]


def test_distribute_tensor(mesh):
    layout = distribution.TensorLayout((None, "model"), mesh)
    x = distribution.distribute_tensor(np.ones((2, 3), "float32"), layout)
    assert x.sharding.is_equivalent_to(layout.backend_layout, 2)
    y = jax.jit(lambda a: distribution.distribute_tensor(a * 2, layout))(x)
    np.testing.assert_array_equal(y, 2 * np.ones((2, 3)))
    with pytest.raises(ValueError, match="has 2 axes"):
        distribution.distribute_tensor(np.ones(3), layout)
    with pytest.raises(TypeError, match="`layout` must be"):
        distribution.distribute_tensor(x, (None, "model"))
