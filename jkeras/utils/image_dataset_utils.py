"""`image_dataset_from_directory`: image files in class folders -> a batched `SampleDataset`.

Files are decoded with Pillow and resized in NumPy (`image_resize`), batch by batch on the host
when fit / iteration asks for them (use the dataset's `workers` to decode in parallel).
"""
import numpy as np

from jkeras.core.config import standardize_data_format
from jkeras.utils import image_resize
from jkeras.utils.dataset_utils import files_dataset
from jkeras.utils.image_utils import convert_mode, open_image

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True):
    """Generates a dataset from image files in a directory (Keras's arguments and order).

    With `labels="inferred"`, `directory` holds one subdirectory per class (alphanumerical
    order, or `class_names`'s). Labels are int32 (`label_mode="int"`), float32 one-hot
    ("categorical") or float32 `(n, 1)` ("binary"); `label_mode=None` yields images only.
    Images are float32 `(batch, height, width, channels)` ("nearest": uint8, as TF's resize).

    Returns:
        A `SampleDataset` (a `PyDataset`, which fit / evaluate / predict take) with
        `.class_names` and `.file_paths`; with `subset="both"`, a list `[train, validation]`.
        Keras returns a `tf.data.Dataset`; the files, order, split and values are the same
        (after a seeded shuffle, the per-epoch order differs: TF's shuffle buffer is not
        reproduced).
    """
    if color_mode not in _CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or not len(image_size) == 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}")
    interpolation = interpolation.lower()
    if interpolation not in image_resize.INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of "
                         f"{image_resize.INTERPOLATIONS}. Received: interpolation={interpolation}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set "
                         "to `True`.")
    data_format = standardize_data_format(data_format)
    size = tuple(int(s) for s in image_size)
    if crop_to_aspect_ratio:
        resize = image_resize.smart_resize
    elif pad_to_aspect_ratio:
        resize = image_resize.resize_with_pad
    else:
        resize = image_resize.resize

    def load(paths):
        images = [load_image(p, color_mode, size, interpolation, resize) for p in paths]
        batch = np.stack(images)
        return batch.transpose(0, 3, 1, 2) if data_format == "channels_first" else batch

    return files_dataset("images", directory, ALLOWLIST_FORMATS, labels, label_mode,
                         class_names, batch_size, shuffle, seed, validation_split, subset,
                         follow_links, verbose, load)


def load_image(path, color_mode, size, interpolation, resize):
    """One file -> (height, width, channels), resized."""
    img = convert_mode(open_image(path, "image_dataset_from_directory"), color_mode)
    x = np.asarray(img)
    if x.ndim == 2:
        x = x[:, :, None]
    return resize(x, size, interpolation)
