"""AUC beyond one ROC curve: the precision-recall curve by Davis and Goadrich's
interpolation, multi_label (one curve per label, averaged) and label_weights, against
Keras's numbers and against an independent numerical integration."""

import numpy as np
import pytest

from saessak import metrics

Y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0], [1, 0, 0], [0, 1, 1]], "float32")
# no score sits on one of the 11 thresholds (0, 0.1, ... 1), where float32 and float64
# comparisons could disagree
P = np.array([[0.93, 0.22, 0.64], [0.41, 0.35, 0.83], [0.72, 0.66, 0.15], [0.55, 0.97, 0.33],
              [0.36, 0.12, 0.24], [0.27, 0.44, 0.78]], "float32")
SW = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0], "float32")

# keras.metrics.AUC(num_thresholds=11, curve=..., multi_label=..., label_weights=...)
# .update_state(Y, P, sample_weight=SW).result(), Keras 3.15.1 (TensorFlow backend, float32)
KERAS = [
    ("ROC", False, None, 0.9028213024139404),
    ("ROC", False, [0.2, 1.0, 3.0], 0.992770791053772),
    ("ROC", True, None, 0.8333333134651184),
    ("ROC", True, [0.2, 1.0, 3.0], 0.9761905074119568),
    ("PR", False, None, 0.8943154215812683),
    ("PR", False, [0.2, 1.0, 3.0], 0.9918348789215088),
    ("PR", True, None, 0.8864831924438477),
    ("PR", True, [0.2, 1.0, 3.0], 0.9837833642959595),
]


@pytest.mark.parametrize("curve,multi_label,label_weights,expected", KERAS)
def test_auc_matches_keras(curve, multi_label, label_weights, expected):
    m = metrics.AUC(num_thresholds=11, curve=curve, multi_label=multi_label,
                    label_weights=label_weights)
    m.update_state(Y[:4], P[:4], sample_weight=SW[:4])  # two batches: the counts add up
    m.update_state(Y[4:], P[4:], sample_weight=SW[4:])
    assert m.result() == pytest.approx(expected, abs=2e-7)  # Keras counts in float32


def reference_pr_auc(y, p, n=200, steps=4000):
    """Between two thresholds, tp moves linearly with the predicted positives q; integrate
    precision = tp / q over recall = tp / positives numerically on that path."""
    eps = 1e-7
    ths = [0 - eps] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + eps]
    tp = np.array([sum(1.0 for yi, pi in zip(y, p) if pi > t and yi == 1) for t in ths])
    q = np.array([sum(1.0 for pi in p if pi > t) for t in ths])
    positives = float(sum(y))
    area = 0.0
    for i in range(len(ths) - 1):
        if tp[i] == tp[i + 1]:
            continue  # no recall gained
        s = np.linspace(0.0, 1.0, steps)
        qs = q[i + 1] + s * (q[i] - q[i + 1])
        tps = tp[i + 1] + s * (tp[i] - tp[i + 1])
        slope = (tp[i] - tp[i + 1]) / (q[i] - q[i + 1])  # precision's limit where q -> 0
        precision = np.where(qs > 0, tps / np.maximum(qs, 1e-300), slope)
        recall = tps / positives
        area += np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2)  # trapezoids
    return area


def test_pr_interpolation_matches_a_numerical_integration():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 80)
    p = np.clip(y * 0.25 + rng.uniform(size=80) * 0.75, 0, 1)
    m = metrics.AUC(curve="PR")
    m.update_state(y, p)
    assert m.result() == pytest.approx(reference_pr_auc(y, p), rel=1e-6)


def test_multi_label_is_the_mean_of_the_labels_curves():
    per_label = []
    for j in range(3):
        single = metrics.AUC(num_thresholds=11)
        single.update_state(Y[:, j], P[:, j], sample_weight=SW)
        per_label.append(single.result())
    m = metrics.AUC(num_thresholds=11, multi_label=True, num_labels=3)
    m.update_state(Y, P, sample_weight=SW)
    assert m.result() == pytest.approx(np.mean(per_label), abs=1e-12)
    weighted = metrics.AUC(num_thresholds=11, multi_label=True, label_weights=[0, 0, 1])
    weighted.update_state(Y, P, sample_weight=SW)
    assert weighted.result() == pytest.approx(per_label[2], abs=1e-12)


def test_config_round_trip_and_clear_errors():
    m = metrics.AUC(curve="PR", multi_label=True, num_labels=3, label_weights=[1, 2, 3])
    again = metrics.AUC.from_config(m.get_config())
    assert again.get_config() == m.get_config()
    assert again.multi_label and again.label_weights.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="AUC: label_weights has 3 entries.*2 labels"):
        metrics.AUC(label_weights=[1, 2, 3]).update_state(Y[:, :2], P[:, :2])
    m = metrics.AUC(multi_label=True)
    m.update_state(Y, P)
    with pytest.raises(ValueError, match="AUC: multi_label counts were made for 3 labels"):
        m.update_state(Y[:, :2], P[:, :2])
    with pytest.raises(ValueError, match="AUC: num_labels must be a positive integer"):
        metrics.AUC(num_labels=0)
    with pytest.raises(ValueError, match="AUC: label_weights must be .* non-negative"):
        metrics.AUC(label_weights=[1, -1])
    assert metrics.AUC(multi_label=True).result() == 0.0  # nothing seen yet
