"""Where things live under DataParallel: the batch is split over the devices inside the
compiled step, the weights are replicated; programs are not shared between distributions;
set_distribution(None) brings the weights back to one device; on-batch methods."""
TOL = 1e-5


def test_layout_switching_and_on_batch(dp_checks):
    out = dp_checks("state")
    inside = out["inside"]
    # traced once for the fused epochs program, batch split 4 ways along axis 0
    assert inside["batch_shardings"], inside
    assert all(s == [4, "P('batch',)"] for s in inside["batch_shardings"]), inside
    assert inside["param_spec"] == "P()" and inside["param_devices"] == 4
    assert out["scope_restored"] is True

    switch = out["switch"]
    assert switch["devices_seen"] == [1, 2, 4]  # one model fitted under dp4, dp2, then None
    assert len(switch["program_keys"]) == 3 and "None" in switch["program_keys"]
    assert switch["final_devices"] == 1
    assert switch["weights"] < TOL  # == three plain fits

    assert out["on_batch"]["loss"] < TOL and out["on_batch"]["predict"] < TOL
