"""Issue 17, item 6: ``callbacks.TensorBoard`` writes what Keras writes, where Keras writes it,
and TensorBoard's own reader (``EventAccumulator``) gets back the numbers ``History`` holds."""

import json
import os

import numpy as np
import pytest

import saessak as keras
from saessak import layers

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator",
    reason="the TensorBoard callback needs the tensorboard extra (pip install "
           "saessak[tensorboard])")
from tensorboard.util import tensor_util  # noqa: E402


def _read(folder):
    accumulator = event_accumulator.EventAccumulator(
        str(folder), size_guidance={event_accumulator.TENSORS: 0})
    accumulator.Reload()
    return accumulator


def _series(accumulator, tag):
    """(steps, values) of a scalar tag, values as float32 as they were written."""
    events = accumulator.Tensors(tag)
    return ([e.step for e in events],
            [float(tensor_util.make_ndarray(e.tensor_proto)) for e in events])


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([layers.Dense(8, activation="tanh", input_shape=(3,)),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x.sum(axis=1) > 0).astype("float32")


def test_epoch_scalars_match_history(tmp_path):
    x, y = _data()
    model = _model()
    board = keras.callbacks.TensorBoard(log_dir=tmp_path / "logs")
    history = model.fit(x, y, epochs=4, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=[board])
    assert sorted(os.listdir(tmp_path / "logs")) == ["train", "validation"]
    train, validation = _read(tmp_path / "logs" / "train"), _read(tmp_path / "logs" /
                                                                   "validation")
    for name in ("loss", "accuracy"):
        steps, values = _series(train, f"epoch_{name}")
        assert steps == [0, 1, 2, 3]
        np.testing.assert_array_equal(values, np.float32(history.history[name]))
        steps, values = _series(validation, f"epoch_{name}")
        assert steps == [0, 1, 2, 3]
        np.testing.assert_array_equal(values, np.float32(history.history["val_" + name]))
    _, rates = _series(train, "epoch_learning_rate")
    np.testing.assert_array_equal(rates, np.float32([0.01] * 4))
    assert "epoch_val_loss" not in train.Tags()["tensors"]
    assert "epoch_learning_rate" not in validation.Tags()["tensors"]


def test_batch_scalars_every_update_freq_batches(tmp_path):
    x, y = _data()
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(float(logs["loss"])))
    model = _model()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(tmp_path, update_freq=3), record])
    steps, values = _series(_read(tmp_path / "train"), "batch_loss")
    assert steps == [3, 6]                      # 8 batches in all, logged every 3rd
    np.testing.assert_array_equal(values, np.float32([seen[2], seen[5]]))


def test_weight_histograms_and_the_keras_graph(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=3, batch_size=32, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(tmp_path, histogram_freq=2)])
    train = _read(tmp_path / "train")
    tags = train.Tags()["tensors"]
    kernel_tag = f"{model.layers[0].kernel.path}/histogram"
    assert kernel_tag in tags and f"{model.layers[1].bias.path}/histogram" in tags
    events = train.Tensors(kernel_tag)
    assert [e.step for e in events] == [0, 2]   # epochs 0 and 2 with histogram_freq=2
    buckets = tensor_util.make_ndarray(events[-1].tensor_proto)   # (left, right, count)
    kernel = model.layers[0].kernel.numpy()
    assert buckets[:, 2].sum() == kernel.size
    np.testing.assert_allclose([buckets[0, 0], buckets[-1, 1]], [kernel.min(), kernel.max()],
                               rtol=1e-6)
    graph = train.Tensors("keras")
    assert len(graph) == 1 and graph[0].step == 0
    config = tensor_util.make_ndarray(graph[0].tensor_proto).item().decode("utf-8")
    assert json.loads(config) == json.loads(model.to_json())
    meta = train.SummaryMetadata("keras")
    assert meta.plugin_data.plugin_name == "graph_keras_model"


def test_evaluate_writes_evaluation_vs_iterations(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)   # 4 optimizer steps
    loss, accuracy = model.evaluate(x, y, verbose=0,
                                    callbacks=[keras.callbacks.TensorBoard(tmp_path)])
    validation = _read(tmp_path / "validation")
    steps, values = _series(validation, "evaluation_loss_vs_iterations")
    assert steps == [4]
    np.testing.assert_array_equal(values, np.float32([loss]))


def test_unsupported_arguments_are_refused_clearly(tmp_path):
    for name in ("write_images", "profile_batch", "embeddings_freq"):
        with pytest.raises(ValueError, match=f"TensorBoard: {name} is not supported"):
            keras.callbacks.TensorBoard(tmp_path, **{name: 1})
    with pytest.raises(ValueError, match="update_freq must be 'epoch', 'batch' or"):
        keras.callbacks.TensorBoard(tmp_path, update_freq=0)
    with pytest.raises(ValueError, match="histogram_freq must be"):
        keras.callbacks.TensorBoard(tmp_path, histogram_freq=-1)
