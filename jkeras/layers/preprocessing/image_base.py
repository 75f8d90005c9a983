"""The base of the image preprocessing layers: data formats, Keras's `factor` checks, keys.

Layers work on NHWC batches internally: `call` turns a single image (rank 3) into a batch of one
and channels_first into channels_last, runs `_transform`, and turns the result back. Random layers
draw from the call's key (`self.call_rng()`, folded with `seed` when one is given) and are the
identity when `training=False`. A standalone call (`layer(images)`) trains, as in Keras.
"""
import jax
import jax.numpy as jnp

from jkeras.core.layer import Layer
from jkeras.layers import conv_utils as cu
from jkeras.layers.preprocessing import image_ops
from jkeras.layers.regularization import _check_seed


class UnsupportedArgumentError(NotImplementedError, ValueError):
    """Keras raises NotImplementedError for an unknown fill_mode / interpolation; this is also a
    ValueError, as every bad argument in jkeras."""


def check_fill_and_interpolation(fill_mode, interpolation):
    if fill_mode not in image_ops.AFFINE_FILL_MODES:
        raise UnsupportedArgumentError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                       f"{image_ops.AFFINE_FILL_MODES}.")
    if interpolation not in image_ops.AFFINE_INTERPOLATIONS:
        raise UnsupportedArgumentError(f"Unknown `interpolation` {interpolation}. Expected of "
                                       f"one {tuple(image_ops.AFFINE_INTERPOLATIONS)}.")


def check_value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError("The `value_range` argument should be a list of two numbers. "
                         f"Received: value_range={value_range}")
    return sorted(value_range)


class BaseImagePreprocessingLayer(Layer):
    _FACTOR_BOUNDS = (-1, 1)
    random = True  # active only when training (identity when training=False)
    needs_key = True  # draws from the call's key (when `random`)
    supports_masking = False

    def __init__(self, data_format=None, **kwargs):
        self.data_format = cu.standardize_data_format(data_format)
        super().__init__(**kwargs)

    def _set_seed(self, seed):
        self.seed = _check_seed(type(self).__name__, seed)

    def _set_factor(self, factor):
        self.factor = self._factor_range(factor)

    def _factor_range(self, factor, name="factor"):
        """Keras's factor rule: a number f -> (max(-f, low), f), or a pair (lower, upper), within
        `_FACTOR_BOUNDS`; the error names the argument."""
        low, high = self._FACTOR_BOUNDS
        message = (f"The `{name}` argument should be a number (or a list of two numbers) in the "
                   f"range [{low}, {high}]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high or factor[1] < low:
                raise ValueError(message)
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if factor < low or factor > high:
                raise ValueError(message)
            return (max(-abs(factor), low), abs(factor))
        raise ValueError(message)

    # ---- calling ----------------------------------------------------------------------------
    def _eager_call(self, args, kwargs):
        if kwargs.get("training") is None:
            kwargs["training"] = True  # Keras: a standalone augmentation layer is active
        return super()._eager_call(args, kwargs)

    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            raise TypeError(
                f"Layer '{self.name}' ({type(self).__name__}): jkeras's image preprocessing "
                "layers take a tensor of images; dict inputs (images / labels / bounding_boxes / "
                "segmentation_masks) are not supported. Pass the images tensor.")
        images = jnp.asarray(inputs)
        if images.ndim not in (3, 4):
            raise ValueError("Expected image tensor to have rank 3 (single image) or 4 (batch of "
                             f"images). Received: data.shape={images.shape}")
        if self.random and not training:
            return self._inference(images)
        key = self._key() if self.random and self.needs_key else None
        return self._on_batches(images, lambda x: self._transform(x, key))

    def _on_batches(self, images, fn):
        """Run `fn` (NHWC batch -> NHWC batch) on images of this layer's rank and data format."""
        batched = images.ndim == 4
        x = images if batched else images[None]
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 2, 3, 1))
        x = fn(x)
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 3, 1, 2))
        return x if batched else x[0]

    def _inference(self, images):
        return self._float(images)

    def _float(self, images):
        return jnp.asarray(images).astype(self.dtype)

    def _key(self):
        key = self.call_rng()
        return key if self.seed is None else jax.random.fold_in(key, self.seed)

    def _transform(self, images, key):
        """NHWC batch -> NHWC batch (the layer's work)."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        """The input shape, with (height, width) replaced for the resizing and cropping layers."""
        shape = list(input_shape)
        size = getattr(self, "_output_size", None)
        if size is not None:
            first = len(shape) - 3 if self.data_format == "channels_last" else len(shape) - 2
            shape[first:first + 2] = size
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class FactorRangeLayer(BaseImagePreprocessingLayer):
    """A random colour layer with Keras's `factor`, `value_range` and `seed`; identity at
    inference. `_SORTED_RANGE`: Keras stores `value_range` sorted (a list) in the config."""
    _SORTED_RANGE = True

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._range = check_value_range(value_range)
        self.value_range = self._range if self._SORTED_RANGE else value_range
        self._set_seed(seed)

    def _inference(self, images):
        return images

    def _uniform(self, key, shape):
        """Per-image draws from U(factor[0], factor[1])."""
        return jax.random.uniform(key, shape, minval=self.factor[0], maxval=self.factor[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
