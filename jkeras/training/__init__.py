"""Training: the `Trainer` mixin (compile / fit / evaluate / predict) and its jitted loop."""
from jkeras.training.state import EvalState, TrainState
from jkeras.training.trainer import Trainer

__all__ = ["Trainer", "TrainState", "EvalState"]
