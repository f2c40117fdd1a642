"""``callbacks.TensorBoard``: training logs that TensorBoard can show, as Keras writes them.

Keras's folder layout and tags::

    log_dir/train/       epoch_loss, epoch_accuracy, ..., epoch_learning_rate (per epoch),
                         batch_loss, ... (every ``update_freq`` batches),
                         <layer>/<weight>/histogram (every ``histogram_freq`` epochs),
                         keras (the model's JSON config: TensorBoard's "conceptual graph")
    log_dir/validation/  epoch_loss, ... (the ``val_`` logs without their prefix),
                         evaluation_loss_vs_iterations, ... (after ``model.evaluate``)

The event files are written with the ``tensorboard`` package's own writer and summary
builders (``pip install saessak[tensorboard]``); saessak does not encode protobufs itself.
Then ``tensorboard --logdir logs`` shows the run.
"""

from __future__ import annotations

import os
import time

import numpy as np

from .callback import Callback


def _tensorboard():
    """The pieces of the ``tensorboard`` package this callback uses (an optional extra)."""
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.plugins.histogram.summary_v2 import histogram_pb
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        from tensorboard.util import tensor_util
    except ImportError:
        raise ImportError("callbacks.TensorBoard writes its logs with the tensorboard "
                          "package, an optional extra: pip install tensorboard (or "
                          "saessak[tensorboard])") from None
    return {"Event": event_pb2.Event, "Summary": summary_pb2.Summary,
            "SummaryMetadata": summary_pb2.SummaryMetadata, "histogram_pb": histogram_pb,
            "scalar_pb": scalar_pb, "EventFileWriter": EventFileWriter,
            "make_tensor_proto": tensor_util.make_tensor_proto}


class TensorBoard(Callback):
    """Log scalars, weight histograms and the model's graph for TensorBoard.

    Args (Keras's):
        log_dir: the folder to write to; ``train/`` and ``validation/`` go inside it.
        histogram_freq: every how many epochs to write a histogram of every weight
            (0: never).
        write_graph: write the model's config as TensorBoard's Keras graph (tag ``keras``).
        write_images: not supported (saessak writes no image summaries); must be False.
        write_steps_per_second: also log training steps per second.
        update_freq: ``'epoch'`` (scalars once per epoch), ``'batch'`` or an integer N (also
            the training batch logs every N batches, as ``batch_<name>``).
        profile_batch: profiling is not available in saessak; must be 0.
        embeddings_freq, embeddings_metadata: the embedding projector is not supported;
            ``embeddings_freq`` must be 0.

    >>> tb = TensorBoard(log_dir="logs", histogram_freq=1)
    >>> model.fit(x, y, epochs=5, validation_split=0.2, callbacks=[tb])   # doctest: +SKIP
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self._tb = _tensorboard()  # fail at construction, not in the middle of fit
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) \
                or histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be a whole number >= 0, "
                             f"received {histogram_freq!r}")
        if update_freq not in ("epoch", "batch") and (
                isinstance(update_freq, bool) or not isinstance(update_freq, int)
                or update_freq < 1):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a whole "
                             f"number of batches >= 1, received {update_freq!r}")
        for name, value in (("write_images", write_images), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq)):
            if value:
                raise ValueError(f"TensorBoard: {name} is not supported by saessak (no "
                                 f"image summaries, profiler or embedding projector); "
                                 f"received {name}={value!r}, expected a false value")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._global_train_batch = 0
        self._training = False

    # --- the writers: one event file per folder, made when first needed ---------------------
    def set_model(self, model):
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._close_writers()

    def _writer(self, kind):
        if kind not in self._writers:
            folder = self._train_dir if kind == "train" else self._val_dir
            os.makedirs(folder, exist_ok=True)
            self._writers[kind] = self._tb["EventFileWriter"](folder)
        return self._writers[kind]

    def _write(self, kind, summary, step):
        event = self._tb["Event"](wall_time=time.time(), step=int(step), summary=summary)
        self._writer(kind).add_event(event)

    def _scalar(self, kind, tag, value, step):
        self._write(kind, self._tb["scalar_pb"](tag, np.float32(value)), step)

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # --- what is written --------------------------------------------------------------------
    def _write_keras_graph(self):
        """The model's JSON config under the tag ``keras``, which TensorBoard's graph
        dashboard draws as the Keras "conceptual graph" (as Keras's callback writes it)."""
        try:
            config = self.model.to_json()
        except Exception:  # noqa: BLE001 - a model that cannot be serialized has no graph
            return
        metadata = self._tb["SummaryMetadata"]()
        metadata.plugin_data.plugin_name = "graph_keras_model"
        metadata.plugin_data.content = b"1"  # the plugin's format version
        summary = self._tb["Summary"]()
        summary.value.add(tag="keras", metadata=metadata,
                          tensor=self._tb["make_tensor_proto"](config))
        self._write("train", summary, 0)

    def _learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        try:
            return float(optimizer.learning_rate)
        except (AttributeError, TypeError, ValueError):
            return None

    def _log_weights(self, epoch):
        for layer in self.model.layers:
            for weight in layer.weights:
                tag = f"{weight.path.replace(':', '_')}/histogram"
                self._write("train", self._tb["histogram_pb"](tag, weight.numpy()), epoch)

    # --- the hooks ---------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._training = True
        self._global_train_batch = 0
        if self.write_graph:
            self._write_keras_graph()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._epoch_start_step = getattr(getattr(self.model, "optimizer", None),
                                         "iterations", 0)

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if self.write_steps_per_second:
            seconds = max(time.perf_counter() - self._batch_start, 1e-9)
            self._scalar("train", "batch_steps_per_second", 1.0 / seconds,
                         self._global_train_batch)
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        for name, value in (logs or {}).items():
            self._scalar("train", f"batch_{name}", value, self._global_train_batch)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        rate = self._learning_rate()
        if rate is not None:
            train["learning_rate"] = rate
        if self.write_steps_per_second:
            steps = getattr(self.model.optimizer, "iterations", 0) - self._epoch_start_step
            train["steps_per_second"] = steps / max(time.perf_counter() - self._epoch_start,
                                                    1e-9)
        for kind, values in (("train", train), ("validation", validation)):
            for name, value in values.items():
                self._scalar(kind, f"epoch_{name}", value, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs=None):
        step = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        if step is None:
            return
        for name, value in (logs or {}).items():
            self._scalar("validation", f"evaluation_{name}_vs_iterations", value, step)
        if self._training:
            self._writer("validation").flush()
        else:  # a model.evaluate of its own: nothing more will come
            self._close_writers()

    def on_train_end(self, logs=None):
        self._training = False
        self._close_writers()
