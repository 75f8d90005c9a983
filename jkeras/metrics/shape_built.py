"""Metrics whose state shape comes from the data (Keras builds them on the first batch).

`build_from_shapes(y_true_shape, y_pred_shape)` fixes the shape; compile() calls it with
the model's shapes before the jitted loop creates the state, and the eager facade calls it
on the first `update_state`. `init()` before either raises, naming the metric."""
import numpy as np


class ShapeBuilt:
    _built_dim = None  # the data-dependent size, None until built

    def _needs_build(self):
        return self._built_dim is None

    def _build_dim(self, y_true_shape, y_pred_shape):
        raise NotImplementedError

    def build_from_shapes(self, y_true_shape, y_pred_shape):
        if self._needs_build():
            self._built_dim = self._build_dim(
                None if y_true_shape is None else tuple(y_true_shape), tuple(y_pred_shape))

    def _check_built(self):
        if self._needs_build():
            raise ValueError(
                f"{type(self).__name__} '{self.name}' sizes its state from the data: call "
                "update_state once, or build_from_shapes(y_true_shape, y_pred_shape), "
                "before init().")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self._needs_build():
            self.build_from_shapes(np.shape(y_true), np.shape(y_pred))
            self._state = None
        super().update_state(y_true, y_pred, sample_weight)
