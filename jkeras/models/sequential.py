"""Sequential: a plain stack of layers, built at once when the input shape is known."""
from jkeras.core import shapes
from jkeras.core.layer import Layer
from jkeras.core.symbolic import KerasTensor
from jkeras.layers.input_layer import InputLayer
from jkeras.models import sequential_config
from jkeras.models.model import Model


class Sequential(Model):
    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._layers = []
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        if isinstance(layer, KerasTensor):
            origin = layer._keras_history[0] if layer._keras_history else None
            if not isinstance(origin, InputLayer):
                raise ValueError("Sequential.add() accepts a layer or a `jkeras.Input(...)`; "
                                 f"received a symbolic tensor that is not an Input: {layer!r}")
            layer = origin
        if not isinstance(layer, Layer):
            raise TypeError("Only instances of `jkeras.layers.Layer` can be added to a "
                            f"Sequential model. Received: {layer!r} (of type {type(layer)})")
        if isinstance(layer, InputLayer) and self._layers:
            raise ValueError(f"Sequential model '{self.name}': an InputLayer can only be the first "
                             "layer.")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this model.")
        if not self._layers and not isinstance(layer, InputLayer) and \
                layer._batch_input_shape is not None:
            self._layers.append(InputLayer(batch_shape=layer._batch_input_shape))
        self._layers.append(layer)
        self._build_if_shape_known()

    def pop(self):
        if not self.layers:
            raise TypeError(f"There are no layers in the model '{self.name}'.")
        return self._layers.pop()

    @property
    def layers(self):
        return [layer for layer in self._layers if not isinstance(layer, InputLayer)]

    @property
    def input_shape(self):
        first = self._layers[0] if self._layers else None
        return first.batch_shape if isinstance(first, InputLayer) else None

    def _build_if_shape_known(self):
        if self.input_shape is None:
            return
        self.build(self.input_shape)

    def build(self, input_shape=None):
        """Build every unbuilt layer by running the stack on a symbolic input (output shapes
        with a None batch dimension, as Keras shows them)."""
        input_shape = input_shape or self.input_shape
        if input_shape is None:
            raise ValueError(f"Sequential model '{self.name}' needs an input shape to be built: "
                             "pass `build(batch_input_shape)` or start with `Input(shape=...)`.")
        first = self._layers[0] if self._layers else None
        x = first.output if isinstance(first, InputLayer) else KerasTensor(
            shapes.with_batch_none(tuple(input_shape)))
        symbolic_input = x
        for layer in self.layers:
            x = layer(x)
        self.built = True
        self._output_shape = x.shape if isinstance(x, KerasTensor) else None
        self._symbolic = (symbolic_input, x) if isinstance(x, KerasTensor) else None

    # Keras 3: a built Sequential model exposes its functional graph's endpoints
    def _endpoints(self, what):
        symbolic = self.__dict__.get("_symbolic")
        if not self.built or symbolic is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
        return symbolic

    @property
    def inputs(self):
        return [self._endpoints("inputs")[0]]

    @property
    def outputs(self):
        return [self._endpoints("outputs")[1]]

    @property
    def input(self):
        return self._endpoints("input")[0]

    @property
    def output(self):
        return self._endpoints("output")[1]

    @property
    def input_dtype(self):
        """As Keras: the InputLayer's dtype, else the first layer's compute dtype."""
        first = self._layers[0] if self._layers else None
        if first is None:
            return self.compute_dtype
        return first.dtype if isinstance(first, InputLayer) else first.compute_dtype

    def call(self, inputs, training=None, mask=None):
        first = self._layers[0] if self._layers else None
        x = shapes.adjust_rank(inputs, first.batch_shape) if isinstance(first, InputLayer) \
            else inputs
        for layer in self.layers:
            kwargs = {"mask": mask} if mask is not None and layer._accepts_mask else {}
            out = layer(x, training=training, **kwargs)
            mask = layer.compute_mask(x, mask)
            x = out
        return x

    def compute_mask(self, inputs, mask=None):
        # Masks flow between the layers inside `call`; a nested Sequential does not pass its
        # output mask on (that would need its intermediate values).
        return None

    @property
    def output_names(self):
        return [self.layers[-1].name] if self.layers else []

    def get_config(self):
        return sequential_config.sequential_get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return sequential_config.sequential_from_config(cls, config, custom_objects)

    def get_build_config(self):
        return sequential_config.sequential_build_config(self)
