"""Layer losses: `add_loss` inside `call`, activity regularization, and `losses` (Keras 3).

Pure path: while a `collecting()` block is open (fit's steps, `stateless_call(...,
return_losses=True)`), `add_loss` records `(layer, value)` in it and changes nothing else, so
`jax.grad` over `apply` sees the values. Without one, `apply` records nothing.
Eager path: a top-level eager call clears the losses of the layer and its sub-layers and keeps
the values of this call on each layer (`layer._losses`), as Keras.
`losses` = add_loss values (the layer's, then its sub-layers' in Keras's order) + the weight
regularization penalties of its trainable weights.
"""
import contextlib
import collections

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import scopes
from jkeras.core.scoped import Scoped

_bag = Scoped()


@contextlib.contextmanager
def collecting():
    """Collect `(layer, value)` pairs added by `add_loss` in this block (a list, yielded)."""
    with _bag.using([]) as bag:
        yield bag


def flatten_layers(layer):
    """The layer's sub-layers in Keras's `_flatten_layers(include_self=False)` order."""
    out, seen = [], set()
    queue = collections.deque(layer._child_layers())
    while queue:
        child = queue.popleft()
        if id(child) in seen:
            continue
        seen.add(id(child))
        out.append(child)
        queue.extendleft(child._child_layers())
    return out


def _check_penalty(layer, value, what):
    shape = getattr(value, "shape", None)
    if shape is None or tuple(shape) != ():
        raise ValueError(f"Layer '{layer.name}': {what} must be a scalar. Received a value of "
                         f"shape {shape if shape is not None else type(value).__name__}.")


def _as_float(value):
    value = jnp.asarray(value)
    return value if jnp.issubdtype(value.dtype, jnp.floating) else value.astype("float32")


class LossesMixin:
    """`add_loss`, `losses` and activity regularization for the Layer base."""

    def add_loss(self, loss):
        """Add a scalar loss from inside `call()` (it joins `losses` and the training loss)."""
        values = jax.tree_util.tree_leaves(loss)
        for x in values:
            if not isinstance(x, (jax.Array, np.ndarray, np.generic)):
                raise ValueError(
                    f"Layer '{self.name}': `add_loss()` can only be called from inside "
                    f"`build()` or `call()`, on a tensor input. Received invalid value: {x}")
            _check_penalty(self, x, "the value given to `add_loss()`")
            if not isinstance(x, jax.core.Tracer) and not np.isfinite(np.asarray(x)):
                raise ValueError(f"Layer '{self.name}': the value given to `add_loss()` is not "
                                 f"finite. Received: {np.asarray(x)}")
        self._record_losses(values)

    def _record_losses(self, values):
        bag = _bag.current
        if bag is not None:
            bag.extend((self, jnp.asarray(x)) for x in values)

    def _add_activity_penalty(self, outputs):
        """Keras: `activity_regularizer(output) / batch size` of each output tensor."""
        regularizer = self.__dict__.get("activity_regularizer")
        if regularizer is None or _bag.current is None:
            return
        for output in jax.tree_util.tree_leaves(outputs):
            if not hasattr(output, "ndim"):
                continue
            loss = jnp.asarray(regularizer(output))
            _check_penalty(self, loss, "the activity regularizer's output")
            if output.ndim > 0:
                batch = jnp.asarray(output.shape[0], loss.dtype)
                loss = jnp.where(batch == 0, jnp.zeros_like(loss), loss / batch)
            self._record_losses([loss])  # (a diverged model's NaN is reported, not refused)

    @contextlib.contextmanager
    def _eager_losses(self):
        """Around a top-level eager call: the losses of this call replace the previous ones."""
        with collecting() as bag:
            yield
        scope = scopes.get_stateless_scope()
        if scope is not None:  # Keras: the layers keep their losses; the scope may collect
            if scope.collect_losses:
                scope.losses.extend(value for _, value in bag)
            return
        layers = [self] + flatten_layers(self)
        for layer in layers:
            layer.__dict__["_losses"] = []
        for layer, value in bag:
            layer.__dict__.setdefault("_losses", []).append(value)

    def _weight_penalties(self, value_of):
        out = []
        for var in self.trainable_weights:
            regularizer = getattr(var, "regularizer", None)
            if regularizer is None:
                continue
            penalty = jnp.asarray(regularizer(value_of(var)))
            _check_penalty(self, penalty, f"the regularizer of weight '{var.path}'")
            out.append(penalty)
        return out

    @property
    def losses(self):
        """add_loss values of the last eager call (this layer's, then its sub-layers'), then
        the regularization penalties of the trainable weights at their current values."""
        out = list(self.__dict__.get("_losses", []))
        for layer in flatten_layers(self):
            out.extend(layer.__dict__.get("_losses", []))
        return out + self._weight_penalties(lambda var: var.value)

    def pure_losses(self, bag, params):
        """A model's `losses` for one pure call: the values `bag` collected (in Keras's layer
        order) and the weight penalties at `params` (the model's "params" pytree)."""
        added = []
        if bag:
            order = {id(layer): i for i, layer in enumerate([self] + flatten_layers(self))}
            added = [v for _, v in sorted(((order.get(id(l), len(order)), i), v)
                                          for i, (l, v) in enumerate(bag))]
        if not any(getattr(v, "regularizer", None) is not None for v in self.trainable_weights):
            return added
        paths = self._variable_paths()  # a Model's: ("params", ..., weight name)

        def value_of(var):
            node = params
            for key in paths[id(var)][1:]:
                node = node[key]
            return node
        return added + self._weight_penalties(value_of)


def total_loss(loss, losses):
    """Keras's `compute_loss`: the compiled loss plus `sum(l)` of each extra loss, summed."""
    if not losses:
        return loss
    return jnp.sum(jnp.stack([loss] + [jnp.sum(_as_float(l)) for l in losses]))
