"""`draw_bounding_boxes` and `draw_segmentation_masks` draw the same pixels as Keras's
(`tf.keras.visualization`) on the same inputs."""
import sys

import numpy as np
import pytest

from jkeras import visualization

cv2 = pytest.importorskip("cv2")


def _images(dtype="uint8", n=2, h=40, w=48):
    rs = np.random.RandomState(0)
    images = rs.randint(0, 256, (n, h, w, 3))
    return images.astype(dtype) if dtype == "uint8" else (images / 255.0).astype(dtype)


def _boxes(fmt):
    xyxy = np.array([[[4, 30, 20, 38], [10, 12, 40, 30], [0, 0, 5, 5]],
                     [[2.5, 3.7, 44.2, 36.9], [20, 20, 30, 25], [1, 1, 2, 2]]], "float32")
    x1, y1, x2, y2 = np.split(xyxy, 4, axis=-1)
    w, h, cx, cy = x2 - x1, y2 - y1, (x1 + x2) / 2, (y1 + y2) / 2
    boxes = {"xyxy": [x1, y1, x2, y2], "yxyx": [y1, x1, y2, x2], "xywh": [x1, y1, w, h],
             "center_xywh": [cx, cy, w, h], "center_yxhw": [cy, cx, h, w],
             "rel_xyxy": [x1 / 48, y1 / 40, x2 / 48, y2 / 40],
             "rel_yxyx": [y1 / 40, x1 / 48, y2 / 40, x2 / 48],
             "rel_xywh": [x1 / 48, y1 / 40, w / 48, h / 40],
             "rel_center_xywh": [cx / 48, cy / 40, w / 48, h / 40]}[fmt]
    return {"boxes": np.concatenate(boxes, axis=-1), "labels": np.array([[0, 1, -1], [2, 0, 1]]),
            "confidences": np.array([[0.9, 0.25, 0.1], [0.5, 0.123, 1.0]], "float32")}


@pytest.mark.parametrize("fmt", ["xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
                                 "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh"])
def test_bounding_boxes_every_format_equals_keras(tf, fmt):
    images, boxes = _images(), _boxes(fmt)
    kwargs = dict(bounding_box_format=fmt, class_mapping={0: "cat", 2: "dog"},
                  color=(255, 0, 0))
    ours = visualization.draw_bounding_boxes(images, dict(boxes), **kwargs)
    ref = tf.keras.visualization.draw_bounding_boxes(images, dict(boxes), **kwargs)
    assert ours.dtype == np.uint8 and ours.shape == images.shape
    np.testing.assert_array_equal(ours, ref)
    assert (ours != images).any()
    assert images.sum() == _images().sum()  # the input is not drawn on


@pytest.mark.parametrize("dtype,kwargs", [
    ("uint8", {}),
    ("float32", dict(line_thickness=1, text_thickness=None, font_scale=0.4)),  # [0, 1] floats
    ("float64", dict(line_thickness=3, text_thickness=2, font_scale=0.7, color=(0, 9, 200))),
])
def test_bounding_boxes_arguments_equal_keras(tf, dtype, kwargs):
    images = _images(dtype)
    if dtype == "float64":
        images = images * 300.0  # above 1: clipped to [0, 255]
    boxes = _boxes("xyxy")
    del boxes["confidences"]
    kwargs = dict(bounding_box_format="xyxy", class_mapping={0: "a", 1: "b"}, **kwargs)
    ours = visualization.draw_bounding_boxes(images, dict(boxes), **kwargs)
    ref = tf.keras.visualization.draw_bounding_boxes(images, dict(boxes), **kwargs)
    np.testing.assert_array_equal(ours, ref)


def test_bounding_boxes_channels_first_draws_the_same_boxes(tf):
    images, boxes = _images(), _boxes("xywh")
    kwargs = dict(bounding_box_format="xywh", class_mapping={1: "one"})
    ref = tf.keras.visualization.draw_bounding_boxes(images, dict(boxes), **kwargs)
    ours = visualization.draw_bounding_boxes(np.transpose(images, (0, 3, 1, 2)), dict(boxes),
                                             data_format="channels_first", **kwargs)
    np.testing.assert_array_equal(ours, np.transpose(ref, (0, 3, 1, 2)))


def test_bounding_boxes_errors_as_keras(tf):
    images, boxes = _images(), _boxes("xyxy")
    for draw in (visualization.draw_bounding_boxes, tf.keras.visualization.draw_bounding_boxes):
        with pytest.raises(ValueError, match=r"`images` must be batched 4D tensor. Received: "
                                             r"images.shape=\(40, 48, 3\)"):
            draw(images[0], boxes, "xyxy")
        with pytest.raises(TypeError, match="`bounding_boxes` should be a dict. Received"):
            draw(images, [boxes["boxes"]], "xyxy")
        with pytest.raises(ValueError, match="should be a dict containing 'boxes' and 'labels'"):
            draw(images, {"boxes": boxes["boxes"]}, "xyxy")
        with pytest.raises(ValueError, match="Invalid source or target format. Supported"):
            draw(images, dict(boxes), "xyzw")
        with pytest.raises(ValueError, match="`boxes` must be a tensor with the last dimension "
                                             "of 4"):
            draw(images, {"boxes": boxes["boxes"][..., :3], "labels": boxes["labels"]}, "xyxy")


def _masks(n=2, h=12, w=10, classes=4, trailing=True):
    rs = np.random.RandomState(1)
    masks = rs.randint(-1, classes, (n, h, w))
    return masks[..., None] if trailing else masks


@pytest.mark.parametrize("kwargs", [
    {},
    dict(num_classes=5, alpha=0.35),
    dict(num_classes=3, ignore_index=0, alpha=1.0),
    dict(num_classes=4, color_mapping={0: (1, 2, 3), 1: (255, 0, 0), 2: (0, 255, 0),
                                       3: (7, 7, 250)}),
])
def test_segmentation_masks_equal_keras(tf, kwargs):
    images = _images(h=12, w=10)
    masks = _masks()
    ours = visualization.draw_segmentation_masks(images, masks, **kwargs)
    ref = tf.keras.visualization.draw_segmentation_masks(images, masks, **kwargs)
    assert ours.dtype == np.uint8
    np.testing.assert_array_equal(ours, ref)


def test_segmentation_masks_unblended_and_channels_first_equal_keras(tf):
    images, masks = _images(h=12, w=10), _masks()
    ours = visualization.draw_segmentation_masks(images, masks, num_classes=4, blend=False)
    ref = tf.keras.visualization.draw_segmentation_masks(images, masks, num_classes=4,
                                                         blend=False)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(ref))
    first = visualization.draw_segmentation_masks(
        np.transpose(images, (0, 3, 1, 2)), np.transpose(masks, (0, 3, 1, 2)),
        data_format="channels_first")
    np.testing.assert_array_equal(
        first, tf.keras.visualization.draw_segmentation_masks(images, masks))
    # Masks without the trailing axis, as Keras's documentation allows (Keras itself fails).
    np.testing.assert_array_equal(
        visualization.draw_segmentation_masks(images, masks[..., 0]),
        tf.keras.visualization.draw_segmentation_masks(images, masks))


def test_segmentation_masks_errors(tf):
    images, masks = _images(h=12, w=10), _masks()
    for draw in (visualization.draw_segmentation_masks,
                 tf.keras.visualization.draw_segmentation_masks):
        with pytest.raises(ValueError, match="`images` must be batched 4D tensor"):
            draw(images[0], masks)
        with pytest.raises(TypeError, match="`segmentation_masks` must be in integer dtype. "
                                            "Received: segmentation_masks.dtype=float32"):
            draw(images, masks.astype("float32"))
    with pytest.raises(ValueError, match=r"Received: segmentation_masks.shape=\(2, 12, 10, 2\)"):
        visualization.draw_segmentation_masks(images, np.concatenate([masks, masks], -1))


def test_missing_opencv_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "cv2", None)  # what an uninstalled module looks like
    with pytest.raises(ImportError, match=r"`draw_bounding_boxes` function requires the `cv2` "
                                          r"package .*pip install opencv-python"):
        visualization.draw_bounding_boxes(_images(), _boxes("xyxy"), "xyxy")
