"""``train_on_batch``, ``test_on_batch`` and ``predict_on_batch``: one step of ``fit``,
``evaluate`` or ``predict`` on exactly the batch given, with no callbacks and no batching.
A mixin of :class:`saessak.training.Trainer`, whose steps and helpers it calls.
"""

from __future__ import annotations

from .._fpmode import denormals_flushed
from ..autograd import no_grad
from ..layers.layer import learning_phase
from .compile_utils import logs_result, numpy_of
from .data_adapter import ArrayAdapter, class_weights_to_sample_weights, standardize


class BatchTraining:
    """The ``*_on_batch`` methods."""

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
        data = self._pack(self._input_shapes(), x, y, sample_weight)
        logs = self._step_logs(self.train_step(data))
        return logs_result(logs, return_dict)

    @denormals_flushed()
    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True,
                      return_dict=False):
        self._check_compiled("test_on_batch")
        n_in, n_out = self._io_counts()
        x, y = standardize(x, n_in), standardize(y, n_out)
        if reset_metrics:
            self.reset_metrics()
        data = self._pack(self._input_shapes(), x, y, standardize(sample_weight, n_out))
        logs = self.test_step(data)
        return logs_result(self._step_logs(logs), return_dict)

    @denormals_flushed()
    def predict_on_batch(self, x):
        n_in, _ = self._io_counts()
        with no_grad(), learning_phase(False):
            out = self.predict_step(self._pack(self._input_shapes(), standardize(x, n_in)))
        if isinstance(out, (list, tuple)):
            return [numpy_of(o) for o in out]
        return numpy_of(out)
