"""Linear regression as the Korean NLP textbook (seed 003, wikidocs) writes it: hours of
study against exam scores, given as plain 1-D Python lists, a model whose input has shape
(1,), trained with SGD on the mean squared error, then asked about 9.5 hours."""

import numpy as np

from saessak import optimizers
from saessak.layers import Dense, Input
from saessak.models import Model, Sequential


def main():
    X = [1, 2, 3, 4, 5, 6, 7, 8, 9]  # hours studied
    y = [11, 22, 33, 44, 53, 66, 77, 87, 95]  # the score for each

    # the Sequential way, with input_dim=1
    model = Sequential()
    model.add(Dense(1, input_dim=1, activation="linear"))
    sgd = optimizers.SGD(learning_rate=0.01)
    model.compile(optimizer=sgd, loss="mse", metrics=["mse"])
    model.fit(X, y, epochs=300, verbose=0)

    # the functional way, with Input(shape=(1,))
    inputs = Input(shape=(1,))
    output = Dense(1, activation="linear")(inputs)
    linear_model = Model(inputs, output)
    linear_model.compile(optimizer="sgd", loss="mse", metrics=["mse"])
    history = linear_model.fit(X, y, epochs=300, verbose=0)
    return model, linear_model, history, (X, y)


def test_program():
    model, linear_model, history, (X, y) = main()
    for m in (model, linear_model):
        prediction = m.predict([9.5], verbose=0)
        assert prediction.shape == (1, 1)
        assert 98 < prediction[0, 0] < 108  # the least-squares line gives 103.6
    slope, intercept = np.polyfit(X, y, 1)
    w, b = linear_model.get_weights()
    assert abs(w[0, 0] - slope) < 1.0 and abs(b[0] - intercept) < 6.0
    assert history.history["loss"][-1] < 15
