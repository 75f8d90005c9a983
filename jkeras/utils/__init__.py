"""`jkeras.utils`: Keras's utilities (`keras.utils`), one module per family."""
from jkeras.core.config import standardize_dtype
from jkeras.core.io_utils import (disable_interactive_logging, enable_interactive_logging,
                                  is_interactive_logging_enabled)
from jkeras.layers.preprocessing.feature_space import FeatureSpace
from jkeras.saving.object_registration import GLOBAL_CUSTOM_OBJECTS
from jkeras.saving.serialization import (
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_registered_name,
    get_registered_object, register_keras_serializable, serialize_keras_object)
from jkeras.training.progbar import Progbar
from jkeras.training.py_dataset import PyDataset, Sequence
from jkeras.utils.audio_dataset_utils import audio_dataset_from_directory
from jkeras.utils.config import Config
from jkeras.utils.data_adapter_utils import pack_x_y_sample_weight, unpack_x_y_sample_weight
from jkeras.utils.dataset_utils import split_dataset
from jkeras.utils.file_utils import get_file
from jkeras.utils.image_dataset_utils import image_dataset_from_directory
from jkeras.utils.model_visualization import model_to_dot, plot_model
from jkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from jkeras.utils.numerical_utils import normalize, to_categorical
from jkeras.utils.sample_dataset import SampleDataset
from jkeras.utils.sequence_utils import pad_sequences
from jkeras.utils.session import clear_session, set_random_seed
from jkeras.utils.source_inputs import get_source_inputs, is_keras_tensor
from jkeras.utils.text_dataset_utils import text_dataset_from_directory
from jkeras.utils.timeseries_dataset_utils import timeseries_dataset_from_array


def get_custom_objects():
    """The global dict of registered custom objects (`keras.utils.get_custom_objects`):
    entries added to it are found when loading, as with `register_keras_serializable`."""
    return GLOBAL_CUSTOM_OBJECTS


__all__ = [
    "set_random_seed", "clear_session", "Config", "PyDataset", "Sequence", "SampleDataset", "Progbar",
    "to_categorical", "normalize", "pad_sequences", "timeseries_dataset_from_array",
    "image_dataset_from_directory", "text_dataset_from_directory", "split_dataset",
    "load_img", "img_to_array", "array_to_img", "save_img", "get_file",
    "register_keras_serializable", "get_custom_objects", "custom_object_scope",
    "CustomObjectScope", "serialize_keras_object", "deserialize_keras_object",
    "get_registered_name", "get_registered_object", "get_source_inputs", "is_keras_tensor",
    "unpack_x_y_sample_weight", "pack_x_y_sample_weight",
    "standardize_dtype", "disable_interactive_logging", "enable_interactive_logging",
    "is_interactive_logging_enabled", "FeatureSpace", "audio_dataset_from_directory",
    "model_to_dot", "plot_model",
]
