"""DataParallel with run_eagerly=True (steps run op by op; batches placed like host batches)."""


def test_eager_fit_matches_one_device(dp_checks, assert_equal_runs):
    out = dp_checks("eager")
    assert_equal_runs(out["eager/dp4"], epochs=1)
