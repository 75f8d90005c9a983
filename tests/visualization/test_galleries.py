"""The gallery plots save the same PNG pixels as Keras's (`tf.keras.visualization`) on the same
inputs (matplotlib's Agg backend, files in tmp_path)."""
import sys

import numpy as np
import pytest

from jkeras import visualization

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pytest.importorskip("cv2")
plt = pytest.importorskip("matplotlib.pyplot")


def _images(n=4, h=16, w=20, seed=0):
    return np.random.RandomState(seed).randint(0, 256, (n, h, w, 3)).astype("uint8")


def _same_png(tmp_path, ours, ref, *args, **kwargs):
    a, b = tmp_path / "ours.png", tmp_path / "keras.png"
    ours(*args, path=str(a), **kwargs)
    ref(*args, path=str(b), **kwargs)
    pixels = plt.imread(a)
    np.testing.assert_array_equal(pixels, plt.imread(b))
    return pixels


@pytest.mark.parametrize("n,kwargs", [
    (4, {}),
    (3, dict(rows=1, cols=3, scale=1, dpi=40, transparent=False)),  # one row of axes
    (3, {}),  # 2 rows x 1 column: Keras shows batch_size // rows columns
    (1, dict(value_range=(0, 1))),
    (5, dict(rows=2, cols=2, y_true=np.array([0, 1, 2, 1, 0]), y_pred=np.array([0, 2, 9, 1, 1]),
             label_map={0: "zero", 1: "one", 2: "two"})),
])
def test_image_gallery_equals_keras(tf, tmp_path, n, kwargs):
    images = _images(n)
    if kwargs.get("value_range") == (0, 1):
        images = images / 255.0
    pixels = _same_png(tmp_path, visualization.plot_image_gallery,
                       tf.keras.visualization.plot_image_gallery, images, **kwargs)
    assert pixels.ndim == 3 and pixels.shape[0] > 10


def test_image_gallery_channels_first_equals_channels_last(tmp_path):
    images = _images(4)
    a, b = tmp_path / "first.png", tmp_path / "last.png"
    visualization.plot_image_gallery(np.transpose(images, (0, 3, 1, 2)), path=str(a),
                                     data_format="channels_first")
    visualization.plot_image_gallery(images, path=str(b))
    np.testing.assert_array_equal(plt.imread(a), plt.imread(b))


def test_image_gallery_shows_without_a_path(monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    visualization.plot_image_gallery(_images(4))
    assert len(shown) == 1 and len(shown[0].axes) == 4


def test_image_gallery_errors_as_keras(tf, tmp_path):
    for plot in (visualization.plot_image_gallery, tf.keras.visualization.plot_image_gallery):
        with pytest.raises(ValueError, match=r"plot_gallery\(\) expects either `path` to be set, "
                                             "or `show` to be true."):
            plot(_images(), path=str(tmp_path / "x.png"), show=True)
        with pytest.raises(ValueError, match="a `label_map` must also be provided"):
            plot(_images(), y_true=np.zeros(4), show=False)
        with pytest.raises(ValueError, match="requires you to batch your `np.array` samples"):
            plot(_images()[0], show=False)
    plt.close("all")


def _boxes():
    return {"boxes": np.array([[[2, 2, 12, 10], [5, 6, 18, 15]], [[0, 0, 8, 8], [1, 1, 3, 3]]],
                              "float32"),
            "labels": np.array([[0, 1], [1, -1]])}


@pytest.mark.parametrize("kwargs", [
    dict(y_true=_boxes(), class_mapping={0: "a", 1: "b"}),
    dict(y_true=_boxes(), y_pred=_boxes(), legend=True, line_thickness=1, font_scale=0.3,
         ground_truth_mapping={0: "t"}, prediction_mapping={1: "p"}, rows=1, cols=2),
    dict(y_pred=_boxes(), value_range=(0, 1), text_thickness=2, scale=3, dpi=30),
])
def test_bounding_box_gallery_equals_keras(tf, tmp_path, kwargs):
    images = _images(2, h=20, w=24)
    if kwargs.get("value_range") == (0, 1):
        images = images / 255.0
    _same_png(tmp_path, visualization.plot_bounding_box_gallery,
              tf.keras.visualization.plot_bounding_box_gallery, images, "xyxy", **kwargs)


def test_bounding_box_gallery_errors_as_keras(tf):
    patch = matplotlib.patches.Patch(color="red", label="x")
    for plot in (visualization.plot_bounding_box_gallery,
                 tf.keras.visualization.plot_bounding_box_gallery):
        with pytest.raises(ValueError, match="Only pass `legend` OR `legend_handles`"):
            plot(_images(2), "xyxy", y_true=_boxes(), legend=True, legend_handles=[patch])
        with pytest.raises(ValueError, match="`images` must be batched 4D tensor"):
            plot(_images(2)[0], "xyxy")
    plt.close("all")


def _masks(n=2, seed=1):
    return np.random.RandomState(seed).randint(0, 4, (n, 16, 20, 1))


@pytest.mark.parametrize("kwargs", [
    dict(y_true=_masks()),
    dict(y_true=_masks(), y_pred=_masks(seed=2), alpha=0.5, ignore_index=0),
    dict(y_pred=_masks(), blend=False, color_mapping={i: (60 * i, 0, 255 - 60 * i)
                                                      for i in range(4)}),
])
def test_segmentation_mask_gallery_equals_keras(tf, tmp_path, kwargs):
    _same_png(tmp_path, visualization.plot_segmentation_mask_gallery,
              tf.keras.visualization.plot_segmentation_mask_gallery, _images(2), 4, **kwargs)


def test_segmentation_mask_gallery_channels_first(tf, tmp_path):
    images, masks = _images(2), _masks()
    a, b = tmp_path / "ours.png", tmp_path / "keras.png"
    visualization.plot_segmentation_mask_gallery(
        np.transpose(images, (0, 3, 1, 2)), 4, y_true=np.transpose(masks, (0, 3, 1, 2)),
        data_format="channels_first", path=str(a))
    tf.keras.visualization.plot_segmentation_mask_gallery(images, 4, y_true=masks, path=str(b))
    np.testing.assert_array_equal(plt.imread(a), plt.imread(b))


def test_missing_matplotlib_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"`plot_image_gallery` function requires the "
                                          r"`matplotlib` package. Please install it with "
                                          r"`pip install matplotlib`."):
        visualization.plot_image_gallery(_images())
