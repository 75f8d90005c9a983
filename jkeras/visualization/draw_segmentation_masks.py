"""`draw_segmentation_masks` (Keras 3's keras.visualization): class masks painted onto images
in a colour per class, blended with the image."""
import jax.numpy as jnp
import numpy as np

from jkeras.visualization.image_batch import channels_last_batch


def draw_segmentation_masks(images, segmentation_masks, num_classes=None, color_mapping=None,
                            alpha=0.8, blend=True, ignore_index=-1, data_format=None):
    """Draws segmentation masks on images.

    Args:
        images: a batch of images, 4D `(batch_size, height, width, channels)` (or channels
            first).
        segmentation_masks: integer class indices, `(batch_size, height, width)` or
            `(batch_size, height, width, 1)` (`(batch_size, 1, height, width)` channels
            first). Class `c` is painted for `0 <= c < num_classes`.
        num_classes: the number of classes; `None` infers it as the largest value in
            `segmentation_masks` (as Keras, that class itself is then not painted).
        color_mapping: dict (or list) from class index to RGB colour, for every index below
            `num_classes`. Defaults to a generated palette.
        alpha: opacity of the masks in [0, 1]. Defaults to `0.8`.
        blend: blend masks and images with `alpha` (uint8 NumPy result); `False` returns the
            painted float32 images as an array. Defaults to `True`.
        ignore_index: mask value left unblended. Defaults to `-1`.
        data_format: `"channels_last"` or `"channels_first"`; defaults to
            `keras.config.image_data_format()`.

    Returns:
        The images with the masks drawn, channels last.
    """
    images, channels_first = channels_last_batch(images, data_format)
    masks = np.asarray(segmentation_masks)
    if channels_first and masks.ndim == 4:
        masks = np.transpose(masks, (0, 2, 3, 1))
    if masks.ndim == 3:  # (batch_size, height, width), as Keras's documentation allows
        masks = masks[..., None]
    if masks.dtype.kind not in "iu":
        raise TypeError("`segmentation_masks` must be in integer dtype. "
                        f"Received: segmentation_masks.dtype={masks.dtype.name}")
    if masks.ndim != 4 or masks.shape[-1] != 1:
        raise ValueError("`segmentation_masks` must have shape (batch_size, height, width) or "
                         "(batch_size, height, width, 1) (channels first: (batch_size, 1, "
                         "height, width)). Received: "
                         f"segmentation_masks.shape={tuple(np.shape(segmentation_masks))}")
    images = images.astype("float32")
    if num_classes is None:
        num_classes = int(masks.max())
    colors = (_generate_color_palette(num_classes) if color_mapping is None
              else [color_mapping[i] for i in range(num_classes)])
    labels = masks[..., 0]
    painted = images.copy()
    for class_index, color in enumerate(colors):
        painted[labels == class_index, ...] = np.array(color, dtype=painted.dtype)[None, :]
    if not blend:
        return jnp.asarray(painted)
    outputs = images * (1 - alpha) + painted * alpha
    outputs = np.where((labels != ignore_index)[..., None], outputs, images)
    return outputs.astype("uint8")


def _generate_color_palette(num_classes):
    palette = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
    return [((i * palette) % 255).tolist() for i in range(num_classes)]
