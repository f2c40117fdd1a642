"""Customising fit the Keras way: train_step(data), test_step, predict_step, compute_loss,
compiled_loss / compiled_metrics, Metric trackers, and custom loops."""

import warnings

import numpy as np
import pytest

import saessak as keras
from saessak import layers
from saessak.backend import floatx_scope


def _data(n=64, d=5, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = x @ rng.normal(size=(d, 1)) + 0.1 * rng.normal(size=(n, 1))
    return x, y


def _model(cls=keras.Model, seed=7, l2=None):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(5,))
    hidden = layers.Dense(8, activation="tanh",
                          kernel_regularizer=None if l2 is None else keras.regularizers.l2(l2))(
        inputs)
    return cls(inputs, layers.Dense(1)(hidden))


class Keras2Style(keras.Model):
    """The tf.keras 2 guide: compiled_loss with regularization, compiled_metrics."""

    steps = 0

    def train_step(self, data):
        type(self).steps += 1
        x, y = data
        y_pred = self(x, training=True)
        loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        loss.backward()
        variables = self.trainable_variables
        self.optimizer.apply_gradients(zip([v.grad for v in variables], variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class Keras3Style(keras.Model):
    """Keras 3: compute_loss, then every metric updated by the step itself."""

    steps = 0

    def train_step(self, data):
        type(self).steps += 1
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        loss.backward()
        variables = self.trainable_weights
        self.optimizer.apply([v.grad for v in variables], variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


@pytest.mark.parametrize("cls", [Keras2Style, Keras3Style])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_custom_train_step_gives_exactly_the_builtin_weights_in_float64(cls, optimizer):
    x, y = _data()
    cls.steps = 0
    with floatx_scope("float64"):
        reference, custom = _model(l2=1e-3), _model(cls, l2=1e-3)
        assert all(np.array_equal(a, b) for a, b in zip(reference.get_weights(),
                                                         custom.get_weights()))
        for m in (reference, custom):
            m.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
        h_ref = reference.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        h_custom = custom.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    assert cls.steps == 12  # 4 batches x 3 epochs went through the custom step
    for a, b in zip(reference.get_weights(), custom.get_weights()):
        assert a.dtype == np.float64
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(reference.get_weights()[0], _model(l2=1e-3).get_weights()[0])
    np.testing.assert_allclose(h_custom.history["loss"], h_ref.history["loss"], rtol=1e-12)
    np.testing.assert_allclose(h_custom.history["mae"], h_ref.history["mae"], rtol=1e-12)


def test_custom_loop_with_apply_gradients_matches_fit_in_float64():
    x, y = _data()
    with floatx_scope("float64"):
        reference, model = _model(), _model()
        reference.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        reference.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        optimizer = keras.optimizers.Adam(0.01)
        loss_fn = keras.losses.MeanSquaredError()
        for _ in range(2):
            for start in range(0, len(x), 16):
                xb, yb = x[start:start + 16], y[start:start + 16]
                for v in model.trainable_variables:
                    v.grad = None
                loss = loss_fn(yb, model(xb, training=True))
                loss.backward()
                grads = [v.grad for v in model.trainable_variables]
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
    for a, b in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


class TrackerModel(keras.Model):
    """compile() without a loss; Mean trackers held as attributes and listed in metrics."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.batch_losses = []

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = keras.losses.mean_squared_error(y, y_pred).mean()
        loss.backward()
        self.optimizer.apply_gradients(zip([v.grad for v in self.trainable_variables],
                                           self.trainable_variables))
        self.batch_losses.append(float(loss.numpy()))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_trackers_are_reset_every_epoch_and_fit_zeroes_gradients():
    x, y = _data(n=48)
    inputs = keras.Input(shape=(5,))
    model = TrackerModel(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.05))
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
    per_epoch = np.array(model.batch_losses).reshape(3, 3)
    np.testing.assert_allclose(history.history["loss"], per_epoch.mean(axis=1), rtol=1e-6)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert sorted(history.history) == ["loss", "mae"]


def test_metrics_list_tracks_metric_attributes_without_override():
    class Tracked(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.extra = keras.metrics.Mean(name="extra")

    inputs = keras.Input(shape=(5,))
    model = Tracked(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(*_data(n=16), verbose=0)
    assert model.metrics_names == ["loss", "mae", "extra"]
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "extra"]


def test_compute_loss_is_tracked_once_by_compute_metrics():
    class LossThenMetrics(keras.Model):
        def train_step(self, data):
            x, y = data
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred)
            loss.backward()
            self.optimizer.apply_gradients(zip([v.grad for v in self.trainable_variables],
                                               self.trainable_variables))
            return self.compute_metrics(x, y, y_pred, None)

    x, y = _data(n=32)
    with floatx_scope("float64"):
        reference, custom = _model(), _model(LossThenMetrics)
        for m in (reference, custom):
            m.compile(optimizer="sgd", loss="mse")
        h1 = reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        h2 = custom.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h2.history["loss"], h1.history["loss"], rtol=1e-12)
    assert custom._loss_tracker.count == 32  # 4 batches of 8 in the last epoch, once each


def test_custom_test_step_and_predict_step():
    class Custom(keras.Model):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            self.compiled_loss(y, y_pred)
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        def predict_step(self, data):
            x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
            return self(x, training=False) * 2.0

    x, y = _data(n=20)
    model = _model(Custom)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    reference = _model()
    reference.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0),
                               reference.evaluate(x, y, verbose=0), rtol=1e-6)
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "mae"}
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               2 * reference.predict(x, verbose=0), rtol=1e-6)


def test_sample_weights_reach_train_step_as_a_third_item():
    seen = []

    class Weighted(keras.Model):
        def train_step(self, data):
            seen.append(len(data))
            return super().train_step(data)

    x, y = _data(n=16)
    model = _model(Weighted)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, sample_weight=np.ones(16), batch_size=8, verbose=0)
    model.fit(x, y, batch_size=8, verbose=0)
    assert seen == [3, 3, 2, 2]


def test_unpack_and_pack_x_y_sample_weight():
    unpack, pack = keras.utils.unpack_x_y_sample_weight, keras.utils.pack_x_y_sample_weight
    assert unpack(1) == (1, None, None)
    assert unpack((1,)) == (1, None, None)
    assert unpack([1, 2]) == (1, 2, None)
    assert unpack((1, 2, 3)) == (1, 2, 3)
    with pytest.raises(ValueError, match="unpack_x_y_sample_weight"):
        unpack((1, 2, 3, 4))
    assert pack(1) == 1 and pack((1, 2)) == ((1, 2),) and pack(1, 2) == (1, 2)
    assert pack(1, 2, 3) == (1, 2, 3)


def test_compile_without_loss_fails_clearly_for_the_builtin_step():
    model = _model()
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="no loss to minimise"):
        model.fit(*_data(n=8), verbose=0)


def test_custom_loss_function_gets_column_labels_as_tf_keras_2():
    shapes = []

    def my_loss(y_true, y_pred):
        shapes.append((tuple(y_true.shape), tuple(y_pred.shape)))
        return keras.ops.mean((y_true - y_pred) ** 2, axis=-1)

    inputs = keras.Input(shape=(1,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss=my_loss)
    model.fit(np.arange(8.0), np.arange(8.0) * 2, batch_size=4, verbose=0)
    assert shapes == [((4, 1), (4, 1))] * 2


def test_fit_evaluate_predict_generator_warn_and_work():
    x, y = _data(n=32)

    def batches():
        while True:
            for i in range(0, 32, 8):
                yield x[i:i + 8], y[i:i + 8]

    model = _model()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        history = model.fit_generator(batches(), steps_per_epoch=4, epochs=2, verbose=0,
                                      validation_data=batches(), validation_steps=2)
    assert set(history.history) == {"loss", "val_loss"} and len(history.history["loss"]) == 2
    with pytest.warns(DeprecationWarning, match="evaluate_generator"):
        loss = model.evaluate_generator(batches(), steps=4)
    np.testing.assert_allclose(loss, model.evaluate(x, y, verbose=0), rtol=1e-5)
    with pytest.warns(DeprecationWarning, match="predict_generator"):
        pred = model.predict_generator(batches(), steps=4)
    np.testing.assert_allclose(pred, model.predict(x, verbose=0), rtol=1e-6)


def test_metric_reset_states_is_the_subclass_reset():
    m = keras.metrics.Mean()
    m.update_state([1.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.reset_states()
    assert m.result() == 0.0


class HalfLoss(keras.Model):
    """keras.io's Distiller overrides compute_loss (with Keras 3.0's ``allow_empty``, no
    ``training``) and compiles without a loss: fit and evaluate report what it returns."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
        return 0.5 * keras.ops.mean(keras.ops.square(y_pred - y))


class SeesTraining(keras.Model):
    seen = []

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        type(self).seen.append(training)
        return super().compute_loss(x, y, y_pred, sample_weight, training) + 1.0


def test_an_overridden_compute_loss_is_what_fit_and_evaluate_report():
    x, y = _data()
    model = _model(HalfLoss)
    model.compile(optimizer=keras.optimizers.SGD(0.01))  # no loss: the override is it
    before = 0.5 * np.mean((model.predict(x, verbose=0) - y) ** 2)
    assert model.evaluate(x, y, batch_size=64, verbose=0) == pytest.approx(before, rel=1e-5)
    history = model.fit(x, y, batch_size=64, epochs=2, verbose=0)
    assert history.history["loss"][0] == pytest.approx(before, rel=1e-5)
    assert history.history["loss"][1] < history.history["loss"][0]  # it trains on it

    SeesTraining.seen = []
    model = _model(SeesTraining)
    model.compile(optimizer="sgd", loss="mse")
    mse = np.mean((model.predict(x, verbose=0) - y) ** 2)
    assert model.evaluate(x, y, batch_size=64, verbose=0) == pytest.approx(mse + 1, rel=1e-5)
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    assert SeesTraining.seen == [False, True]


def test_a_per_sample_add_loss_is_summed_as_keras_does():
    """keras.io's OCR model adds ctc_batch_cost's (batch, 1) losses with add_loss and
    compiles without a loss: the step differentiates their sum (tf.keras 2 and Keras 3
    alike) and, as Keras 3, logs that sum."""

    class PerSample(layers.Layer):
        def call(self, x):
            self.add_loss(keras.ops.square(x))  # (batch, 1)
            return x

    inputs = keras.Input((2,))
    outputs = PerSample()(layers.Dense(1, kernel_initializer="ones")(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    x = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
    before = float(np.sum(x.sum(axis=1) ** 2))
    history = model.fit(x, epochs=1, batch_size=3, verbose=0)
    assert history.history["loss"][0] == pytest.approx(before, rel=1e-5)
    # d/dw sum_i (x_i . w)^2 = 2 sum_i (x_i . w) x_i, one SGD step
    expected = 1.0 - 0.01 * 2 * (x.sum(axis=1)[:, None] * x).sum(axis=0)
    np.testing.assert_allclose(model.layers[1].kernel.numpy().ravel(), expected, rtol=1e-5)


def test_an_input_layer_input_is_its_placeholder():
    inputs = keras.Input((3,), name="image")
    model = keras.Model(inputs, layers.Dense(2, name="head")(inputs))
    assert model.get_layer("image").input is inputs
    assert model.get_layer("image").output is inputs
    part = keras.Model(model.get_layer("image").input, model.get_layer("head").output)
    assert part.predict(np.ones((1, 3)), verbose=0).shape == (1, 2)
