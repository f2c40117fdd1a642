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


def _ratio(a, b):
    """a / b, and 0 where b is 0."""
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def _counts_above(t, p, w, thresholds):
    """Weighted true/false positives and negatives of one label at every threshold (a
    score above the threshold is a predicted positive), from one sort: the scores above
    threshold j are a suffix of the sorted scores."""
    positive = t > 0.5
    order = np.argsort(p, kind="stable")
    p, pos_w, neg_w = p[order], (w * positive)[order], (w * ~positive)[order]
    cut = np.searchsorted(p, thresholds, side="right")  # how many scores are <= each
    pos_below = np.concatenate([[0.0], np.cumsum(pos_w)])[cut]
    neg_below = np.concatenate([[0.0], np.cumsum(neg_w)])[cut]
    return pos_w.sum() - pos_below, neg_w.sum() - neg_below, neg_below, pos_below


def _interpolated_pr_area(tp, fp, fn):
    """The area under the precision-recall curve by Davis and Goadrich's interpolation,
    as Keras sums it (a trapezoid on precision would overestimate it).

    Between two thresholds, tp is taken to grow linearly with the predicted positives
    q = tp + fp: tp = a q + b. Then precision = tp / q = a + b / q, recall = tp / P with P
    the positives, d(recall) = a dq / P, and the segment's area is
    (a / P) (a dq + b log(q0 / q1)) = (a / P) (dtp + b log(q0 / q1)).
    """
    q = tp + fp
    dtp, dq = tp[:-1] - tp[1:], q[:-1] - q[1:]
    a = _ratio(dtp, np.maximum(dq, 0))
    b = tp[1:] - a * q[1:]
    both = (q[:-1] > 0) & (q[1:] > 0)
    log_ratio = np.log(np.where(both, q[:-1], 1.0) / np.where(both, q[1:], 1.0))
    return np.sum(_ratio(a * (dtp + b * log_ratio), np.maximum(tp[1:] + fn[1:], 0)), axis=0)


class AUC(Metric):
    """Area under the ROC (or precision-recall) curve, from counts at fixed thresholds.

    As in Keras: ``num_thresholds`` evenly spaced thresholds from 0 to 1, the outer two
    nudged to ``-epsilon`` and ``1 + epsilon`` so that scores of exactly 0 and 1 fall inside;
    the area is summed by the trapezoid rule (``summation_method='interpolation'``; for
    the PR curve, Davis and Goadrich's interpolation) or by rectangles (``'minoring'``,
    ``'majoring'``). With ``multi_label=True`` each label (last axis) gets its own curve
    and the areas are averaged, weighted by ``label_weights``; otherwise every value is
    one sample of a single curve, and ``label_weights`` weight the labels' values in it.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if num_thresholds <= 1 and thresholds is None:
            raise ValueError(f"AUC: num_thresholds must be > 1, received {num_thresholds}")
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', received {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', received {summation_method!r}")
        if num_labels is not None and not (isinstance(num_labels, int) and num_labels > 0):
            raise ValueError(f"AUC: num_labels must be a positive integer or None, received "
                             f"{num_labels!r}")
        if label_weights is not None:
            label_weights = np.asarray(label_weights, dtype=float)
            if label_weights.ndim != 1 or np.any(label_weights < 0):
                raise ValueError(f"AUC: label_weights must be a list of non-negative numbers, "
                                 f"one per label, received {label_weights.tolist()!r}")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = backend.epsilon()
        self.thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        self.num_thresholds = num_thresholds
        self.curve, self.summation_method = curve.upper(), summation_method
        self.multi_label, self.num_labels = bool(multi_label), num_labels
        self.label_weights, self.from_logits = label_weights, from_logits
        super().__init__(name=name or "auc", dtype=dtype)

    def reset_state(self):
        # counts of shape (thresholds, labels): one column unless multi_label, whose number
        # of labels may wait for the first batch
        labels = (self.num_labels or 0) if self.multi_label else 1
        self.tp, self.fp, self.tn, self.fn = (np.zeros((len(self.thresholds), labels))
                                              for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(y_true, y_pred)
        y_true = np.broadcast_to(y_true, y_pred.shape)
        if self.from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred))
        w = _weights_like(sample_weight, y_pred)
        w = np.ones(y_pred.shape) if w is None else w
        labels = y_pred.shape[-1] if y_pred.ndim else 1
        if self.label_weights is not None and not self.multi_label:
            w = w * self._label_weights(labels)
        columns = labels if self.multi_label else 1
        if self.multi_label and self.tp.shape[1] == 0:  # the first batch says how many
            self.tp, self.fp, self.tn, self.fn = (np.zeros((len(self.thresholds), labels))
                                                  for _ in range(4))
        if self.tp.shape[1] != columns:
            raise ValueError(f"AUC: multi_label counts were made for {self.tp.shape[1]} "
                             f"labels; this batch has {labels}")
        t, p, w = (np.reshape(a, (-1, columns)) for a in (y_true, y_pred, w))
        for j in range(columns):
            tp, fp, tn, fn = _counts_above(t[:, j], p[:, j], w[:, j], self.thresholds)
            self.tp[:, j] += tp
            self.fp[:, j] += fp
            self.tn[:, j] += tn
            self.fn[:, j] += fn

    def _label_weights(self, labels):
        if len(self.label_weights) != labels:
            raise ValueError(f"AUC: label_weights has {len(self.label_weights)} entries for "
                             f"predictions with {labels} labels")
        return self.label_weights

    def result(self):
        if self.tp.shape[1] == 0:
            return 0.0
        tpr = _ratio(self.tp, self.tp + self.fn)  # recall
        if self.curve == "PR" and self.summation_method == "interpolation":
            areas = _interpolated_pr_area(self.tp, self.fp, self.fn)
        else:
            if self.curve == "ROC":
                x, y = _ratio(self.fp, self.fp + self.tn), tpr
            else:
                x, y = tpr, _ratio(self.tp, self.tp + self.fp)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            areas = np.sum((x[:-1] - x[1:]) * heights, axis=0)
        if not self.multi_label:
            return float(areas[0])
        if self.label_weights is None:
            return float(areas.mean())
        weights = self._label_weights(len(areas))
        return float(_ratio(np.sum(areas * weights), np.sum(weights)))

    def get_config(self):
        weights = None if self.label_weights is None else self.label_weights.tolist()
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "multi_label": self.multi_label, "num_labels": self.num_labels,
                "label_weights": weights, "from_logits": self.from_logits}
