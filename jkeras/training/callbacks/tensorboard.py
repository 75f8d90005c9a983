"""Keras's TensorBoard callback, writing event files through tensorboardX (an optional extra:
`pip install tensorboardX`, imported when the callback is created).

What is written, as keras/src/callbacks/tensorboard.py (tags and directories included):
- `<log_dir>/train` and `<log_dir>/validation` event files;
- per epoch: `epoch_<metric>` (train writer) and `epoch_<metric>` from the `val_` logs
  (validation writer), plus `epoch_learning_rate` and, with write_steps_per_second,
  `epoch_steps_per_second`;
- with update_freq="batch" or an int N: `batch_<metric>` at the global step, every N steps
  (jkeras calls batch hooks per chunk of steps: a chunk's running logs are written at its last
  step when the chunk reached a multiple of N; compile with steps_per_execution=1 for every
  step), and `batch_steps_per_second` with write_steps_per_second;
- after an evaluation: `evaluation_<metric>_vs_iterations` at `optimizer.iterations`;
- histogram_freq > 0: a histogram of every layer weight, tag `<weight path>/histogram`, every
  `histogram_freq` epochs (and `<weight path>/image` with write_images);
- write_graph: the model's JSON config as the "graph_keras_model" summary Keras writes (there
  is no TF graph to write: jkeras compiles with XLA);
- embeddings_freq: `projector_config.pbtxt` and `train/keras_embedding.ckpt-<epoch>.weights.h5`;
- profile_batch: a jax.profiler trace of those batches into the train directory (as Keras's JAX
  backend: needs Python >= 3.12, else a warning and no profiling).
"""

import json
import os
import sys
import time
import warnings

import jax
import numpy as np

from jkeras.layers import Embedding
from jkeras.optimizers.base import Optimizer
from jkeras.training.callbacks.base import Callback


def _summary_writer_class():
    try:
        from tensorboardX import SummaryWriter
    except ImportError as exc:
        raise ImportError(
            "The TensorBoard callback writes event files with the `tensorboardX` package, "
            "which is not installed. Install it with `pip install tensorboardX`."
        ) from exc
    return SummaryWriter


class TensorBoard(Callback):
    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self._writer_class = _summary_writer_class()
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        if self.update_freq != "epoch" and (
                isinstance(self.update_freq, bool) or not isinstance(self.update_freq, int)
                or self.update_freq < 1):
            raise ValueError(
                "`update_freq` must be 'batch', 'epoch' or a positive integer. "
                f"Received: update_freq={update_freq}"
            )
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._init_profile_batch(profile_batch)
        if self._should_trace and sys.version_info[:2] < (3, 12):
            warnings.warn("Profiling with the jax backend requires python >= 3.12.")
            self._should_trace = False
        self._writers = {}
        self._seen = self._epoch_base = 0
        self._batch_start_time = self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0

    # ----- writers ----------------------------------------------------------------------
    def set_model(self, model):
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._close_writers()
        if self.write_graph:
            self._write_keras_model_summary(model)
        if self.embeddings_freq:
            self._configure_embeddings(model)

    def _writer(self, which):
        if which not in self._writers:
            path = self._train_dir if which == "train" else self._val_dir
            self._writers[which] = self._writer_class(logdir=path)
        return self._writers[which]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _scalar(self, which, tag, value, step):
        try:
            value = float(np.asarray(value))
        except (TypeError, ValueError):
            return  # a non-numeric log entry
        self._writer(which).add_scalar(tag, value, int(step))

    # ----- hooks ------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._seen = self._epoch_base = 0

    def on_train_end(self, logs=None):
        if self._is_tracing:
            self._stop_trace()
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_base = self._seen
        if self.write_steps_per_second:
            self._epoch_start_iterations = int(self._model.optimizer.iterations)
            self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch, logs=None):
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        if self._should_trace and not self._is_tracing and \
                self._epoch_base + batch + 1 >= self._start_batch:
            self._start_trace()

    def _jk_batch_listening(self, kind, in_fit):
        return "every" if kind == "train" and self.update_freq != "epoch" else None

    def on_train_batch_end(self, batch, logs=None):
        previous, self._seen = self._seen, self._epoch_base + batch + 1
        if self.update_freq != "epoch" and self._seen // self.update_freq > \
                previous // self.update_freq:
            if self.write_steps_per_second:
                elapsed = time.time() - self._batch_start_time
                self._scalar("train", "batch_steps_per_second",
                             (self._seen - previous) / max(elapsed, 1e-12), self._seen)
            for name, value in (logs or {}).items() if isinstance(logs, dict) else ():
                self._scalar("train", f"batch_{name}", value, self._seen)
        if self._is_tracing and self._seen >= self._stop_batch:
            self._stop_trace()

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)  # self.model: synced iterations
        if optimizer is not None and hasattr(optimizer, "iterations"):
            step = int(optimizer.iterations)
            for name, value in (logs or {}).items():
                self._scalar("val", f"evaluation_{name}_vs_iterations", value, step)

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self.model.save_weights(
                os.path.join(self.log_dir, "train", f"keras_embedding.ckpt-{epoch}.weights.h5"))
        for writer in self._writers.values():
            writer.flush()

    # ----- what is written --------------------------------------------------------------
    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self._model, "optimizer", None)
        if isinstance(optimizer, Optimizer):
            try:
                train_logs["learning_rate"] = float(optimizer.learning_rate)
            except AttributeError:  # a wrapped optax transform has no readable rate
                pass
        if self.write_steps_per_second:
            done = int(optimizer.iterations) - self._epoch_start_iterations
            train_logs["steps_per_second"] = done / max(time.time() - self._epoch_start_time,
                                                        1e-12)
        for name, value in train_logs.items():
            self._scalar("train", f"epoch_{name}", value, epoch)
        for name, value in val_logs.items():
            self._scalar("val", f"epoch_{name}", value, epoch)

    def _log_weights(self, epoch):
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                value = np.asarray(weight.numpy())
                writer.add_histogram(f"{name}/histogram", value, epoch)
                if self.write_images:
                    image = _weight_image(value)
                    if image is not None:
                        writer.add_images(f"{name}/image", image, epoch, dataformats="NHWC")

    def _write_keras_model_summary(self, model):
        if type(model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            to_json = getattr(model, "to_json", None)
            text = to_json() if to_json is not None else json.dumps(
                {"module": "keras", "class_name": type(model).__name__,
                 "config": model.get_config(), "registered_name": None}, default=str)
        except Exception as exc:  # as Keras: a model that does not serialize only warns
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}")
            return
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboardX.proto.tensor_pb2 import TensorProto
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
            plugin_name="graph_keras_model", content=b"1"))
        tensor = TensorProto(dtype="DT_STRING", string_val=[text.encode()])
        summary = Summary(value=[Summary.Value(tag="keras", metadata=meta, tensor=tensor)])
        self._writer("train")._get_file_writer().add_summary(summary, 0)

    def _configure_embeddings(self, model):
        metadata = self.embeddings_metadata
        if isinstance(metadata, dict):
            metadata = dict(metadata)
        lines = []
        for layer in model.layers:
            if isinstance(layer, Embedding):
                lines.append("embeddings {")
                lines.append('  tensor_name: "layer_with_weights-0/embeddings/.ATTRIBUTES/'
                             'VARIABLE_VALUE"')
                path = None
                if isinstance(metadata, str):
                    path = metadata
                elif metadata is not None and layer.name in metadata:
                    path = metadata.pop(layer.name)
                if path is not None:
                    lines.append(f"  metadata_path: {json.dumps(path)}")
                lines.append("}")
        if metadata and not isinstance(metadata, str):
            raise ValueError(
                "Unrecognized `Embedding` layer names passed to "
                "`keras.callbacks.TensorBoard` `embeddings_metadata` "
                f"argument: {metadata.keys()}"
            )
        os.makedirs(self.log_dir, exist_ok=True)
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "w") as f:
            f.write("\n".join(lines) + ("\n" if lines else ""))

    # ----- profiling --------------------------------------------------------------------
    def _init_profile_batch(self, profile_batch):
        message = (
            "profile_batch must be a non-negative integer or "
            "2-tuple of positive "
            "integers. A pair of positive integers "
            "signifies a range of batches "
            f"to profile. Found: {profile_batch}"
        )
        if isinstance(profile_batch, str):
            profile_batch = [int(p) for p in profile_batch.split(",")]
        if isinstance(profile_batch, int):
            self._start_batch = self._stop_batch = profile_batch
        elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
            self._start_batch, self._stop_batch = profile_batch
        else:
            raise ValueError(message)
        if self._start_batch < 0 or self._stop_batch < self._start_batch:
            raise ValueError(message)
        self._is_tracing = False
        self._should_trace = not (self._start_batch == 0 and self._stop_batch == 0)

    def _start_trace(self):
        jax.profiler.start_trace(self._train_dir)
        self._is_tracing = True

    def _stop_trace(self):
        jax.profiler.stop_trace()
        self._is_tracing = False
        self._should_trace = False


def _weight_image(w):
    """Keras's layout of a weight as an NHWC image batch, or None (as Keras: rank > 3)."""
    w = np.squeeze(w)
    if w.ndim == 1:
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:
        w = np.transpose(w, [2, 0, 1])
        w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
    if w.ndim == 4 and w.shape[-1] in (1, 3, 4):
        return w
    return None
