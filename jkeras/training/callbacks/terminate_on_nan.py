"""`TerminateOnNaN`."""

import numpy as np

from jkeras.training.callbacks.base import Callback
from jkeras.training.progbar import print_msg


class TerminateOnNaN(Callback):
    """Stops training when a batch's logged loss is NaN or infinite.

    Prints `Batch N: Invalid loss, terminating training` and sets `model.stop_training`, or with
    `raise_error=True` raises RuntimeError. With chunked execution N is the chunk's last step; the
    chunk's running loss is NaN as soon as any step in it was, so no bad step goes unseen. The loop
    keeps the last good weights; this callback only signals.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def _jk_batch_listening(self, kind, in_fit):
        return None  # fit watches the loss on the device and stops at the exact batch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or not (np.isnan(loss) or np.isinf(loss)):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. "
                f"Loss value: {loss}. Terminating training immediately."
            )
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
