"""`plot_bounding_box_gallery` (Keras 3's keras.visualization): true and predicted boxes drawn
on the images, then `plot_image_gallery`."""
import numpy as np

from jkeras.visualization import optional
from jkeras.visualization.draw_bounding_boxes import draw_bounding_boxes
from jkeras.visualization.image_batch import channels_last_batch
from jkeras.visualization.plot_image_gallery import plot_image_gallery


def plot_bounding_box_gallery(images, bounding_box_format, y_true=None, y_pred=None,
                              value_range=(0, 255), true_color=(0, 188, 212),
                              pred_color=(255, 235, 59), line_thickness=2, font_scale=1.0,
                              text_thickness=None, class_mapping=None,
                              ground_truth_mapping=None, prediction_mapping=None, legend=False,
                              legend_handles=None, rows=None, cols=None, data_format=None,
                              **kwargs):
    """Plots a gallery of images with ground-truth and predicted bounding boxes.

    Args:
        images: a 4D batch of images (channels last, or channels first with `data_format`).
        bounding_box_format: the boxes' format (see `draw_bounding_boxes`).
        y_true, y_pred: dicts of `"boxes"`, `"labels"` (and `"confidences"`) as
            `draw_bounding_boxes` takes; either may be `None`.
        value_range: the images' value range. Defaults to `(0, 255)`.
        true_color, pred_color: RGB colours of the true and predicted boxes.
        line_thickness, font_scale, text_thickness: as `draw_bounding_boxes`
            (`text_thickness` defaults to `line_thickness`).
        class_mapping: dict from class id to name, for both kinds of boxes unless
            `ground_truth_mapping` / `prediction_mapping` are given.
        legend: add a "Ground Truth" / "Prediction" legend. Defaults to `False`.
        legend_handles: matplotlib `Patch`es for the legend (not together with `legend`).
        rows, cols: the grid, as `plot_image_gallery`.
        data_format: `"channels_last"` or `"channels_first"`; defaults to
            `keras.config.image_data_format()`.
        **kwargs: passed on to `plot_image_gallery` (`path`, `show`, `scale`, `dpi`, ...).
    """
    patches = optional.matplotlib("plot_bounding_box_gallery", "matplotlib.patches")
    prediction_mapping = prediction_mapping or class_mapping
    ground_truth_mapping = ground_truth_mapping or class_mapping
    plotted, _ = channels_last_batch(images, data_format)

    def draw(images, boxes, color, mapping):
        return draw_bounding_boxes(images, boxes, bounding_box_format=bounding_box_format,
                                   class_mapping=mapping, color=color,
                                   line_thickness=line_thickness, text_thickness=text_thickness,
                                   font_scale=font_scale, data_format="channels_last")

    if y_true is not None:
        plotted = draw(plotted, y_true, true_color, ground_truth_mapping)
    if y_pred is not None:
        plotted = draw(plotted, y_pred, pred_color, prediction_mapping)
    if legend:
        if legend_handles:
            raise ValueError("Only pass `legend` OR `legend_handles` to "
                             "`keras.visualization.plot_bounding_box_gallery()`.")
        legend_handles = [
            patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
            patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction"),
        ]
    return plot_image_gallery(plotted, value_range=value_range, legend_handles=legend_handles,
                              rows=rows, cols=cols, data_format="channels_last", **kwargs)
