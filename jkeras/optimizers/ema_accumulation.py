"""Keras's base-optimizer options that wrap every update rule, as pure functions:
gradient accumulation and the exponential moving average (EMA) of the weights.

Semantics are keras/src/optimizers/base_optimizer.py's `_backend_apply_gradients`:

gradient_accumulation_steps = n
    Every call adds the gradients to the "gradient_accumulator" slots and leaves the
    variables (and the rule's slots) alone, except each n-th call (real iterations + 1
    divisible by n), which applies the rule to (g + accumulated) / n and zeroes the
    accumulators. Clipping and weight decay happen on those update calls only. The rule
    sees `iterations // n` as its step (Adam's bias correction), the learning-rate
    schedule sees the real iteration count.
use_ema
    After each call (update or not) "average" = m * average + (1 - m) * variable with
    m = ema_momentum, except m = 0 while `iterations // n` is 0 (the average starts as a
    copy). With ema_overwrite_frequency = f, the variables are replaced by their averages
    when (iterations // n + 1) is divisible by f.
"""

import jax
import jax.numpy as jnp
from jax import lax


def check_options(use_ema, ema_momentum, ema_overwrite_frequency,
                  gradient_accumulation_steps):
    """Keras's constructor checks, with its wording."""
    if gradient_accumulation_steps:
        if not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                "Received: gradient_accumulation_steps="
                f"{gradient_accumulation_steps}"
            )
    if use_ema:
        if ema_momentum > 1 or ema_momentum < 0:
            raise ValueError(
                "`ema_momentum` must be in the range [0, 1]. "
                f"Received: ema_momentum={ema_momentum}"
            )
        if ema_overwrite_frequency and (
            not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
        ):
            raise ValueError(
                "`ema_overwrite_frequency` must be an integer >= 1 or "
                "None. Received: ema_overwrite_frequency="
                f"{ema_overwrite_frequency}"
            )


def accumulate(steps, iterations, grads, accumulators, update_fn, unchanged):
    """Run `update_fn(averaged grads) -> (deltas, extra)` every `steps`-th call; the other
    calls only add to the accumulators and return zero deltas and `unchanged` (a pytree
    shaped as `extra`). Returns (deltas, extra, new accumulators)."""
    is_update = (iterations + 1) % steps == 0

    def do_update(operands):
        grads, accumulators, _ = operands
        averaged = [(g + a) / jnp.asarray(steps, g.dtype) for g, a in zip(grads, accumulators)]
        deltas, extra = update_fn(averaged)
        return deltas, extra, [jnp.zeros_like(a) for a in accumulators]

    def do_accumulate(operands):
        grads, accumulators, unchanged = operands
        return ([jnp.zeros_like(g) for g in grads], unchanged,
                [g + a for g, a in zip(grads, accumulators)])

    return lax.cond(is_update, do_update, do_accumulate,
                    (grads, accumulators, unchanged))


def ema(params, deltas, averages, opt_iterations, momentum, overwrite_frequency):
    """New averages of the updated variables, and the deltas (replaced by `average - p`
    on overwrite steps). Returns (deltas, new averages)."""
    not_first = opt_iterations != 0
    new_avgs = []
    for p, d, a in zip(params, deltas, averages):
        m = not_first.astype(p.dtype) * jnp.asarray(momentum, p.dtype)
        new_avgs.append(m * a + (1 - m) * (p + d))
    if overwrite_frequency:
        overwrite = (opt_iterations + 1) % overwrite_frequency == 0
        deltas = [jnp.where(overwrite, a - p, d)
                  for p, d, a in zip(params, deltas, new_avgs)]
    return deltas, new_avgs


class BaseOptionsMixin:
    """The `Optimizer` methods behind the base options: their slots, Keras's `scale_loss`
    and `finalize_variable_values`. Needs `use_ema`, `gradient_accumulation_steps`,
    `loss_scale_factor`, `_slot_groups`, `_slot_specs` and the imperative state."""

    def keras_slot_groups(self):
        """All per-variable slot groups in Keras's variable order: the base options'
        "average" (use_ema) and "gradient_accumulator" first, then the rule's."""
        groups = [["average"]] if self.use_ema else []
        if self.gradient_accumulation_steps:
            groups.append(["gradient_accumulator"])
        return groups + self._slot_groups()

    def _all_slot_specs(self):
        base = [("average", 0.0)] if self.use_ema else []
        if self.gradient_accumulation_steps:
            base.append(("gradient_accumulator", 0.0))
        return base + list(self._slot_specs())

    def scale_loss(self, loss):
        """Keras's `scale_loss`: the loss times `loss_scale_factor` (when set), to take
        gradients of; `update` divides the gradients by the factor again."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def scale_loss_for_state(self, loss, opt_state):
        """`scale_loss` inside a compiled step that holds `opt_state` (LossScaleOptimizer
        reads its dynamic scale from there)."""
        del opt_state
        return self.scale_loss(loss)

    def finalize_params(self, params, opt_state):
        """Keras's `finalize_variable_values` for a pytree: with use_ema the trainable
        params are replaced by their moving averages (what `fit` does at its end)."""
        if not self.use_ema:
            return params
        return opt_state.slots["average"]

    def finalize_variable_values(self, var_list):
        """Keras's method for the `apply_gradients` path: with use_ema, assign each
        variable its moving average."""
        if not self.use_ema or self._imp_state is None:
            return
        averages = self._imp_state.slots["average"]
        for var in var_list:
            i = self._imp_index.get(id(var))
            if i is not None:
                var.assign(averages[i])
