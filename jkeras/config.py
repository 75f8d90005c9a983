"""`keras.config`: the session's floatx, epsilon, image data format and related switches."""
from jkeras.core.config import (backend, disable_flash_attention, enable_flash_attention,
                                epsilon, floatx, image_data_format, is_flash_attention_enabled,
                                max_epochs, max_steps_per_epoch, set_epsilon, set_floatx,
                                set_image_data_format, set_max_epochs, set_max_steps_per_epoch)
from jkeras.core.compilation_cache import (compilation_cache_dir, disable_compilation_cache,
                                           enable_compilation_cache)
from jkeras.core.dtype_policy import dtype_policy, set_dtype_policy
from jkeras.core.io_utils import (disable_interactive_logging, enable_interactive_logging,
                                  is_interactive_logging_enabled)
from jkeras.saving import enable_unsafe_deserialization

__all__ = ["backend", "disable_flash_attention", "enable_flash_attention",
           "enable_unsafe_deserialization", "epsilon", "floatx", "image_data_format",
           "is_flash_attention_enabled", "set_epsilon", "set_floatx", "set_image_data_format",
           "disable_interactive_logging", "enable_interactive_logging",
           "is_interactive_logging_enabled"]
__all__ += ["dtype_policy", "set_dtype_policy"]
__all__ += ["max_epochs", "max_steps_per_epoch", "set_max_epochs", "set_max_steps_per_epoch"]
__all__ += ["compilation_cache_dir", "disable_compilation_cache", "enable_compilation_cache"]
from jkeras.core.config import is_nnx_enabled, set_backend
from jkeras.core.traceback_utils import (disable_traceback_filtering, enable_traceback_filtering,
                                         is_traceback_filtering_enabled)

__all__ += ["is_nnx_enabled", "set_backend", "disable_traceback_filtering",
            "enable_traceback_filtering", "is_traceback_filtering_enabled"]
