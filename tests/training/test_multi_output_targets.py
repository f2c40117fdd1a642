"""How ``fit`` matches targets to a model's outputs, as tf.keras 2 does: one array is every
output's target, a dict or list may leave an output without one, and an output without a
loss (or a target) reports no loss of its own. Expected values are computed here from the
model's own predictions; the history keys are those tf.keras 2.21 gave for the same calls."""

import numpy as np
import pytest

import saessak as keras
from saessak.training.packing import map_structure


def two_outputs():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    h = keras.layers.Dense(3, name="h")(inputs)
    out = keras.layers.Dense(2, name="out")(h)
    return keras.Model(inputs, [out, h])


X = np.random.default_rng(1).random((8, 4)).astype("float32")
Y2 = np.random.default_rng(2).random((8, 2)).astype("float32")
Y3 = np.random.default_rng(3).random((8, 3)).astype("float32")


def mse(y, p):
    return float(np.mean((y - p) ** 2))


def test_one_target_goes_to_the_only_output_with_a_loss():
    # keras.io's miniature GPT: outputs [logits, features], loss=[loss_fn, None], one y
    model = two_outputs()
    model.compile("sgd", loss=[keras.losses.MeanSquaredError(), None])
    out, _ = model.predict(X, verbose=0)
    result = model.evaluate(X, Y2, verbose=0, return_dict=True)
    assert set(result) == {"loss", "out_loss"}  # tf.keras 2: no h_loss for a loss of None
    np.testing.assert_allclose(result["loss"], mse(Y2, out), rtol=1e-5)
    history = model.fit(X, Y2, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "out_loss"}

    model.compile("sgd", loss=[None, "mse"])  # the second output, of width 3
    _, h = model.predict(X, verbose=0)
    result = model.evaluate(X, Y3, verbose=0, return_dict=True)
    assert set(result) == {"loss", "h_loss"}
    np.testing.assert_allclose(result["loss"], mse(Y3, h), rtol=1e-5)


def test_an_output_left_out_of_the_targets_is_skipped():
    model = two_outputs()
    model.compile("sgd", loss={"out": "mse"})
    out, _ = model.predict(X, verbose=0)
    for targets in ({"out": Y2}, Y2):
        result = model.evaluate(X, targets, verbose=0, return_dict=True)
        assert set(result) == {"loss", "out_loss"}
        np.testing.assert_allclose(result["loss"], mse(Y2, out), rtol=1e-5)
    # both outputs have a loss, but y gives the second none: tf.keras 2 skips it (0 loss)
    model.compile("sgd", loss=["mse", "mse"], metrics=["mae"])
    result = model.evaluate(X, [Y2, None], verbose=0, return_dict=True)
    np.testing.assert_allclose(result["loss"], mse(Y2, out), rtol=1e-5)
    assert result["h_loss"] == 0.0 and result["h_mae"] == 0.0  # never updated
    np.testing.assert_allclose(result["out_mae"], np.mean(np.abs(Y2 - out)), rtol=1e-5)
    model.fit(X, [Y2, None], epochs=1, batch_size=4, verbose=0)  # batches slice around None


def test_targets_that_match_no_output_are_refused_clearly():
    model = two_outputs()
    model.compile("sgd", loss=["mse", "mse"])
    with pytest.raises(ValueError, match="2 outputs; .* received a list of 3"):
        model.evaluate(X, [Y2, Y3, Y3], verbose=0)
    with pytest.raises(ValueError, match=r"keys \['hh'\] that name no output"):
        model.evaluate(X, {"out": Y2, "hh": Y3}, verbose=0)
    with pytest.raises(ValueError, match="no output has both a loss and a target"):
        model.evaluate(X, [None, None], verbose=0)
    # one y for two outputs of different widths: the loss names the output and both shapes
    with pytest.raises(ValueError, match=r"the loss of output 'h': targets of shape \(8, 2\) "
                                         r"against predictions of shape \(8, 3\)"):
        model.evaluate(X, Y2, verbose=0)
    # one y for both outputs, whose widths differ: the metric names itself and the shapes
    model.compile("sgd", loss=["mse", None], metrics=["mae"])
    with pytest.raises(ValueError, match=r"metric 'h_mae': targets of shape \(8, 2\) against "
                                         r"predictions of shape \(8, 3\)"):
        model.evaluate(X, Y2, verbose=0)


def test_map_structure_keeps_absent_values():
    assert map_structure(lambda a: a * 2, [1, None, {"a": 3, "b": None}]) == \
        [2, None, {"a": 6, "b": None}]
    assert map_structure(lambda a: a * 2, None) is None
