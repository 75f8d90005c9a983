"""`LambdaCallback`: a callback made of plain functions."""

from jkeras.training.callbacks.base import Callback


class LambdaCallback(Callback):
    """Callback whose hooks are the functions given.

    Signatures are those of the hooks: `on_epoch_begin(epoch, logs)`,
    `on_epoch_end(epoch, logs)`, `on_train_begin(logs)`, `on_train_end(logs)`,
    `on_train_batch_begin(batch, logs)`, `on_train_batch_end(batch, logs)`. Batch hooks receive
    `logs` by keyword. Any other hook (`on_test_end=...`, `on_batch_end=...`) may be passed as a
    keyword too, as in Keras.
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)  # instance attribute shadows the no-op method
