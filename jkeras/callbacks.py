"""`jkeras.callbacks`: Keras's callback names (the classes live in jkeras/training/callbacks/)."""
from jkeras.training.callbacks import *  # noqa: F401,F403
from jkeras.training.callbacks import __all__  # noqa: F401
