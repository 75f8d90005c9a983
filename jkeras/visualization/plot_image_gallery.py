"""`plot_image_gallery` (Keras 3's keras.visualization): a grid of images with optional label
and prediction titles, shown or saved with matplotlib."""
import math

import numpy as np

from jkeras.core.config import standardize_data_format
from jkeras.layers.preprocessing.image_color import to_range
from jkeras.visualization import optional


def plot_image_gallery(images, y_true=None, y_pred=None, label_map=None, rows=None, cols=None,
                       value_range=(0, 255), scale=2, path=None, show=None, transparent=True,
                       dpi=60, legend_handles=None, data_format=None):
    """Displays a gallery of images with optional labels and predictions.

    Args:
        images: a 4D batch of images, `(batch_size, height, width, channels)` (or channels
            first).
        y_true: 1D true class indices, titled "Label: <name>". Defaults to `None`.
        y_pred: 1D predicted class indices, titled "Pred: <name>". Defaults to `None`.
        label_map: dict from class index to name; required with `y_true` / `y_pred`.
        rows: rows of the grid; defaults to ceil(sqrt(batch_size)).
        cols: columns of the grid; defaults to batch_size // rows.
        value_range: the images' value range, e.g. `(0, 255)` or `(0, 1)`. Defaults to
            `(0, 255)`.
        scale: the size of each image in inches. Defaults to `2`.
        path: where to save the gallery; `None` shows it with `plt.show()`.
        show: whether to show the gallery; defaults to `path is None`. Cannot be true with
            a `path`.
        transparent: save with a transparent background. Defaults to `True`.
        dpi: the saved image's DPI. Defaults to `60`.
        legend_handles: matplotlib `Patch`es for a legend. Defaults to `None`.
        data_format: `"channels_last"` or `"channels_first"`; defaults to
            `keras.config.image_data_format()`.
    """
    plt = optional.matplotlib("plot_image_gallery")
    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, or `show` "
                         "to be true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be"
                         " provided.")
    show = show if show is not None else (path is None)
    data_format = standardize_data_format(data_format)
    shape = tuple(np.shape(images))
    if len(shape) != 4:
        raise ValueError("`plot_images_gallery()` requires you to "
                         "batch your `np.array` samples together.")
    batch_size = shape[0]
    rows = rows or int(math.ceil(math.sqrt(batch_size)))
    cols = cols or int(math.ceil(batch_size // rows))
    images = np.asarray(images)[:min(rows * cols, batch_size)]
    if data_format == "channels_first":
        images = np.transpose(images, (0, 2, 3, 1))

    fig, axes = plt.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale),
                             frameon=False, layout="tight", squeeze=True, sharex="row",
                             sharey="col")
    fig.subplots_adjust(wspace=0, hspace=0)
    if isinstance(axes, np.ndarray) and len(axes.shape) == 1:
        axes = np.expand_dims(axes, 0 if rows == 1 else -1)
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")

    low, high = (np.float32(v) for v in value_range)
    images = to_range(images.astype("float32"), (low, high), (np.float32(0), np.float32(255)))
    y_true = None if y_true is None else np.asarray(y_true)
    y_pred = None if y_pred is None else np.asarray(y_pred)
    for row in range(rows):
        for col in range(cols):
            index = row * cols + col
            axis = axes[row, col] if isinstance(axes, np.ndarray) else axes
            axis.imshow(images[index].astype("uint8"))
            axis.margins(x=0, y=0)
            axis.axis("off")
            title = []
            if y_true is not None and index < len(y_true):
                title.append(f"Label: {label_map.get(y_true[index], 'Unknown')}")
            if y_pred is not None and index < len(y_pred):
                title.append(f"Pred: {label_map.get(y_pred[index], 'Unknown')}")
            if title:
                axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        plt.savefig(fname=path, pad_inches=0, bbox_inches="tight", transparent=transparent,
                    dpi=dpi)
        plt.close()
    elif show:
        plt.show()
        plt.close()
