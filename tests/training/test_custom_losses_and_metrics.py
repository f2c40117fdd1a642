"""A user's losses and metrics through a saved model and back: given in ``custom_objects``,
in a ``custom_object_scope``, or registered with ``register_keras_serializable``; and
saessak's own lookup (``losses.get``, ``metrics.get``) seeing them first."""

import numpy as np
import pytest

import saessak
from saessak import layers, losses, metrics
from saessak.models import Sequential, load_model
from saessak.saving import custom_object_scope, register_keras_serializable

rng = np.random.default_rng(0)
X = rng.normal(size=(32, 3)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


class ScaledSquare(losses.Loss):
    """scale * mean((p - t)^2): a Loss with an argument of its own."""

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        d = y_pred - y_true
        return self.scale * saessak.ops.mean(d * d, axis=-1)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def cubed_error(y_true, y_pred):
    d = saessak.ops.abs(y_pred - y_true)
    return saessak.ops.mean(d * d * d, axis=-1)


class CountAbove(metrics.Metric):
    """How many predictions exceed ``level``: a stateful metric with an argument."""

    def __init__(self, level=0.5, name="count_above", dtype=None):
        self.level = level
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.count = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.count += float((np.asarray(getattr(y_pred, "data", y_pred)) > self.level).sum())

    def result(self):
        return self.count

    def get_config(self):
        return {**super().get_config(), "level": self.level}


def half_error(y_true, y_pred):
    return 0.5 * np.abs(np.asarray(y_pred) - np.asarray(y_true)).mean(axis=-1)


def trained(loss, metric_list):
    saessak.set_random_seed(1)
    model = Sequential([layers.Dense(4, activation="tanh", input_shape=(3,)),
                        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss=loss, metrics=metric_list)
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    return model


def loss_of(model):
    """The loss object or function that compile resolved (one output)."""
    return model.compiled_loss.output_losses[0].loss


def round_trip(model, tmp_path, **load_kwargs):
    path = tmp_path / "m.saessak"
    model.save(path)
    return load_model(path, **load_kwargs)


def same_evaluation(a, b):
    first = a.evaluate(X, Y, verbose=0, return_dict=True)
    again = b.evaluate(X, Y, verbose=0, return_dict=True)
    assert first.keys() == again.keys()
    for key in first:
        assert again[key] == pytest.approx(first[key], rel=1e-6), key
    return first


# --- through a saved model, with custom_objects -----------------------------------------------


def test_custom_loss_class_and_metric_class_reload_with_custom_objects(tmp_path):
    model = trained(ScaledSquare(scale=3.0), [CountAbove(level=0.4)])
    loaded = round_trip(model, tmp_path, custom_objects={"ScaledSquare": ScaledSquare,
                                                         "CountAbove": CountAbove})
    assert isinstance(loss_of(loaded), ScaledSquare) and loss_of(loaded).scale == 3.0
    logs = same_evaluation(model, loaded)
    assert logs["count_above"] > 0  # the metric really counted, with level 0.4 restored
    np.testing.assert_array_equal(model.predict(X, verbose=0), loaded.predict(X, verbose=0))


def test_custom_loss_and_metric_functions_reload_with_custom_objects(tmp_path):
    model = trained(cubed_error, [half_error])
    loaded = round_trip(model, tmp_path, custom_objects={"cubed_error": cubed_error,
                                                         "half_error": half_error})
    assert loss_of(loaded) is cubed_error
    logs = same_evaluation(model, loaded)
    assert set(logs) == {"loss", "half_error"}


def test_without_custom_objects_the_error_names_the_missing_loss(tmp_path):
    model = trained(cubed_error, [])
    with pytest.raises(ValueError, match=r"cubed_error.*custom_objects"):
        round_trip(model, tmp_path)


# --- registered with register_keras_serializable: no custom_objects needed ---------------------


def test_registered_loss_and_metric_reload_without_custom_objects(tmp_path):
    @register_keras_serializable("test_losses")
    class RegisteredSquare(ScaledSquare):
        pass

    @register_keras_serializable("test_metrics")
    class RegisteredCount(CountAbove):
        pass

    model = trained(RegisteredSquare(scale=2.0), [RegisteredCount(level=0.6)])
    spec = losses.serialize(loss_of(model))
    assert spec["registered_name"] == "test_losses>RegisteredSquare"
    assert metrics.serialize(RegisteredCount())["registered_name"] == \
        "test_metrics>RegisteredCount"
    loaded = round_trip(model, tmp_path)
    assert isinstance(loss_of(loaded), RegisteredSquare) and loss_of(loaded).scale == 2.0
    same_evaluation(model, loaded)


def test_registered_functions_reload_without_custom_objects(tmp_path):
    @register_keras_serializable("test_losses")
    def registered_cube(y_true, y_pred):
        return cubed_error(y_true, y_pred)

    @register_keras_serializable("test_metrics")
    def registered_half(y_true, y_pred):
        return half_error(y_true, y_pred)

    assert losses.serialize(registered_cube) == "test_losses>registered_cube"
    model = trained(registered_cube, [registered_half])
    loaded = round_trip(model, tmp_path)
    assert loss_of(loaded) is registered_cube
    assert set(same_evaluation(model, loaded)) == {"loss", "registered_half"}


# --- the lookup functions themselves --------------------------------------------------------------


def test_custom_objects_come_before_saessak_names():
    def mse(y_true, y_pred):  # a user's function under a built-in name
        return y_pred

    assert losses.deserialize("mse", custom_objects={"mse": mse}) is mse
    assert losses.deserialize("mse") is losses.mean_squared_error
    with custom_object_scope({"cubed_error": cubed_error, "CountAbove": CountAbove}):
        assert losses.get("cubed_error") is cubed_error
        assert isinstance(metrics.get("CountAbove"), CountAbove)
    with pytest.raises(ValueError, match="unknown loss 'cubed_error'"):
        losses.get("cubed_error")


def test_loss_function_wrapper_round_trips_its_custom_function():
    wrapped = losses.LossFunctionWrapper(cubed_error, name="cubed")
    spec = losses.serialize(wrapped)
    assert spec["config"]["fn"] == "cubed_error"
    again = losses.deserialize(spec, custom_objects={"cubed_error": cubed_error})
    assert again.fn is cubed_error and again.name == "cubed"
    t, p = np.zeros((2, 1)), np.array([[1.0], [2.0]])
    assert float(again(t, p)) == pytest.approx((1 + 8) / 2)


def test_mean_metric_wrapper_round_trips_its_custom_function():
    wrapped = metrics.MeanMetricWrapper(half_error, name="half")
    spec = metrics.serialize(wrapped)
    assert spec["config"]["fn"] == "half_error"
    again = metrics.deserialize(spec, custom_objects={"half_error": half_error})
    assert again.name == "half"
    assert again([[0.0], [0.0]], [[1.0], [3.0]]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="MeanMetricWrapper.from_config.*'half_error'"):
        metrics.deserialize(spec)


def test_metric_names_keep_the_name_given_and_unknown_ones_list_the_known():
    assert metrics.get("mae").name == "mae" and isinstance(metrics.get("mae"),
                                                            metrics.MeanAbsoluteError)
    assert metrics.get("auc").name == "auc" and metrics.get("AUC").name == "auc"
    assert metrics.get(metrics.binary_accuracy).name == "binary_accuracy"
    with pytest.raises(ValueError, match="unknown metric 'mea'.*'mae'"):
        metrics.get("mea")
    with pytest.raises(ValueError, match="losses.get: unknown loss 'bce'"):
        losses.get("bce")
    with pytest.raises(ValueError, match="'LossFunctionWrapper' needs a loss function"):
        losses.get("LossFunctionWrapper")
    with pytest.raises(ValueError, match="'MeanMetricWrapper' needs a function"):
        metrics.get("MeanMetricWrapper")
