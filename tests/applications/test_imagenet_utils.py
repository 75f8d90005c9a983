"""imagenet_utils (preprocess_input, decode_predictions, input checks) and the weights
argument: local files, and ImageNet files fetched as Keras fetches them."""
import json

import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import applications
from jkeras.applications import imagenet_utils
from jkeras.utils import file_utils


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_preprocess_input_matches_keras(tf, mode, data_format):
    from keras.src.applications import imagenet_utils as keras_utils
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 5, 3) if data_format == "channels_last"
                                         else (2, 3, 4, 5)).astype("float32")
    want = keras_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    np.testing.assert_allclose(
        imagenet_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode),
        want, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(  # a JAX array takes the array path
        np.asarray(imagenet_utils.preprocess_input(jnp.asarray(x), data_format=data_format,
                                                   mode=mode)), want, rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(  # one image (3D)
        imagenet_utils.preprocess_input(x[0].copy(), data_format=data_format, mode=mode),
        want[0], rtol=1e-6, atol=1e-5)


def test_preprocess_input_errors_and_family_modes():
    with pytest.raises(ValueError, match="Expected mode to be one of `caffe`, `tf` or `torch`"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="keras")
    with pytest.raises(ValueError, match="Expected data_format to be one of"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), data_format="nhwc")
    x = np.full((1, 1, 1, 3), 255.0, "float32")
    np.testing.assert_allclose(applications.mobilenet_v2.preprocess_input(x.copy()), 1.0)
    np.testing.assert_allclose(applications.densenet.preprocess_input(x.copy())[..., 0],
                               (1 - 0.485) / 0.229, rtol=1e-6)
    np.testing.assert_allclose(applications.vgg16.preprocess_input(x.copy())[..., 0],
                               255 - 103.939, rtol=1e-6)


def test_decode_predictions(tmp_path, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    preds = np.zeros((2, 1000), "float32")
    preds[0, 7], preds[0, 3], preds[1, 999] = 0.9, 0.1, 1.0
    out = applications.resnet50.decode_predictions(preds, top=2, class_index_path=path)
    assert out[0][0][:2] == ("n00000007", "class_7") and out[0][1][1] == "class_3"
    assert out[1][0][1] == "class_999" and len(out[1]) == 2
    with pytest.raises(ValueError, match=r"expects a batch of predictions"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    (tmp_path / "home" / "models").mkdir(parents=True)
    (tmp_path / "home" / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    real_get_file = file_utils.get_file
    asked = []
    monkeypatch.setattr(file_utils, "get_file", lambda *a, **k: asked.append((a, k)) or
                        real_get_file(*a, **{**k, "file_hash": None}))  # our index is synthetic
    assert imagenet_utils.decode_predictions(preds, top=1)[0][0][1] == "class_7"
    assert asked == [(("imagenet_class_index.json", imagenet_utils.CLASS_INDEX_PATH),
                      {"cache_subdir": "models",
                       "file_hash": "c2c37ea517e94d9795004a39431a14cb"})]


def test_obtain_input_shape_errors():
    with pytest.raises(ValueError, match="`input_shape` should be \\(224, 224, 3\\)"):
        applications.VGG16(weights="imagenet", input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="Input size must be at least 32x32"):
        applications.VGG16(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="you should specify a static `input_shape`"):
        applications.ResNet50(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        applications.ResNet50(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed"):
        applications.VGG16(weights="imagenet", classifier_activation="relu")
    with pytest.raises(ValueError, match="The `weights` argument should be either"):
        applications.VGG16(weights="/no/such/file.h5")
    with pytest.raises(ValueError, match="`input_tensor` must be a symbolic tensor"):
        applications.VGG16(weights=None, include_top=False, input_tensor=np.zeros((1, 32, 32, 3)))


class _Asked(Exception):
    pass


def _record_get_file(module, monkeypatch):
    asked = []

    def fake(fname=None, origin=None, **kwargs):
        asked.append((fname, origin, kwargs.get("cache_subdir"), kwargs.get("file_hash")))
        raise _Asked
    monkeypatch.setattr(module, "get_file", fake)
    return asked


@pytest.mark.parametrize("build", [
    lambda apps: apps.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3)),
    lambda apps: apps.ResNet50(weights="imagenet"),
    lambda apps: apps.MobileNetV2(weights="imagenet", alpha=0.5, include_top=False,
                                  input_shape=(96, 96, 3)),
    lambda apps: apps.NASNetMobile(include_top=False, input_shape=(32, 32, 3)),
])
def test_imagenet_weights_are_fetched_as_keras_fetches_them(tf, build, monkeypatch):
    # The same file name, URL, cache folder and hash as Keras asks `get_file` for.
    import keras.src.utils.file_utils as keras_file_utils
    ours = _record_get_file(file_utils, monkeypatch)
    theirs = _record_get_file(keras_file_utils, monkeypatch)
    with pytest.raises(_Asked):
        build(applications)
    with pytest.raises(_Asked):
        build(tf.keras.applications)
    assert ours == theirs and len(ours) == 1


def test_imagenet_weights_load_from_keras_cache(tf, tmp_path, monkeypatch):
    """A file where Keras's get_file would have put it loads as weights="imagenet" (MobileNet's
    files have no hash in Keras, so a file tf.keras writes stands in for the real one)."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    kw = dict(alpha=0.25, include_top=False, input_shape=(128, 128, 3))
    ref = tf.keras.applications.MobileNet(weights=None, **kw)
    ref.save(str(tmp_path / "models" / "mobilenet_2_5_128_tf_no_top.h5"))
    model = applications.MobileNet(weights="imagenet", **kw)
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)
