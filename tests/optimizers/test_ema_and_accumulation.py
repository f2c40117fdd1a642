"""Keras 3's ``use_ema`` (moving averages of the weights, put into them at the end of
``fit`` and every ``ema_overwrite_frequency`` steps) and ``gradient_accumulation_steps``
(one update per n batches, with their mean gradient), against Keras 3.15's weights and
losses after the same fit (``tests/fixtures/keras/optimizer_averaging.npz``, made by
``scripts/make_keras_fixtures.py optimizers``)."""

import json
import os

import numpy as np
import pytest

import saessak as keras

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras",
                       "optimizer_averaging.npz")
NAMES = ["adam_accumulate", "adam_ema", "adam_ema_overwrite", "adamw_both",
         "sgd_accumulate"]  # the fixture's cases: (optimizer class, arguments) in "cases"


@pytest.fixture(scope="module")
def data():
    with np.load(FIXTURE) as f:
        return dict(f)


def _fit(data, cls, args, epochs=3):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.set_weights([data["kernel"], np.zeros(2, "float32")])
    optimizer = getattr(keras.optimizers, cls)(**args)
    model.compile(optimizer, "mse")
    history = model.fit(data["x"], data["y"], batch_size=4, epochs=epochs, shuffle=False,
                        verbose=0)
    return model, optimizer, history


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras(data, name):
    cases = json.loads(str(data["cases"]))
    assert sorted(cases) == NAMES
    model, _, history = _fit(data, *cases[name])
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel, data[f"{name}_kernel"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bias, data[f"{name}_bias"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(history.history["loss"], data[f"{name}_loss"], rtol=1e-5)


def test_accumulation_updates_every_nth_batch_with_the_mean_gradient(data):
    _, optimizer, _ = _fit(data, "SGD", {"learning_rate": 0.1,
                                         "gradient_accumulation_steps": 4}, epochs=1)
    assert optimizer.iterations == 1  # 4 batches, one update
    # one SGD step with the mean of the 4 batch gradients = one step on the whole data
    whole = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    whole.set_weights([data["kernel"], np.zeros(2, "float32")])
    whole.compile(keras.optimizers.SGD(0.1), "mse")
    whole.fit(data["x"], data["y"], batch_size=16, epochs=1, verbose=0)
    model, _, _ = _fit(data, "SGD", {"learning_rate": 0.1, "gradient_accumulation_steps": 4},
                       epochs=1)
    for a, b in zip(model.get_weights(), whole.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_state_round_trip_and_errors(data):
    _, optimizer, _ = _fit(data, "Adam", {"learning_rate": 0.05, "use_ema": True,
                                          "gradient_accumulation_steps": 3}, epochs=1)
    state = optimizer.get_state()
    assert {"average_0", "accumulated_0", "batches_summed"} <= set(state)
    assert int(state["batches_summed"]) == 1  # 4 batches: one update, one batch summed
    fresh = keras.optimizers.Adam(0.05, use_ema=True, gradient_accumulation_steps=3)
    fresh.set_state(state)
    assert fresh.get_config()["gradient_accumulation_steps"] == 3
    with pytest.raises(ValueError, match="gradient_accumulation_steps must be an integer >= 2"):
        keras.optimizers.SGD(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match=r"ema_momentum must be in \[0, 1\]"):
        keras.optimizers.SGD(use_ema=True, ema_momentum=1.5)
