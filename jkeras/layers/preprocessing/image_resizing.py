"""Resizing, CenterCrop and RandomCrop (Keras 3 semantics, JAX backend)."""
import jax
import jax.numpy as jnp

from jkeras.layers import conv_utils as cu
from jkeras.layers.preprocessing import image_ops
from jkeras.layers.preprocessing.image_base import BaseImagePreprocessingLayer


class _SizedLayer(BaseImagePreprocessingLayer):
    """Resizing, CenterCrop, RandomCrop: outputs of (height, width)."""

    @property
    def _output_size(self):
        return (self.height, self.width)


def _size(cls_name, height, width):
    with cu.arg_errors(cls_name):
        return cu.positive_int(height, "height"), cu.positive_int(width, "width")


def smart_resize(images, height, width):
    """Keras's `smart_resize`: the largest centred crop of the target aspect ratio, resized
    (bilinear) to (height, width)."""
    return image_ops.resize(images, (height, width), crop_to_aspect_ratio=True)


class Resizing(_SizedLayer):
    """Resize images to (height, width) with `jax.image.resize`, optionally cropping or padding to
    the target aspect ratio first. Integer images are rounded back to their dtype, as Keras."""
    random = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        self.height, self.width = _size("Resizing", height, width)
        if interpolation not in image_ops.RESIZE_INTERPOLATIONS:
            raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                             f"{image_ops.RESIZE_INTERPOLATIONS}. Received: "
                             f"interpolation={interpolation}")
        if fill_mode != "constant":
            raise ValueError("Invalid value for argument `fill_mode`. Only `'constant'` is "
                             f"supported. Received: fill_mode={fill_mode}")
        if pad_to_aspect_ratio and crop_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                             "`True`.")
        super().__init__(data_format=data_format, **kwargs)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def _transform(self, images, key):
        dtype = images.dtype
        floating = jnp.issubdtype(dtype, jnp.floating)
        x = images if floating else images.astype(self.dtype)
        out = image_ops.resize(x, (self.height, self.width), self.interpolation, self.antialias,
                               self.crop_to_aspect_ratio, self.pad_to_aspect_ratio,
                               self.fill_value)
        if floating:
            return out.astype(dtype)
        info = jnp.iinfo(dtype)  # round, then saturate into the integer dtype
        return jnp.clip(jnp.round(out), info.min, info.max).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(_SizedLayer):
    """Crop the central (height, width) window; an image smaller than that is first cropped to
    the target aspect ratio and resized (Keras's `smart_resize`)."""
    random = False

    def __init__(self, height, width, data_format=None, **kwargs):
        self.height, self.width = _size("CenterCrop", height, width)
        super().__init__(data_format=data_format, **kwargs)

    def _transform(self, images, key):
        x = self._float(images)
        h, w = x.shape[1], x.shape[2]
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            return x[:, top:top + self.height, left:left + self.width, :]
        return smart_resize(x, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomCrop(_SizedLayer):
    """In training, crop one random (height, width) window (the same offset for the whole batch,
    as Keras). When the images are not larger than the target on both sides, Keras 3 crops the
    (height, width) window at the offset of the largest centred window of the target aspect
    ratio, then resizes it to the target if it came out smaller; jkeras does the same.

    At inference, jkeras does what Keras's docstring documents: the largest centred window of
    the target aspect ratio, resized (`smart_resize`), so shapes agree with training. (Keras
    3.15's code returns the inputs unchanged at inference, contrary to its docstring.)"""

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        self.height, self.width = _size("RandomCrop", height, width)
        super().__init__(data_format=data_format, **kwargs)
        self._set_seed(seed)

    def _inference(self, images):
        return self._on_batches(images, self._centred)

    def _centred(self, images):
        return smart_resize(self._float(images), self.height, self.width)

    def _transform(self, images, key):
        x = self._float(images)
        h, w = x.shape[1], x.shape[2]
        if h <= self.height or w <= self.width:
            top, left, _, _ = image_ops.aspect_crop_box(h, w, self.height, self.width)
            x = x[:, top:top + self.height, left:left + self.width, :]
            if x.shape[1:3] != (self.height, self.width):
                x = image_ops.resize(x, (self.height, self.width))
            return x
        key_h, key_w = jax.random.split(key)
        top = jax.random.uniform(key_h, (), maxval=float(h - self.height + 1)).astype(jnp.int32)
        left = jax.random.uniform(key_w, (), maxval=float(w - self.width + 1)).astype(jnp.int32)
        return jax.lax.dynamic_slice(x, (0, top, left, 0),
                                     (x.shape[0], self.height, self.width, x.shape[3]))

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed}
