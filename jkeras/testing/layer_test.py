"""`layer_test`: one call that checks a layer class the way Keras's `run_layer_test` does.

    result = jkeras.testing.layer_test(jkeras.layers.Dense, {"units": 3}, input_shape=(2, 4),
                                       expected_output_shape=(2, 3),
                                       expected_num_trainable_weights=2)
    result.outputs, result.layer, result.tf_outputs   # for further assertions

Checks, in order (each failure names the check): construction; purity of `init` / `apply` (two
applies on the same variables agree, `init` is deterministic, held weights stay untouched);
`jax.jit(apply)` equals `apply`; finite gradients of `sum(outputs)` with respect to the trainable
weights (training mode, when `run_training_check`); the symbolic output shape of a functional
call equals the eager one and `expected_output_shape`; weight counts; `get_config` ->
`from_config` round trip (equal config, equal outputs on copied weights); a `.weights.h5` round
trip through a small functional model; and parity with tf.keras's same-named layer built from our
config with our weights (when TensorFlow is installed and `tf_parity` is on).

Inputs: `input_shape` is a shape (one input), a list of shapes (a list passed as the one input,
as merge layers take), or a dict of `<argument>_shape` -> shape (one call argument each, e.g.
`{"query_shape": ..., "value_shape": ...}`); or pass `input_data` in the same structures.

The eager call runs in inference mode (`training=False`), as `apply` does by default, so random
augmentation layers (which train in a standalone call, as in Keras) compare equal; `apply` in
training mode still runs once. Host layers (`runs_on_host`: StringLookup, TextVectorization,
Hashing, ...) take NumPy inputs (strings too) and get the checks that apply to them:
determinism, output shape and dtype, no weights, config round trip and tf.keras parity.
"""
import copy
import dataclasses
import inspect
import json
import os
import tempfile

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.shapes import is_shape
from jkeras.layers import Input
from jkeras.models import Model
from jkeras.saving.serialization import serialize_keras_object


class LayerTestError(AssertionError):
    """A `layer_test` check failed; the message names the layer class and the check."""


@dataclasses.dataclass
class LayerTestResult:
    """What `layer_test` built: the eager layer, its variables pytree, the call arguments, the
    eager outputs, tf.keras's outputs (None when parity was skipped) and skipped checks with
    their reasons."""
    layer: object
    variables: dict
    inputs: tuple
    outputs: object
    tf_outputs: object = None
    skipped: dict = dataclasses.field(default_factory=dict)


def layer_test(layer_cls, init_kwargs=None, input_shape=None, input_dtype="float32",
               input_data=None, call_kwargs=None, expected_output_shape=None,
               expected_output_dtype=None, expected_num_trainable_weights=None,
               expected_num_non_trainable_weights=None, expected_num_seed_generators=None,
               supports_masking=None, run_training_check=True, tf_parity=True,
               tf_layer_cls=None, rtol=1e-5, atol=1e-6, seed=0):
    """Run every check on `layer_cls(**init_kwargs)`; raise `LayerTestError` (an
    AssertionError) naming the failed check, or return a `LayerTestResult`.

    `expected_num_seed_generators`: jkeras layers draw randomness from the call's key instead of
    SeedGenerator objects; the count is that of the layer and its sub-layers that take a `seed`,
    which is where Keras creates one. `tf_layer_cls`: the tf.keras class (or its name) when it is
    not `tf.keras.layers.<same name>`. `rtol`/`atol`: for jit and TF parity comparisons.
    """
    t = _Checker(layer_cls, init_kwargs or {}, call_kwargs or {}, rtol, atol)
    host = getattr(layer_cls, "runs_on_host", False)
    args = t.step("inputs", _make_inputs, layer_cls, input_shape, input_data, input_dtype, seed,
                  host)
    layer = t.step("construction", lambda: layer_cls(**copy.deepcopy(t.init_kwargs)))
    eager = t.step("eager call", lambda: layer(*args, **t.eager_kwargs()))
    if host:
        return _host_checks(t, layer, args, eager, expected_output_shape, expected_output_dtype,
                            tf_parity, tf_layer_cls)
    held = [np.array(w) for w in layer.get_weights()]
    t.check_purity(layer, args, eager, held)
    variables = layer.get_variables()
    t.check_jit(layer, variables, args, eager)
    if run_training_check:
        t.check_training(layer, variables, args)
    t.check_shapes(layer, args, eager, expected_output_shape, expected_output_dtype)
    t.check_counts(layer, expected_num_trainable_weights, expected_num_non_trainable_weights,
                   expected_num_seed_generators, supports_masking)
    t.check_config(layer, args, eager)
    t.check_weights_file(layer, args)
    result = LayerTestResult(layer, variables, args, eager)
    if tf_parity:
        result.tf_outputs = t.check_tf(layer, args, eager, tf_layer_cls, result.skipped)
    else:
        result.skipped["tf_parity"] = "tf_parity=False"
    return result


def _host_checks(t, layer, args, eager, expected_shape, expected_dtype, tf_parity, tf_cls):
    """A host layer (strings, vocabularies, exact hashes in NumPy) has no `apply`, jit,
    gradients, symbolic call or weights: check determinism, shapes, config and tf.keras."""
    result = LayerTestResult(layer, {"params": {}, "state": {}}, args, eager)
    for check in ("purity", "jit", "training", "symbolic shape", "weights file"):
        result.skipped[check] = "host layer: runs in NumPy outside apply, jit and models"
    again = t.step("purity", lambda: layer(*args, **t.eager_kwargs()))
    t.close("purity", eager, again, "two calls on the same inputs", rtol=0, atol=0)
    got = [x.shape for x in _leaves(eager)]
    if expected_shape is not None and [tuple(expected_shape)] != got:
        t.fail("output shape", f"expected {[tuple(expected_shape)]}, got {got}.")
    if expected_dtype is not None and any(str(x.dtype) != jnp.dtype(expected_dtype).name
                                          for x in _leaves(eager)):
        t.fail("output dtype", f"expected {expected_dtype}, got "
                               f"{[str(x.dtype) for x in _leaves(eager)]}.")
    if layer.get_weights():
        t.fail("weight count", f"a host layer holds no weights, got {len(layer.get_weights())}.")
    fresh = t.step("construction", lambda: t.cls(**copy.deepcopy(t.init_kwargs)))
    t._same_config(fresh)
    clone = t._same_config(layer)
    out = t.step("config round trip", lambda: clone(*args, **t.eager_kwargs()))
    t.close("config round trip", eager, out, "layer rebuilt from its config", rtol=0, atol=0)
    if tf_parity:
        result.tf_outputs = t.check_tf(layer, args, eager, tf_cls, result.skipped)
    else:
        result.skipped["tf_parity"] = "tf_parity=False"
    return result


class _Checker:
    def __init__(self, layer_cls, init_kwargs, call_kwargs, rtol, atol):
        self.cls, self.init_kwargs, self.call_kwargs = layer_cls, init_kwargs, call_kwargs
        self.rtol, self.atol = rtol, atol

    def eager_kwargs(self):
        """The eager call is in inference mode, as `apply`'s default: augmentation layers
        (and Pipeline) train in a standalone call unless told otherwise, as in Keras."""
        return {"training": False, **self.call_kwargs}

    def fail(self, check, message):
        raise LayerTestError(f"layer_test({self.cls.__name__}, {self.init_kwargs}) "
                             f"[{check}]: {message}")

    def step(self, check, fn, *args):
        try:
            return fn(*args)
        except LayerTestError:
            raise
        except Exception as e:  # any error is reported under the check that raised it
            self.fail(check, f"{type(e).__name__}: {e}")

    def close(self, check, expected, got, what, rtol=None, atol=None):
        rtol = self.rtol if rtol is None else rtol
        atol = self.atol if atol is None else atol
        exp, out = _leaves(expected), _leaves(got)
        if len(exp) != len(out):
            self.fail(check, f"{what}: {len(exp)} output arrays expected, got {len(out)}.")
        for i, (e, g) in enumerate(zip(exp, out)):
            if e.shape != g.shape:
                self.fail(check, f"{what}: output {i} has shape {g.shape}, expected {e.shape}.")
            if not np.allclose(np.asarray(g, np.float64), np.asarray(e, np.float64),
                               rtol=rtol, atol=atol, equal_nan=True):
                gap = np.max(np.abs(np.asarray(g, np.float64) - np.asarray(e, np.float64)))
                self.fail(check, f"{what}: output {i} differs by up to {gap:.3g} "
                                 f"(rtol={rtol}, atol={atol}).")

    def apply(self, layer, variables, args, training=False, rng=None):
        return layer.apply(variables, *args, training=training, rng=rng, **self.call_kwargs)

    # ---- checks ------------------------------------------------------------------------------
    def check_purity(self, layer, args, eager, held):
        key = jax.random.PRNGKey(1)
        v1 = self.step("purity", lambda: layer.init(key, *args, **self.call_kwargs))
        v2 = layer.init(key, *args, **self.call_kwargs)
        self._unchanged(layer, held, "init")
        if _tree_shapes(v1) != _tree_shapes(layer.get_variables()):
            self.fail("purity", f"init gives variables {_tree_shapes(v1)}, the built layer holds "
                                f"{_tree_shapes(layer.get_variables())}.")
        self.close("purity", v1, v2, "init twice with the same key", rtol=0, atol=0)
        out1, _ = self.step("purity", self.apply, layer, v1, args)
        out2, _ = self.apply(layer, v1, args)
        self.close("purity", out1, out2, "apply twice on the same variables", rtol=0, atol=0)
        self._unchanged(layer, held, "apply")
        out3, _ = self.apply(layer, layer.get_variables(), args)
        self.close("purity", eager, out3, "apply on the held variables vs the eager call")

    def _unchanged(self, layer, held, what):
        now = layer.get_weights()
        if len(now) != len(held) or any(not np.array_equal(a, b) for a, b in zip(held, now)):
            self.fail("purity", f"`{what}` changed the layer's held weights.")

    def check_jit(self, layer, variables, args, eager):
        fn = jax.jit(lambda v, a: self.apply(layer, v, a)[0])
        out = self.step("jit", fn, variables, args)
        self.close("jit", eager, out, "jax.jit(apply) vs apply")

    def check_training(self, layer, variables, args):
        rng = jax.random.PRNGKey(2)
        out, state = self.step("training", lambda: self.apply(layer, variables, args, True, rng))
        if _tree_shapes(state) != _tree_shapes(variables["state"]):
            self.fail("training", f"apply(training=True) returned state {_tree_shapes(state)}, "
                                  f"expected the structure {_tree_shapes(variables['state'])}.")
        if not all(np.all(np.isfinite(x)) for x in _leaves(out) if _is_float(x)):
            self.fail("training", "apply(training=True) gave non-finite outputs.")
        if not variables["params"] or not all(_is_float(x) for x in _leaves(out)):
            return

        def total(params):
            o, _ = self.apply(layer, {"params": params, "state": variables["state"]}, args,
                              True, rng)
            return sum(jnp.sum(x) for x in jax.tree_util.tree_leaves(o))
        grads = self.step("gradients", jax.jit(jax.grad(total)), variables["params"])
        bad = [jax.tree_util.keystr(p) for p, g in jax.tree_util.tree_leaves_with_path(grads)
               if not np.all(np.isfinite(g))]
        if bad:
            self.fail("gradients", f"non-finite gradients of sum(outputs) for {bad}.")

    def check_shapes(self, layer, args, eager, expected, expected_dtype):
        eager_shapes = [x.shape for x in _leaves(eager)]
        symbolic = self.step("symbolic shape", self._symbolic, layer, args)
        sym_shapes = [tuple(t.shape) for t in _leaves(symbolic, keras_tensors=True)]
        if sym_shapes != eager_shapes:
            self.fail("symbolic shape", f"functional call gives {sym_shapes}, eager call "
                                        f"gives {eager_shapes}.")
        if expected is not None:
            want = [tuple(expected)] if is_shape(expected) else [
                tuple(s) for s in jax.tree_util.tree_leaves(expected, is_leaf=is_shape)]
            if want != eager_shapes:
                self.fail("output shape", f"expected {want}, got {eager_shapes}.")
        if expected_dtype is not None:
            got = [str(x.dtype) for x in _leaves(eager)]
            if any(g != jnp.dtype(expected_dtype).name for g in got):
                self.fail("output dtype", f"expected {expected_dtype}, got {got}.")

    def _symbolic(self, layer, args):
        sym = jax.tree_util.tree_map(lambda a: Input(batch_shape=a.shape, dtype=a.dtype), args)
        return layer(*sym, **self.call_kwargs)

    def check_counts(self, layer, n_trainable, n_non_trainable, n_seeds, masking):
        for what, want, got in (("trainable", n_trainable, len(layer.trainable_weights)),
                                ("non-trainable", n_non_trainable,
                                 len(layer.non_trainable_weights))):
            if want is not None and want != got:
                self.fail("weight count", f"expected {want} {what} weights, got {got}.")
        if n_seeds is not None:
            got = sum(1 for sub in _all_layers(layer) if hasattr(sub, "seed"))
            if got != n_seeds:
                self.fail("seed generators", f"expected {n_seeds}, got {got}.")
        if masking is not None and bool(layer.supports_masking) != bool(masking):
            self.fail("supports_masking", f"expected {masking}, got {layer.supports_masking}.")

    def check_config(self, layer, args, eager):
        fresh = self.step("construction", lambda: self.cls(**copy.deepcopy(self.init_kwargs)))
        self._same_config(fresh)  # unbuilt, as Keras's run_layer_test
        clone = self._same_config(layer)
        self.step("config round trip", lambda: clone(*args, **self.call_kwargs))
        self._same_config(layer, clone, "after building both")
        self.step("config round trip", clone.set_weights, layer.get_weights())
        out, _ = self.apply(clone, clone.get_variables(), args)
        self.close("config round trip", eager, out, "rebuilt layer on copied weights")

    def _same_config(self, layer, clone=None, when=""):
        config = self.step("get_config", layer.get_config)
        if clone is None:
            clone = self.step("from_config",
                              lambda: type(layer).from_config(copy.deepcopy(config)))
        mine, theirs = _json(config), self.step("from_config", lambda: _json(clone.get_config()))
        if mine != theirs:
            diff = {k: (mine.get(k), theirs.get(k)) for k in set(mine) | set(theirs)
                    if mine.get(k) != theirs.get(k)}
            self.fail("config round trip", f"from_config(get_config()) has another config"
                                           f"{' ' + when if when else ''}; differences "
                                           f"(original, rebuilt): {diff}.")
        return clone

    def check_weights_file(self, layer, args):
        def model_of(lay):
            inputs = [Input(batch_shape=a.shape, dtype=a.dtype)
                      for a in jax.tree_util.tree_leaves(args)]
            structured = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(args), inputs)
            outputs = jax.tree_util.tree_leaves(lay(*structured, **self.call_kwargs),
                                                is_leaf=lambda x: hasattr(x, "shape"))
            return Model(inputs, outputs[0] if len(outputs) == 1 else outputs), inputs

        def run():
            model, _ = model_of(layer)
            clone = type(layer).from_config(copy.deepcopy(layer.get_config()))
            twin, _ = model_of(clone)
            flat = list(jax.tree_util.tree_leaves(args))
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "layer.weights.h5")
                model.save_weights(path)
                twin.load_weights(path)
            return model(flat), twin(flat)
        ours, loaded = self.step("weights file", run)
        self.close("weights file", ours, loaded, ".weights.h5 saved and loaded back")

    def check_tf(self, layer, args, eager, tf_layer_cls, skipped):
        try:
            import tensorflow as tf
        except ImportError:
            skipped["tf_parity"] = "TensorFlow is not installed"
            return None
        tf_cls = tf_layer_cls or self.cls.__name__
        if isinstance(tf_cls, str):
            if not hasattr(tf.keras.layers, tf_cls):
                skipped["tf_parity"] = f"tf.keras.layers has no {tf_cls}"
                return None
            tf_cls = getattr(tf.keras.layers, tf_cls)
        theirs = self.step("tf parity", lambda: tf_cls.from_config(_json(layer.get_config())))
        np_args = jax.tree_util.tree_map(np.asarray, args)
        np_kwargs = jax.tree_util.tree_map(
            lambda v: np.asarray(v) if isinstance(v, jax.Array) else v, self.call_kwargs)
        self.step("tf parity", lambda: theirs(*np_args, **np_kwargs))
        mine = layer.get_weights()
        if [tuple(w.shape) for w in theirs.weights] != [w.shape for w in mine]:
            self.fail("tf parity", "weights do not line up with tf.keras's: tf.keras "
                                   f"{[tuple(w.shape) for w in theirs.weights]}, jkeras "
                                   f"{[w.shape for w in mine]}.")
        theirs.set_weights(mine)
        out = self.step("tf parity", lambda: theirs(*np_args, training=False, **np_kwargs))
        out = [np.asarray(o) for o in tf.nest.flatten(out)]
        self.close("tf parity", out, eager, "tf.keras vs jkeras on the same weights")
        return out


# ---- inputs ----------------------------------------------------------------------------------
def _make_inputs(layer_cls, input_shape, input_data, dtype, seed, host=False):
    if (input_shape is None) == (input_data is None):
        raise ValueError("pass exactly one of `input_shape` and `input_data`. Received: "
                         f"input_shape={input_shape!r}, input_data given: {input_data is not None}")
    rng = np.random.default_rng(seed)
    if input_data is None:
        def make(shape):
            if np.issubdtype(np.dtype(dtype), np.floating):
                return rng.normal(size=shape).astype(dtype)
            if np.dtype(dtype) == np.bool_:
                return rng.integers(0, 2, size=shape).astype(bool)
            return rng.integers(0, 4, size=shape).astype(dtype)
        if isinstance(input_shape, dict):
            input_data = {k[:-len("_shape")] if k.endswith("_shape") else k: make(v)
                          for k, v in input_shape.items()}
        elif is_shape(input_shape):
            input_data = make(tuple(input_shape))
        else:
            input_data = [make(tuple(s)) for s in input_shape]
    convert = np.asarray if host else jnp.asarray  # host layers take strings
    if not isinstance(input_data, dict):
        return (jax.tree_util.tree_map(convert, input_data),)
    names = [n for n, p in inspect.signature(layer_cls.call).parameters.items()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and n != "self"]
    if set(input_data) - set(names[:len(input_data)]):
        raise ValueError(f"input keys {sorted(input_data)} must be the first positional arguments "
                         f"of {layer_cls.__name__}.call {names}.")
    return tuple(jax.tree_util.tree_map(convert, input_data[n]) for n in names[:len(input_data)])


# ---- helpers ---------------------------------------------------------------------------------
def _leaves(value, keras_tensors=False):
    if keras_tensors:
        return [t for t in jax.tree_util.tree_leaves(value, is_leaf=lambda x: hasattr(x, "shape"))]
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(value)]


def _is_float(x):
    return np.issubdtype(np.asarray(x).dtype, np.floating)


def _tree_shapes(tree):
    return jax.tree_util.tree_map(lambda a: tuple(np.shape(a)), tree)


def _json(config):
    return json.loads(json.dumps(serialize_keras_object(config)))


def _all_layers(layer):
    found = [layer]
    for child in layer._child_layers():
        found.extend(_all_layers(child))
    return found
