"""jkeras: the tf.keras model-building API on JAX, as a small pure-functional library."""
from jkeras import activations, initializers, layers, losses, metrics, models, optimizers, utils
from jkeras import callbacks
from jkeras import distribution
from jkeras.layers import Input
from jkeras.models import Model, Sequential
from jkeras.ensemble import Ensemble

__version__ = "0.1.0"

__all__ = ["Sequential", "Model", "Input", "layers", "models", "activations", "initializers",
           "losses", "metrics", "optimizers", "callbacks", "utils"]
