"""JaxLayer: a layer from a pure JAX function `call_fn(params, state, rng, inputs, training)`
(any subset of those argument names, `inputs` required) and its `init_fn(rng, inputs,
training)` returning `params` or `(params, state)`, or from given `params` / `state` pytrees.

The leaves of `params` become trainable weights and those of `state` non-trainable ones
("variable", "variable_1", ... in tree order, as Keras). When `call_fn` takes `state` it returns
`(outputs, new_state)` and the new state is kept. `rng` is the call's key in training and None
in inference, as Keras passes it.
"""
import inspect

import jax
import jax.numpy as jnp

from jkeras.core import frame as frames
from jkeras.core.layer import Layer
from jkeras.layers import config_utils

_CALL_ARGS = {"params", "state", "rng", "inputs", "training"}
_INIT_ARGS = {"rng", "inputs", "training"}


def _arguments(fn, fn_name, allowed):
    names = list(inspect.signature(fn).parameters)
    if "inputs" not in names:
        raise ValueError(f"Missing required argument in `{fn_name}`: `inputs`")
    for name in names:
        if name not in allowed:
            raise ValueError(f"Unsupported argument in `{fn_name}`: `{name}`, supported "
                             f"arguments are `{'`, `'.join(sorted(allowed))}`")
    return names


class JaxLayer(Layer):
    def __init__(self, call_fn, init_fn=None, params=None, state=None, seed=None,
                 native_serialization_platforms=None, **kwargs):
        if native_serialization_platforms is not None:
            raise ValueError("JaxLayer: `native_serialization_platforms` configures jax2tf export "
                             "on the TensorFlow backend; jkeras runs JAX directly. Received: "
                             f"native_serialization_platforms={native_serialization_platforms!r}")
        super().__init__(**kwargs)
        self.call_fn, self.init_fn = call_fn, init_fn
        self.call_fn_arguments = _arguments(call_fn, "call_fn", _CALL_ARGS)
        self.call_fn_has_params = "params" in self.call_fn_arguments
        self.call_fn_has_state = "state" in self.call_fn_arguments
        if init_fn is None and params is None and state is None and (
                self.call_fn_has_params or self.call_fn_has_state):
            raise ValueError("`init_fn`, `params` and `state` cannot all be `None` when "
                             "`call_fn` takes a `params` or a `state` argument.")
        self.init_fn_arguments = _arguments(init_fn, "init_fn", _INIT_ARGS) if init_fn else None
        self.seed = seed
        self._given = (params, state)
        self._trees = (None, None)  # (params treedef, state treedef) once built
        self._vars = ([], [])

    def build(self, input_shape):
        params, state = self._given
        if params is None and state is None and self.init_fn is not None:
            example = jax.tree_util.tree_map(
                lambda s: jnp.ones([1 if d is None else d for d in s]), input_shape,
                is_leaf=lambda s: isinstance(s, tuple) and all(
                    d is None or isinstance(d, int) for d in s))
            try:
                shapes = jax.eval_shape(lambda k: self._run_init(k, example),
                                        jax.random.PRNGKey(0))
            except (TypeError, ValueError) as e:
                if isinstance(e, jax.errors.ConcretizationTypeError):
                    raise
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): `init_fn` failed for inputs "
                    f"of shape {input_shape}, so the weights cannot be created. Check that "
                    f"the wrapped module accepts this input shape. {type(e).__name__}: {e}"
                ) from e
            params, state = self._split(shapes)
            self._weights_from(params, True, lambda i: self._init_leaf(example, 0, i))
            self._weights_from(state, False, lambda i: self._init_leaf(example, 1, i))
        else:
            self._weights_from(params, True, None)
            self._weights_from(state, False, None)

    def _run_init(self, key, inputs):
        values = {"rng": key, "inputs": inputs, "training": True}
        return self.init_fn(*[values[n] for n in self.init_fn_arguments])

    def _split(self, result):
        return result if self.call_fn_has_state else (result, None)

    def _init_leaf(self, example, which, index):
        def initializer(key, shape, dtype=None):
            tree = self._split(self._run_init(key, example))[which]
            return jnp.asarray(jax.tree_util.tree_leaves(tree)[index], dtype)
        return initializer

    def _weights_from(self, tree, trainable, make_init):
        if tree is None:
            return
        leaves, treedef = jax.tree_util.tree_flatten(tree)
        made = []
        for i, leaf in enumerate(leaves):
            value = leaf if make_init is not None else jnp.asarray(leaf)
            var = self.add_weight(shape=tuple(value.shape), dtype=value.dtype,
                                  trainable=trainable,
                                  initializer=make_init(i) if make_init else value)
            setattr(self, var.name, var)
            made.append(var)
        self._vars = (made, self._vars[1]) if trainable else (self._vars[0], made)
        self._trees = (treedef, self._trees[1]) if trainable else (self._trees[0], treedef)

    def _tree(self, which):
        treedef = self._trees[which]
        if treedef is None:
            return None
        return jax.tree_util.tree_unflatten(
            treedef, [getattr(self, v.name) for v in self._vars[which]])

    def call(self, inputs, training=False):
        rng = None
        if training and "rng" in self.call_fn_arguments:
            rng = self.call_rng()
            rng = rng if self.seed is None else jax.random.fold_in(rng, self.seed)
        values = {"params": self._tree(0), "state": self._tree(1), "rng": rng,
                  "inputs": inputs, "training": training}
        try:
            out = self.call_fn(*[values[n] for n in self.call_fn_arguments])
        except (TypeError, ValueError) as e:
            if isinstance(e, jax.errors.ConcretizationTypeError):
                raise  # the base layer explains traced control flow
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): the output of `call_fn` could not "
                f"be computed (nor its shape inferred) for inputs of shape "
                f"{jax.tree_util.tree_map(jnp.shape, inputs)}. Check that the wrapped module "
                f"accepts this input shape. {type(e).__name__}: {e}") from e
        if not self.call_fn_has_state:
            return out
        out, new_state = out
        leaves, treedef = jax.tree_util.tree_flatten(new_state)
        if treedef != self._trees[1]:
            raise ValueError("Structure mismatch: the structure of the state returned by "
                             "`call` does not match the structure of the state at "
                             f"initialization time (layer '{self.name}').")
        if frames.frame_of(self) is not None:
            for var, value in zip(self._vars[1], leaves):
                self.assign_state(var.name, value)
        return out

    def get_config(self):
        return {**super().get_config(), "call_fn": config_utils.nested(self.call_fn),
                "init_fn": config_utils.nested(self.init_fn),
                "native_serialization_platforms": None}
