"""`plot_segmentation_mask_gallery` (Keras 3's keras.visualization): each image next to its
true and predicted masks, one row per image, through `plot_image_gallery`."""
import numpy as np

from jkeras.visualization.draw_segmentation_masks import draw_segmentation_masks
from jkeras.visualization.image_batch import channels_last_batch
from jkeras.visualization.plot_image_gallery import plot_image_gallery


def plot_segmentation_mask_gallery(images, num_classes, value_range=(0, 255), y_true=None,
                                   y_pred=None, color_mapping=None, blend=True, alpha=0.8,
                                   ignore_index=-1, data_format=None, **kwargs):
    """Plots a gallery of images with their segmentation masks.

    Args:
        images: a 4D batch of images (channels last, or channels first with `data_format`).
        num_classes: the number of classes (see `draw_segmentation_masks`).
        value_range: the images' value range. Defaults to `(0, 255)`.
        y_true, y_pred: integer masks, `(batch_size, height, width)` or
            `(batch_size, height, width, 1)` (channels first: `(batch_size, 1, height,
            width)`); either may be `None`.
        color_mapping, blend, alpha, ignore_index: as `draw_segmentation_masks`.
        data_format: `"channels_last"` or `"channels_first"`; defaults to
            `keras.config.image_data_format()`.
        **kwargs: passed on to `plot_image_gallery` (`path`, `show`, `scale`, `dpi`, ...).
    """
    images, channels_first = channels_last_batch(images, data_format)

    def draw(masks):
        masks = np.asarray(masks)
        if channels_first and masks.ndim == 4:
            masks = np.transpose(masks, (0, 2, 3, 1))
        return np.asarray(draw_segmentation_masks(
            images, masks.astype("int32"), num_classes=num_classes, color_mapping=color_mapping,
            alpha=alpha, blend=blend, ignore_index=ignore_index, data_format="channels_last"))

    drawn = [draw(masks) for masks in (y_true, y_pred) if masks is not None]
    batch_size = images.shape[0]
    gallery = [image for i in range(batch_size) for image in [images[i]] + [d[i] for d in drawn]]
    return plot_image_gallery(np.stack(gallery, axis=0), value_range=value_range, rows=batch_size,
                              cols=1 + len(drawn), data_format="channels_last", **kwargs)
