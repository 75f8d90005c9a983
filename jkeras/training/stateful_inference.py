"""`predict` / `evaluate` of a model holding `stateful=True` recurrent layers on array data.

As Keras does, each batch starts from the states the previous batch left, and the model keeps
the last states afterwards. The compiled inference loops read the variables without carrying
state, so these models run batch by batch on the host: one jitted forward pass per batch whose
new state feeds the next batch (evaluate computes its metrics with the compiled test step first).
"""
import jax
import numpy as np

from jkeras.distribution import current as distribution_lib
from jkeras.training import chunks, data as data_lib
from jkeras.training.step import new_eval_state


def _layers(layer):
    for child in layer._child_layers():
        yield child
        yield from _layers(child)


def applies(model, x, callbacks, method):
    """Array data and a stateful recurrent layer somewhere in the model."""
    if not getattr(model, "built", False) or not any(
            getattr(layer, "stateful", False) and hasattr(layer, "reset_states")
            for layer in _layers(model)):
        return False
    leaves = jax.tree_util.tree_leaves(x)
    if not leaves or any(not hasattr(a, "shape") for a in leaves):
        return False  # datasets / generators take the ordinary path
    if callbacks:
        raise ValueError(f"`{method}()` of a model with `stateful=True` recurrent layers runs "
                         "batch by batch to carry their states, and jkeras does not call "
                         "callbacks there yet. Call it without `callbacks`, or loop over the "
                         f"batches yourself. Received: callbacks={callbacks!r}")
    return True


def _batches(arrays, batch_size, steps):
    n = int(np.shape(jax.tree_util.tree_leaves(arrays[0])[0])[0])
    starts = range(0, n, batch_size)
    if steps is not None:
        starts = list(starts)[:steps]
    for start in starts:
        yield jax.tree_util.tree_map(lambda a, s=start: a[s:s + batch_size], arrays)


def _forward(model):
    return jax.jit(lambda v, x: model.apply(v, x, training=False))


def _keep_states(model, state):
    model._assign_tree({"params": {}, "state": state}, only_unbuilt=False, state_only=True)


def predict(model, x, batch_size, steps):
    x = data_lib.to_numpy(x)
    forward, variables, parts = _forward(model), model.get_variables(), []
    for (xb,) in _batches((x,), batch_size or 32, steps):
        out, state = forward(variables, xb)
        variables = {"params": variables["params"], "state": state}
        parts.append(jax.tree_util.tree_map(np.asarray, out))
    _keep_states(model, variables["state"])
    return jax.tree_util.tree_map(lambda *a: np.concatenate(a), *parts)


def evaluate(model, x, y, sample_weight, batch_size, steps):
    data = tuple(data_lib.to_numpy(t) for t in (x, y, sample_weight))
    data_lib.check_cardinality(*data)
    batches = list(_batches(data, batch_size or 32, steps))
    outputs = model.engine.outputs_for(batches[0], role="test")
    progs = model.engine.programs_for(outputs)
    forward, variables = _forward(model), model.get_variables()
    es = distribution_lib.put_state(new_eval_state(variables, outputs.init_metrics))
    logs = None
    for i, batch in enumerate(batches):
        es, logs = progs.chunk("test", ("single",), False)(
            es, distribution_lib.put_batch(batch), 0, 1, i == 0)
        _, state = forward({"params": es.params, "state": es.state}, batch[0])
        es = es._replace(state=state)
    _keep_states(model, es.state)
    return {k: float(v) for k, v in chunks.named(progs, logs).items()}, outputs
