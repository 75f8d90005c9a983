"""Models: Sequential, functional (`Model(inputs, outputs)`), subclassed `Model`."""
from jkeras.models.model import Model
from jkeras.models.sequential import Sequential
from jkeras.models.functional import Functional
from jkeras.saving.archive import load_model, save_model
from jkeras.models.cloning import clone_model, model_from_json

__all__ = ["Model", "Sequential", "Functional", "load_model", "save_model", "clone_model",
           "model_from_json"]
