"""DataParallel over 4 CPU devices == one device: fused epochs with validation, Adam,
BatchNorm + Dropout, shuffling, a last batch that does not divide by the device count."""


def test_fused_fit_evaluate_predict_match_one_device(dp_checks, assert_equal_runs):
    out = dp_checks("fit")
    assert_equal_runs(out["fused_bn_dropout/dp4"], epochs=3)
