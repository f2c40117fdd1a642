"""What ``compile(loss=..., metrics=...)`` turns into: the compiled loss and metrics.

:class:`CompileLoss` is ``model.compiled_loss``: the loss of each output, weighted by
``loss_weights``. Called as tf.keras 2 calls it, ``compiled_loss(y, y_pred,
regularization_losses=model.losses)``, it returns the total loss and updates the model's
``"loss"`` tracker (and one tracker per output when there are several).

:class:`CompileMetrics` is ``model.compiled_metrics``: one metric object standing for every
compiled metric of every output. It is built on its first ``update_state``, when the shapes
of the targets and predictions are known (``'accuracy'`` depends on them), and its
``result()`` is a dict ``{metric name: value}``.

:func:`resolve_compile` turns the arguments of ``compile`` into these objects and the
optimizer: everything ``compile`` decides happens here, so ``trainer.py`` holds only the loop.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import backend, losses, optimizers
from ..autograd import Tensor
from ..ops import squeeze
from . import metrics as metrics_module

_ACCURACY_NAMES = ("accuracy", "acc")
# tf.keras 2's compile arguments that change nothing here (saessak always runs eagerly)
IGNORED_COMPILE_ARGS = ("sample_weight_mode", "target_tensors", "distribute",
                        "auto_scale_loss", "pss_evaluation_shards")


class Compiled(NamedTuple):
    """What ``compile`` gives the model."""

    optimizer: optimizers.Optimizer
    loss_tracker: metrics_module.Mean  # the "loss" of the logs
    compiled_loss: CompileLoss | None  # None when compiled without a loss
    compiled_metrics: CompileMetrics  # empty when no metrics, as in tf.keras 2


def resolve_compile(optimizer, loss, metrics, loss_weights, weighted_metrics, output_names,
                    extra_kwargs) -> Compiled:
    """The objects behind ``compile(optimizer=, loss=, metrics=, loss_weights=,
    weighted_metrics=)`` for a model with outputs ``output_names``. Fails at once on an
    unknown keyword, optimizer, loss or metric name."""
    for key in extra_kwargs:
        if key not in IGNORED_COMPILE_ARGS:
            raise TypeError(f"compile: unexpected keyword argument {key!r}")
    try:
        optimizer = optimizers.get(optimizer)
    except ValueError as err:
        raise ValueError(f"compile: {err}") from None
    names = list(output_names)
    tracker = metrics_module.Mean(name="loss")
    compiled_loss = None if loss is None else CompileLoss(loss, loss_weights, names, tracker)
    check_metric_specs(metrics, weighted_metrics)  # fail now on unknown names
    compiled_metrics = CompileMetrics(
        metrics, weighted_metrics, names,
        compiled_loss.output_losses if compiled_loss is not None else None)
    return Compiled(optimizer, tracker, compiled_loss, compiled_metrics)


def to_list(structure):
    if structure is None:
        return []
    if isinstance(structure, (list, tuple)):
        return list(structure)
    return [structure]


def predictions_as_list(y_pred, names):
    """The model's outputs as a list in output order: a list or tuple as it is, a dict
    (Keras 3's ``Model(inputs, outputs={"a": ..., "b": ...})``) by the output names."""
    if isinstance(y_pred, dict):
        if names and all(n in y_pred for n in names):
            return [y_pred[n] for n in names]
        return list(y_pred.values())
    return to_list(y_pred)


def numpy_of(x):
    return backend.to_numpy(x.data if isinstance(x, Tensor) else x)


def _loss_name(loss):
    """The lower-case name a loss is known by, for choosing the right accuracy."""
    if isinstance(loss, str):
        return loss
    name = getattr(loss, "name", None) or getattr(loss, "__name__", "")
    return str(name)


def _match_rank(y_true, y_pred):
    """tf.keras 2's preparation of the labels of a loss function: the same float dtype as
    the predictions, a 1-D target against 2-D predictions made a column, and a trailing
    axis of 1 squeezed where the ranks then differ by one."""
    t = y_true if isinstance(y_true, Tensor) else Tensor(backend.asarray(y_true))
    if t.dtype.kind == "f" and y_pred.dtype.kind == "f" and t.dtype != y_pred.dtype:
        t = Tensor(t.data.astype(y_pred.dtype))
    if t.ndim == 1 and y_pred.ndim == 2:
        t = Tensor(t.data[:, None])
    if t.ndim == y_pred.ndim + 1 and t.shape[-1] == 1:
        t = Tensor(t.data[..., 0])
    elif y_pred.ndim == t.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = squeeze(y_pred, -1)
    return t, y_pred


class _OutputLoss:
    """The compiled loss of one output: a Loss object or a function, and its weight."""

    def __init__(self, spec, weight):
        try:
            self.loss = losses.get(spec)
        except ValueError as err:
            raise ValueError(f"compile: {err}") from None
        self.weight = 1.0 if weight is None else float(weight)
        self.name = _loss_name(spec)
        self._is_object = isinstance(self.loss, losses.Loss)
        self._builtin = self._is_object or getattr(self.loss, "__module__", "").startswith(
            losses.__name__)
        self._reduce = losses.reduce_values

    def __call__(self, y_true, y_pred, sample_weight):
        if self._is_object:
            return self.loss(y_true, y_pred, sample_weight=sample_weight)
        if not self._builtin:  # a user's function sees the labels as tf.keras 2 gives them
            y_true, y_pred = _match_rank(y_true, y_pred)
        return self._reduce(self.loss(y_true, y_pred), sample_weight)


class CompileLoss:
    """``model.compiled_loss``: the weighted sum of the outputs' compiled losses."""

    def __init__(self, loss, loss_weights, output_names, tracker):
        self.output_names = list(output_names)
        self.output_losses = resolve_losses(loss, loss_weights, self.output_names)
        self.tracker = tracker  # the model's "loss" Mean
        self.output_trackers = None  # one Mean per output with a loss, when there are several

    @property
    def metrics(self) -> list:
        return [self.tracker] + [t for t in self.output_trackers or [] if t is not None]

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    def compute(self, ys, y_preds, sample_weight):
        """The total compiled loss (a Tensor) and each output's loss, trackers untouched."""
        if len(self.output_losses) == 1 and len(y_preds) > 1:
            self.output_losses = self.output_losses * len(y_preds)
        if len(y_preds) > 1 and self.output_trackers is None:
            names = self.output_names or [f"output_{i + 1}" for i in range(len(y_preds))]
            # as tf.keras 2: an output without a loss reports none (not a loss of 0)
            self.output_trackers = [None if loss is None else
                                    metrics_module.Mean(name=f"{n}_loss")
                                    for n, loss in zip(names, self.output_losses)]
        sws = list(sample_weight) if isinstance(sample_weight, (list, tuple)) \
            else [sample_weight] * len(y_preds)
        total, per_output = None, []
        for index, (out_loss, y_true, y_pred, sw) in enumerate(
                zip(self.output_losses, ys, y_preds, sws)):
            if out_loss is None or y_true is None:  # no loss, or no target: tf.keras skips
                per_output.append(0.0)
                continue
            try:
                value = out_loss(y_true, y_pred, sw)
            except ValueError as error:
                name = self.output_names[index] if index < len(self.output_names) else index
                raise ValueError(f"the loss of output {name!r}: targets of shape "
                                 f"{tuple(getattr(y_true, 'shape', np.shape(y_true)))} against "
                                 f"predictions of shape "
                                 f"{tuple(y_pred.shape)}: {error}") from error
            per_output.append(value)
            term = value if out_loss.weight == 1.0 else value * out_loss.weight
            total = term if total is None else total + term
        if total is None:
            raise ValueError("compile: no output has both a loss and a target (every "
                             "output's loss or target is None)")
        return total, per_output

    def update_trackers(self, total, per_output, batch_size):
        self.tracker.update_state(float(numpy_of(total)), sample_weight=batch_size)
        for tracker, value in zip(self.output_trackers or [], per_output):
            if tracker is not None:
                tracker.update_state(float(numpy_of(value)), sample_weight=batch_size)

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        """tf.keras 2's ``compiled_loss(y, y_pred, sample_weight, regularization_losses)``:
        the total loss, also added to the ``"loss"`` tracker."""
        y_preds = predictions_as_list(y_pred, self.output_names)
        ys = targets_as_list(y_true, len(y_preds), self.output_names)
        total, per_output = self.compute(ys, y_preds, sample_weight)
        for extra in regularization_losses or []:
            total = total + extra
        self.update_trackers(total, per_output, batch_size_of(y_preds[0]))
        return total


class CompileMetrics(metrics_module.Metric):
    """``model.compiled_metrics``: the compiled metrics of every output, as one metric."""

    def __init__(self, metrics, weighted_metrics, output_names, output_losses):
        self._specs, self._weighted_specs = metrics, weighted_metrics
        self._output_names = list(output_names)
        self._output_losses = output_losses
        self.built_metrics = None  # per output, a list of (Metric, is_weighted)
        self.has_specs = bool(_flat_metric_specs(metrics) or
                              _flat_metric_specs(weighted_metrics))
        super().__init__(name="compile_metrics")

    @property
    def metrics(self) -> list:
        return [m for built in self.built_metrics or [] for m, _ in built]


    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    def build(self, y_true, y_pred):
        names = self._output_names
        n = len(y_pred)
        per_output = []
        for i in range(n):
            specs = _metric_specs_for(self._specs, i, names)
            weighted = _metric_specs_for(self._weighted_specs, i, names)
            losses = self._output_losses or []
            loss = losses[i] if i < len(losses) else (losses[0] if losses else None)
            built = []
            for spec, is_weighted in [(s, False) for s in specs] + [(s, True) for s in weighted]:
                metric = _make_metric(spec, loss, y_true[i], y_pred[i])
                if n > 1:
                    metric.name = f"{names[i]}_{metric.name}"
                if is_weighted and self._specs and metric.name in {m.name for m, _ in built}:
                    metric.name = "weighted_" + metric.name
                built.append((metric, is_weighted))
            per_output.append(built)
        self.built_metrics = per_output

    def update_state(self, y_true, y_pred, sample_weight=None):
        preds = [numpy_of(p) for p in predictions_as_list(y_pred, self._output_names)]
        trues = [None if t is None else _squeeze_column(numpy_of(t), p) for t, p in zip(
            targets_as_list(y_true, len(preds), self._output_names), preds)]
        if self.built_metrics is None:
            self.build(trues, preds)
        sws = sample_weight if isinstance(sample_weight, (list, tuple)) \
            else [sample_weight] * len(preds)
        for built, t, p, sw in zip(self.built_metrics, trues, preds, sws):
            if t is None:  # an output given no target has nothing to be measured against
                continue
            for metric, weighted in built:
                try:
                    metric.update_state(t, p, sample_weight=sw if weighted else None)
                except ValueError as error:
                    raise ValueError(f"metric {metric.name!r}: targets of shape {t.shape} "
                                     f"against predictions of shape {p.shape}: {error}"
                                     ) from error

    def result(self) -> dict:
        return {m.name: m.result() for m in self.metrics}


def _squeeze_column(y_true, y_pred):
    """A column target ``(n, 1)`` against predictions of one axis fewer loses its column
    (tf.keras 2 matches the ranks so before a metric sees them)."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        return y_true[..., 0]
    return y_true


def flatten_logs(logs) -> dict:
    """Logs as a flat dict of Python numbers: Tensors and arrays of one value become floats,
    and a metric whose result is a dict (``compiled_metrics``) adds its entries."""
    out = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            out.update(flatten_logs(value))
            continue
        if isinstance(value, Tensor):
            value = numpy_of(value)
        if isinstance(value, (np.ndarray, np.generic)) and np.size(value) == 1:
            value = float(value)
        out[key] = value
    return out


def logs_result(logs, return_dict):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def resolve_losses(loss, loss_weights, names):
    """One :class:`_OutputLoss` (or None) per output, from a loss given once, as a list, or
    as a dict by output name; ``loss_weights`` likewise."""
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


def targets_as_list(y, n, names):
    """The targets as one array (or None) per output, as tf.keras 2 matches them: a dict by
    output name (an output it leaves out has no target), a list with one entry per output,
    or one array, which is every output's target (so ``loss=[loss, None]`` trains the
    first output of two on the one ``y`` given, as keras.io's miniature GPT does)."""
    if isinstance(y, dict):
        unknown = sorted(set(y) - set(names))
        if unknown and len(names) > 1:
            raise ValueError(f"the targets dict has keys {unknown} that name no output; "
                             f"the model's outputs are {list(names)}")
        return [y.get(k) for k in names] if names else [next(iter(y.values()))]
    if isinstance(y, (list, tuple)) and n > 1:
        if len(y) != n:
            raise ValueError(f"the model has {n} outputs; pass y as a list of {n} arrays, a "
                             f"dict by output name, or one array for every output; received "
                             f"a list of {len(y)}")
        return list(y)
    if isinstance(y, (list, tuple)) and len(y) == 1:
        y = y[0]
    return [y] * n


def batch_size_of(x) -> int:
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return batch_size_of(next(iter(x.values())))
    return int(x.shape[0])


def check_metric_specs(metrics, weighted_metrics):
    """Fail at ``compile`` time on an unknown metric name."""
    for spec in _flat_metric_specs(metrics) + _flat_metric_specs(weighted_metrics):
        if not (isinstance(spec, str) and spec in _ACCURACY_NAMES):
            metrics_module.get(spec)


def _make_metric(spec, loss, y_true, y_pred):
    if isinstance(spec, str) and spec in _ACCURACY_NAMES:
        metric = _accuracy_for(loss.name if loss is not None else "", y_true, y_pred)
        metric.name = spec  # logs use the name the user wrote ('acc' stays 'acc')
        return metric
    return spec if isinstance(spec, metrics_module.Metric) else metrics_module.get(spec)


def _flat_metric_specs(specs):
    if specs is None:
        return []
    if isinstance(specs, dict):
        return [s for v in specs.values() for s in to_list(v)]
    if isinstance(specs, (list, tuple)):
        return [s for v in specs for s in (to_list(v) if isinstance(v, (list, tuple))
                                           else [v])]
    return [specs]


def _metric_specs_for(specs, i, names):
    """The metric specs of output ``i``: a list for every output, a list of lists per
    output, or a dict by output name."""
    if specs is None:
        return []
    if isinstance(specs, dict):
        return to_list(specs.get(names[i])) if i < len(names) else []
    if isinstance(specs, (list, tuple)) and specs and all(
            isinstance(s, (list, tuple)) for s in specs):
        return list(specs[i]) if i < len(specs) else []
    return to_list(specs)


def _accuracy_for(loss_name, y_true, y_pred):
    """Keras's choice for ``'accuracy'``: binary for a binary cross-entropy loss or a single
    output unit; sparse categorical when the labels are integers (one axis fewer, or a
    last axis of 1 against several classes); categorical otherwise."""
    loss_name = loss_name.lower()
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if "binary" in loss_name or (y_pred.ndim >= 1 and y_pred.shape[-1] == 1):
        return metrics_module.BinaryAccuracy()
    if "sparse" in loss_name or y_true.ndim < y_pred.ndim or (
            y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1):
        return metrics_module.SparseCategoricalAccuracy()
    if "categorical" in loss_name or y_true.shape == y_pred.shape:
        return metrics_module.CategoricalAccuracy()
    return metrics_module.Accuracy()
