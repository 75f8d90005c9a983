"""RandomErasing: replace a random rectangle of each image (with a probability drawn from
`factor`) by `fill_value` or, by default, Gaussian noise scaled by value_range[1]."""
import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image_base import BaseImagePreprocessingLayer


class RandomErasing(BaseImagePreprocessingLayer):
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = self._factor_range(scale, "scale")
        fill_error = "The `fill_value` argument should be a number (or a list of three numbers) "
        if isinstance(fill_value, (tuple, list)) and len(fill_value) != 3 or not (
                fill_value is None or isinstance(fill_value, (int, float, tuple, list))):
            raise ValueError(fill_error)
        self.fill_value = fill_value
        self.value_range = value_range
        self._set_seed(seed)

    def _inference(self, images):
        return self._float(images)

    def _transform(self, images, key):
        images = self._float(images)
        batch, height, width = images.shape[:3]
        keys = jax.random.split(key, 6)
        sides = jnp.sqrt(jax.random.uniform(keys[0], (batch, 2), minval=self.scale[0],
                                            maxval=self.scale[1]))

        def bounds(k, length, ratio):
            crop = ratio * length
            start = jax.random.uniform(k, (batch,)) * (length - crop)
            return start, start + crop
        x0, x1 = bounds(keys[1], width, sides[:, 0])
        y0, y1 = bounds(keys[2], height, sides[:, 1])
        probability = jax.random.uniform(keys[3], (batch,), minval=self.factor[0],
                                         maxval=self.factor[1])
        apply = jax.random.uniform(keys[4], (batch,)) < probability
        if self.fill_value is None:
            fill = jax.random.normal(keys[5], images.shape) * self.value_range[1]
        else:
            fill = jnp.broadcast_to(jnp.asarray(self.fill_value, self.dtype), images.shape)
        return self.erase(images, self.box_masks(images.shape, x0, x1, y0, y1), apply, fill)

    @staticmethod
    def box_masks(shape, x0, x1, y0, y1):
        """(B, H, W, C) masks of the boxes [x0, x1) x [y0, y1), one per image."""
        rows = jnp.arange(shape[1], dtype=jnp.float32)[None, :, None, None]
        cols = jnp.arange(shape[2], dtype=jnp.float32)[None, None, :, None]
        x0, x1, y0, y1 = (v[:, None, None, None] for v in (x0, x1, y0, y1))
        mask = (cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1)
        return jnp.broadcast_to(mask, shape)

    def erase(self, images, masks, apply, fill):
        """The deterministic part: `fill` (clipped to value_range) inside `masks` where `apply`."""
        fill = jnp.clip(fill, self.value_range[0], self.value_range[1])
        erased = jnp.where(masks, fill, images)
        return jnp.where(jnp.asarray(apply)[:, None, None, None], erased, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
