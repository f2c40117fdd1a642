"""compile / fit / evaluate / predict: learning, the data forms accepted, and errors."""

import numpy as np
import pytest

import saessak
from saessak.layers import Dense, Input
from saessak.models import Model, Sequential


def classifier(n_in=2, n_out=1, activation="sigmoid", hidden=8):
    return Sequential([Dense(hidden, activation="tanh", input_shape=(n_in,)),
                       Dense(n_out, activation=activation)])


def test_mlp_learns_xor_perfectly():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32")
    y = np.array([[0], [1], [1], [0]], "float32")
    model = classifier()
    model.compile(optimizer=saessak.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=300, batch_size=4, verbose=0)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy == 1.0 and loss < 0.05
    np.testing.assert_array_equal(model.predict(x, verbose=0) > 0.5, y > 0.5)


def test_softmax_classifier_on_separable_blobs_reaches_98_percent_in_10_epochs():
    rng = np.random.default_rng(0)
    centers = np.array([[4, 0], [-4, 0], [0, 4], [0, -4]], "float32")
    labels = rng.integers(0, 4, 800)
    x = centers[labels] + rng.normal(size=(800, 2)).astype("float32")
    model = Sequential([Dense(4, activation="softmax", input_shape=(2,))])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.compile(saessak.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, labels, epochs=10, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] >= 0.98
    assert history.epoch == list(range(10))
    one_hot = np.eye(4, dtype="float32")[labels]
    model.compile("sgd", "categorical_crossentropy", metrics=["acc"])
    assert model.evaluate(x, one_hot, verbose=0, return_dict=True)["acc"] >= 0.98


def test_accuracy_is_resolved_from_loss_and_shapes():
    from saessak.training.compile_utils import _accuracy_for
    m = saessak.metrics
    assert isinstance(_accuracy_for("binary_crossentropy", np.zeros((2, 1)), np.zeros((2, 1))),
                      m.BinaryAccuracy)
    assert isinstance(_accuracy_for("mse", np.zeros(2), np.zeros((2, 1))), m.BinaryAccuracy)
    assert isinstance(_accuracy_for("", np.zeros(2), np.zeros((2, 3))),
                      m.SparseCategoricalAccuracy)
    assert isinstance(_accuracy_for("categorical_crossentropy", np.zeros((2, 3)),
                                    np.zeros((2, 3))), m.CategoricalAccuracy)


def test_loss_in_logs_is_the_batch_size_weighted_mean():
    model = Sequential([Dense(1, input_shape=(1,), kernel_initializer="zeros")])
    model.compile(saessak.optimizers.SGD(0.0), "mse")  # lr 0: the weights never move
    x = np.arange(5, dtype="float32")[:, None]
    y = np.zeros((5, 1), "float32")
    history = model.fit(x, y, batch_size=2, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(np.mean(np.zeros(5)))
    y = x.copy()  # predictions are 0, so the losses are x**2
    # batches [0,1], [2,3], [4]: means 0.5, 6.5, 16, weighted by 2, 2, 1 -> mean of x**2
    history = model.fit(x, y, batch_size=2, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(np.mean(x ** 2))


def test_validation_split_takes_the_last_fraction_before_shuffling():
    model = Sequential([Dense(1, input_shape=(1,), kernel_initializer="zeros")])
    model.compile(saessak.optimizers.SGD(0.0), "mse")
    x = np.zeros((10, 1), "float32")
    y = np.arange(10, dtype="float32")[:, None]
    history = model.fit(x, y, validation_split=0.2, epochs=1, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx((8 ** 2 + 9 ** 2) / 2)
    assert history.history["loss"][0] == pytest.approx(np.mean(np.arange(8) ** 2))


def test_sample_weight_and_class_weight():
    model = Sequential([Dense(1, input_shape=(1,), kernel_initializer="zeros")])
    model.compile(saessak.optimizers.SGD(0.0), "mse")
    x = np.zeros((4, 1), "float32")
    y = np.array([[1], [1], [2], [2]], "float32")
    w = np.array([1, 1, 0, 0], "float32")
    # Keras's default reduction: sum(w * loss) / number of samples
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(2 / 4)
    history = model.fit(x, y, class_weight={1: 3.0, 2: 0.0}, epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(3 * 2 / 4)


def test_generators_datasets_dicts_and_lists_are_accepted():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = x.sum(1, keepdims=True)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile("adam", "mse")

    def batches():
        while True:
            for i in range(0, 40, 10):
                yield x[i:i + 10], y[i:i + 10]

    history = model.fit(batches(), steps_per_epoch=4, epochs=2, verbose=0,
                        validation_data=(x, y))
    assert len(history.history["val_loss"]) == 2
    dataset = saessak.data.Dataset.from_tensor_slices((x, y)).batch(8)
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.evaluate(dataset, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0),
                                                               rel=1e-5)
    model.fit(x.tolist(), y.tolist(), epochs=1, verbose=0)  # nested lists are one array
    a, b = Input(shape=(2,), name="a"), Input(shape=(1,), name="b")
    two = Model([a, b], Dense(1)(saessak.layers.concatenate([a, b])))
    two.compile("adam", "mse")
    two.fit({"a": x[:, :2], "b": x[:, 2:]}, y, epochs=1, verbose=0)
    two.fit([x[:, :2], x[:, 2:]], y, epochs=1, verbose=0)


def test_predict_is_batched_without_graph_and_concatenates():
    model = Sequential([Dense(2, input_shape=(3,))])
    seen = []
    original = model.call

    def spy(inputs, training=None, mask=None):
        seen.append((inputs.shape[0], saessak.autograd.is_grad_enabled(), training))
        return original(inputs, training=training, mask=mask)

    model.call = spy
    x = np.ones((70, 3), "float32")
    out = model.predict(x, batch_size=32, verbose=0)
    assert out.shape == (70, 2) and isinstance(out, np.ndarray)
    assert seen == [(32, False, False), (32, False, False), (6, False, False)]


def test_on_batch_methods():
    model = classifier()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    before = model.get_weights()[0].copy()
    loss, acc = model.train_on_batch(x, y)
    assert not np.array_equal(before, model.get_weights()[0])
    assert isinstance(loss, float) and 0 <= acc <= 1
    assert set(model.test_on_batch(x, y, return_dict=True)) == {"loss", "accuracy"}
    assert model.predict_on_batch(x).shape == (4, 1)
    with pytest.warns(DeprecationWarning):
        classes = model.predict_classes(x)
    assert classes.shape == (4, 1) and classes.dtype == np.int32


def test_regularization_losses_join_the_training_loss():
    model = Sequential([Dense(1, input_shape=(1,), kernel_initializer="ones",
                              kernel_regularizer=saessak.regularizers.L2(0.5))])
    model.compile(saessak.optimizers.SGD(0.0), "mse")
    x = np.zeros((2, 1), "float32")
    history = model.fit(x, np.zeros((2, 1), "float32"), epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(0.5)  # 0.5 * 1**2; mse is 0


def test_bad_inputs_give_errors_naming_what_is_wrong():
    model = classifier()
    with pytest.raises(RuntimeError, match="must be compiled before evaluate"):
        model.evaluate(np.ones((2, 2)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="unknown loss 'msee'"):
        model.compile("adam", "msee")
    with pytest.raises(ValueError, match="unknown metric 'acuracy'"):
        model.compile("adam", "mse", metrics=["acuracy"])
    model.compile("adam", "mse")
    with pytest.raises(ValueError, match="x has 10, y has 9"):
        model.fit(np.ones((10, 2)), np.ones((9, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"sequential.*expected shape \(None, 2\), received "
                                         r"shape \(32, 5\)"):
        model.fit(np.ones((40, 5)), np.ones((40, 1)), verbose=0)
    with pytest.raises(ValueError, match="do not pass y"):
        model.fit(iter([]), np.ones(3))


def test_a_generator_of_lists_is_read_as_x_y_like_keras():
    # keras.utils.unpack_x_y_sample_weight counts a list as a tuple, and fit reads batches
    # with it: [x, y] is inputs and targets, not two inputs
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal((8, 1))

    def batches():
        while True:
            yield [x, y.astype("float32")]

    model = saessak.Sequential([saessak.Input((3,)), saessak.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(batches(), steps_per_epoch=2, epochs=1, verbose=0)
    expected = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    assert np.isfinite(history.history["loss"][0])
    assert model.evaluate(batches(), steps=1, verbose=0) == pytest.approx(expected, rel=1e-5)
