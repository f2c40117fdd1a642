"""Loss and metric configs as Keras 3 writes them (``keras.losses.serialize`` /
``keras.metrics.serialize``, Keras 3.15.1) are read back by saessak, and the cross-entropy
metrics take Keras's ``axis`` and ``ignore_class``."""

import numpy as np
import pytest

from saessak import losses, metrics


def spec(module, class_name, **config):
    return {"module": f"keras.{module}", "class_name": class_name, "config": config,
            "registered_name": None}


KERAS_SPECS = [
    spec("losses", "BinaryCrossentropy", name="binary_crossentropy",
         reduction="sum_over_batch_size", from_logits=True, label_smoothing=0.0, axis=-1),
    spec("losses", "Huber", name="huber_loss", reduction="sum_over_batch_size"),
    spec("losses", "SparseCategoricalCrossentropy", name="sparse_categorical_crossentropy",
         reduction="sum_over_batch_size", from_logits=False, ignore_class=0),
    spec("losses", "CosineSimilarity", name="cosine_similarity",
         reduction="sum_over_batch_size"),
    spec("metrics", "AUC", name="auc", dtype="float32", num_thresholds=200, curve="ROC",
         summation_method="interpolation", multi_label=True, num_labels=3,
         label_weights=None, from_logits=False),
    spec("metrics", "MeanAbsoluteError", name="mean_absolute_error", dtype="float32"),
    spec("metrics", "BinaryAccuracy", name="binary_accuracy", dtype="float32", threshold=0.3),
    spec("metrics", "Precision", name="precision", dtype="float32", thresholds=0.4, top_k=None,
         class_id=None),
    spec("metrics", "Recall", name="recall", dtype="float32", thresholds=None, top_k=None,
         class_id=None),
    spec("metrics", "CategoricalCrossentropy", name="categorical_crossentropy",
         dtype="float32", from_logits=True, label_smoothing=0, axis=-1),
    spec("metrics", "BinaryCrossentropy", name="binary_crossentropy", dtype="float32",
         from_logits=False, label_smoothing=0),
    spec("metrics", "SparseCategoricalCrossentropy", name="sparse_categorical_crossentropy",
         dtype="float32", from_logits=False, ignore_class=None, axis=-1),
    spec("metrics", "RootMeanSquaredError", name="root_mean_squared_error", dtype="float32"),
    spec("metrics", "TopKCategoricalAccuracy", name="top_k_categorical_accuracy",
         dtype="float32", k=5),
    spec("metrics", "Accuracy", name="accuracy", dtype="float32"),
    spec("metrics", "Mean", name="mean", dtype="float32"),
    spec("metrics", "Sum", name="sum", dtype="float32"),
]


@pytest.mark.parametrize("keras_spec", KERAS_SPECS,
                         ids=[f"{s['module']}.{s['class_name']}" for s in KERAS_SPECS])
def test_keras_configs_are_read_back(keras_spec):
    module = losses if keras_spec["module"] == "keras.losses" else metrics
    obj = module.deserialize(keras_spec)
    assert type(obj).__name__ == keras_spec["class_name"]
    config = obj.get_config()
    for key, value in keras_spec["config"].items():  # every setting Keras wrote survives
        assert config[key] == value, key


def test_sparse_crossentropy_metric_leaves_ignored_entries_out_of_the_mean():
    labels = np.array([0, 2, 1, 2])
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])
    m = metrics.SparseCategoricalCrossentropy(ignore_class=2)
    m.update_state(labels, p)
    assert m.result() == pytest.approx(-(np.log(0.7) + np.log(0.5)) / 2)
    weighted = metrics.SparseCategoricalCrossentropy(ignore_class=2)
    weighted.update_state(labels[:, None], p, sample_weight=[1.0, 2.0, 3.0, 4.0])
    # Keras 3.15.1 gives 0.6090291142 here
    assert weighted.result() == pytest.approx(-(1 * np.log(0.7) + 3 * np.log(0.5)) / 4)


def test_categorical_crossentropy_metric_takes_an_axis():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]])
    onehot = np.eye(3)[[0, 2, 1]]
    m = metrics.CategoricalCrossentropy(axis=0)
    m.update_state(onehot.T, p.T)  # classes along axis 0
    expected = -np.mean(np.log((p / p.sum(axis=1, keepdims=True))[[0, 1, 2], [0, 2, 1]]))
    assert m.result() == pytest.approx(expected)  # Keras 3.15.1 gives 0.5202159286
