"""RandomElasticTransform: Keras's elastic deformation, on the device. Per image, a draw from
U(factor) against U(0, 1) decides whether it is deformed; one distortion d ~ U(scale) per batch
gives alpha = 0.1·d·max(h, w) and sigma = 0.05·d·min(h, w); the displacement is Gaussian-blurred
noise (the same field for x and y, as Keras's JAX backend), the warp `map_coordinates`; results
are clipped to `value_range`.

One difference, for the compiled step: Keras sizes the blur kernel from the drawn sigma
(`int(6·sigma) | 1`, a Python int), which needs a concrete value; jkeras sizes it from the
largest sigma `scale` allows and weights it with the drawn sigma (the same Gaussian, less
truncated)."""
import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image_base import (BaseImagePreprocessingLayer,
                                                    UnsupportedArgumentError)
from jkeras.ops import image as image_ops

_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(BaseImagePreprocessingLayer):
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = self._factor_range(scale, "scale")
        if interpolation not in _INTERPOLATIONS:
            raise UnsupportedArgumentError(f"Unknown `interpolation` {interpolation}. Expected "
                                           f"of one {tuple(_INTERPOLATIONS)}.")
        if fill_mode not in _FILL_MODES:
            raise UnsupportedArgumentError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                           f"{set(_FILL_MODES)}.")
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value
        self.value_range = value_range
        self._set_seed(seed)

    def _inference(self, images):
        return images

    def _transform(self, images, key):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images  # Keras: no transformation at all
        x = self._float(images)
        b, h, w, _ = x.shape
        k_prob, k_threshold, k_scale, k_noise = jax.random.split(key, 4)
        probability = jax.random.uniform(k_prob, (b,), minval=self.factor[0],
                                         maxval=self.factor[1])
        apply = jax.random.uniform(k_threshold, (b,)) < probability
        distortion = jax.random.uniform(k_scale, (), x.dtype, self.scale[0], self.scale[1])
        return self.adjust(x, apply, distortion, k_noise)

    def adjust(self, images, apply, distortion, key):
        """Keras's `transform_images` for a given transformation (`apply_transform`,
        `distortion_factor`, `seed` = the noise key) on an NHWC batch."""
        x = self._float(images)
        warped = self.deform(x, key, distortion)
        out = jnp.where(jnp.asarray(apply)[:, None, None, None], warped, x)
        return jnp.clip(out, self.value_range[0], self.value_range[1]).astype(self.dtype)

    def deform(self, images, key, distortion):
        """The elastic warp of an NHWC batch for one distortion value (traced or not)."""
        b, h, w, c = images.shape
        alpha = max(h, w) * 0.1 * distortion
        sigma = jnp.maximum(min(h, w) * 0.05 * distortion, 1e-6)
        size = int(6 * min(h, w) * 0.05 * self.scale[1]) | 1
        noise = jax.random.normal(key, (b, h, w), images.dtype) * sigma
        d = image_ops.gaussian_blur(noise[..., None], kernel_size=(size, size),
                                    sigma=jnp.stack([sigma, sigma]),
                                    data_format="channels_last")[..., 0]
        gx, gy = jnp.meshgrid(jnp.arange(w), jnp.arange(h))
        rows, cols = gy[None] + alpha * d, gx[None] + alpha * d
        order = _INTERPOLATIONS[self.interpolation]

        def warp(img, r, q):
            return jax.scipy.ndimage.map_coordinates(img, [r, q], order, self.fill_mode,
                                                     self.fill_value)
        per_image = jax.vmap(jax.vmap(warp, in_axes=(0, None, None)), in_axes=(0, 0, 0))
        return jnp.moveaxis(per_image(jnp.moveaxis(images, -1, 1), rows, cols), 1, -1)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
