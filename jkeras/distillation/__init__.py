"""Knowledge distillation (Keras 3's `keras.distillation`): a `Distiller` model trains a student
from a frozen teacher with `LogitsDistillation` / `FeatureDistillation` losses."""
import sys

from jkeras.core.serialization import register_family
from jkeras.distillation.distillation_loss import (DistillationLoss, FeatureDistillation,
                                                   LogitsDistillation)
from jkeras.distillation.distiller import Distiller

__all__ = ["DistillationLoss", "Distiller", "FeatureDistillation", "LogitsDistillation"]

# Keras writes these classes under the module "keras.distillation".
register_family("distillation", "keras.distillation", sys.modules[__name__])
