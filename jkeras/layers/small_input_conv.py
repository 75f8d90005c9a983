"""Convolutions whose kernel is larger than their input, kept fast on XLA's CPU backend.

XLA's algebraic simplifier swaps the operands of a convolution whose kernel window is larger
than its input (a 3x3 "same" convolution over a 2x2 or 1x1 feature map, as at the end of a
ResNet on small images). On CPU the swapped form has non-canonical dimension labels and runs in
a generic loop: measured 100-200x slower than the same convolution unswapped (ResNet50 on
32x32 images spends ~80% of its inference time in nine such convolutions). Padding the input
explicitly behind an optimisation barrier keeps XLA from folding the padding back and
swapping; the gradient is written the same way (a custom VJP), so training gains too.

The results are the same convolutions (equal up to float rounding); other convolutions, and
every convolution on other backends, go to `lax.conv_general_dilated` unchanged.
"""
import itertools

import jax
import jax.numpy as jnp
from jax import lax


def conv_general_dilated(x, kernel, strides, padding, rhs_dilation, dimension_numbers,
                         feature_group_count=1):
    """`lax.conv_general_dilated` for the layers, rerouted where XLA CPU would swap operands."""
    if _swapped_on_cpu(x, kernel, strides, rhs_dilation, dimension_numbers,
                       feature_group_count):
        rank = x.ndim - 2
        pads = padding if not isinstance(padding, str) else lax.padtype_to_pads(
            x.shape[1:-1], kernel.shape[:rank], (1,) * rank, padding)
        return _padded_conv(x, kernel, tuple(tuple(int(p) for p in pair) for pair in pads))
    return lax.conv_general_dilated(x, kernel, strides, padding, rhs_dilation=rhs_dilation,
                                    dimension_numbers=dimension_numbers,
                                    feature_group_count=feature_group_count)


def _swapped_on_cpu(x, kernel, strides, rhs_dilation, dimension_numbers, groups):
    rank = x.ndim - 2
    sp = "DHW"[-rank:]
    return (jax.default_backend() == "cpu" and groups == 1
            and tuple(dimension_numbers) == ("N" + sp + "C", sp + "IO", "N" + sp + "C")
            and all(s == 1 for s in strides) and all(d == 1 for d in (rhs_dilation or ()))
            and any(k > n for k, n in zip(kernel.shape[:rank], x.shape[1:-1])))


def _dn(rank):
    sp = "DHW"[-rank:]
    return ("N" + sp + "C", sp + "IO", "N" + sp + "C")


def _pad_behind_barrier(x, pads):
    """`x` zero-padded on its spatial axes; XLA may not fold this padding into the conv."""
    return lax.optimization_barrier(jnp.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),)))


def _valid_conv(x, kernel):
    rank = x.ndim - 2
    return lax.conv_general_dilated(x, kernel, (1,) * rank, "VALID",
                                    dimension_numbers=_dn(rank))


def _padded_conv(x, kernel, pads):
    return _conv_vjp(pads)(x, kernel)


_RULES = {}


def _conv_vjp(pads):
    """The stride-1 convolution with explicit `pads`, as a custom-VJP function (one per pads)."""
    if pads in _RULES:
        return _RULES[pads]

    @jax.custom_vjp
    def conv(x, kernel):
        return _valid_conv(_pad_behind_barrier(x, pads), kernel)

    def fwd(x, kernel):
        xp = _pad_behind_barrier(x, pads)
        return _valid_conv(xp, kernel), (xp, kernel)

    def bwd(res, dy):
        xp, kernel = res
        rank = xp.ndim - 2
        k_sp = kernel.shape[:rank]
        # input gradient: correlation of dy with the flipped, transposed kernel, dy padded so
        # that exactly the unpadded input positions come out (negative pads crop)
        flipped = jnp.swapaxes(jnp.flip(kernel, axis=tuple(range(rank))), rank, rank + 1)
        dy_pads = [(k - 1 - lo, k - 1 - hi, 0) for k, (lo, hi) in zip(k_sp, pads)]
        dy_padded = lax.pad(dy, jnp.zeros((), dy.dtype), [(0, 0, 0)] + dy_pads + [(0, 0, 0)])
        dx = _valid_conv(lax.optimization_barrier(dy_padded), flipped)
        # kernel gradient: one matmul per output position (there are fewer of them than kernel
        # taps here), as XLA CPU runs this correlation in a slow generic loop
        dk = jnp.zeros(kernel.shape, kernel.dtype)
        for pos in itertools.product(*(range(n) for n in dy.shape[1:-1])):
            patch = xp[(slice(None),) + tuple(slice(p, p + k) for p, k in zip(pos, k_sp))]
            dk = dk + jnp.tensordot(patch, dy[(slice(None),) + pos], axes=((0,), (0,)))
        return dx, dk

    conv.defvjp(fwd, bwd)
    _RULES[pads] = conv
    return conv
