"""Seed 000, section 5.3: Fashion-MNIST with Dense layers only.

Each 28x28 grey image is flattened into 784 numbers; one hidden Dense layer of 128 ReLU
units and a 10-way softmax classify it. The labels stay integers (0..9): the
``sparse_categorical_crossentropy`` loss does the one-hot step for us. The seed reports
0.885 test accuracy after 25 epochs (a quarter of the training images held out for
validation).

    python examples/s000_fashion_mnist_dense.py [--epochs N] [--quick]
"""

from _common import RESULTS, Stopwatch, cli, data_folder, epochs_or, history_dict, save_curves

import saessak as keras
from saessak import layers
from saessak.datasets import fashion_mnist

SEED_ACCURACY = 0.885


def load(quick=False, data_dir=None):
    with data_folder(data_dir):
        (train_x, train_y), (test_x, test_y) = fashion_mnist.load_data()
    if quick:
        train_x, train_y, test_x, test_y = train_x[:300], train_y[:300], test_x[:100], test_y[:100]
    # pixel values 0..255 -> 0..1, so that the first layer's inputs are small
    return (train_x / 255.0, train_y), (test_x / 255.0, test_y)


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    (train_x, train_y), (test_x, test_y) = load(quick, data_dir)
    model = keras.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(units=128, activation="relu"),
        layers.Dense(units=10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.summary()  # 101,770 parameters
    with Stopwatch() as clock:
        history = model.fit(train_x, train_y, epochs=epochs_or(epochs, 1 if quick else 25),
                            validation_split=0.25, verbose=2)
    loss, accuracy = model.evaluate(test_x, test_y, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}   (seed 000: {SEED_ACCURACY})")
    curves = save_curves(history, out_dir, "s000_fashion_mnist_dense")
    return {"accuracy": float(accuracy), "loss": float(loss),
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
