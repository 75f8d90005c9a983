"""Keras-compatible saving: `.weights.h5` files (and, with the archive, `.keras` files)."""
from jkeras.saving.weights_h5 import load_weights, save_weights

__all__ = ["save_weights", "load_weights"]
