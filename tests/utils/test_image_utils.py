"""load_img / img_to_array / array_to_img / save_img against keras.utils (Pillow)."""
import numpy as np
import pytest

from jkeras import utils


def _image(shape=(6, 9, 3), seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")


@pytest.mark.parametrize("shape,suffix", [((6, 9, 3), "png"), ((6, 9, 4), "png"),
                                          ((6, 9, 1), "png"), ((6, 9, 3), "bmp")])
def test_save_and_load_round_trip_matches_keras(tf, tmp_path, shape, suffix):
    x = _image(shape)
    ours, theirs = tmp_path / f"ours.{suffix}", tmp_path / f"theirs.{suffix}"
    utils.save_img(ours, x)
    tf.keras.utils.save_img(theirs, x)
    assert ours.read_bytes() == theirs.read_bytes()
    for mode in ("rgb", "rgba", "grayscale"):
        for kw in ({}, {"target_size": (4, 5), "interpolation": "bilinear"},
                   {"target_size": (3, 3), "keep_aspect_ratio": True}):
            a = utils.img_to_array(utils.load_img(ours, color_mode=mode, **kw))
            b = tf.keras.utils.img_to_array(tf.keras.utils.load_img(theirs, color_mode=mode,
                                                                    **kw))
            assert a.dtype == b.dtype == np.float32
            np.testing.assert_array_equal(a, b)


def test_array_to_img_and_img_to_array_match_keras(tf):
    for x, kw in ((_image(), {}), (_image((3, 6, 9)), {"data_format": "channels_first"}),
                  (_image((6, 9, 1)) * 10, {"scale": False}), (_image(), {"scale": False})):
        a, b = utils.array_to_img(x, **kw), tf.keras.utils.array_to_img(x, **kw)
        assert a.mode == b.mode and a.size == b.size
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        fmt = {"data_format": kw["data_format"]} if "data_format" in kw else {}
        np.testing.assert_array_equal(utils.img_to_array(a, dtype="uint8", **fmt),
                                      tf.keras.utils.img_to_array(b, dtype="uint8", **fmt))
    with pytest.raises(ValueError, match="Expected image array to have rank 3"):
        utils.array_to_img(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="Unsupported channel number: 2"):
        utils.array_to_img(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="Unsupported image shape"):
        utils.img_to_array(np.zeros(4))
    with pytest.raises(ValueError, match="Invalid interpolation method cubic"):
        utils.load_img(_png(), target_size=(2, 2), interpolation="cubic")
    with pytest.raises(TypeError, match="path should be path-like or io.BytesIO"):
        utils.load_img(3)


def _png():
    import io
    buf = io.BytesIO()
    utils.array_to_img(_image()).save(buf, format="png")
    buf.seek(0)
    return buf


def test_resize_matches_tf_image_resize(tf):
    from jkeras.utils import image_resize
    img = _image((7, 9, 2))
    for method in image_resize.INTERPOLATIONS:
        for size in ((7, 9), (14, 5), (3, 4), (16, 20)):
            ref = tf.image.resize(img, size, method=method).numpy()
            got = image_resize.resize(img, size, method)
            np.testing.assert_allclose(got, ref, atol=1e-3, err_msg=f"{method} {size}")
    for size in ((5, 5), (10, 3)):
        np.testing.assert_allclose(image_resize.resize_with_pad(img, size),
                                   tf.image.resize_with_pad(img, *size).numpy(), atol=1e-3)


def test_pillow_missing_gives_a_clear_error(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "PIL.Image", None)  # makes `import PIL.Image` fail
    with pytest.raises(ImportError, match=r"`load_img` requires PIL: `pip install pillow`"):
        utils.load_img("x.png")
    with pytest.raises(ImportError, match=r"`array_to_img` requires PIL"):
        utils.array_to_img(_image())
