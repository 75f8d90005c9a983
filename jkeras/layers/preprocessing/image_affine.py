"""RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomShear: one random geometric transform per
image, drawn from the call's key; affine ones go through `image_ops.affine_transform` (Keras's JAX
backend: `map_coordinates` with the fill mode)."""
import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing import image_ops
from jkeras.layers.preprocessing.image_base import (BaseImagePreprocessingLayer,
                                                    check_fill_and_interpolation)
from jkeras.ops.image import homography

_FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(BaseImagePreprocessingLayer):
    """Flip each image with probability 1/2 (both axes at once for "horizontal_and_vertical")."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        if mode not in _FLIP_MODES:
            raise ValueError(f"RandomFlip layer received an unknown mode argument {mode!r}. "
                             f"Expected one of {_FLIP_MODES}.")
        super().__init__(data_format=data_format, **kwargs)
        self._set_seed(seed)
        self.mode = mode

    def _transform(self, images, key):
        x = self._float(images)
        return self.flip(x, jax.random.uniform(key, (x.shape[0], 1, 1, 1)) <= 0.5)

    def flip(self, images, flips):
        """The deterministic part: flip the images where `flips` (B, 1, 1, 1) is True."""
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            images = jnp.where(flips, jnp.flip(images, axis=2), images)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            images = jnp.where(flips, jnp.flip(images, axis=1), images)
        return images

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


class _AffineLayer(BaseImagePreprocessingLayer):
    def _set_fill(self, fill_mode, interpolation, fill_value, seed):
        check_fill_and_interpolation(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._set_seed(seed)

    def _transform(self, images, key):
        x = self._float(images)
        return self.apply_transform(x, self.sample_transform(key, x.shape))

    def apply_transform(self, images, transforms):
        """The deterministic part: warp NHWC `images` by (B, 8) Keras transform rows."""
        return image_ops.affine_transform(self._float(images), jnp.asarray(transforms, jnp.float32),
                                          self.interpolation, self.fill_mode, self.fill_value)

    def _fill_config(self):
        return {"fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "interpolation": self.interpolation, "seed": self.seed}


class RandomRotation(_AffineLayer):
    """Rotate each image by an angle drawn uniformly from `factor` * 360 degrees (about the
    centre; positive = counter-clockwise)."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_fill(fill_mode, interpolation, fill_value, seed)

    def sample_transform(self, key, shape):
        angle = jax.random.uniform(key, (shape[0],), minval=self.factor[0] * 360.0,
                                   maxval=self.factor[1] * 360.0)
        return self.rotation_matrix(angle, shape)

    @staticmethod
    def rotation_matrix(angle, shape):
        """(B, 8) transform rows rotating NHWC images of `shape` by `angle` degrees."""
        zeros, ones = jnp.zeros_like(angle), jnp.ones_like(angle)
        return image_ops.affine_matrix(angle, zeros, zeros, ones, zeros, zeros, shape[1],
                                       shape[2])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, **self._fill_config()}


class _TwoFactorLayer(_AffineLayer):
    """Zoom and translation: `height_factor` / `width_factor` in Keras's ranges."""
    _FACTOR_MESSAGE = ""

    def _pair(self, factor, name):
        message = self._FACTOR_MESSAGE + f"Received: {name}={factor}"
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(message)
            self._check_number(factor[0])
            self._check_number(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            self._check_number(factor)
            return (-abs(factor), abs(factor))
        raise ValueError(message)

    def _check_number(self, value):
        if self._out_of_range(value):
            raise ValueError(self._FACTOR_MESSAGE + f"Received: input_number={value}")

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._fill_config()}


class RandomZoom(_TwoFactorLayer):
    """Zoom each image by 1 + a factor drawn from `height_factor` (and `width_factor`; without
    it both axes zoom together). Positive factors zoom out, negative ones zoom in."""
    _FACTOR_MESSAGE = ("The `height_factor` and `width_factor` arguments should be a number (or "
                       "a list of two numbers) in the range (-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._pair(height_factor, "height_factor")
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = self._pair(width_factor, "width_factor")
        self._set_fill(fill_mode, interpolation, fill_value, seed)

    @staticmethod
    def _out_of_range(value):
        return value > 1.0 or value <= -1.0

    def sample_transform(self, key, shape):
        key_h, key_w = jax.random.split(key)
        height_zoom = jax.random.uniform(key_h, (shape[0],), minval=1.0 + self.height_lower,
                                         maxval=1.0 + self.height_upper)
        width_zoom = height_zoom
        if self.width_factor is not None:
            width_zoom = jax.random.uniform(key_w, (shape[0],), minval=1.0 + self.width_lower,
                                            maxval=1.0 + self.width_upper)
        return self.zoom_matrix(height_zoom, width_zoom, shape)

    @staticmethod
    def zoom_matrix(height_zoom, width_zoom, shape):
        """(B, 8) rows zooming NHWC images of `shape` by the (B,) factors about the centre."""
        zeros = jnp.zeros_like(height_zoom)
        x_offset = (shape[2] - 1.0) / 2.0 * (1.0 - width_zoom)
        y_offset = (shape[1] - 1.0) / 2.0 * (1.0 - height_zoom)
        return jnp.stack([width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros,
                          zeros], axis=1)


class RandomTranslation(_TwoFactorLayer):
    """Shift each image by fractions of its height and width drawn from the factors."""
    _FACTOR_MESSAGE = ("The `factor` argument should be a number (or a list of two numbers) in "
                       "the range [-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._pair(height_factor, "height_factor")
        self.width_factor = width_factor
        self.width_lower, self.width_upper = self._pair(width_factor, "width_factor")
        self._set_fill(fill_mode, interpolation, fill_value, seed)

    @staticmethod
    def _out_of_range(value):
        return value > 1.0 or value < -1.0

    def sample_transform(self, key, shape):
        key_h, key_w = jax.random.split(key)
        dy = jax.random.uniform(key_h, (shape[0],), minval=self.height_lower,
                                maxval=self.height_upper) * shape[1]
        dx = jax.random.uniform(key_w, (shape[0],), minval=self.width_lower,
                                maxval=self.width_upper) * shape[2]
        return self.translation_matrix(dx, dy)

    @staticmethod
    def translation_matrix(dx, dy):
        """(B, 8) rows shifting images right by `dx` and down by `dy` pixels."""
        zeros, ones = jnp.zeros_like(dx), jnp.ones_like(dx)
        return jnp.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)


class RandomShear(_AffineLayer):
    """Shear each image along x and y by amounts drawn from `x_factor` / `y_factor` (in
    [0, 1]; one random sign for both), about the top-left corner as Keras."""
    _FACTOR_MESSAGE = ("The `factor` argument should be a number (or a list of two numbers) in "
                       "the range [0, 1.0]. ")

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = _TwoFactorLayer._pair(self, x_factor, "x_factor")
        self.y_factor = _TwoFactorLayer._pair(self, y_factor, "y_factor")
        self._set_fill(fill_mode, interpolation, fill_value, seed)

    _check_number = _TwoFactorLayer._check_number

    @staticmethod
    def _out_of_range(value):
        return value > 1.0 or value < 0.0

    def sample_transform(self, key, shape):
        key_sign, key_y, key_x = jax.random.split(key, 3)
        batch = shape[0]
        sign = jnp.where(jax.random.uniform(key_sign, (batch,)) > 0.5, -1.0, 1.0)
        shear_y = jax.random.uniform(key_y, (batch,), minval=self.y_factor[0],
                                     maxval=self.y_factor[1])
        shear_x = jax.random.uniform(key_x, (batch,), minval=self.x_factor[0],
                                     maxval=self.x_factor[1])
        return self.shear_matrix(shear_x * sign, shear_y * sign)

    @staticmethod
    def shear_matrix(shear_x, shear_y):
        """(B, 8) rows shearing by the (B,) amounts (output (x, y) reads x + sx*y, y + sy*x)."""
        zeros, ones = jnp.zeros_like(shear_x), jnp.ones_like(shear_x)
        return jnp.stack([ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor,
                **self._fill_config()}

    @classmethod
    def from_config(cls, config):
        # Keras stores a number f as (-f, f), which its own constructor then rejects (negative);
        # jkeras reads such a pair back as f so its files load.
        config = dict(config)
        for name in ("x_factor", "y_factor"):
            value = config.get(name)
            if isinstance(value, (list, tuple)) and len(value) == 2 and value[0] < 0 and \
                    value[0] == -value[1]:
                config[name] = value[1]
        return super().from_config(config)


class RandomPerspective(BaseImagePreprocessingLayer):
    """With a probability drawn from `factor`, move each image's corners by up to `scale` / 2 of
    their coordinates and warp the image accordingly (projective; constant fill)."""
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        if scale < 0.0 or scale > 1.0:
            raise ValueError("The `scale` argument should be a number in the range [0,1]. "
                             f"Received: scale={scale}")
        check_fill_and_interpolation("constant", interpolation)
        self.scale, self.interpolation, self.fill_value = scale, interpolation, fill_value
        self._set_seed(seed)

    def _transform(self, images, key):
        batch, height, width = images.shape[:3]
        keys = jax.random.split(key, 3)
        probability = jax.random.uniform(keys[0], (batch,), minval=self.factor[0],
                                         maxval=self.factor[1])
        apply = jax.random.uniform(keys[1], (batch,)) < probability
        moves = jax.random.uniform(keys[2], (batch, 4, 2), minval=-0.5 * self.scale,
                                   maxval=0.5 * self.scale)
        corners = jnp.asarray([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1],
                               [width - 1, height - 1]])
        start = jnp.broadcast_to(corners, (batch, 4, 2))
        return self.warp(images, start, start + start * moves, apply)

    def warp(self, images, start_points, end_points, apply):
        """The deterministic part: warp by the corner moves where `apply` (B,) is True."""
        images = self._float(images)
        transforms = homography(jnp.asarray(start_points, jnp.float32),
                                          jnp.asarray(end_points, jnp.float32))
        warped = image_ops.affine_transform(images, transforms, self.interpolation, "constant",
                                            self.fill_value, projective=True)
        return jnp.where(jnp.asarray(apply)[:, None, None, None], warped, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value,
                "seed": self.seed}
