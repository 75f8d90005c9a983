"""DataParallel == one device on fit's other paths: chunk by chunk (a callback listening to
batches; batch size 10 does not divide by 4 devices) and host batches from a Keras-style
dataset (stacked chunks split along the batch axis)."""


def test_chunked_and_host_batch_fits_match_one_device(dp_checks, assert_equal_runs):
    out = dp_checks("paths")
    assert_equal_runs(out["chunks/dp4"], epochs=2)
    assert_equal_runs(out["generator/dp4"], epochs=3)
    assert_equal_runs(out["custom_step/dp4"], epochs=2)  # an overridden train_step
