"""Runs examples/overfit_and_underfit.py: TF's "Overfit and underfit" comparison (large model,
L2, Dropout, both) on breast_cancer; every model's training lowers its loss, and the L2
models' reported loss includes the penalty."""
import re


def test_overfit_and_underfit_models_train_and_report_the_penalty(run_example):
    out = run_example("overfit_and_underfit.py")
    rows = dict(re.findall(r"^\s*(\w+): loss ([0-9.]+ -> [0-9.]+)", out, re.M))
    assert set(rows) == {"large", "l2", "dropout", "combined"}
    for name, pair in rows.items():
        first, last = (float(v) for v in pair.split(" -> "))
        assert last < first, name
    penalties = dict(re.findall(r"^\s*(\w+): loss .* penalties (\d+)", out, re.M))
    assert penalties == {"large": "0", "l2": "4", "dropout": "0", "combined": "4"}
    assert "regularized loss includes the L2 penalty" in out
