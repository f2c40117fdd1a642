"""Seed 003, section 4 ("역전파 이해하기"): one step of backpropagation on a 2-2-2 sigmoid
network, reproduced number for number (to the 8 decimals the seed prints) with saessak
Tensors, ops and ``optimizers.SGD(0.5)``.

The network has no biases: z1 = W1 x1 + W2 x2, z2 = W3 x1 + W4 x2, h = sigmoid(z),
z3 = W5 h1 + W6 h2, z4 = W7 h1 + W8 h2, o = sigmoid(z), E = sum 1/2 (target - o)^2.
(The seed writes W1's old value as 0.1 in the update of W1; it is 0.3, and its result,
0.29959556 = 0.3 - 0.5 * 0.00080888, agrees.)
"""

import numpy as np
import pytest

import saessak
from saessak import ops, optimizers

X1, X2 = 0.1, 0.2
TARGET1, TARGET2 = 0.4, 0.6
INITIAL = {"W1": 0.3, "W2": 0.25, "W3": 0.4, "W4": 0.35,
           "W5": 0.45, "W6": 0.4, "W7": 0.7, "W8": 0.6}


def same8(value, printed):
    """True when ``value`` rounds to the seed's 8-decimal figure."""
    return f"{float(value):.8f}" == f"{printed:.8f}"


def forward(w):
    z1 = w["W1"] * X1 + w["W2"] * X2
    z2 = w["W3"] * X1 + w["W4"] * X2
    h1, h2 = ops.sigmoid(z1), ops.sigmoid(z2)
    z3 = w["W5"] * h1 + w["W6"] * h2
    z4 = w["W7"] * h1 + w["W8"] * h2
    o1, o2 = ops.sigmoid(z3), ops.sigmoid(z4)
    e1 = 0.5 * (TARGET1 - o1) ** 2
    e2 = 0.5 * (TARGET2 - o2) ** 2
    return {"z1": z1, "z2": z2, "h1": h1, "h2": h2, "z3": z3, "z4": z4, "o1": o1, "o2": o2,
            "E_o1": e1, "E_o2": e2, "E_total": e1 + e2}


@pytest.fixture
def step():
    w = {k: saessak.tensor(np.array(v, dtype=np.float64), requires_grad=True)
         for k, v in INITIAL.items()}
    values = forward(w)
    values["E_total"].backward()
    grads = {k: float(t.grad) for k, t in w.items()}
    optimizers.SGD(0.5).step(list(w.values()))
    return w, values, grads


def test_forward_pass(step):
    _, v, _ = step
    assert float(v["z1"]) == pytest.approx(0.08) and float(v["z2"]) == pytest.approx(0.11)
    printed = {"h1": 0.51998934, "h2": 0.52747230, "z3": 0.44498412, "z4": 0.68047592,
               "o1": 0.60944600, "o2": 0.66384491, "E_o1": 0.02193381, "E_o2": 0.00203809,
               "E_total": 0.02397190}
    for name, figure in printed.items():
        assert same8(v[name], figure), (name, float(v[name]), figure)


def test_step_1_output_weights(step):
    w, v, grads = step
    o1 = float(v["o1"])
    assert same8(-(TARGET1 - o1), 0.20944600)  # dE/do1
    assert same8(o1 * (1 - o1), 0.23802157)  # do1/dz3
    assert same8(grads["W5"], 0.02592286)
    printed = {"W5": 0.43703857, "W6": 0.38685205, "W7": 0.69629578, "W8": 0.59624247}
    for name, figure in printed.items():
        assert same8(w[name].data, figure), (name, float(w[name].data), figure)


def test_step_2_hidden_weights(step):
    w, v, grads = step
    h1 = float(v["h1"])
    assert same8(h1 * (1 - h1), 0.24960043)  # dh1/dz1
    assert same8(grads["W1"] / (X1 * h1 * (1 - h1)), 0.03240681)  # dE/dh1, by the chain rule
    assert same8(grads["W1"], 0.00080888)
    printed = {"W1": 0.29959556, "W2": 0.24919112, "W3": 0.39964496, "W4": 0.34928991}
    for name, figure in printed.items():
        assert same8(w[name].data, figure), (name, float(w[name].data), figure)


def test_the_error_went_down(step):
    w, v, _ = step
    assert float(forward(w)["E_total"].data) < 0.02397190
    assert all(t.dtype == np.float64 for t in w.values())
