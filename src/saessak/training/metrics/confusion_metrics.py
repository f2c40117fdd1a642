"""Metrics from counts of true/false positives/negatives: ``Precision``, ``Recall`` and
``AUC``."""

from __future__ import annotations

import numpy as np

from ... import backend
from .metric import Metric, _same_rank, _weights_like


def _flat_pairs(y_true, y_pred, sample_weight, class_id=None, top_k=None):
    """Labels, scores and weights as flat vectors, after ``top_k``/``class_id`` selection."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    if top_k is not None:  # only each sample's k best scores keep their value
        kth = np.sort(y_pred, axis=-1)[..., -top_k][..., None]
        y_pred = np.where(y_pred >= kth, y_pred, -np.inf)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
    w = _weights_like(sample_weight, y_pred)
    w = np.ones(y_pred.shape) if w is None else w
    return y_true.ravel(), y_pred.ravel(), w.ravel()


class _Thresholded(Metric):
    """Counts of true/false positives/negatives at one or more thresholds."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        default = 0.5 if top_k is None else -np.inf  # top_k alone: "is it in the top k"
        ths = np.atleast_1d(np.asarray(default if thresholds is None else thresholds, float))
        self.thresholds = ths
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = len(self.thresholds)
        self.tp, self.fp, self.tn, self.fn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p, w = _flat_pairs(y_true, y_pred, sample_weight, self.class_id, self.top_k)
        positive = t > 0.5
        above = p[None, :] > self.thresholds[:, None]  # (thresholds, values)
        self.tp += (above & positive) @ w
        self.fp += (above & ~positive) @ w
        self.fn += (~above & positive) @ w
        self.tn += (~above & ~positive) @ w

    @staticmethod
    def _ratio(a, b):
        out = np.divide(a, b, out=np.zeros_like(a), where=b > 0)
        return float(out[0]) if out.size == 1 else out.tolist()

    def get_config(self):
        ths = self.init_thresholds
        return {**super().get_config(),
                "thresholds": ths if ths is None or np.isscalar(ths) else list(ths),
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_Thresholded):
    """``tp / (tp + fp)``: of the predicted positives, the share that are positive."""

    def result(self):
        return self._ratio(self.tp, self.tp + self.fp)


class Recall(_Thresholded):
    """``tp / (tp + fn)``: of the real positives, the share that was found."""

    def result(self):
        return self._ratio(self.tp, self.tp + self.fn)


class AUC(Metric):
    """Area under the ROC (or precision-recall) curve, from counts at fixed thresholds.

    As in Keras: ``num_thresholds`` evenly spaced thresholds from 0 to 1, the outer two
    nudged to ``-epsilon`` and ``1 + epsilon`` so that scores of exactly 0 and 1 fall inside;
    the area is summed by the trapezoid rule (``summation_method='interpolation'``) or by
    rectangles (``'minoring'``, ``'majoring'``).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False,
                 from_logits=False):
        if num_thresholds <= 1 and thresholds is None:
            raise ValueError(f"AUC: num_thresholds must be > 1, received {num_thresholds}")
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', received {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', received {summation_method!r}")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = backend.epsilon()
        self.thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        self.num_thresholds = num_thresholds
        self.curve, self.summation_method = curve.upper(), summation_method
        self.multi_label, self.from_logits = multi_label, from_logits
        super().__init__(name=name or "auc", dtype=dtype)

    def reset_state(self):
        n = len(self.thresholds)
        self.tp, self.fp, self.tn, self.fn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p, w = _flat_pairs(y_true, y_pred, sample_weight)
        if self.from_logits:
            p = 1.0 / (1.0 + np.exp(-p))
        positive = t > 0.5
        # counts per threshold from one sort: the values above threshold j are a suffix
        order = np.argsort(p, kind="stable")
        p, pos_w, neg_w = p[order], (w * positive)[order], (w * ~positive)[order]
        # weight of positives/negatives with score <= each threshold
        cut = np.searchsorted(p, self.thresholds, side="right")
        pos_below = np.concatenate([[0.0], np.cumsum(pos_w)])[cut]
        neg_below = np.concatenate([[0.0], np.cumsum(neg_w)])[cut]
        self.tp += pos_w.sum() - pos_below
        self.fn += pos_below
        self.fp += neg_w.sum() - neg_below
        self.tn += neg_below

    def result(self):
        def ratio(a, b):
            return np.divide(a, b, out=np.zeros_like(a), where=b > 0)

        tpr = ratio(self.tp, self.tp + self.fn)  # recall
        if self.curve == "ROC":
            x, y = ratio(self.fp, self.fp + self.tn), tpr
        else:
            x, y = tpr, ratio(self.tp, self.tp + self.fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return float(np.sum((x[:-1] - x[1:]) * heights))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "multi_label": self.multi_label, "from_logits": self.from_logits}
