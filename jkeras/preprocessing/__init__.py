"""`keras.preprocessing`: Keras 3 keeps three dataset utilities under this older name too."""
from jkeras.utils import (image_dataset_from_directory, text_dataset_from_directory,
                          timeseries_dataset_from_array)

__all__ = ["image_dataset_from_directory", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
