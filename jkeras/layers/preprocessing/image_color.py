"""RandomContrast and RandomBrightness: per-image random intensity changes within `value_range`."""
import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image_base import (BaseImagePreprocessingLayer,
                                                    check_value_range)


class RandomContrast(BaseImagePreprocessingLayer):
    """Scale each channel's deviation from its per-image mean by a factor drawn from
    [1 - factor[0], 1 + factor[1]] (Keras 3 clips `factor` to [0, 1], so a number f draws from
    [1, 1 + f]); clip to `value_range`."""
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._value_range = check_value_range(value_range)
        self._set_seed(seed)

    def _inference(self, images):
        return images

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
        return jnp.clip((images - mean) * factor + mean, *self._value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}


class RandomBrightness(BaseImagePreprocessingLayer):
    """Add to each image a delta drawn from `factor` * (value_range[1] - value_range[0]), then
    clip to `value_range`. Integer images stay integers (the delta is cast, as in Keras)."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = check_value_range(value_range)
        self._set_seed(seed)

    def _inference(self, images):
        return images

    def _transform(self, images, key):
        delta = jax.random.uniform(key, (images.shape[0], 1, 1, 1), minval=self.factor[0],
                                   maxval=self.factor[1])
        return self.adjust(images, delta * (self.value_range[1] - self.value_range[0]))

    def adjust(self, images, delta):
        """The deterministic part: add `delta` (B, 1, 1, 1) in pixel units and clip."""
        images = jnp.asarray(images)
        return jnp.clip(images + delta.astype(images.dtype), *self.value_range).astype(images.dtype)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
