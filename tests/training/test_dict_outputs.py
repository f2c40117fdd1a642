"""A functional model whose outputs are a dict (Keras 3's ``Model(inputs, outputs={...})``,
the Functional API guide's ticket model): losses, weights and targets by name, history keys
per output, and ``predict`` answering with a dict."""

import numpy as np

import saessak as keras
from saessak import layers


def ticket_model():
    keras.utils.set_random_seed(0)
    title = keras.Input(shape=(None,), name="title")
    tags = keras.Input(shape=(5,), name="tags")
    x = layers.concatenate([layers.LSTM(6)(layers.Embedding(30, 4)(title)), tags])
    outputs = {"priority": layers.Dense(1, name="priority")(x),
               "department": layers.Dense(3, name="department")(x)}
    return keras.Model(inputs=[title, tags], outputs=outputs)


def test_dict_outputs_train_and_predict_by_name():
    rng = np.random.default_rng(1)
    inputs = {"title": rng.integers(30, size=(16, 6)),
              "tags": rng.integers(2, size=(16, 5)).astype("float32")}
    targets = {"priority": rng.random((16, 1)).astype("float32"),
               "department": np.eye(3, dtype="float32")[rng.integers(3, size=16)]}
    model = ticket_model()
    model.compile(optimizer="rmsprop",
                  loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
                        "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2})
    history = model.fit(inputs, targets, epochs=2, batch_size=8, verbose=0)
    assert sorted(history.history) == ["department_loss", "loss", "priority_loss"]
    predicted = model.predict(inputs, verbose=0)
    assert isinstance(predicted, dict)
    assert predicted["priority"].shape == (16, 1) and predicted["department"].shape == (16, 3)
    result = model.evaluate(inputs, targets, verbose=0, return_dict=True)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)(
        targets["priority"], predicted["priority"]).numpy()
    cce = keras.losses.CategoricalCrossentropy(from_logits=True)(
        targets["department"], predicted["department"]).numpy()
    np.testing.assert_allclose(result["loss"], bce + 0.2 * cce, rtol=1e-5)
    np.testing.assert_allclose(result["department_loss"], cce, rtol=1e-5)
