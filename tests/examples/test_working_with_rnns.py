"""Runs examples/working_with_rnns.py: keras.io's "Working with RNNs" with the imports changed;
the script checks shapes, the encoder-decoder's states, cross-batch statefulness, state reuse,
Bidirectional, LSTM against RNN(LSTMCell) and the nested-cell RNN."""


def test_working_with_rnns_guide_runs(run_example, training_summary):
    out = run_example("working_with_rnns.py")
    for line in ("encoder-decoder: the decoder starts from the encoder's final states",
                 "stateful LSTM: three paragraphs in a row equal one pass over the whole sequence",
                 "state reuse: a new LSTM continues from the stateful layer's states",
                 "Predicted result is: [",
                 "OK: built-in layers, outputs and states, encoder-decoder, statefulness, "
                 "state reuse, Bidirectional, LSTM vs RNN(LSTMCell), nested cell"):
        assert line in out, out[-3000:]
    first, last, _ = training_summary(out.replace("val accuracy", "test accuracy"))
    assert last < first
