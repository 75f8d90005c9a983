"""Runs examples/sequential_model_guide.py: keras.io's "The Sequential model" with the imports
changed; the script checks shapes, summaries' output shapes, feature extraction, freezing."""


def test_sequential_model_guide_runs(run_example):
    out = run_example("sequential_model_guide.py")
    for line in ("Sequential equals the chained layers",
                 "Number of weights after calling the model: 6",
                 "add() + summary(): output shapes (40, 40, 32) then (4, 4, 32)",
                 "feature extraction: intermediate outputs",
                 "transfer learning: only the last layer changed",
                 "OK: Sequential guide"):
        assert line in out, out[-3000:]
