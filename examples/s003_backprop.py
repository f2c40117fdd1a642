"""Seed 003, section 4: backpropagation worked by hand, then by saessak's autodiff.

A 2-2-2 network without biases, sigmoid everywhere: inputs x = (0.1, 0.2), weights
W1..W4 into the hidden layer and W5..W8 into the output, targets (0.4, 0.6), loss
E = 1/2 * sum (target - output)^2, learning rate 0.5. The seed works out every number to 8
decimals: E_total 0.02397190, dE/dW5 0.02592286, W5 after one step 0.43703857, W1 after
one step 0.29959556. Here the same step is done twice: with the chain rule written out in
NumPy, and with ``saessak.Tensor.backward()``; both must give the seed's numbers.

    python examples/s003_backprop.py
"""

import numpy as np
from _common import RESULTS, cli

import saessak

X = np.array([0.1, 0.2])
TARGET = np.array([0.4, 0.6])
# W1..W4: x -> hidden (h1 = s(W1 x1 + W2 x2), h2 = s(W3 x1 + W4 x2)), W5..W8: hidden -> out
W_HIDDEN = np.array([[0.3, 0.25], [0.4, 0.35]])
W_OUT = np.array([[0.45, 0.4], [0.7, 0.6]])
LEARNING_RATE = 0.5
SEED_FIGURES = {"E_total": 0.02397190, "dE_dW5": 0.02592286, "W5": 0.43703857,
                "W1": 0.29959556}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def by_hand():
    h = sigmoid(W_HIDDEN @ X)                      # z1 = 0.08, z2 = 0.11
    o = sigmoid(W_OUT @ h)
    error = 0.5 * np.sum((TARGET - o) ** 2)
    # output layer: dE/dz = (o - target) * o (1 - o); dE/dW = dE/dz * h
    delta_out = (o - TARGET) * o * (1 - o)
    grad_out = np.outer(delta_out, h)
    # hidden layer: the error flows back through the *old* W5..W8
    delta_hidden = (W_OUT.T @ delta_out) * h * (1 - h)
    grad_hidden = np.outer(delta_hidden, X)
    return error, W_HIDDEN - LEARNING_RATE * grad_hidden, W_OUT - LEARNING_RATE * grad_out, grad_out


def by_autodiff():
    with saessak.backend.floatx_scope("float64"):
        w_hidden = saessak.tensor(W_HIDDEN, requires_grad=True)
        w_out = saessak.tensor(W_OUT, requires_grad=True)
        h = saessak.ops.sigmoid(w_hidden @ saessak.tensor(X))
        o = saessak.ops.sigmoid(w_out @ h)
        error = 0.5 * ((saessak.tensor(TARGET) - o) ** 2).sum()
        error.backward()
        return (float(error.item()), W_HIDDEN - LEARNING_RATE * w_hidden.grad,
                W_OUT - LEARNING_RATE * w_out.grad)


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    error, new_hidden, new_out, grad_out = by_hand()
    print(f"E_total {error:.8f}   dE/dW5 {grad_out[0, 0]:.8f}")
    print("W5..W8 after one step:", np.round(new_out.ravel(), 8))
    print("W1..W4 after one step:", np.round(new_hidden.ravel(), 8))
    auto_error, auto_hidden, auto_out = by_autodiff()
    difference = max(abs(auto_error - error), np.abs(auto_hidden - new_hidden).max(),
                     np.abs(auto_out - new_out).max())
    print(f"saessak autodiff agrees to {difference:.1e}")
    print("seed 003:", SEED_FIGURES)
    return {"E_total": float(error), "dE_dW5": float(grad_out[0, 0]),
            "w5_updated": float(new_out[0, 0]), "w1_updated": float(new_hidden[0, 0]),
            "autodiff_difference": float(difference)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
