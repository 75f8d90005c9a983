"""Keras's single-batch API (`train_on_batch`, `test_on_batch`, `predict_on_batch`), one
compiled step per call; mixed into the Trainer, whose `engine` resolves the programs."""
import jax
import numpy as np

from jkeras.core.traceback_utils import filter_traceback
from jkeras.distribution import current as distribution_lib
from jkeras.training import array_logs, chunks, data as data_lib, stateful_inference
from jkeras.training.step import new_eval_state


def pythonify(logs):
    """Python floats, and float32 arrays for array-valued metrics (as Keras)."""
    logs = array_logs.regroup(logs)
    return {k: v if isinstance(v, np.ndarray) else float(v) for k, v in sorted(logs.items())}


class OnBatchMixin:
    @filter_traceback
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        self._jk_assert_compiled("train_on_batch")
        sample_weight = data_lib.apply_class_weight(y, sample_weight, class_weight)
        batch = tuple(data_lib.to_numpy(t) for t in (x, y, sample_weight))
        data_lib.check_cardinality(*batch)
        engine = self.engine
        outputs = engine.outputs_for(batch)
        ts = engine.start(outputs)
        ts, logs = engine.programs_for(outputs).chunk("train", ("single",), False)(
            ts, distribution_lib.put_batch(batch), 0, 1, True)
        engine.finish(ts)
        logs = pythonify(chunks.named(engine.programs_for(outputs), logs))
        return logs if return_dict else outputs.evaluate_order(logs)

    @filter_traceback
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._jk_assert_compiled("test_on_batch")
        if stateful_inference.applies(self, x, None, "test_on_batch"):  # states carried
            n = int(np.shape(jax.tree_util.tree_leaves(x)[0])[0])
            logs, outputs = stateful_inference.evaluate(self, x, y, sample_weight, n, None)
            return logs if return_dict else outputs.evaluate_order(logs)
        batch = tuple(data_lib.to_numpy(t) for t in (x, y, sample_weight))
        data_lib.check_cardinality(*batch)
        outputs = self.engine.outputs_for(batch, role="test")
        progs = self.engine.programs_for(outputs)
        es = distribution_lib.put_state(new_eval_state(self.get_variables(), outputs.init_metrics))
        _, logs = progs.chunk("test", ("single",), False)(
            es, distribution_lib.put_batch(batch), 0, 1, True)
        logs = pythonify(chunks.named(progs, logs))
        return logs if return_dict else outputs.evaluate_order(logs)

    @filter_traceback
    def predict_on_batch(self, x):
        if stateful_inference.applies(self, x, None, "predict_on_batch"):  # states carried
            n = int(np.shape(jax.tree_util.tree_leaves(x)[0])[0])
            return stateful_inference.predict(self, x, n, None)
        x = data_lib.to_numpy(x)
        self._build_from_inputs(x)
        out = self.engine.predict_programs().predict_host()(
            distribution_lib.put_state(self.get_variables()), distribution_lib.put_batch(x))
        return jax.tree_util.tree_map(np.asarray, out)
