"""RandAugment and AugMix: Keras's compositions of the augmentation layers, on the device.

Both hold Keras's sub-layers under Keras's attribute names (`random_shear`, ..., `equalization`),
each made from the composite's `factor`, `value_range`, `interpolation` and `seed`. A call draws
one key per sub-layer (so two picks of the same op reuse its parameters, as Keras's single
`get_random_transformation` per sub-layer) and picks ops on the device with `lax.switch`.

Difference from Keras: AugMix picks its ops with Python's `random.choice` (fixed when a Keras
function is traced); jkeras draws them from the call's key, so every step picks anew.
"""
import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image_affine import RandomRotation, RandomShear, RandomTranslation
from jkeras.layers.preprocessing.image_base import BaseImagePreprocessingLayer
from jkeras.layers.preprocessing.image_color import (RandomBrightness, RandomColorDegeneration,
                                                     RandomContrast)
from jkeras.layers.preprocessing.image_pixel import (AutoContrast, Equalization,
                                                     RandomPosterization, RandomSharpness,
                                                     Solarization)

RAND_AUGMENT_LAYERS = ("random_shear", "random_translation", "random_rotation",
                       "random_brightness", "random_color_degeneration", "random_contrast",
                       "random_sharpness", "random_posterization", "solarization",
                       "auto_contrast", "equalization")
AUGMIX_LAYERS = ("random_shear", "random_translation", "random_rotation", "random_posterization",
                 "solarization", "auto_contrast", "equalization")
AUGMIX_LAYERS_ALL = AUGMIX_LAYERS + ("random_brightness", "random_color_degeneration",
                                     "random_contrast", "random_sharpness")


def _pick(index, branches, x):
    """`branches[index](x)`: `lax.switch` when the index is traced, a direct call when it is
    known (eager calls and given transformations, which then skip tracing every branch)."""
    if isinstance(index, jax.core.Tracer):
        return jax.lax.switch(index, branches, x)
    return branches[int(index)](x)


class _CompositeAugmentation(BaseImagePreprocessingLayer):
    _FACTOR_BOUNDS = (0, 1)

    def _make_sublayers(self, names, interpolation, data_format):
        f, vr, seed = self.factor, self.value_range, self.seed
        common = dict(data_format=data_format, seed=seed)
        makers = {
            "random_shear": lambda: RandomShear(x_factor=f, y_factor=f,
                                                interpolation=interpolation, **common),
            "random_translation": lambda: RandomTranslation(
                height_factor=f, width_factor=f, interpolation=interpolation, **common),
            "random_rotation": lambda: RandomRotation(factor=f, interpolation=interpolation,
                                                      **common),
            "random_brightness": lambda: RandomBrightness(factor=f, value_range=vr, **common),
            "random_color_degeneration": lambda: RandomColorDegeneration(
                factor=f, value_range=vr, **common),
            "random_contrast": lambda: RandomContrast(factor=f, value_range=vr, **common),
            "random_sharpness": lambda: RandomSharpness(factor=f, value_range=vr, **common),
            "random_posterization": lambda: RandomPosterization(
                factor=max(1, int(8 * f[1])), value_range=vr, **common),
            "solarization": lambda: Solarization(addition_factor=f, threshold_factor=f,
                                                 value_range=vr, **common),
            "auto_contrast": lambda: AutoContrast(value_range=vr, data_format=data_format),
            "equalization": lambda: Equalization(value_range=vr, data_format=data_format),
        }
        for name in names:
            setattr(self, name, makers[name]())
        self._augment_layers = list(names)

    def _ops(self, keys):
        """One branch per sub-layer (NHWC float batch -> same), each with its own key."""
        def branch(layer, key):
            return lambda x: layer._transform(x, key).astype(x.dtype)
        return [branch(getattr(self, n), keys[i]) for i, n in enumerate(self._augment_layers)]

    def _check_common(self, value_range, interpolation):
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"Unknown `interpolation` {interpolation}. Expected of one "
                             "('nearest', 'bilinear').")


class RandAugment(_CompositeAugmentation):
    """`num_ops` ops, picked uniformly (with repeats) for the whole batch, applied in turn."""

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._check_common(value_range, interpolation)
        self.value_range, self.num_ops, self.interpolation = value_range, num_ops, interpolation
        self._set_factor(factor)
        self._set_seed(seed)
        self._make_sublayers(RAND_AUGMENT_LAYERS, interpolation, data_format)

    def _transform(self, images, key):
        k_idx, k_ops = jax.random.split(key)
        idxes = jax.random.randint(k_idx, (self.num_ops,), 0, len(self._augment_layers))
        return self.adjust(images, idxes, k_ops)

    def adjust(self, images, layer_idxes, key):
        """Keras's `transform_images` for given op indices; `key` draws the ops' parameters."""
        x = self._float(images)
        ops = self._ops(jax.random.split(key, len(self._augment_layers)))
        for i in range(self.num_ops):
            x = _pick(layer_idxes[i], ops, x)
        return x.astype(self.dtype)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation, "seed": self.seed}


class AugMix(_CompositeAugmentation):
    """`num_chains` chains of up to `chain_depth` ops (each step picks an op or none), mixed by
    Dirichlet(alpha) weights, then blended with the input by a Beta(alpha, alpha) weight and
    clipped to `value_range`."""

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0,
                 all_ops=True, interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._check_common(value_range, interpolation)
        self.value_range, self.num_chains, self.chain_depth = value_range, num_chains, chain_depth
        self.alpha, self.all_ops, self.interpolation = alpha, all_ops, interpolation
        self._set_factor(factor)
        self._set_seed(seed)
        self._make_sublayers(AUGMIX_LAYERS_ALL if all_ops else AUGMIX_LAYERS, interpolation,
                             data_format)

    def _transform(self, images, key):
        k_mix, k_blend, k_pick, k_ops = jax.random.split(key, 4)
        gammas = jax.random.gamma(k_mix, self.alpha, (self.num_chains,))
        weights = gammas / jnp.sum(gammas)
        blend = jax.random.beta(k_blend, self.alpha, self.alpha)
        # index len(layers) = "no op" (Keras's `None` choice)
        picks = jax.random.randint(k_pick, (self.num_chains, self.chain_depth), 0,
                                   len(self._augment_layers) + 1)
        return self.adjust(images, picks, weights, blend, k_ops)

    def adjust(self, images, picks, chain_weights, weight_sample, key):
        """Keras's `transform_images` for given picks ((chains, depth) op indices, the number
        of ops meaning none), chain mixing weights and blend weight."""
        x = self._float(images)
        keys = jax.random.split(key, self.num_chains * self.chain_depth).reshape(
            self.num_chains, self.chain_depth, -1)
        mixed = jnp.zeros_like(x)
        for c in range(self.num_chains):
            chain = x
            for d in range(self.chain_depth):
                ops = self._ops(jax.random.split(keys[c, d], len(self._augment_layers)))
                chain = _pick(picks[c, d], ops + [lambda y: y], chain)
            mixed = mixed + chain * jnp.asarray(chain_weights, x.dtype)[c]
        w = jnp.asarray(weight_sample, x.dtype)
        out = jnp.clip(w * x + (1 - w) * mixed, self.value_range[0], self.value_range[1])
        return out.astype(self.dtype)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation, "seed": self.seed}
