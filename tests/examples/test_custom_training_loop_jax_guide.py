"""Runs examples/custom_training_loop_jax_guide.py: keras.io's "Writing a training loop from scratch
in JAX" with the import changed. Its state starts from `model.trainable_variables`,
`optimizer.variables` and `metric.variables` inside `jax.jit`, and is written back with `assign`."""
import re


def test_custom_training_loop_in_jax_guide_runs(run_example):
    out = run_example("custom_training_loop_jax_guide.py")
    assert "OK: custom training loop in JAX" in out
    first, last, accuracy = (float(v) for v in re.search(
        r"1\. mean batch loss, first epoch (\d+\.\d+) -> last epoch (\d+\.\d+); validation "
        r"accuracy (\d\.\d+)", out).groups())
    assert last < first / 3 and accuracy > 0.8
    train_acc, val_acc = (float(v) for v in re.search(
        r"2\. training accuracy \(all epochs\) (\d\.\d+), validation accuracy (\d\.\d+)",
        out).groups())
    assert train_acc > 0.6 and val_acc > 0.8
    # the metric read back after each logged batch is the running accuracy, between 0 and 1
    seen = [float(v) for v in re.findall(r"Training accuracy: (\d\.\d+)", out)]
    assert len(seen) >= 5 and all(0.0 <= v <= 1.0 for v in seen) and seen[-1] > seen[0]
