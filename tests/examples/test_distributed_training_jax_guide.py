"""Runs examples/distributed_training_jax_guide.py: keras.io's "Multi-GPU distributed training with
JAX" with the import changed, on 4 XLA CPU devices: variables replicated with `jax.device_put`,
batches split by a `NamedSharding`, and the same weights as one device."""
import re


def test_distributed_training_with_jax_guide_runs(run_example):
    out = run_example("distributed_training_jax_guide.py",
                      XLA_FLAGS="--xla_force_host_platform_device_count=4")
    assert "Running on 4 devices" in out and "OK: distributed training with JAX" in out
    match = re.search(r"loss per epoch: \[(.*)\]; test accuracy (\d\.\d+); largest difference "
                      r"from one device (\S+)", out)
    losses = [float(v) for v in match.group(1).split(",")]
    assert losses[-1] < losses[0] / 2 and float(match.group(2)) > 0.6
    assert float(match.group(3)) < 1e-4
