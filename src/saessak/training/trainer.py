"""compile / fit / evaluate / predict: the training loop, as a mixin that Model inherits.

``fit`` runs ``train_step(data)`` on every batch, as Keras does, and a model can override
it (the Keras guide "Customizing what happens in fit"). ``data`` is ``x``, ``(x, y)`` or
``(x, y, sample_weight)``: read it with ``keras.utils.unpack_x_y_sample_weight``. The step
returns a dict of logs. The built-in step, for a batch ``(x, y, sample_weight)``:

1. forward: ``y_pred = self(x, training=True)`` (dropout on);
2. loss: ``self.compute_loss(x, y, y_pred, sample_weight)``: the compiled loss of each
   output (weighted by ``loss_weights``) plus the regularization penalties of the model's
   weights and any ``add_loss`` terms;
3. backward: ``loss.backward()`` fills ``.grad`` of every trainable weight;
4. update: the optimizer changes the weights in place (and applies each weight's
   constraint);
5. metrics: ``self.compute_metrics(...)`` updates the ``"loss"`` tracker and the compiled
   metrics (NumPy, no graph) and returns their results.

``evaluate`` runs ``test_step(data)`` and ``predict`` runs ``predict_step(data)`` the same
way. The compiled loss and metrics themselves live in ``training.compile_utils``.
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import _distribution, backend
from .._fpmode import denormals_flushed
from ..autograd import no_grad
from ..layers import layer as layer_module
from ..layers.layer import learning_phase
from . import metrics as metrics_module
from .batch_api import BatchTraining
from .callbacks import CallbackList
from .compile_utils import (
    CompileMetrics,
    batch_size_of,
    flatten_logs,
    logs_result,
    numpy_of,
    predictions_as_list,
    resolve_compile,
    targets_as_list,
)
from .data_adapter import (
    ArrayAdapter,
    class_weights_to_sample_weights,
    make_adapter,
    split_validation,
    standardize,
)
from .fit_arguments import (
    is_arrays,
    resolve_verbose,
    should_validate,
    unpack_validation,
    whole_number,
)
from .legacy import LegacyTraining
from .packing import expand_1d, pack_x_y_sample_weight, unpack_x_y_sample_weight


class Trainer(BatchTraining, LegacyTraining):
    """Everything a Model needs to be trained: ``compile``, ``fit``, ``evaluate``,
    ``predict``, their ``*_on_batch`` forms, and the steps a subclass may override."""

    def __init__(self):
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self.compiled_loss = None  # a CompileLoss, once compiled with a loss
        self.compiled_metrics = None  # a CompileMetrics, once compiled with metrics
        self._loss_tracker = None
        self._pending_loss = None  # the last compute_loss, until the tracker has it
        self._trainable_cache = (-1, None, None)

    # --- compile ---------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None, steps_per_execution=None,
                jit_compile=None, **kwargs):
        """Choose the optimizer, the loss (per output, as a list or a dict by output name)
        and the metrics (resolved by ``compile_utils.resolve_compile``). ``run_eagerly``
        and friends are accepted and ignored: saessak always runs eagerly."""
        compiled = resolve_compile(optimizer, loss, metrics, loss_weights, weighted_metrics,
                                   getattr(self, "output_names", None) or [], kwargs)
        self._compile_args = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights,
                              "weighted_metrics": weighted_metrics}  # saved with the model
        self._loss_tracker = compiled.loss_tracker
        self.compiled_loss = compiled.compiled_loss
        self.compiled_metrics = compiled.compiled_metrics
        self._pending_loss = None
        # under a strategy: the optimizer averages the gradients over the replicas first
        self.optimizer = _distribution.loop_hooks.on_compile(self, compiled.optimizer)
        self.compiled = True
        self.stop_training = False

    # --- losses and metrics ----------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss (a Tensor): the compiled loss of every output, plus the weights'
        regularization penalties and the ``add_loss`` terms of the last call. The
        ``"loss"`` tracker is updated by :meth:`compute_metrics` (or by a custom step that
        updates it itself)."""
        y_preds = predictions_as_list(y_pred, self.compiled_loss.output_names
                                      if self.compiled_loss is not None else [])
        total, per_output = None, []
        if self.compiled_loss is not None:
            ys = targets_as_list(y, len(y_preds), self.compiled_loss.output_names)
            total, per_output = self.compiled_loss.compute(ys, y_preds, sample_weight)
        for extra in self._extra_losses():
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError(f"Model {self.name!r}: there is no loss to minimise; pass loss= "
                             "to compile() or add one with add_loss()")
        tracker = self._loss_tracker
        self._pending_loss = (total, per_output, batch_size_of(y_preds[0]),
                              tracker.count if tracker is not None else None)
        return total

    def _extra_losses(self):
        """The weights' penalties and the ``add_loss`` terms, each summed to a scalar as
        Keras 3 does (tf.keras 2 differentiates the same sum of a per-sample term)."""
        _, regularized, layers = self._training_lists()
        return [w.regularizer(w) for w in regularized] + [
            loss if getattr(loss, "ndim", 0) == 0 else loss.sum()
            for layer in layers for loss in layer._losses]

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the loss tracker (with the last :meth:`compute_loss`, unless the step
        updated it already) and the compiled metrics; return every metric's result."""
        self._update_metrics(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _update_metrics(self, y, y_pred, sample_weight):
        pending, self._pending_loss = self._pending_loss, None
        tracker = self._loss_tracker
        if pending is not None and tracker is not None and tracker.count == pending[3]:
            total, per_output, size, _ = pending
            if self.compiled_loss is not None:
                self.compiled_loss.update_trackers(total, per_output, size)
            else:
                tracker.update_state(float(numpy_of(total)), sample_weight=size)
        if self.compiled_metrics is not None and self.compiled_metrics.has_specs and \
                y is not None:
            self.compiled_metrics.update_state(y, y_pred, sample_weight)

    def get_metrics_result(self) -> dict:
        """``{name: value}`` of every metric in :attr:`metrics` (compiled ones flattened)."""
        return flatten_logs({m.name: m.result() for m in self.metrics})

    @property
    def metrics(self) -> list:
        """The loss tracker(s), the compiled metrics, then any ``Metric`` the model holds
        as an attribute (the trackers of a custom ``train_step``)."""
        out = []
        if self.compiled and self._loss_tracker is not None:
            if self.compiled_loss is not None:
                out.extend(self.compiled_loss.metrics)
            elif not self._overrides("train_step"):
                out.append(self._loss_tracker)
            if self.compiled_metrics.has_specs:
                out.append(self.compiled_metrics)
        own = (self._loss_tracker, self.compiled_metrics)
        out.extend(v for v in vars(self).values()
                   if isinstance(v, metrics_module.Metric) and not any(v is o for o in own))
        return out

    @property
    def metrics_names(self) -> list:
        names = []
        for m in self.metrics:
            names.extend([i.name for i in m.metrics] if isinstance(m, CompileMetrics)
                         else [m.name])
        return names

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    def _overrides(self, method) -> bool:
        return getattr(type(self), method) is not getattr(Trainer, method)

    # --- the steps -------------------------------------------------------------------------------
    def _training_lists(self):
        """(trainable weights, regularized weights, every sublayer), cached until the
        model's structure changes."""
        version, params, extra = self._trainable_cache
        if version != layer_module._structure_version:
            weights = self._flat_weights()
            params = [w for w in weights if w.requires_grad]
            regularized = [w for w in params if w.regularizer is not None]
            layers, stack, seen = [], [self], set()
            while stack:
                layer = stack.pop()
                if id(layer) in seen:
                    continue
                seen.add(id(layer))
                layers.append(layer)
                stack.extend(layer._layers)
            extra = (regularized, layers)
            self._trainable_cache = (layer_module._structure_version, params, extra)
        return params, extra[0], extra[1]

    def train_step(self, data):
        """One update on one batch ``data``; returns the logs (metric results so far)."""
        self._builtin_train_step(data)
        return self.get_metrics_result()

    def _builtin_train_step(self, data):
        """The built-in step without reading the metrics' results (``fit`` reads them only
        when a callback or the end of the epoch asks)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        params = self._training_lists()[0]
        with learning_phase(True):
            y_pred = self(x, training=True)
        loss = self._step_loss(x, y, y_pred, sample_weight, training=True)
        self.zero_grad()
        loss.backward()
        if params:
            self.optimizer.apply(_grads_or_zeros(params), params)
        self._finish_step(x, y, y_pred, sample_weight)

    def _step_loss(self, x, y, y_pred, sample_weight, training):
        """``compute_loss`` as Keras 3's steps call it. One of the user's (keras.io's
        Distiller) gets ``training`` only if it takes it, and the loss tracker shows the
        loss it returns."""
        if not self._overrides("compute_loss"):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        takes = "training" in inspect.signature(type(self).compute_loss).parameters
        loss = self.compute_loss(x, y, y_pred, sample_weight,
                                 **({"training": training} if takes else {}))
        pending, tracker = self._pending_loss, self._loss_tracker
        self._pending_loss = (loss, pending[1] if pending else [],
                              batch_size_of(predictions_as_list(y_pred, [])[0]),
                              tracker.count if tracker is not None else None)
        return loss

    def _finish_step(self, x, y, y_pred, sample_weight):
        if self._overrides("compute_metrics"):
            self.compute_metrics(x, y, y_pred, sample_weight)
        else:
            self._update_metrics(y, y_pred, sample_weight)

    def test_step(self, data):
        """The loss and metrics of one batch, without updating anything but the metrics."""
        self._builtin_test_step(data)
        return self.get_metrics_result()

    def _builtin_test_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with no_grad():
            y_pred = self(x, training=False)
            if (self.compiled_loss is not None and y is not None) or self._extra_losses() \
                    or self._overrides("compute_loss"):
                self._step_loss(x, y, y_pred, sample_weight, training=False)
        self._finish_step(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for one batch."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def zero_grad(self):
        """Forget the gradients of every trainable weight (before a ``loss.backward()``,
        which adds to them)."""
        for p in self._training_lists()[0]:
            p.grad = None

    def _input_shapes(self):
        """The shapes of the model's ``Input``s, or None (a subclassed model): read once
        per ``fit``/``evaluate``/``predict``, so the loop never asks the model per batch."""
        inputs = getattr(self, "inputs", None)
        return [t.shape for t in inputs] if inputs else None

    @staticmethod
    def _pack(shapes, x, y=None, sample_weight=None):
        """A batch as ``data`` for a step, after Keras's 1-D rule (``packing.expand_1d``)
        against the model's input ``shapes``."""
        x, y = expand_1d(x, y, shapes)
        return pack_x_y_sample_weight(x, y, sample_weight)

    def _check_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(f"Model {self.name!r} must be compiled before {what}(); call "
                               f"model.compile(optimizer=..., loss=...) first")

    # --- fit -------------------------------------------------------------------------------------
    @denormals_flushed()  # subnormal gradients are slow on CPUs
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, max_queue_size=10, workers=1,
            use_multiprocessing=False):
        """Train for ``epochs`` passes over the data; returns a ``History``."""
        self._check_compiled("fit")
        verbose = resolve_verbose(verbose)
        epochs, initial_epoch = (whole_number(epochs, "epochs"),
                                 whole_number(initial_epoch, "initial_epoch"))
        n_in, n_out = self._io_counts()
        if validation_split and validation_data is None:
            if not is_arrays(x):
                raise ValueError("fit: validation_split works only with array inputs; pass "
                                 "validation_data for generators and Datasets")
            x, y, sample_weight = (standardize(x, n_in), standardize(y, n_out),
                                   standardize(sample_weight, n_out))
            (x, y, sample_weight), validation_data = split_validation(
                x, y, sample_weight, validation_split)
        if class_weight is not None:
            if not is_arrays(x):
                raise ValueError("fit: class_weight works only with array inputs")
            y = standardize(y, n_out)
            weights = class_weights_to_sample_weights(y, class_weight)
            sample_weight = weights if sample_weight is None else \
                standardize(sample_weight) * weights
        train = make_adapter(x, y, sample_weight, batch_size, steps_per_epoch, shuffle,
                             n_in, n_out, "fit")
        val = None
        if validation_data is not None:
            vx, vy, vw = unpack_validation(validation_data)
            val = make_adapter(vx, vy, vw, validation_batch_size or batch_size,
                               validation_steps, False, n_in, n_out, "fit (validation_data)")
        self._build_if_needed(train)
        train, val, callbacks, verbose = _distribution.loop_hooks.on_fit(
            self, train, val, callbacks, verbose)  # shard; progress and writers on rank 0

        callbacks = CallbackList(callbacks, model=self, add_history=True, add_progbar=True,
                                 verbose=verbose, params={"verbose": verbose, "epochs": epochs,
                                                          "steps": train.steps})
        batch_end = callbacks.wants("on_train_batch_end")
        batch_begin = callbacks.wants("on_train_batch_begin")
        custom_step = self._overrides("train_step")
        train_step = self.train_step if custom_step else self._builtin_train_step
        pack, shapes = self._pack, self._input_shapes()
        self.stop_training = False
        self._initial_epoch = initial_epoch
        callbacks.call("on_train_begin", None)
        initial_epoch = self._initial_epoch  # BackupAndRestore may move it
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.call("on_epoch_begin", epoch, None)
            step, step_logs = -1, None
            for step, (bx, by, bw) in enumerate(train.batches()):
                if batch_begin:
                    callbacks.call("on_train_batch_begin", step, None)
                if custom_step:  # a step that calls loss.backward() starts from zero
                    self.zero_grad()
                step_logs = train_step(pack(shapes, bx, by, bw))
                if batch_end:
                    callbacks.call("on_train_batch_end", step, self._step_logs(step_logs))
                if self.stop_training:
                    break
            if step < 0:
                raise ValueError("fit: the training data gave no batches; is the generator "
                                 "or Dataset empty (or exhausted from a previous epoch)?")
            logs = self._step_logs(step_logs)
            if val is not None and should_validate(epoch, validation_freq):
                val_logs = self._run_evaluation(val, callbacks=None)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            callbacks.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        if epochs > initial_epoch and hasattr(self.optimizer, "finalize_variable_values"):
            self.optimizer.finalize_variable_values(self.trainable_weights)  # use_ema
        callbacks.call("on_train_end", logs)
        history = callbacks.history
        history.params = {"verbose": verbose, "epochs": epochs, "steps": train.steps}
        self.history = history
        return history

    def _step_logs(self, logs) -> dict:
        """What a step returned, as a flat dict of numbers (a step that returns nothing
        reports the model's metrics)."""
        return self.get_metrics_result() if logs is None else flatten_logs(logs)

    # --- evaluate --------------------------------------------------------------------------------
    @denormals_flushed()
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict=False):
        """The loss (and metrics) on the data: a float when there are no metrics, else a
        list ``[loss, metric, ...]`` (or a dict with ``return_dict=True``)."""
        self._check_compiled("evaluate")
        verbose = resolve_verbose(verbose)
        n_in, n_out = self._io_counts()
        data = make_adapter(x, y, sample_weight, batch_size, steps, False, n_in, n_out,
                            "evaluate")
        self._build_if_needed(data)
        data, callbacks, verbose = _distribution.loop_hooks.on_evaluate(self, data, callbacks,
                                                                        verbose)
        callbacks = CallbackList(callbacks, model=self, add_progbar=True, verbose=verbose,
                                 params={"verbose": verbose, "steps": data.steps})
        logs = self._run_evaluation(data, callbacks)
        return logs_result(logs, return_dict)

    def _run_evaluation(self, data, callbacks):
        self.reset_metrics()
        if callbacks is not None:
            callbacks.call("on_test_begin", None)
        step_logs = None
        test_step = self.test_step if self._overrides("test_step") else \
            self._builtin_test_step
        pack, shapes = self._pack, self._input_shapes()
        for step, (bx, by, bw) in enumerate(data.batches()):
            if callbacks is not None and callbacks.wants("on_test_batch_begin"):
                callbacks.call("on_test_batch_begin", step, None)
            step_logs = test_step(pack(shapes, bx, by, bw))
            if callbacks is not None and callbacks.wants("on_test_batch_end"):
                callbacks.call("on_test_batch_end", step, self._step_logs(step_logs))
        logs = self._step_logs(step_logs)
        if callbacks is not None:
            callbacks.call("on_test_end", logs)
        return logs

    # --- predict ---------------------------------------------------------------------------------
    @denormals_flushed()
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """The model's outputs for ``x``, batch by batch (32 rows at a time by default),
        with no graph kept and only the outputs gathered: NumPy arrays."""
        verbose = resolve_verbose(verbose)
        n_in, n_out = self._io_counts()
        data = make_adapter(x, None, None, batch_size, steps, False, n_in, n_out, "predict")
        data, callbacks, verbose = _distribution.loop_hooks.on_evaluate(self, data, callbacks,
                                                                        verbose)
        callbacks = CallbackList(callbacks, model=self, add_progbar=True, verbose=verbose,
                                 params={"verbose": verbose, "steps": data.steps})
        callbacks.call("on_predict_begin", None)
        chunks, shapes, keys = None, self._input_shapes(), None
        with no_grad(), learning_phase(False):
            for step, (bx, _, _) in enumerate(data.batches()):
                out = self.predict_step(self._pack(shapes, bx))
                if isinstance(out, dict):  # a model with named outputs answers with a dict
                    keys, out = list(out), list(out.values())
                outs = [numpy_of(o) for o in (out if isinstance(out, (list, tuple)) else [out])]
                if chunks is None:
                    chunks = [[] for _ in outs]
                for store, o in zip(chunks, outs):
                    store.append(o)
                if callbacks.wants("on_predict_batch_end"):
                    callbacks.call("on_predict_batch_end", step, {"outputs": out})
        callbacks.call("on_predict_end", None)
        chunks = _distribution.loop_hooks.gather(self, data, chunks)  # every rank's, in order
        if chunks is None:
            raise ValueError("predict: the input gave no batches (is it empty?)")
        results = [np.concatenate(c, axis=0) if len(c) > 1 else c[0] for c in chunks]
        if keys is not None:
            return dict(zip(keys, results))
        return results[0] if len(results) == 1 else results

    # --- helpers ---------------------------------------------------------------------------------
    def _io_counts(self):
        inputs = getattr(self, "inputs", None) or []
        outputs = getattr(self, "outputs", None) or []
        return max(len(inputs), 1), max(len(outputs), 1)

    def _build_if_needed(self, adapter):
        """A model without an input shape is built from the first batch of data (a model
        whose sublayers are all built already counts as built, as in Keras 3: a VAE's
        encoder and decoder, driven by its own train_step)."""
        if self.built or not isinstance(adapter, ArrayAdapter):
            return
        if self._layers and all(layer.built for layer in self._layers):
            self.built = True
            return
        batch = next(iter(adapter.batches()))[0]
        first, _, _ = unpack_x_y_sample_weight(self._pack(self._input_shapes(), batch))
        with no_grad():
            self(first if not isinstance(first, np.ndarray) else first[:1])


def _grads_or_zeros(params):
    """Each weight's gradient; a weight the loss does not reach gets zeros (so that the
    optimizer's state stays lined up with the weight list)."""
    out = []
    for p in params:
        g = p.grad
        if g is None:
            g = backend.get_array_module(p.data).zeros_like(p.data)
        out.append(g)
    return out
