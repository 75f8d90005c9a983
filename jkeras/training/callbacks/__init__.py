"""Keras 3 callbacks for jkeras's training loop (host side)."""

from jkeras.training.callbacks.backup_and_restore import BackupAndRestore
from jkeras.training.callbacks.base import Callback, CallbackList, is_overridden
from jkeras.training.callbacks.csv_logger import CSVLogger
from jkeras.training.callbacks.early_stopping import EarlyStopping
from jkeras.training.callbacks.history import History
from jkeras.training.callbacks.left_out import LEFT_OUT
from jkeras.training.callbacks.lambda_callback import LambdaCallback
from jkeras.training.callbacks.lr_scheduler import LearningRateScheduler, ReduceLROnPlateau
from jkeras.training.callbacks.model_checkpoint import ModelCheckpoint
from jkeras.training.callbacks.monitor import MonitorCallback
from jkeras.training.callbacks.orbax_checkpoint import OrbaxCheckpoint
from jkeras.training.callbacks.progbar_logger import ProgbarLogger
from jkeras.training.callbacks.remote_monitor import RemoteMonitor
from jkeras.training.callbacks.terminate_on_nan import TerminateOnNaN
from jkeras.training.callbacks.swap_ema_weights import SwapEMAWeights
from jkeras.training.callbacks.tensorboard import TensorBoard

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LEFT_OUT",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "MonitorCallback",
    "OrbaxCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "SwapEMAWeights",
    "TensorBoard",
    "TerminateOnNaN",
    "is_overridden",
]
