"""Seed 003, section 8.3: an RNN layer in ten lines of NumPy, next to saessak's SimpleRNN.

The memory cell computes ``h_t = tanh(Wx x_t + Wh h_(t-1) + b)`` at every time step,
starting from ``h_0 = 0``. We run that loop by hand for 10 steps of 4 inputs and a hidden
state of 8 (the seed's sizes), then load the same weights into ``saessak.layers.SimpleRNN``
(Keras stores them transposed: kernel (4, 8), recurrent kernel (8, 8)) and compare.

    python examples/s003_numpy_rnn.py
"""

import numpy as np
from _common import RESULTS, cli

from saessak.layers import SimpleRNN


def numpy_rnn(inputs, wx, wh, b):
    hidden_state_t = np.zeros(wh.shape[0])            # h_0 = 0
    states = []
    for input_t in inputs:                            # one time step at a time
        hidden_state_t = np.tanh(wx @ input_t + wh @ hidden_state_t + b)
        states.append(hidden_state_t)
    return np.stack(states)                           # (timesteps, hidden_size)


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    timesteps, input_dim, hidden_size = 10, 4, 8
    rng = np.random.default_rng(seed)
    inputs = rng.random((timesteps, input_dim))
    wx = rng.random((hidden_size, input_dim))         # (8, 4)
    wh = rng.random((hidden_size, hidden_size))       # (8, 8): the seed's (8, 8), not (64, 32)
    b = rng.random(hidden_size)
    ours = numpy_rnn(inputs, wx, wh, b)
    print("NumPy RNN states:", ours.shape)

    layer = SimpleRNN(hidden_size, return_sequences=True, dtype="float64")
    layer.build((None, timesteps, input_dim))
    layer.set_weights([wx.T, wh.T, b])                # Keras layout: x @ kernel
    library = np.asarray(layer(inputs[None]).numpy())[0]
    difference = float(np.abs(library - ours).max())
    print(f"largest difference from saessak.layers.SimpleRNN: {difference:.2e}")
    print("last hidden state:", np.round(ours[-1], 6))
    return {"max_abs_diff": difference, "states_shape": list(ours.shape)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
