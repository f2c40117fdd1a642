"""Seed 003, sections 5-6: the same models with the Sequential and the functional API.

The functional API calls layers on tensors: ``x = Dense(8)(inputs)``, then
``Model(inputs, outputs)``. It can do what Sequential cannot: several inputs, branches
joined with ``concatenate``. We build the seed's models, check their parameter counts
against the seed's summaries (Dense(8, input_dim=4) + Dense(1): 40 + 9 = 49; a
SimpleRNN(3) over (2, 10): 42), and train two of them (linear and logistic regression)
on data made here.

    python examples/s003_functional_api.py
"""

import numpy as np
from _common import RESULTS, cli, epochs_or

import saessak as keras
from saessak.layers import LSTM, Dense, Input, SimpleRNN, concatenate
from saessak.models import Model, Sequential


def models():
    built = {}
    # the Keras overview's model: 40 + 9 = 49 parameters
    seq = Sequential([Dense(8, input_dim=4, kernel_initializer="uniform", activation="relu"),
                      Dense(1, activation="sigmoid")])
    built["ffnn"] = seq
    # a fully connected network, functional style
    inputs = Input(shape=(10,))
    hidden1 = Dense(64, activation="relu")(inputs)
    hidden2 = Dense(64, activation="relu")(hidden1)
    built["functional_ffnn"] = Model(inputs=inputs, outputs=Dense(1, activation="sigmoid")(hidden2))
    # two inputs, two branches, one output
    input_a, input_b = Input(shape=(64,)), Input(shape=(128,))
    x = Dense(16, activation="relu")(input_a)
    x = Model(inputs=input_a, outputs=Dense(8, activation="relu")(x))
    y = Dense(64, activation="relu")(input_b)
    y = Dense(32, activation="relu")(y)
    y = Model(inputs=input_b, outputs=Dense(8, activation="relu")(y))
    joined = concatenate([x.output, y.output])
    z = Dense(1, activation="linear")(Dense(2, activation="relu")(joined))
    built["multi_input"] = Model(inputs=[x.input, y.input], outputs=z)
    # an RNN hidden layer
    sequence = Input(shape=(50, 1))
    built["rnn_hidden"] = Model(inputs=sequence,
                                outputs=Dense(1, activation="sigmoid")(
                                    Dense(10, activation="relu")(LSTM(10)(sequence))))
    built["simple_rnn"] = Sequential([SimpleRNN(3, input_shape=(2, 10))])
    return built


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    built = models()
    for name, model in built.items():
        print(f"--- {name}")
        model.summary()
    counts = {f"params_{k}": float(m.count_params()) for k, m in built.items()}

    # linear regression y = 2x + 1 and logistic regression, functional style
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (256, 1)).astype("float32")
    y = 2 * x + 1
    inputs = Input(shape=(1,))
    linear = Model(inputs, Dense(1, activation="linear")(inputs))
    linear.compile(optimizer="sgd", loss="mse")
    linear.fit(x, y, epochs=epochs_or(epochs, 50 if quick else 300), verbose=0)
    w, b = (float(np.asarray(v).ravel()[0]) for v in linear.get_weights())
    print(f"linear regression: y = {w:.3f} x + {b:.3f}  (data: y = 2x + 1)")

    labels = (x[:, 0] > 0.2).astype("float32")
    logistic = Model(inputs, Dense(1, activation="sigmoid")(inputs))
    logistic.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    logistic.fit(x, labels, epochs=epochs_or(epochs, 50 if quick else 300), verbose=0)
    _, accuracy = logistic.evaluate(x, labels, verbose=0)
    print(f"logistic regression accuracy {accuracy:.3f}")
    return dict(counts, linear_w=w, linear_b=b, logistic_accuracy=float(accuracy))


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
