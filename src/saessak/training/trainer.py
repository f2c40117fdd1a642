"""compile / fit / evaluate / predict: the training loop, as a mixin that Model inherits.

One training step, for a batch ``(x, y, sample_weight)``:

1. forward: ``y_pred = model(x)`` inside ``learning_phase(True)`` (dropout on);
2. loss: the compiled loss of each output (weighted by ``loss_weights``) plus the
   regularization penalties of the model's weights and any ``add_loss`` terms;
3. backward: ``loss.backward()`` fills ``.grad`` of every trainable weight;
4. update: ``optimizer.apply_gradients`` changes the weights in place (and applies each
   weight's constraint);
5. metrics: the running loss and every metric are updated from ``y_pred`` (NumPy, no graph).

The loop keeps its per-batch Python work small: the list of trainable weights and of
regularized weights is computed once and only refreshed when the model's structure changes.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import backend
from .._fpmode import denormals_flushed
from ..autograd import Tensor, no_grad
from ..layers import layer as layer_module
from ..layers.layer import learning_phase
from . import metrics as metrics_module
from .callbacks import CallbackList
from .data_adapter import (
    ArrayAdapter,
    class_weights_to_sample_weights,
    make_adapter,
    split_validation,
    standardize,
    unpack,
)

_ACCURACY_NAMES = ("accuracy", "acc")


def _to_list(structure):
    if structure is None:
        return []
    if isinstance(structure, (list, tuple)):
        return list(structure)
    return [structure]


def _numpy(x):
    return backend.to_numpy(x.data if isinstance(x, Tensor) else x)


def _loss_name(loss):
    """The lower-case name a loss is known by, for choosing the right accuracy."""
    if isinstance(loss, str):
        return loss
    name = getattr(loss, "name", None) or getattr(loss, "__name__", "")
    return str(name)


class _OutputLoss:
    """The compiled loss of one output: a Loss object or a function, and its weight."""

    def __init__(self, spec, weight):
        from .. import losses

        try:
            self.loss = losses.get(spec)
        except ValueError as err:
            raise ValueError(f"compile: {err}") from None
        self.weight = 1.0 if weight is None else float(weight)
        self.name = _loss_name(spec)
        self._is_object = isinstance(self.loss, losses.Loss)
        self._reduce = losses.reduce_values

    def __call__(self, y_true, y_pred, sample_weight):
        if self._is_object:
            return self.loss(y_true, y_pred, sample_weight=sample_weight)
        return self._reduce(self.loss(y_true, y_pred), sample_weight)


class Trainer:
    """Everything a Model needs to be trained: ``compile``, ``fit``, ``evaluate``,
    ``predict`` and their ``*_on_batch`` forms."""

    def __init__(self):
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compile_config = None
        self._output_losses = None
        self._metric_specs = None
        self._compiled_metrics = None  # list (per output) of lists of Metric, once built
        self._trainable_cache = (-1, None, None)

    # --- compile ---------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None, steps_per_execution=None,
                jit_compile=None, **kwargs):
        """Choose the optimizer, the loss (per output, as a list or a dict by output name)
        and the metrics. ``run_eagerly`` and friends are accepted and ignored: saessak
        always runs eagerly."""
        from .. import optimizers

        for key in kwargs:
            if key not in ("sample_weight_mode", "target_tensors", "distribute",
                           "auto_scale_loss", "pss_evaluation_shards"):
                raise TypeError(f"compile: unexpected keyword argument {key!r}")
        try:
            self.optimizer = optimizers.get(optimizer)
        except ValueError as err:
            raise ValueError(f"compile: {err}") from None
        self._compile_args = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights,
                              "weighted_metrics": weighted_metrics}
        self._output_losses = None if loss is None else self._resolve_losses(loss,
                                                                               loss_weights)
        self._metric_specs = metrics
        self._weighted_metric_specs = weighted_metrics
        for spec in _flat_metric_specs(metrics) + _flat_metric_specs(weighted_metrics):
            if not (isinstance(spec, str) and spec in _ACCURACY_NAMES):
                metrics_module.get(spec)  # fail now on unknown names
        self._compiled_metrics = None
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._output_loss_trackers = None
        self.compiled = True
        self.stop_training = False

    def _output_names_for_losses(self):
        names = getattr(self, "output_names", None) or []
        return list(names)

    def _resolve_losses(self, loss, loss_weights):
        names = self._output_names_for_losses()
        n = max(len(names), 1)
        if isinstance(loss, dict):
            unknown = set(loss) - set(names)
            if unknown:
                raise ValueError(f"compile: loss names outputs {sorted(unknown)}, but the "
                                 f"model's outputs are {names}")
            specs = [loss.get(name) for name in names]
        elif isinstance(loss, (list, tuple)):
            if names and len(loss) != len(names):
                raise ValueError(f"compile: {len(loss)} losses given for {len(names)} outputs "
                                 f"({names})")
            specs = list(loss)
        else:
            specs = [loss] * n
        if isinstance(loss_weights, dict):
            weights = [loss_weights.get(name, 1.0) for name in names]
        elif isinstance(loss_weights, (list, tuple)):
            if len(loss_weights) != len(specs):
                raise ValueError(f"compile: {len(loss_weights)} loss_weights given for "
                                 f"{len(specs)} outputs")
            weights = list(loss_weights)
        else:
            weights = [loss_weights] * len(specs)
        return [None if s is None else _OutputLoss(s, w) for s, w in zip(specs, weights)]

    # --- metrics ---------------------------------------------------------------------------------
    def _build_metrics(self, y_true, y_pred):
        """Turn the compiled metric names into Metric objects, now that the shapes of the
        targets and predictions are known (``'accuracy'`` depends on them)."""
        names = self._output_names_for_losses()
        n = len(y_pred)
        per_output = []
        for i in range(n):
            specs = _metric_specs_for(self._metric_specs, i, names)
            weighted = _metric_specs_for(self._weighted_metric_specs, i, names)
            loss = self._output_losses[i] if self._output_losses and i < len(
                self._output_losses) else None
            built = []
            for spec, is_weighted in [(s, False) for s in specs] + [(s, True) for s in weighted]:
                metric = self._make_metric(spec, loss, y_true[i], y_pred[i])
                if n > 1:
                    metric.name = f"{names[i]}_{metric.name}"
                if is_weighted and self._metric_specs and metric.name in {
                        m.name for m, _ in built}:
                    metric.name = "weighted_" + metric.name
                built.append((metric, is_weighted))
            per_output.append(built)
        self._compiled_metrics = per_output
        if n > 1:
            self._output_loss_trackers = [metrics_module.Mean(name=f"{names[i]}_loss")
                                          for i in range(n)]

    @staticmethod
    def _make_metric(spec, loss, y_true, y_pred):
        if isinstance(spec, str) and spec in _ACCURACY_NAMES:
            metric = _accuracy_for(loss.name if loss is not None else "", y_true, y_pred)
            metric.name = spec  # logs use the name the user wrote ('acc' stays 'acc')
            return metric
        return metrics_module.get(spec) if not isinstance(spec, metrics_module.Metric) \
            else spec

    @property
    def metrics(self) -> list:
        """The loss tracker, then each compiled metric."""
        if not self.compiled:
            return []
        out = [self._loss_tracker]
        for built in self._compiled_metrics or []:
            out.extend(m for m, _ in built)
        return out

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()
        for t in self._output_loss_trackers or []:
            t.reset_state()

    def _logs(self) -> dict:
        logs = {"loss": self._loss_tracker.result()}
        for t in self._output_loss_trackers or []:
            logs[t.name] = t.result()
        for built in self._compiled_metrics or []:
            for m, _ in built:
                logs[m.name] = m.result()
        return logs

    # --- the step --------------------------------------------------------------------------------
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

    def _check_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(f"Model {self.name!r} must be compiled before {what}(); call "
                               f"model.compile(optimizer=..., loss=...) first")
        if self._output_losses is None and what in ("fit", "evaluate", "train_on_batch",
                                                    "test_on_batch"):
            raise ValueError(f"Model {self.name!r}: {what}() needs a loss; pass loss= to "
                             "compile()")

    def _compute_loss(self, y, y_pred_list, sample_weight, layers, regularized):
        """The total loss Tensor, and each output's loss (a float) for the trackers."""
        ys = self._targets_as_list(y, len(y_pred_list))
        if len(self._output_losses) == 1 and len(y_pred_list) > 1:
            self._output_losses = self._output_losses * len(y_pred_list)
        sws = _to_list(sample_weight) if isinstance(sample_weight, (list, tuple)) \
            else [sample_weight] * len(y_pred_list)
        total = None
        per_output = []
        for out_loss, y_true, y_pred, sw in zip(self._output_losses, ys, y_pred_list, sws):
            if out_loss is None:
                per_output.append(0.0)
                continue
            value = out_loss(y_true, y_pred, sw)
            per_output.append(value)
            term = value if out_loss.weight == 1.0 else value * out_loss.weight
            total = term if total is None else total + term
        if total is None:
            raise ValueError(f"Model {self.name!r}: every output's loss is None")
        for w in regularized:
            total = total + w.regularizer(w)
        for layer in layers:
            for extra in layer._losses:
                total = total + extra
        return total, per_output

    def _targets_as_list(self, y, n):
        if isinstance(y, dict):
            names = self._output_names_for_losses()
            missing = [k for k in names if k not in y]
            if missing:
                raise ValueError(f"Model {self.name!r}: the targets dict lacks outputs "
                                 f"{missing}; it has keys {sorted(y)}")
            return [y[k] for k in names]
        if n > 1:
            if not isinstance(y, (list, tuple)) or len(y) != n:
                raise ValueError(f"Model {self.name!r} has {n} outputs; pass y as a list of "
                                 f"{n} arrays (or a dict by output name)")
            return list(y)
        return [y[0] if isinstance(y, (list, tuple)) and len(y) == 1 else y]

    def _update_metrics(self, y, y_pred_list, sample_weight, total, per_output, batch_size):
        self._loss_tracker.update_state(float(total.data), sample_weight=batch_size)
        ys = self._targets_as_list(y, len(y_pred_list))
        preds = [_numpy(p) for p in y_pred_list]
        trues = [_numpy(t) for t in ys]
        if self._compiled_metrics is None:
            self._build_metrics(trues, preds)
        if self._output_loss_trackers:
            for tracker, value in zip(self._output_loss_trackers, per_output):
                tracker.update_state(float(getattr(value, "data", value)),
                                     sample_weight=batch_size)
        sws = sample_weight if isinstance(sample_weight, (list, tuple)) \
            else [sample_weight] * len(preds)
        for built, t, p, sw in zip(self._compiled_metrics, trues, preds, sws):
            for metric, weighted in built:
                metric.update_state(t, p, sample_weight=sw if weighted else None)

    def train_step(self, x, y, sample_weight=None):
        """One update on one batch; returns nothing (read the metrics for the numbers)."""
        params, regularized, layers = self._training_lists()
        with learning_phase(True):
            y_pred = self(x)
        y_pred_list = _to_list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]
        total, per_output = self._compute_loss(y, y_pred_list, sample_weight, layers,
                                               regularized)
        for p in params:
            p.grad = None
        total.backward()
        if params:
            self.optimizer.apply(_grads_or_zeros(params), params)
        self._update_metrics(y, y_pred_list, sample_weight, total, per_output,
                             _batch_size(x))

    def test_step(self, x, y, sample_weight=None):
        params, regularized, layers = self._training_lists()
        with no_grad():
            y_pred = self(x)
            y_pred_list = _to_list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]
            total, per_output = self._compute_loss(y, y_pred_list, sample_weight, layers,
                                                   regularized)
        self._update_metrics(y, y_pred_list, sample_weight, total, per_output,
                             _batch_size(x))

    # --- fit -------------------------------------------------------------------------------------
    @denormals_flushed()  # subnormal gradients are slow on CPUs
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, max_queue_size=10, workers=1,
            use_multiprocessing=False):
        """Train for ``epochs`` passes over the data; returns a ``History``."""
        self._check_compiled("fit")
        verbose = _resolve_verbose(verbose)
        n_in, n_out = self._io_counts()
        if validation_split and validation_data is None:
            if not _is_arrays(x):
                raise ValueError("fit: validation_split works only with array inputs; pass "
                                 "validation_data for generators and Datasets")
            x, y, sample_weight = (standardize(x, n_in), standardize(y, n_out),
                                   standardize(sample_weight, n_out))
            (x, y, sample_weight), validation_data = split_validation(
                x, y, sample_weight, validation_split)
        if class_weight is not None:
            if not _is_arrays(x):
                raise ValueError("fit: class_weight works only with array inputs")
            y = standardize(y, n_out)
            weights = class_weights_to_sample_weights(y, class_weight)
            sample_weight = weights if sample_weight is None else \
                standardize(sample_weight) * weights
        train = make_adapter(x, y, sample_weight, batch_size, steps_per_epoch, shuffle,
                             n_in, n_out, "fit")
        val = None
        if validation_data is not None:
            vx, vy, vw = _unpack_validation(validation_data)
            val = make_adapter(vx, vy, vw, validation_batch_size or batch_size,
                               validation_steps, False, n_in, n_out, "fit (validation_data)")
        self._build_if_needed(train)

        callbacks = CallbackList(callbacks, model=self, add_history=True, add_progbar=True,
                                 verbose=verbose, params={"verbose": verbose, "epochs": epochs,
                                                          "steps": train.steps})
        batch_end = callbacks.wants("on_train_batch_end")
        batch_begin = callbacks.wants("on_train_batch_begin")
        self.stop_training = False
        self._initial_epoch = initial_epoch
        callbacks.call("on_train_begin", None)
        initial_epoch = self._initial_epoch  # BackupAndRestore may move it
        logs = {}
        epoch = initial_epoch
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.call("on_epoch_begin", epoch, None)
            step = -1
            for step, (bx, by, bw) in enumerate(train.batches()):
                if batch_begin:
                    callbacks.call("on_train_batch_begin", step, None)
                self.train_step(bx, by, bw)
                if batch_end:
                    callbacks.call("on_train_batch_end", step, self._logs())
                if self.stop_training:
                    break
            if step < 0:
                raise ValueError("fit: the training data gave no batches; is the generator "
                                 "or Dataset empty (or exhausted from a previous epoch)?")
            logs = self._logs()
            if val is not None and _should_validate(epoch, validation_freq):
                val_logs = self._run_evaluation(val, callbacks=None, in_fit=True)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            callbacks.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        callbacks.call("on_train_end", logs)
        history = callbacks.history
        history.params = {"verbose": verbose, "epochs": epochs, "steps": train.steps}
        self.history = history
        return history

    # --- evaluate --------------------------------------------------------------------------------
    @denormals_flushed()
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict=False):
        """The loss (and metrics) on the data: a float when there are no metrics, else a
        list ``[loss, metric, ...]`` (or a dict with ``return_dict=True``)."""
        self._check_compiled("evaluate")
        verbose = _resolve_verbose(verbose)
        n_in, n_out = self._io_counts()
        data = make_adapter(x, y, sample_weight, batch_size, steps, False, n_in, n_out,
                            "evaluate")
        self._build_if_needed(data)
        callbacks = CallbackList(callbacks, model=self, add_progbar=True, verbose=verbose,
                                 params={"verbose": verbose, "steps": data.steps})
        logs = self._run_evaluation(data, callbacks)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _run_evaluation(self, data, callbacks, in_fit=False):
        self.reset_metrics()
        if callbacks is not None:
            callbacks.call("on_test_begin", None)
        for step, (bx, by, bw) in enumerate(data.batches()):
            if callbacks is not None and callbacks.wants("on_test_batch_begin"):
                callbacks.call("on_test_batch_begin", step, None)
            self.test_step(bx, by, bw)
            if callbacks is not None and callbacks.wants("on_test_batch_end"):
                callbacks.call("on_test_batch_end", step, self._logs())
        logs = self._logs()
        if callbacks is not None:
            callbacks.call("on_test_end", logs)
        return logs

    # --- predict ---------------------------------------------------------------------------------
    @denormals_flushed()
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """The model's outputs for ``x``, batch by batch (32 rows at a time by default),
        with no graph kept and only the outputs gathered: NumPy arrays."""
        verbose = _resolve_verbose(verbose)
        n_in, n_out = self._io_counts()
        data = make_adapter(x, None, None, batch_size, steps, False, n_in, n_out, "predict")
        callbacks = CallbackList(callbacks, model=self, add_progbar=True, verbose=verbose,
                                 params={"verbose": verbose, "steps": data.steps})
        callbacks.call("on_predict_begin", None)
        chunks = None
        with no_grad(), learning_phase(False):
            for step, (bx, _, _) in enumerate(data.batches()):
                out = self(bx)
                outs = [_numpy(o) for o in (out if isinstance(out, (list, tuple)) else [out])]
                if chunks is None:
                    chunks = [[] for _ in outs]
                for store, o in zip(chunks, outs):
                    store.append(o)
                if callbacks.wants("on_predict_batch_end"):
                    callbacks.call("on_predict_batch_end", step, {"outputs": out})
        callbacks.call("on_predict_end", None)
        if chunks is None:
            raise ValueError("predict: the input gave no batches (is it empty?)")
        results = [np.concatenate(c, axis=0) if len(c) > 1 else c[0] for c in chunks]
        return results[0] if len(results) == 1 else results

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class predictions: the arg-max of each row, or ``prob > 0.5`` for one output
        unit. Removed from Keras in 2.6 (use ``np.argmax(model.predict(x), axis=-1)``);
        kept here because the seeds call it."""
        warnings.warn("predict_classes is deprecated (removed in Keras 2.6): use "
                      "np.argmax(model.predict(x), axis=-1), or (model.predict(x) > 0.5)"
                      ".astype('int32') for a sigmoid output", DeprecationWarning, stacklevel=2)
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """tf.keras 2's old name for ``predict`` on a probabilistic model."""
        warnings.warn("predict_proba is deprecated: use predict", DeprecationWarning,
                      stacklevel=2)
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    # --- one batch at a time ---------------------------------------------------------------------
    @denormals_flushed()
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics=True, return_dict=False):
        """One gradient update on exactly this batch; returns its loss (and metrics)."""
        self._check_compiled("train_on_batch")
        n_in, n_out = self._io_counts()
        x, y = standardize(x, n_in), standardize(y, n_out)
        sample_weight = standardize(sample_weight, n_out)
        if class_weight is not None:
            weights = class_weights_to_sample_weights(y, class_weight)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        self._build_if_needed(ArrayAdapter(x, y, sample_weight))
        if reset_metrics:
            self.reset_metrics()
        self.train_step(x, y, sample_weight)
        return self._batch_result(return_dict)

    @denormals_flushed()
    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True,
                      return_dict=False):
        self._check_compiled("test_on_batch")
        n_in, n_out = self._io_counts()
        x, y = standardize(x, n_in), standardize(y, n_out)
        if reset_metrics:
            self.reset_metrics()
        self.test_step(x, y, standardize(sample_weight, n_out))
        return self._batch_result(return_dict)

    @denormals_flushed()
    def predict_on_batch(self, x):
        n_in, _ = self._io_counts()
        with no_grad(), learning_phase(False):
            out = self(standardize(x, n_in))
        if isinstance(out, (list, tuple)):
            return [_numpy(o) for o in out]
        return _numpy(out)

    def _batch_result(self, return_dict):
        logs = self._logs()
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # --- helpers ---------------------------------------------------------------------------------
    def _io_counts(self):
        inputs = getattr(self, "inputs", None) or []
        outputs = getattr(self, "outputs", None) or []
        return max(len(inputs), 1), max(len(outputs), 1)

    def _build_if_needed(self, adapter):
        """A model without an input shape is built from the first batch of data."""
        if self.built or not isinstance(adapter, ArrayAdapter):
            return
        first = next(iter(adapter.batches()))[0]
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


def _batch_size(x) -> int:
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _batch_size(next(iter(x.values())))
    return int(x.shape[0])


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', received {verbose!r}")
    return int(verbose)


def _is_arrays(x) -> bool:
    if isinstance(x, dict):
        return all(_is_arrays(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return True
    return hasattr(x, "shape") and hasattr(x, "dtype")


def _unpack_validation(data):
    if isinstance(data, tuple) and len(data) in (2, 3):
        x, y, w = unpack(data)
        return x, y, w
    if isinstance(data, list) and len(data) in (2, 3):
        return unpack(tuple(data))
    return data, None, None  # a generator or a Dataset


def _should_validate(epoch, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in set(freq)


def _flat_metric_specs(specs):
    if specs is None:
        return []
    if isinstance(specs, dict):
        return [s for v in specs.values() for s in _to_list(v)]
    if isinstance(specs, (list, tuple)):
        return [s for v in specs for s in (_to_list(v) if isinstance(v, (list, tuple))
                                           else [v])]
    return [specs]


def _metric_specs_for(specs, i, names):
    """The metric specs of output ``i``: a list for every output, a list of lists per
    output, or a dict by output name."""
    if specs is None:
        return []
    if isinstance(specs, dict):
        return _to_list(specs.get(names[i])) if i < len(names) else []
    if isinstance(specs, (list, tuple)) and specs and all(
            isinstance(s, (list, tuple)) for s in specs):
        return list(specs[i]) if i < len(specs) else []
    return _to_list(specs)


def _accuracy_for(loss_name, y_true, y_pred):
    """Keras's choice for ``'accuracy'``: binary for a binary cross-entropy loss or a single
    output unit; sparse categorical when the labels are integers (one axis fewer, or a
    last axis of 1 against several classes); categorical otherwise."""
    loss_name = loss_name.lower()
    if "binary" in loss_name or (y_pred.ndim >= 1 and y_pred.shape[-1] == 1):
        return metrics_module.BinaryAccuracy()
    if "sparse" in loss_name or y_true.ndim < y_pred.ndim or (
            y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1):
        return metrics_module.SparseCategoricalAccuracy()
    if "categorical" in loss_name or y_true.shape == y_pred.shape:
        return metrics_module.CategoricalAccuracy()
    return metrics_module.Accuracy()

