"""Nadam as keras/src/optimizers/nadam.py: Adam with Nesterov momentum and Dozat's
momentum schedule u_t = beta_1 * (1 - 0.5 * 0.96**t)."""

import jax.numpy as jnp

from jkeras.optimizers.betas import BetasOptimizer


class Nadam(BetasOptimizer):
    """With t = iterations + 1 and u_product the running product of the u's:
    m += (g - m)(1 - beta_1);  v += (g² - v)(1 - beta_2);
    m_hat = u_{t+1} m / (1 - u_product·u_{t+1}) + (1 - u_t) g / (1 - u_product);
    w -= lr · m_hat / (sqrt(v / (1 - beta_2**t)) + epsilon).
    Slots: "momentum", "velocity" (interleaved per variable), then the scalar "u_product"."""

    def _scalar_specs(self):
        return [("u_product", 1.0)]

    def _prepare_scalars(self, lr, iterations, scalars):
        t = (iterations + 1).astype(jnp.float32)
        decay = jnp.float32(0.96)
        beta_1 = jnp.float32(self.beta_1)
        u_product = scalars["u_product"] * beta_1 * (1.0 - 0.5 * jnp.power(decay, t))
        u_t = beta_1 * (1.0 - 0.5 * jnp.power(decay, t))
        u_t_1 = beta_1 * (1.0 - 0.5 * jnp.power(decay, t + 1))
        shared = {"u_t": u_t, "u_t_1": u_t_1, "u_product": u_product,
                  "u_product_1": u_product * u_t_1,
                  "beta_2_power": jnp.power(jnp.float32(self.beta_2), t)}
        return shared, {"u_product": u_product}

    def _update_leaf(self, g, slots, lr, shared):
        s = {k: v.astype(g.dtype) for k, v in shared.items()}
        beta_1, beta_2 = jnp.asarray(self.beta_1, g.dtype), jnp.asarray(self.beta_2, g.dtype)
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - beta_1)
        v = slots["velocity"] + (g * g - slots["velocity"]) * (1 - beta_2)
        m_hat = (s["u_t_1"] * m) / (1 - s["u_product_1"]) + ((1 - s["u_t"]) * g) / (
            1 - s["u_product"])
        v_hat = v / (1 - s["beta_2_power"])
        return -((m_hat * lr) / (jnp.sqrt(v_hat) + self.epsilon)), {"momentum": m, "velocity": v}
