"""A layer's `dtype` given as Keras 3 writes it into configs (a DTypePolicy dict), so a custom
layer's `from_config` written as `cls(**config)` works on our configs and on tf.keras's."""
import numpy as np
import pytest

import jkeras


def scaled_class(keras):
    class Scaled(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            config = super().get_config()
            config.update({"factor": self.factor})
            return config

        @classmethod
        def from_config(cls, config):
            return cls(**config)
    return Scaled


def test_cls_star_star_config_from_tf_keras_and_from_ours(tf):
    theirs = scaled_class(tf.keras)(3.0, name="scaled")
    config = theirs.get_config()
    assert isinstance(config["dtype"], dict)
    Scaled = scaled_class(jkeras)
    restored = Scaled.from_config(config)
    assert restored.dtype == "float32" and restored.factor == 3.0 and restored.name == "scaled"
    x = np.arange(4, dtype=np.float32).reshape(2, 2)
    np.testing.assert_allclose(restored(x), theirs(x).numpy())
    again = Scaled.from_config(restored.get_config())
    assert again.get_config() == restored.get_config()


def test_policy_forms_and_bad_dtypes():
    Layer = jkeras.layers.Layer
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float16"},
              "registered_name": None}
    assert Layer(dtype=policy).dtype == "float16"
    assert Layer(dtype=np.float32).dtype == "float32" and Layer(dtype="bfloat16").dtype == "bfloat16"
    mixed = Layer(dtype="mixed_float16")  # a mixed policy: float32 variables, float16 compute
    assert mixed.dtype == "float32" and mixed.compute_dtype == "float16"
    with pytest.raises(ValueError, match="Could not locate class .Other."):
        Layer(dtype={"class_name": "Other", "config": {}})
    with pytest.raises(ValueError, match="Cannot convert .not_a_dtype."):
        Layer(dtype="not_a_dtype")
