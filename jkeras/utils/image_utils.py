"""`load_img`, `img_to_array`, `array_to_img`, `save_img` (`keras.utils`), with Pillow.

Pillow is an optional dependency (the `images` extra), imported when first needed.
"""
import importlib
import io
import pathlib
import warnings

import numpy as np

from jkeras.core.config import standardize_data_format

_PIL_METHODS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def pil_image(what):
    """`PIL.Image`, or an ImportError that names the function and the fix."""
    try:
        return importlib.import_module("PIL.Image")
    except ImportError as e:
        raise ImportError(
            f"Could not import PIL.Image. The use of `{what}` requires PIL: "
            "`pip install pillow` (or `pip install jkeras[images]`).") from e


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A rank-3 image array -> a PIL Image ("RGBA", "RGB", "L", or "I" for grayscale values
    above 255). With `scale`, values are shifted and scaled to [0, 255] first."""
    data_format = standardize_data_format(data_format)
    image = pil_image("array_to_img")
    x = np.asarray(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array with "
                         f"shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img, data_format=None, dtype=None):
    """A PIL Image (or anything `np.asarray` takes) -> a rank-3 float32 array."""
    data_format = standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape if data_format == "channels_first" else x.shape + (1,))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an image array to `path` (format from the suffix unless `file_format`)."""
    data_format = standardize_data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def open_image(path, what):
    image = pil_image(what)
    if isinstance(path, io.BytesIO):
        return image.open(path)
    if isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            return image.open(io.BytesIO(f.read()))
    raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")


def convert_mode(img, color_mode):
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    return img


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image into PIL format.

    Args:
        path: Path to the image file (str, bytes, pathlib.Path) or an `io.BytesIO`.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: None (original size) or `(height, width)`.
        interpolation: PIL resampling when resizing: "nearest", "bilinear", "bicubic",
            "hamming", "box" or "lanczos".
        keep_aspect_ratio: Crop the centre to the target aspect ratio before resizing.
    """
    image = pil_image("load_img")
    img = convert_mode(open_image(path, "load_img"), color_mode)
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            if interpolation not in _PIL_METHODS:
                raise ValueError(
                    f"Invalid interpolation method {interpolation} specified. Supported "
                    f"methods are {', '.join(_PIL_METHODS)}")
            resample = getattr(image.Resampling, interpolation.upper())
            if keep_aspect_ratio:
                width, height = img.size
                tw, th = size
                crop_h = min(height, (width * th) // tw)
                crop_w = min(width, (height * tw) // th)
                top, left = (height - crop_h) // 2, (width - crop_w) // 2
                img = img.resize(size, resample, box=[left, top, left + crop_w, top + crop_h])
            else:
                img = img.resize(size, resample)
    return img
