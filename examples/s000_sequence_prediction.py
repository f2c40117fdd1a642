"""Seed 000, examples 7.2-7.5: a SimpleRNN learns to continue a counting sequence.

Six training examples: [0.0, 0.1, 0.2, 0.3] -> 0.4, ..., [0.5, 0.6, 0.7, 0.8] -> 0.9. A
SimpleRNN of 10 units reads the four numbers one time step at a time and a Dense layer turns
its last state into the prediction (131 weights). Then we ask it about sequences it never
saw: [0.6 .. 0.9] (ideally 1.0; the seed's model said 0.8314607) and [-0.1 .. 0.2]
(ideally 0.3; the seed said 0.3454302). Extrapolating beyond the training range is hard.

    python examples/s000_sequence_prediction.py [--epochs N]
"""

import numpy as np
from _common import RESULTS, Stopwatch, cli, epochs_or, history_dict, save_curves

import saessak as keras
from saessak import layers


def make_data():
    # each input is 4 time steps of 1 feature: shape (6, 4, 1); targets shape (6,)
    x = np.array([[[c / 10] for c in range(i, i + 4)] for i in range(6)], dtype="float32")
    y = np.array([(i + 4) / 10 for i in range(6)], dtype="float32")
    return x, y


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    x, y = make_data()
    for xi, yi in zip(x, y):
        print(xi.ravel(), "->", yi)
    model = keras.Sequential([
        layers.SimpleRNN(units=10, return_sequences=False, input_shape=[4, 1]),
        layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    model.summary()  # 120 + 11 = 131 parameters
    with Stopwatch() as clock:
        history = model.fit(x, y, epochs=epochs_or(epochs, 10 if quick else 100), verbose=0)
    print("predictions on the training sequences:", model.predict(x, verbose=0).ravel())
    up = float(model.predict(np.array([[[0.6], [0.7], [0.8], [0.9]]]), verbose=0)[0, 0])
    down = float(model.predict(np.array([[[-0.1], [0.0], [0.1], [0.2]]]), verbose=0)[0, 0])
    print(f"[0.6 .. 0.9] -> {up:.7f} (wanted 1.0; seed 0.8314607)")
    print(f"[-0.1 .. 0.2] -> {down:.7f} (wanted 0.3; seed 0.3454302)")
    curves = save_curves(history, out_dir, "s000_sequence_prediction", metrics=("loss",))
    return {"pred_0.6_0.9": up, "pred_-0.1_0.2": down, "loss": history.history["loss"][-1],
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
