"""Metrics against numbers worked out by hand or by independent NumPy loops."""

import numpy as np
import pytest

from saessak import metrics


def test_accuracies_by_hand():
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [0], [1], [0]], [[0.9], [0.2], [0.4], [0.6]])
    assert m.result() == 0.5
    m.update_state([[1]], [[0.7]])
    assert m.result() == pytest.approx(3 / 5)
    m.reset_state()
    assert m.result() == 0.0
    assert metrics.BinaryAccuracy(threshold=0.1)([[1]], [[0.2]]) == 1.0
    cat = metrics.CategoricalAccuracy()
    assert cat([[0, 1, 0], [1, 0, 0]], [[0.1, 0.8, 0.1], [0.2, 0.5, 0.3]]) == 0.5
    sparse = metrics.SparseCategoricalAccuracy()
    assert sparse([[1], [0]], [[0.1, 0.8, 0.1], [0.2, 0.5, 0.3]]) == 0.5
    assert metrics.Accuracy()([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75


def test_sample_weights_weight_the_mean():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]], sample_weight=[3.0, 1.0])
    assert m.result() == pytest.approx(3 / 4)
    mean = metrics.Mean()
    mean.update_state([1.0, 2.0, 3.0], sample_weight=[0.0, 1.0, 1.0])
    assert mean.result() == pytest.approx(2.5)
    total = metrics.Sum()
    total.update_state([1.0, 2.0])
    total.update_state(4.0)
    assert total.result() == 7.0


def test_top_k_counts_ties_at_the_boundary_as_inside():
    scores = np.array([[0.1, 0.3, 0.3, 0.3], [0.4, 0.3, 0.2, 0.1]])
    m = metrics.SparseTopKCategoricalAccuracy(k=1)
    assert m([2, 2], scores) == 0.5  # row 0: nothing strictly above 0.3 -> in the top 1
    assert metrics.TopKCategoricalAccuracy(k=2)(np.eye(4)[[0, 1]], scores) == 0.5


def test_precision_and_recall_by_hand():
    y = [1, 1, 1, 0, 0, 0]
    p = [0.9, 0.6, 0.2, 0.7, 0.1, 0.3]  # tp=2 fn=1 fp=1 tn=2
    assert metrics.Precision()(y, p) == pytest.approx(2 / 3)
    assert metrics.Recall()(y, p) == pytest.approx(2 / 3)
    assert metrics.Precision(thresholds=0.8)(y, p) == 1.0
    assert metrics.Recall(thresholds=[0.5, 0.95])(y, p) == pytest.approx([2 / 3, 0.0])
    assert metrics.Precision()([0, 0], [0.1, 0.2]) == 0.0  # no predicted positive: 0


def reference_auc(y, p, n=200):
    """The Keras recipe, written as a plain loop: thresholds, counts, trapezoids."""
    eps = 1e-7
    ths = [0 - eps] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + eps]
    tpr, fpr = [], []
    for t in ths:
        tp = sum(1 for yi, pi in zip(y, p) if pi > t and yi == 1)
        fp = sum(1 for yi, pi in zip(y, p) if pi > t and yi == 0)
        fn = sum(1 for yi, pi in zip(y, p) if pi <= t and yi == 1)
        tn = sum(1 for yi, pi in zip(y, p) if pi <= t and yi == 0)
        tpr.append(tp / (tp + fn) if tp + fn else 0.0)
        fpr.append(fp / (fp + tn) if fp + tn else 0.0)
    return sum((fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2 for i in range(n - 1))


def test_auc_matches_the_keras_recipe_and_the_exact_area():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.clip(y * 0.3 + rng.uniform(size=300) * 0.7, 0, 1)
    auc = metrics.AUC()
    auc.update_state(y[:150], p[:150])
    auc.update_state(y[150:], p[150:])
    assert auc.result() == pytest.approx(reference_auc(y, p), abs=1e-12)
    # a perfect ranking has area 1; an inverted one, 0
    assert metrics.AUC()([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == pytest.approx(1.0)
    assert metrics.AUC()([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == pytest.approx(0.0)


def test_regression_metrics():
    assert metrics.MeanSquaredError()([[1.0], [2.0]], [[2.0], [4.0]]) == pytest.approx(2.5)
    assert metrics.MeanAbsoluteError()([[1.0], [2.0]], [[2.0], [4.0]]) == pytest.approx(1.5)
    assert metrics.RootMeanSquaredError()([[0.0], [0.0]], [[3.0], [4.0]]) == \
        pytest.approx(np.sqrt(12.5))


def test_get_resolves_names_and_keeps_the_name_given():
    assert metrics.get("mae").name == "mae"
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("binary_accuracy"), metrics.BinaryAccuracy)
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        metrics.get("nope")
    config = metrics.BinaryAccuracy(threshold=0.3).get_config()
    assert metrics.BinaryAccuracy.from_config(config)([[1]], [[0.4]]) == 1.0
