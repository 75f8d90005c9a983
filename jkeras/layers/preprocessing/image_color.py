"""Colour layers: RandomContrast, RandomBrightness, RandomGrayscale, RandomHue, RandomSaturation,
RandomColorDegeneration and RandomColorJitter (per-image random draws, identity at inference)."""
import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing import image_ops
from jkeras.layers.preprocessing.image_base import (BaseImagePreprocessingLayer,
                                                    FactorRangeLayer)


class RandomContrast(FactorRangeLayer):
    """Scale each channel's deviation from its per-image mean by a factor drawn from
    [1 - factor[0], 1 + factor[1]] (Keras 3 clips `factor` to [0, 1], so a number f draws from
    [1, 1 + f]); clip to `value_range`."""
    _FACTOR_BOUNDS = (0, 1)
    _SORTED_RANGE = False

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor, value_range, seed=seed, **kwargs)

    def _transform(self, images, key):
        if not jnp.issubdtype(images.dtype, jnp.floating):
            raise TypeError(f"Layer '{self.name}' (RandomContrast) needs float images in "
                            f"training. Received dtype {images.dtype}: cast them first.")
        factor = jax.random.uniform(key, (images.shape[0], 1, 1, 1), images.dtype,
                                    minval=1.0 - self.factor[0], maxval=1.0 + self.factor[1])
        return self.adjust(images, factor)

    def adjust(self, images, factor):
        """The deterministic part: contrast `factor` (B, 1, 1, 1) on NHWC images, clipped."""
        mean = jnp.mean(images, axis=(1, 2), keepdims=True)
        return jnp.clip((images - mean) * factor + mean, *self._range)


class RandomBrightness(FactorRangeLayer):
    """Add to each image a delta drawn from `factor` * (value_range[1] - value_range[0]), then
    clip to `value_range`. Integer images stay integers (the delta is cast, as in Keras)."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor, value_range, seed=seed, **kwargs)

    def _transform(self, images, key):
        delta = self._uniform(key, (images.shape[0], 1, 1, 1))
        return self.adjust(images, delta * (self.value_range[1] - self.value_range[0]))

    def adjust(self, images, delta):
        """The deterministic part: add `delta` (B, 1, 1, 1) in pixel units and clip."""
        images = jnp.asarray(images)
        return jnp.clip(images + delta.astype(images.dtype), *self._range).astype(images.dtype)


class RandomGrayscale(BaseImagePreprocessingLayer):
    """Turn each image to grayscale (tf.image weights, channels kept) with probability
    `factor`. (Keras's config lists `factor` only; `seed` is not in it.)"""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor
        self._set_seed(seed)

    def _inference(self, images):
        return images

    def _transform(self, images, key):
        apply = jax.random.uniform(key, (images.shape[0], 1, 1, 1)) < self.factor
        return self.adjust(images, apply)

    @staticmethod
    def adjust(images, apply):
        """The deterministic part: grayscale where `apply` (B, 1, 1, 1) is True."""
        images = jnp.asarray(images)
        if images.shape[-1] not in (1, 3):
            raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale). Received "
                             f"input with shape: images.shape={images.shape}")
        if images.shape[-1] == 1:
            return images
        gray = image_ops.rgb_to_grayscale(images.astype(jnp.float32)).astype(images.dtype)
        return jnp.where(apply, gray, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def to_range(images, original, target):
    """Keras's `_transform_value_range`: map [original] linearly onto [target]."""
    if tuple(original) == tuple(target):
        return images
    scaled = (images - original[0]) / (original[1] - original[0])
    return scaled * (target[1] - target[0]) + target[0]


class RandomHue(FactorRangeLayer):
    """Rotate each image's hue by +-factor/2 of a turn (a random sign and a size drawn from
    `factor`, in [0, 1])."""
    _FACTOR_BOUNDS = (0, 1)
    _SORTED_RANGE = False

    def _transform(self, images, key):
        key_sign, key_size = jax.random.split(key)
        batch = images.shape[0]
        sign = jnp.where(jax.random.uniform(key_sign, (batch,)) > 0.5, -1.0, 1.0)
        size = self._uniform(key_size, (batch,))
        return self.adjust(images, sign * size * 0.5)

    def adjust(self, images, shift):
        """The deterministic part: add `shift` (B,) turns to the hue."""
        images = to_range(self._float(images), self.value_range, (0, 1))
        hsv = image_ops.rgb_to_hsv(images)
        hue = hsv[..., 0] + jnp.asarray(shift, images.dtype)[:, None, None]
        hue = jnp.where(hue > 1.0, hue - 1.0, hue)
        hue = jnp.where(hue < 0.0, hue + 1.0, hue)
        rgb = image_ops.hsv_to_rgb(jnp.stack([hue, hsv[..., 1], hsv[..., 2]], axis=-1))
        return to_range(jnp.clip(rgb, 0, 1), (0, 1), self.value_range).astype(self.dtype)


class RandomSaturation(FactorRangeLayer):
    """Scale each image's saturation by f / (1 - f + 1e-7), f drawn from `factor` (Keras clips the
    scaled saturation to `value_range`, as here)."""

    def _transform(self, images, key):
        f = self._uniform(key, (images.shape[0],))
        return self.adjust(images, f / (1 - f + 1e-7))

    def adjust(self, images, scale):
        """The deterministic part: multiply the saturation by `scale` (B,)."""
        hsv = image_ops.rgb_to_hsv(self._float(images))
        saturation = jnp.clip(hsv[..., 1] * jnp.asarray(scale, self.dtype)[:, None, None],
                              *self._range)
        return image_ops.hsv_to_rgb(jnp.stack([hsv[..., 0], saturation, hsv[..., 2]], axis=-1))


class RandomColorDegeneration(FactorRangeLayer):
    """Blend each image towards its grayscale by a factor drawn from `factor` (negative factors
    move away from gray), clipped to `value_range`. RGB images."""

    def _transform(self, images, key):
        return self.adjust(images, self._uniform(key, (images.shape[0], 1, 1, 1)))

    def adjust(self, images, factor):
        """The deterministic part: `images + factor * (gray - images)`, clipped."""
        images = self._float(images)
        if images.shape[-1] != 3:
            raise ValueError("Input images must have 3 channels, but received images with "
                             f"{images.shape[-1]} channels.")
        gray = image_ops.rgb_to_grayscale(images)
        return jnp.clip(images + factor * (gray - images), *self._range)


class RandomColorJitter(BaseImagePreprocessingLayer):
    """RandomBrightness, RandomContrast, RandomSaturation and RandomHue in that order, each one
    whose factor is given, each with its own draw from the call's key."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        self._set_seed(seed)
        parts = [(RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                 (RandomSaturation, saturation_factor), (RandomHue, hue_factor)]
        self._parts = tuple(cls(factor=f, value_range=value_range, seed=seed)
                            for cls, f in parts if f is not None)

    def _inference(self, images):
        return images

    def _transform(self, images, key):
        images = self._float(images)
        for i, part in enumerate(self._parts):
            images = part._transform(images, jax.random.fold_in(key, i)).astype(self.dtype)
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor,
                "seed": self.seed}
