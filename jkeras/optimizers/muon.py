"""Muon as keras/src/optimizers/muon.py: Newton-Schulz-orthogonalised momentum for 2-D
variables, Keras's Adam step (with `adam_lr_ratio`) for every other variable."""

import re

import jax
import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer, _leaf_name


def _path_string(path):
    """A pytree key path as Keras's `variable.path` for a model's params ("dense/kernel").

    Keras's path also starts with the model's name ("sequential/dense/kernel"); a pytree of
    params does not know it."""
    return "/".join(_leaf_name((key,)) for key in path)


def _swap_last(x):
    return jnp.swapaxes(x, -1, -2)


class Muon(Optimizer):
    """Muon variables (2-D, not embeddings, not matched by `exclude_layers`):
    m = momentum·m + g;  u = newton_schulz(g + momentum·m if nesterov else m, ns_steps);
    w -= lr·u·sqrt(max(rows, cols))·rms_rate (no scaling when rms_rate is None).
    Other variables: Keras's Adam with lr·adam_lr_ratio, adam_beta_1/2 and epsilon.
    Weight decay: `weight_decay` on Muon variables, `adam_weight_decay` on the others.
    Slots in Keras's order: per variable "momentum", then "velocity" for Adam variables only
    (a Muon variable's "velocity" leaf is None in opt_state)."""

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004,
                 exclude_layers=None, exclude_embeddings=True, muon_a=3.4445,
                 muon_b=-4.7750, muon_c=2.0315, adam_lr_ratio=1, momentum=0.95, ns_steps=5,
                 nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate
        self._list_paths = None

    def _should_use_adamw(self, shape, path):
        if len(shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    # ----- slots: "velocity" only where the Adam step runs ------------------------------
    def _slot_specs(self):
        return [("momentum", 0.0), ("velocity", 0.0)]

    def _slot_groups(self):
        return [["momentum", "velocity"]]

    def init(self, params):
        state = super().init(params)
        leaves, treedef = jax.tree_util.tree_flatten_with_path(params)
        if self._list_paths is not None and len(self._list_paths) == len(leaves):
            paths = self._list_paths  # apply_gradients: the variables' own paths
        else:
            paths = [_path_string(path) for path, _ in leaves]
        velocity = treedef.flatten_up_to(state.slots["velocity"])
        velocity = [v if self._should_use_adamw(jnp.shape(p), path) else None
                    for v, (_, p), path in zip(velocity, leaves, paths)]
        return state._replace(slots={**state.slots, "velocity": treedef.unflatten(velocity)})

    def build(self, var_list):
        var_list = list(var_list)
        if not self.built:
            self._list_paths = [str(getattr(v, "path", getattr(v, "name", ""))) for v in var_list]
        super().build(var_list)

    # ----- the rules ----------------------------------------------------------------------
    def _decays_any(self):
        return self.weight_decay is not None or self.adam_weight_decay is not None

    def _leaf_weight_decay(self, slots):
        return self.adam_weight_decay if slots["velocity"] is not None else self.weight_decay

    def _prepare(self, lr, iterations):
        return (iterations + 1).astype(jnp.float32)

    def _update_leaf(self, g, slots, lr, t):
        if slots["velocity"] is not None:
            return self._adam_step(g, slots, lr * self.adam_lr_ratio, t.astype(g.dtype))
        m = slots["momentum"] + (g + slots["momentum"] * (self.momentum - 1))
        direction = g + self.momentum * m if self.nesterov else m
        update = lr * self.zeropower_via_newtonschulz5(direction, self.ns_steps)
        if self.rms_rate is not None:
            update = update * jnp.sqrt(jnp.asarray(max(g.shape[0], g.shape[1]), g.dtype)) \
                * self.rms_rate
        return -update, {"momentum": m, "velocity": None}

    def _adam_step(self, g, slots, lr, t):
        beta_1_power = jnp.power(jnp.asarray(self.adam_beta_1, g.dtype), t)
        beta_2_power = jnp.power(jnp.asarray(self.adam_beta_2, g.dtype), t)
        alpha = lr * jnp.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - self.adam_beta_1)
        v = slots["velocity"] + (jnp.square(g) - slots["velocity"]) * (1 - self.adam_beta_2)
        return -((m * alpha) / (jnp.sqrt(v) + self.epsilon)), {"momentum": m, "velocity": v}

    def zeropower_via_newtonschulz5(self, x, steps):
        """Keras's quintic Newton-Schulz iteration towards the orthogonal factor of `x`."""
        if x.ndim < 2:
            raise ValueError(
                "Expected gradient or momentum to have at least 2 dimensions. "
                f"Received: shape={tuple(x.shape)}"
            )
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = _swap_last(x)
        x = x / (jnp.linalg.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
        mm = lambda u, v: jnp.matmul(u, v, precision=jax.lax.Precision.HIGHEST)  # noqa: E731
        for _ in range(steps):
            temp_a = mm(x, _swap_last(x))
            temp_b = b * temp_a + mm(c * temp_a, temp_a)
            x = a * x + mm(temp_b, x)
        return _swap_last(x) if tall else x

    def get_config(self):
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon, "exclude_layers": self.exclude_layers,
            "muon_a": self.muon_a, "muon_b": self.muon_b, "muon_c": self.muon_c,
            "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
            "ns_steps": self.ns_steps, "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate,
        })
        return config
