"""MaxNumBoundingBoxes against tf.keras: boxes and labels truncated or padded with
`fill_value` (in training and at inference), other keys passed through, images alone
unchanged; config and errors; layer_test on images."""
import numpy as np
import pytest

from jkeras import layers as L
from jkeras.testing import layer_test


def _data():
    boxes = np.arange(40, dtype="float32").reshape(2, 5, 4)
    labels = np.arange(10, dtype="float32").reshape(2, 5)
    return {"images": np.random.default_rng(0).uniform(size=(2, 4, 4, 3)).astype("float32"),
            "bounding_boxes": {"boxes": boxes, "labels": labels},
            "labels": np.ones((2, 1), "float32")}


@pytest.mark.parametrize("kwargs", [{"max_number": 3, "fill_value": -2},
                                    {"max_number": 7}, {"max_number": 5}])
@pytest.mark.parametrize("training", [True, False])
def test_matches_tf(tf, same_config, kwargs, training):
    ours = L.MaxNumBoundingBoxes(bounding_box_format="xyxy", **kwargs)
    theirs = tf.keras.layers.MaxNumBoundingBoxes(bounding_box_format="xyxy", **kwargs)
    out, ref = ours(_data(), training=training), theirs(_data(), training=training)
    assert sorted(out) == sorted(ref)
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(np.asarray(out["bounding_boxes"][key]),
                                      ref["bounding_boxes"][key].numpy())
    np.testing.assert_array_equal(np.asarray(out["images"]), ref["images"].numpy())
    np.testing.assert_array_equal(np.asarray(out["labels"]), np.asarray(ref["labels"]))
    same_config(ours, theirs)


def test_images_alone_and_layer_test(tf):
    layer_test(L.MaxNumBoundingBoxes, {"max_number": 4}, input_shape=(2, 5, 5, 3),
               expected_output_shape=(2, 5, 5, 3))


def test_errors():
    with pytest.raises(ValueError, match="didn't specify a bounding box format"):
        L.MaxNumBoundingBoxes(3)(_data())
    data = _data()
    data["bounding_boxes"]["scores"] = np.ones((2, 5))
    with pytest.raises(KeyError, match="unsupported keys in `bounding_boxes`"):
        L.MaxNumBoundingBoxes(3, bounding_box_format="xyxy")(data)
