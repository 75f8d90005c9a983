"""`draw_bounding_boxes` (Keras 3's keras.visualization): boxes and their class labels drawn
with OpenCV onto a uint8 copy of the images."""
import numpy as np

from jkeras.visualization import optional
from jkeras.visualization.box_format import to_xyxy
from jkeras.visualization.image_batch import channels_last_batch


def draw_bounding_boxes(images, bounding_boxes, bounding_box_format, class_mapping=None,
                        color=(128, 128, 128), line_thickness=2, text_thickness=1,
                        font_scale=1.0, data_format=None):
    """Draws bounding boxes on a batch of images.

    Args:
        images: a batch of images, 4D `(batch_size, height, width, channels)` (or channels
            first). Float images with values up to 1 are taken as [0, 1], other floats are
            clipped to [0, 255].
        bounding_boxes: a dict with `"boxes"` `(batch_size, num_boxes, 4)` in
            `bounding_box_format`, `"labels"` `(batch_size, num_boxes)` (boxes labelled -1 are
            not drawn) and optionally `"confidences"` `(batch_size, num_boxes)`.
        bounding_box_format: one of "xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw" and
            the "rel_*" variants (`keras.utils.bounding_boxes.convert_format`'s formats).
        class_mapping: dict from class id to the label text written above a box (with
            " | confidence" when given). Defaults to `None` (no text).
        color: RGB colour of the boxes and text. Defaults to `(128, 128, 128)`.
        line_thickness: box line thickness. Defaults to `2`.
        text_thickness: text thickness (`None` or 0: `line_thickness`). Defaults to `1`.
        font_scale: text scale. Defaults to `1.0`.
        data_format: `"channels_last"` or `"channels_first"`; defaults to
            `keras.config.image_data_format()`.

    Returns:
        A uint8 NumPy array of the annotated images, the shape of `images`.
    """
    cv2 = optional.cv2("draw_bounding_boxes")
    class_mapping = class_mapping or {}
    text_thickness = text_thickness or line_thickness
    images, channels_first = channels_last_batch(images, data_format)
    if not isinstance(bounding_boxes, dict):
        raise TypeError("`bounding_boxes` should be a dict. "
                        f"Received: bounding_boxes={bounding_boxes} of type "
                        f"{type(bounding_boxes)}")
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError("`bounding_boxes` should be a dict containing 'boxes' and "
                         f"'labels' keys. Received: bounding_boxes={bounding_boxes}")
    boxes = to_xyxy(bounding_boxes["boxes"], bounding_box_format, *images.shape[1:3])
    labels = np.asarray(bounding_boxes["labels"])
    confidences = (np.asarray(bounding_boxes["confidences"])
                   if "confidences" in bounding_boxes else None)

    if images.dtype.kind == "f" and images.size > 0:
        images = np.clip(images, 0, 1) * 255 if images.max() <= 1.0 else np.clip(images, 0, 255)
    images = np.ascontiguousarray(images.astype("uint8"))

    for image, image_boxes, image_labels, i in zip(images, boxes, labels, range(len(images))):
        for box_i in range(image_boxes.shape[0]):
            x1, y1, x2, y2 = (int(v) for v in image_boxes[box_i].astype("int32"))
            c = int(image_labels[box_i].astype("int32"))
            if c == -1:
                continue
            cv2.rectangle(image, (x1, y1), (x2, y2), color, line_thickness)
            if c in class_mapping:
                label = class_mapping[c]
                if confidences is not None:
                    label = f"{label} | {confidences[i][box_i]:.2f}"
                cv2.putText(img=image, text=label,
                            org=_text_location(x1, y1, font_scale, text_thickness),
                            fontFace=cv2.FONT_HERSHEY_SIMPLEX, fontScale=font_scale,
                            color=color, thickness=text_thickness)
    return np.transpose(images, (0, 3, 1, 2)) if channels_first else images


def _text_location(x, y, font_scale, thickness):
    """Above the box's top-left corner, or inside the box when there is no room above."""
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8
    return x + 3, y + 2 * font_height + thickness + 3
