"""Gradient clipping with Keras 3's exact semantics (base_optimizer._clip_gradients).

Keras checks `clipnorm`, then `global_clipnorm`, then `clipvalue`, each only when it is
truthy and > 0 (so 0 or None means "off"); the constructor allows at most one.
"""

import jax.numpy as jnp


def check_clip_args(clipnorm, clipvalue, global_clipnorm):
    """Raise Keras's error when more than one clipping option is set."""
    if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
            f"be set. Received: clipnorm={clipnorm}, "
            f"clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
        )


def clip_by_norm(g, clipnorm):
    """Per-tensor L2 clip, as tf.clip_by_norm: g * c / max(||g||, c).

    The two-`where` dance keeps sqrt away from 0 so the op stays nan-free."""
    l2sum = jnp.sum(g * g, keepdims=True)
    pred = l2sum > 0
    l2sum_safe = jnp.where(pred, l2sum, jnp.ones_like(l2sum))
    l2norm = jnp.where(pred, jnp.sqrt(l2sum_safe), l2sum)
    c = jnp.asarray(clipnorm, g.dtype)
    return (g * c) / jnp.maximum(l2norm, c)


def global_norm(grads):
    return jnp.sqrt(jnp.sum(jnp.stack([jnp.sum(g * g) for g in grads])))


def clip_by_global_norm(grads, clipnorm):
    """Keras's formula, kept verbatim: scale = c * min(1/norm, 1/c).

    Note c * (1/c) is not always exactly 1 in float32, and a non-finite norm makes every
    gradient nan (`norm - norm`), both as in Keras."""
    norm = global_norm(grads)
    scale = jnp.float32(clipnorm) * jnp.minimum(1.0 / norm, jnp.float32(1.0 / clipnorm))
    scale = scale + (norm - norm)
    return [g * scale.astype(g.dtype) for g in grads]


def clip_gradients(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """Apply whichever clipping option is active to a list of gradient arrays."""
    if clipnorm and clipnorm > 0:
        return [clip_by_norm(g, clipnorm) for g in grads]
    if global_clipnorm and global_clipnorm > 0:
        return clip_by_global_norm(grads, global_clipnorm)
    if clipvalue and clipvalue > 0:
        return [jnp.clip(g, -clipvalue, clipvalue) for g in grads]
    return list(grads)
