"""Seed 003, section 1: perceptrons, logic gates and why XOR needs a hidden layer.

A perceptron outputs 1 when ``w1*x1 + w2*x2 + b > 0``. With hand-picked weights one unit
computes AND, NAND or OR; no single line separates XOR's ones from its zeros, but XOR is
AND(NAND(x1, x2), OR(x1, x2)): two layers. Then the same gates are learned: one sigmoid
unit trained with SGD learns AND, NAND and OR and fails on XOR, a small hidden layer
learns XOR.

    python examples/s003_perceptron.py
"""

import numpy as np
from _common import RESULTS, cli, epochs_or

import saessak as keras
from saessak import layers

INPUTS = [(0, 0), (1, 0), (0, 1), (1, 1)]
TARGETS = {"AND": [0, 0, 0, 1], "NAND": [1, 1, 1, 0], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


def perceptron(x1, x2, w1, w2, b):
    return 0 if w1 * x1 + w2 * x2 + b <= 0 else 1   # the step function


def AND(x1, x2):  # noqa: N802 - gate names as in the seed
    return perceptron(x1, x2, 0.5, 0.5, -0.7)


def NAND(x1, x2):  # noqa: N802
    return perceptron(x1, x2, -0.5, -0.5, 0.7)


def OR(x1, x2):  # noqa: N802
    return perceptron(x1, x2, 0.6, 0.6, -0.5)


def XOR(x1, x2):  # noqa: N802 - two layers: the NAND and OR units feed an AND unit
    return AND(NAND(x1, x2), OR(x1, x2))


def learned_gate(target, hidden, seed=0, epochs=300):
    keras.utils.set_random_seed(seed)
    stack = [layers.Dense(hidden, activation="tanh", input_shape=(2,))] if hidden else []
    model = keras.Sequential(stack + [layers.Dense(1, activation="sigmoid",
                                                    input_shape=(2,))])
    model.compile(optimizer=keras.optimizers.Adam(0.05) if hidden else keras.optimizers.SGD(1.0),
                  loss="binary_crossentropy")
    x = np.array(INPUTS, dtype="float32")
    model.fit(x, np.array(target, dtype="float32"), epochs=epochs, batch_size=4, verbose=0)
    return (model.predict(x, verbose=0).ravel() > 0.5).astype(int).tolist()


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    solved = 0
    for name, gate in (("AND", AND), ("NAND", NAND), ("OR", OR), ("XOR", XOR)):
        outputs = [gate(*x) for x in INPUTS]
        solved += outputs == TARGETS[name]
        print(f"{name:5s} by hand: {outputs}  (truth table {TARGETS[name]})")
    epochs = epochs_or(epochs, 100 if quick else 300)
    learned = {}
    for name, target in TARGETS.items():
        single = learned_gate(target, hidden=0, seed=seed, epochs=epochs)
        mlp = learned_gate(target, hidden=8, seed=seed, epochs=epochs)
        learned[name] = {"perceptron": single == target, "mlp": mlp == target}
        print(f"{name:5s} learned: one unit {single} {'ok' if single == target else 'fails'}; "
              f"hidden layer {mlp} {'ok' if mlp == target else 'fails'}")
    return {"gates_solved": float(solved), "learned": learned,
            "xor_single_unit": float(learned["XOR"]["perceptron"]),
            "xor_mlp": float(learned["XOR"]["mlp"]), "epochs": epochs}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
