"""The image batch every visualization function starts from."""
import numpy as np

from jkeras.core.config import standardize_data_format


def channels_last_batch(images, data_format):
    """A 4D batch of images -> (a channels-last NumPy array, whether it came channels first);
    Keras's ValueError for anything but a 4D batch."""
    shape = tuple(np.shape(images))
    channels_first = standardize_data_format(data_format) == "channels_first"
    if len(shape) != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={shape}")
    images = np.asarray(images)
    return (np.transpose(images, (0, 2, 3, 1)) if channels_first else images), channels_first
