"""ActivityRegularization: the identity, adding `L1L2(l1, l2)` of its output (over the batch
size) to the losses, as Keras 3."""
from jkeras import regularizers
from jkeras.core.layer import Layer


class ActivityRegularization(Layer):
    """Outputs its inputs unchanged; `l1 * sum|x| + l2 * sum x²` (divided by the batch size)
    joins `layer.losses` and the training loss."""
    _builds_at_init = True  # Keras: built once constructed

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
