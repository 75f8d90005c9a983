"""`keras.ops.rearrange`: einops-style axis rearrangement (transpose, split and merge axes)."""
import math
import re

import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor


def _groups(side):
    """'b (h h1) w' -> [['b'], ['h', 'h1'], ['w']]."""
    return [re.findall(r"\w+", token) for token in re.findall(r"\w+|\(.*?\)", side)]


def rearrange(tensor, pattern, **axes_lengths):
    """Rearrange axes by an einops pattern, e.g. `'b h w c -> b (h w) c'`; sizes of split
    axes come from `axes_lengths` (one per group may be inferred)."""
    tensor = convert_to_tensor(tensor)
    source, target = re.split(r"\s*->\s*", pattern)
    in_groups, out_groups = _groups(source), _groups(target)
    sizes = {}
    for group, dim in zip(in_groups, tensor.shape):
        known = [a for a in group if a in axes_lengths]
        for a in known:
            sizes[a] = axes_lengths[a]
        unknown = [a for a in group if a not in axes_lengths]
        if len(group) == 1 and unknown:
            sizes[group[0]] = dim
        elif unknown:
            sizes[unknown[0]] = dim // math.prod(axes_lengths[a] for a in known)
    flat_in = [a for g in in_groups for a in g]
    flat_out = [a for g in out_groups for a in g]
    tensor = jnp.reshape(tensor, [sizes[a] for a in flat_in])
    tensor = jnp.transpose(tensor, [flat_in.index(a) for a in flat_out])
    return jnp.reshape(tensor, [math.prod(sizes[a] for a in g) for g in out_groups])
