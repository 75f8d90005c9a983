"""Bounding boxes in any of Keras's formats -> "xyxy" pixel coordinates (what
`keras.utils.bounding_boxes.convert_format(boxes, source, "xyxy", height, width)` computes, in
float32)."""
import numpy as np

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy",
                     "rel_yxyx", "rel_xywh", "rel_center_xywh")


def _corners(x1, y1, x2, y2):
    return np.concatenate([x1, y1, x2, y2], axis=-1)


def _from_center(cx, cy, w, h):
    return _corners(cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)


_TO_XYXY = {
    "xyxy": lambda x1, y1, x2, y2: _corners(x1, y1, x2, y2),
    "yxyx": lambda y1, x1, y2, x2: _corners(x1, y1, x2, y2),
    "xywh": lambda x1, y1, w, h: _corners(x1, y1, x1 + w, y1 + h),
    "center_xywh": lambda cx, cy, w, h: _from_center(cx, cy, w, h),
    "center_yxhw": lambda cy, cx, h, w: _from_center(cx, cy, w, h),
}


def to_xyxy(boxes, source, height, width):
    """`boxes` (..., 4) in `source` format -> float32 (..., 4) as [left, top, right, bottom]."""
    boxes = np.asarray(boxes)
    if boxes.shape[-1] != 4:
        raise ValueError("`boxes` must be a tensor with the last dimension of 4. "
                         f"Received: boxes.shape={boxes.shape}")
    source = source.lower()
    if source not in SUPPORTED_FORMATS:
        raise ValueError(f"Invalid source or target format. Supported formats: "
                         f"{SUPPORTED_FORMATS}")
    boxes = boxes.astype("float32")
    if source == "xyxy":
        return boxes
    relative = source.startswith("rel_")
    a, b, c, d = np.split(boxes, 4, axis=-1)
    if not relative:
        return _TO_XYXY[source](a, b, c, d)
    width, height = np.float32(width), np.float32(height)
    if source == "rel_center_xywh":  # Keras scales the corners, not the centre and size
        a, b, c, d = a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0
    else:
        a, b, c, d = np.split(_TO_XYXY[source[4:]](a, b, c, d), 4, axis=-1)
    return _corners(a * width, b * height, c * width, d * height)
