"""Masks through the merge layers, as Keras 3's `Merge`: the output mask is the OR of the input
masks (None unless every input has one); `Concatenate` joins them along its axis; `Multiply`,
`Maximum` and `Minimum` also read the masks attached to their inputs inside `call`."""
import functools

import jax.numpy as jnp

from jkeras.core import masking


def check_mask_lists(inputs, mask):
    if not isinstance(mask, (tuple, list)):
        raise ValueError(f"`mask` should be a list. Received: mask={mask}")
    if not isinstance(inputs, (tuple, list)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(
            "The lists `inputs` and `mask` should have the same length. Received: "
            f"inputs={inputs} of length {len(inputs)}, and mask={mask} of length {len(mask)}")


def or_mask(inputs, mask):
    """Merge.compute_mask: the OR of all input masks, None when any is None."""
    if mask is None:
        return None
    check_mask_lists(inputs, mask)
    if any(m is None for m in mask):
        return None
    return functools.reduce(jnp.logical_or, [jnp.asarray(m) for m in mask])


def concatenate_mask(inputs, mask, axis):
    """Concatenate.compute_mask: masks brought to each input's rank (all True where an input
    has none), joined along `axis`, then any() over the last axis."""
    if mask is None:
        return None
    check_mask_lists(inputs, mask)
    if all(m is None for m in mask):
        return None
    masks = []
    for x, m in zip(inputs, mask):
        if m is None:
            masks.append(jnp.ones(x.shape, bool))
        elif jnp.ndim(m) < len(x.shape):
            masks.append(jnp.broadcast_to(jnp.expand_dims(jnp.asarray(m, bool), -1), x.shape))
        else:
            masks.append(jnp.asarray(m, bool))
    return jnp.any(jnp.concatenate(masks, axis=axis), axis=-1)


def _expanded(x, mask):
    return jnp.broadcast_to(jnp.expand_dims(jnp.asarray(mask, bool), -1), x.shape)


def multiply_masked(inputs):
    """Multiply's `_merge_function`: masked entries count as 1; when every input is masked the
    product is 0 outside the OR of the masks and that mask is set on the output."""
    masks = [masking.get_keras_mask(x) for x in inputs]
    if all(m is None for m in masks):
        return functools.reduce(jnp.multiply, inputs)
    all_masked = all(m is not None for m in masks)
    output, output_mask = None, None
    for x, mask in zip(inputs, masks):
        if mask is not None:
            mask = _expanded(x, mask)
            x = jnp.where(mask, x, jnp.asarray(1, x.dtype))
            if all_masked:
                output_mask = mask if output_mask is None else jnp.logical_or(output_mask, mask)
        output = x if output is None else output * x
    if all_masked:
        output = jnp.where(output_mask, output, jnp.asarray(0, output.dtype))
        masking.set_keras_mask(output, jnp.any(output_mask, axis=-1))
    return output


def op_masked(op, inputs):
    """Merge._apply_merge_op_and_or_mask (Maximum, Minimum): masked entries of an input take
    the running output's value, and the OR of the masks is set on the output."""
    masks = [masking.get_keras_mask(x) for x in inputs]
    if all(m is None for m in masks):
        return functools.reduce(op, inputs)
    output, output_mask = None, None
    for x, mask in zip(inputs, masks):
        if mask is not None:
            mask = _expanded(x, mask)
        if output is None:
            output, output_mask = x, mask
            continue
        if mask is not None:
            x = jnp.where(mask, x, output)
        if output_mask is not None:
            output = jnp.where(output_mask, output, x)
        output_mask = (jnp.logical_or(output_mask, mask)
                       if mask is not None and output_mask is not None else None)
        output = op(output, x)
    if output_mask is not None:
        masking.set_keras_mask(output, jnp.any(output_mask, axis=-1))
    return output
