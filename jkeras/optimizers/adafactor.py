"""Adafactor as keras/src/optimizers/adafactor.py (factored second moments)."""

import jax.numpy as jnp

from jkeras.optimizers.base import Optimizer


def _rms(x):
    return jnp.sqrt(jnp.mean(jnp.square(x)))


def _row_slot(p):
    # Keras factors the last two axes; a variable of rank < 2 gets a placeholder scalar.
    return jnp.zeros(p.shape[:-1] if p.ndim >= 2 else (), p.dtype)


def _col_slot(p):
    return jnp.zeros(p.shape[:-2] + p.shape[-1:] if p.ndim >= 2 else (), p.dtype)


class Adafactor(Optimizer):
    """t = iterations + 1;  lr' = min(lr, 1/sqrt(t)) (float lr with relative_step);
    alpha = max(epsilon_2, rms(w))·min(lr', 1/sqrt(t));  b = 1 - t**beta_2_decay;
    rank >= 2: r = b·r + (1-b)·mean(g² + epsilon_1, -1), c likewise over axis -2,
    v = (r / mean(r)) ⊗ c;  else v = b·v + (1-b)·(g² + epsilon_1);
    u = g / sqrt(v);  w -= alpha·u / max(1, rms(u) / clip_threshold).
    Slots per variable, in Keras's order: "r", "c" (scalar placeholders below rank 2),
    "velocity". The base options (weight_decay, clipnorm, use_ema, ...) are keywords of
    `Optimizer`."""

    _needs_params = True

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30,
                 epsilon_2=1e-3, clip_threshold=1.0, relative_step=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def _slot_specs(self):
        return [("r", _row_slot), ("c", _col_slot), ("velocity", 0.0)]

    def _slot_groups(self):
        return [["r", "c", "velocity"]]

    def _prepare(self, lr, iterations):
        return (iterations + 1).astype(jnp.float32)

    def _update_leaf_var(self, g, p, slots, lr, t):
        t = t.astype(g.dtype)
        if isinstance(self._learning_rate, float) and self.relative_step:
            lr = jnp.minimum(lr, 1 / jnp.sqrt(t))
        rho_t = jnp.minimum(lr, 1 / jnp.sqrt(t))
        alpha_t = jnp.maximum(jnp.asarray(self.epsilon_2, g.dtype), _rms(p)) * rho_t
        regulated = jnp.square(g) + self.epsilon_1
        beta_2_t = 1 - jnp.power(t, self.beta_2_decay)
        r, c = slots["r"], slots["c"]
        if p.ndim >= 2:
            r = beta_2_t * r + (1 - beta_2_t) * jnp.mean(regulated, axis=-1)
            c = beta_2_t * c + (1 - beta_2_t) * jnp.mean(regulated, axis=-2)
            v = jnp.expand_dims(r / jnp.mean(r, axis=-1, keepdims=True), -1) * \
                jnp.expand_dims(c, -2)
        else:
            v = beta_2_t * slots["velocity"] + (1 - beta_2_t) * regulated
        u = g / jnp.sqrt(v)
        u_hat = u / jnp.maximum(jnp.asarray(1.0, g.dtype), _rms(u) / self.clip_threshold)
        return -(alpha_t * u_hat), {"r": r, "c": c, "velocity": v}

    def get_config(self):
        config = super().get_config()
        config.update({
            "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step,
        })
        return config
