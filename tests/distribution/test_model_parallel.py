"""ModelParallel on a 2x4 mesh of forced CPU devices (subprocess, mp_checks.py): a Transformer
block (Embedding, MultiHeadAttention, LayerNormalization, Dense) trains to the one-device
weights; every weight and optimizer slot is laid out as the LayoutMap says and per-device bytes
shrink 4x; bad layouts fail before training; .keras / .weights.h5 saving gathers."""
TOL = 1e-5


def test_transformer_trains_like_one_device_with_sharded_weights(mp_checks):
    out = mp_checks("train")["train"]
    for key in ("weights", "history", "evaluate", "predict"):
        assert out[key] < TOL, (key, out[key])
    assert len(out["layout_ok"]) == 15 and all(out["layout_ok"].values()), out["layout_ok"]
    assert all(n == 8 for _, n in out["specs"].values())
    assert out["specs"]["mha/query/kernel"][0] == "P(None, 'model')"
    # every weight split 4 ways over "model": each device holds a quarter of the bytes
    assert len(out["bytes_per_device"]) == 8
    assert all(b * 4 == out["bytes_full"] for b in out["bytes_per_device"].values())
    # Adam's 3D slots (attention kernels) follow their weights' layouts
    assert out["slot_specs"] and all("'model'" in s for s in out["slot_specs"])
    assert out["saved_keras"] == 0.0 and out["saved_h5"] == 0.0


def test_bad_layouts_fail_before_training(mp_checks):
    errors = mp_checks("errors")["errors"]
    assert "splits dimension 1 (size 3) over mesh axis 'model' of size 4" in errors["divide"]
    assert "variable 'out/kernel'" in errors["divide"]
    assert "has 1 axes, but variable 'ffn/kernel' has shape (8, 16)" in errors["rank"]
    assert errors["divide_unchanged"] == 0.0 and errors["rank_unchanged"] == 0.0
    assert "Shape does not match the number of devices" in errors["mesh"]
