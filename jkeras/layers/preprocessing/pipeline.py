"""Pipeline: a plain layer (not a Model) that applies its layers in order, Keras's way of
building a preprocessing / augmentation pipeline. As in Keras, a standalone call trains
(random layers are active); inside a model it follows the model's `training`. A pipeline whose
layers include host layers (StringLookup, TextVectorization, ...) runs on the host when called
on data, layer by layer."""
from jkeras.core import frame as frames, symbolic
from jkeras.core.layer import Layer
from jkeras.layers import config_utils
from jkeras.layers.preprocessing.host_layer import HostPreprocessingLayer


class Pipeline(Layer):
    def __init__(self, layers, name=None):
        if not isinstance(layers, (list, tuple)) or not all(isinstance(x, Layer) for x in layers):
            raise ValueError("`Pipeline` expects a list of layers. Received: "
                             f"layers={layers!r}")
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self):
        return self._pipeline_layers

    def __call__(self, inputs, *args, **kwargs):
        on_host = any(isinstance(x, HostPreprocessingLayer) for x in self._pipeline_layers)
        if on_host and not symbolic.any_symbolic(inputs) and frames.current_frame() is None:
            training = kwargs.pop("training", None)
            return self._chain(inputs, True if training is None else training,
                               kwargs.pop("mask", None))
        return super().__call__(inputs, *args, **kwargs)

    def _eager_call(self, args, kwargs):
        if kwargs.get("training") is None:
            kwargs["training"] = True  # Keras's `call(..., training=True)` default
        return super()._eager_call(args, kwargs)

    def call(self, inputs, training=True, mask=None):
        return self._chain(inputs, training, mask)

    def _chain(self, inputs, training, mask):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {"mask": mask} if mask is not None and layer._accepts_mask else {}
            if layer._accepts_training and training is not None:
                kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            mask = layer.compute_mask(inputs, mask)
            inputs = outputs
        return outputs

    def compute_mask(self, inputs, previous_mask):
        return None  # masks flow between the layers inside `call`

    def get_config(self):
        return {"layers": [config_utils.nested(x) for x in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list of "
                             f"serialized layers. Received config with layers={layers}.")
        config = {**config}
        config["layers"] = [config_utils.from_nested(x) for x in layers]
        return cls(**config)
