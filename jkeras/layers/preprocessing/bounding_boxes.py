"""MaxNumBoundingBoxes: pad (with `fill_value`) or truncate each batch's bounding boxes to
`max_number`, so batches stack. Takes Keras's dict form {"images", "bounding_boxes": {"boxes"
(batch, n, 4), "labels" (batch, n)}, ...} (other keys pass through), or images alone (returned
as they are). Applied in training and at inference, as Keras."""
import jax.numpy as jnp

from jkeras.core import config
from jkeras.core.layer import Layer


class MaxNumBoundingBoxes(Layer):
    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format
        self.data_format = config.standardize_data_format(data_format)

    def call(self, inputs):
        if not isinstance(inputs, dict):
            return jnp.asarray(inputs).astype(self.dtype)
        if "bounding_boxes" in inputs and self.bounding_box_format is None:
            raise ValueError(
                "You passed an input with a 'bounding_boxes' key, but you didn't specify a "
                "bounding box format. Pass a `bounding_box_format` argument to your "
                f"{type(self).__name__} layer, e.g. `bounding_box_format='xyxy'`.")
        out = dict(inputs)
        if "images" in out:
            out["images"] = jnp.asarray(out["images"]).astype(self.dtype)
        if "bounding_boxes" in out:
            out["bounding_boxes"] = self._fit(out["bounding_boxes"])
        return out

    def _fit(self, bounding_boxes):
        extra = set(bounding_boxes) - {"boxes", "labels"}
        if extra:
            raise KeyError(f"There are unsupported keys in `bounding_boxes`: {list(extra)}. "
                           "Only `boxes` and `labels` are supported.")
        boxes = jnp.asarray(bounding_boxes["boxes"])[:, :self.max_number]
        labels = jnp.asarray(bounding_boxes["labels"])[:, :self.max_number]
        pad = self.max_number - boxes.shape[1]
        boxes = jnp.pad(boxes, [(0, 0), (0, pad), (0, 0)], constant_values=self.fill_value)
        labels = jnp.pad(labels, [(0, 0), (0, pad)], constant_values=self.fill_value)
        return {**bounding_boxes, "boxes": boxes, "labels": labels}

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        out = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            out["bounding_box_format"] = self.bounding_box_format
        return {**out, "max_number": self.max_number}  # Keras leaves fill_value out
