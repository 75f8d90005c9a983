"""Per-pixel tone layers: RandomInvert, RandomPosterization, Solarization, RandomSharpness
(random, identity at inference) and AutoContrast (deterministic, always applied as in Keras)."""
import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image_base import (BaseImagePreprocessingLayer,
                                                    FactorRangeLayer, check_value_range)
from jkeras.layers.preprocessing.image_color import to_range


class RandomInvert(FactorRangeLayer):
    """Replace each image by `value_range[1] - image` with a probability drawn from `factor`."""
    _FACTOR_BOUNDS = (0, 1)
    _SORTED_RANGE = False

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range, data_format=data_format, seed=seed, **kwargs)

    def _transform(self, images, key):
        key_p, key_t = jax.random.split(key)
        batch = images.shape[0]
        probability = self._uniform(key_p, (batch,))
        return self.adjust(images, jax.random.uniform(key_t, (batch,)) < probability)

    def adjust(self, images, apply):
        """The deterministic part: invert the images where `apply` (B,) is True."""
        images = self._float(images)
        return jnp.where(apply[:, None, None, None], self._range[1] - images, images)


class RandomPosterization(FactorRangeLayer):
    """Keep the top `bits` bits of each 8-bit channel value, `bits` drawn from [factor[0],
    factor[1]) per image (exactly factor[0] when the two are equal), as Keras."""
    _FACTOR_BOUNDS = (1, 8)

    def _transform(self, images, key):
        batch = images.shape[0]
        if self.factor[0] != self.factor[1]:
            bits = jax.random.randint(key, (batch,), int(self.factor[0]), int(self.factor[1]))
        else:
            bits = jnp.full((batch,), int(self.factor[0]))
        return self.adjust(images, bits)

    def adjust(self, images, bits):
        """The deterministic part: keep `bits` (B,) high bits of each channel."""
        shift = (8 - jnp.asarray(bits, jnp.uint8))[:, None, None, None]
        x = to_range(self._float(images), self.value_range, (0, 255)).astype(jnp.uint8)
        x = jnp.left_shift(jnp.right_shift(x, shift), shift).astype(self.dtype)
        return to_range(x, (0, 255), self.value_range)


class Solarization(BaseImagePreprocessingLayer):
    """Add a random amount to each image, then invert the pixels at or above a random threshold
    (both on the 0..255 scale; Keras draws them from [f[0], f[1] * 255])."""
    _MESSAGE = ("The `addition_factor` and `threshold_factor` arguments should be a number (or a "
                "list of two numbers) in the range [0, 1]. ")

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self._set_seed(seed)
        self.addition_factor = self._pair(addition_factor, "addition_factor")
        self.threshold_factor = self._pair(threshold_factor, "threshold_factor")
        self.value_range = check_value_range(value_range)

    def _pair(self, factor, name):
        def check(value):
            if value > 1.0 or value < 0:
                raise ValueError(self._MESSAGE + f"Received: input_number={value}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._MESSAGE + f"Received: {name}={factor}")
            check(factor[0])
            check(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            check(factor)
            return (0, factor)
        raise ValueError(self._MESSAGE + f"Received: {name}={factor}")

    def _transform(self, images, key):
        key_a, key_t = jax.random.split(key)
        shape = (images.shape[0], 1, 1, 1)
        additions = jax.random.uniform(key_a, shape, minval=self.addition_factor[0],
                                       maxval=self.addition_factor[1] * 255)
        thresholds = jax.random.uniform(key_t, shape, minval=self.threshold_factor[0],
                                        maxval=self.threshold_factor[1] * 255)
        return self.adjust(images, additions, thresholds)

    def adjust(self, images, additions, thresholds):
        """The deterministic part, given (B, 1, 1, 1) additions and thresholds on 0..255."""
        x = to_range(self._float(images), self.value_range, (0, 255))
        x = jnp.clip(x + additions, 0, 255)
        x = jnp.where(x < thresholds, x, 255 - x)
        return to_range(x, (0, 255), self.value_range)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}


class RandomSharpness(FactorRangeLayer):
    """Blend each image with a 3x3 smoothed copy: factor 0.5 keeps it, lower blurs, higher
    sharpens (`images + (1 - 2 f) * (smoothed - images)`), f drawn from `factor`."""
    _FACTOR_BOUNDS = (0, 1)

    def _inference(self, images):
        return self._float(images)

    def _transform(self, images, key):
        return self.adjust(images, self._uniform(key, (images.shape[0],)))

    def adjust(self, images, factor):
        """The deterministic part, given the (B,) factors."""
        images = self._float(images)
        channels = images.shape[-1]
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = jnp.asarray([[a, a, a], [a, b, a], [a, a, a]], self.dtype)
        kernel = jnp.tile(kernel[:, :, None, None], (1, 1, 1, channels))
        smoothed = jax.lax.conv_general_dilated(
            images, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"),
            feature_group_count=channels, precision=jax.lax.Precision.HIGHEST)
        sharpness = (jnp.asarray(factor, self.dtype) * 2)[:, None, None, None]
        return jnp.clip(images + (1.0 - sharpness) * (smoothed - images), *self.value_range)


class AutoContrast(BaseImagePreprocessingLayer):
    """Stretch each channel of each image to the full `value_range` (constant channels are
    kept). Deterministic, applied in training and inference, as Keras."""
    random = False

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = check_value_range(value_range)

    def _transform(self, images, key):
        original = self._float(images)
        x = to_range(original, self.value_range, (0, 255))
        low = jnp.min(x, axis=(1, 2), keepdims=True)
        high = jnp.max(x, axis=(1, 2), keepdims=True)
        scale = 255.0 / (high - low)
        x = jnp.clip(x * scale - low * scale, 0.0, 255.0)
        x = to_range(x, (0, 255), self.value_range)
        return jnp.where(jnp.isnan(x), original, x)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


def gaussian_kernel(kernel_size, sigma, dtype):
    """Keras's JAX `gaussian_blur` kernel: outer(k1d(size[1], sigma[1]), k1d(size[0], sigma[0]))."""
    def one_d(size, s):
        x = jnp.arange(size, dtype=dtype) - (size - 1) / 2
        k = jnp.exp(-0.5 * (x / s) ** 2)
        return k / jnp.sum(k)
    return jnp.outer(one_d(kernel_size[1], sigma[1]), one_d(kernel_size[0], sigma[0]))


class RandomGaussianBlur(BaseImagePreprocessingLayer):
    """Blur each image, with a probability drawn from `factor`, by a Gaussian of `kernel_size`
    and a (sigma_x, sigma_y) pair drawn from `sigma` once per call (as Keras)."""
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.kernel_size = self._kernel_size(kernel_size)
        self.sigma = self._factor_range(sigma, "sigma")
        self.value_range = value_range
        self._set_seed(seed)

    @staticmethod
    def _kernel_size(size):
        message = f"kernel_size must be an odd number. Received: kernel_size={size}"
        if isinstance(size, (tuple, list)):
            if len(size) != 2:
                raise ValueError("The `kernel_size` argument should be a number (or a list of two "
                                 f"numbers) Received: kernel_size={size}")
            if size[0] % 2 == 0 or size[1] % 2 == 0:
                raise ValueError(message)
            return tuple(size)
        if isinstance(size, (int, float)) and not isinstance(size, bool):
            if size % 2 == 0:
                raise ValueError(message)
            return (size, size)
        raise ValueError(message)

    def _inference(self, images):
        return self._float(images)

    def _transform(self, images, key):
        key_p, key_t, key_s = jax.random.split(key, 3)
        batch = images.shape[0]
        probability = jax.random.uniform(key_p, (batch,), minval=self.factor[0],
                                         maxval=self.factor[1])
        apply = jax.random.uniform(key_t, (batch,)) < probability
        sigma = jax.random.uniform(key_s, (2,), minval=self.sigma[0],
                                   maxval=self.sigma[1]) + 1e-6
        return self.adjust(images, apply, sigma)

    def adjust(self, images, apply, sigma):
        """The deterministic part: blur with `sigma` (2,) where `apply` (B,) is True, clip."""
        images = self._float(images)
        channels = images.shape[-1]
        size = tuple(int(s) for s in self.kernel_size)
        kernel = gaussian_kernel(size, jnp.asarray(sigma, self.dtype), self.dtype)
        kernel = jnp.tile(kernel[:, :, None, None], (1, 1, 1, channels))
        blurred = jax.lax.conv_general_dilated(
            images, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"),
            feature_group_count=channels, precision=jax.lax.Precision.HIGHEST)
        out = jnp.where(jnp.asarray(apply)[:, None, None, None], blurred, images)
        return jnp.clip(out, *self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size,
                "sigma": self.sigma, "value_range": self.value_range, "seed": self.seed}


class Equalization(BaseImagePreprocessingLayer):
    """Histogram equalization of each channel (the histogram over the whole batch, `bins` bins on
    the 0..255 scale, as Keras). Active in training only (identity at inference), as Keras."""
    needs_key = False

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = check_value_range(value_range)

    def _inference(self, images):
        return images

    def _transform(self, images, key):
        x = to_range(self._float(images), self.value_range, (0, 255))
        out = jnp.stack([self._equalize(x[..., c]) for c in range(x.shape[-1])], axis=-1)
        return to_range(out, (0, 255), self.value_range)

    def _equalize(self, channel):
        bins = self.bins
        indices = jnp.clip((channel * (bins - 1) / 255.0).astype(jnp.int32), 0, bins - 1)
        hist = jnp.bincount(indices.reshape(-1), length=bins)
        cdf = jnp.cumsum(hist)
        cdf_min = cdf[jnp.argmax(cdf > 0)]
        denominator = cdf[-1] - cdf_min
        denominator = jnp.where(denominator == 0, 1, denominator)
        table = jnp.clip(jnp.round((cdf - cdf_min) * 255 / denominator), 0, 255)
        lookup = jnp.clip(channel / 255.0 * (bins - 1), 0, bins - 1).astype(jnp.int32)
        equalized = jnp.take(table, lookup).astype(channel.dtype)
        return jnp.where(jnp.count_nonzero(hist) <= 1, channel, equalized)

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}
