"""``RNN(cell)`` with a cell of one's own that takes a tuple of inputs and keeps states that
are not vectors: the "RNNs with list/dict inputs, or nested inputs" section of the Keras
guide "Working with RNNs" (its NestedCell, verbatim but for the imports)."""

import numpy as np
import pytest

import saessak as keras
import saessak as tf


class NestedCell(keras.layers.Layer):
    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        self.unit_1 = unit_1
        self.unit_2 = unit_2
        self.unit_3 = unit_3
        self.state_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        self.output_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        super().__init__(**kwargs)

    def build(self, input_shapes):
        # expect input_shape to contain 2 items, [(batch, i1), (batch, i2, i3)]
        i1 = input_shapes[0][1]
        i2 = input_shapes[1][1]
        i3 = input_shapes[1][2]
        self.kernel_1 = self.add_weight(shape=(i1, self.unit_1), initializer="uniform",
                                        name="kernel_1")
        self.kernel_2_3 = self.add_weight(shape=(i2, i3, self.unit_2, self.unit_3),
                                          initializer="uniform", name="kernel_2_3")

    def call(self, inputs, states):
        # inputs should be in [(batch, input_1), (batch, input_2, input_3)]
        # state should be in shape [(batch, unit_1), (batch, unit_2, unit_3)]
        input_1, input_2 = tf.nest.flatten(inputs)
        s1, s2 = states
        output_1 = tf.matmul(input_1, self.kernel_1)
        output_2_3 = tf.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3)
        state_1 = s1 + output_1
        state_2_3 = s2 + output_2_3
        output = (output_1, output_2_3)
        new_states = (state_1, state_2_3)
        return output, new_states

    def get_config(self):
        return {"unit_1": self.unit_1, "unit_2": self.unit_2, "unit_3": self.unit_3}


U1, U2, U3, I1, I2, I3, T = 3, 2, 4, 5, 3, 2, 6


def data(batch=4):
    rng = np.random.default_rng(0)
    return (rng.random((batch, T, I1)).astype("float32"),
            rng.random((batch, T, I2, I3)).astype("float32"))


def by_hand(cell, x1, x2):
    """The recurrence in NumPy: each state sums the step outputs so far."""
    k1, k23 = cell.kernel_1.numpy(), cell.kernel_2_3.numpy()
    out1 = np.einsum("bti,iu->btu", x1, k1)
    out23 = np.einsum("btij,ijkl->btkl", x2, k23)
    return out1, out23, out1.sum(1), out23.sum(1)


def test_tuple_inputs_reach_the_cell_and_states_keep_their_shapes():
    x1, x2 = data()
    layer = keras.layers.RNN(NestedCell(U1, U2, U3), return_sequences=True, return_state=True)
    (seq1, seq23), s1, s23 = layer((x1, x2))
    out1, out23, final1, final23 = by_hand(layer.cell, x1, x2)
    np.testing.assert_allclose(seq1.numpy(), out1, rtol=1e-5)
    np.testing.assert_allclose(seq23.numpy(), out23, rtol=1e-5)
    np.testing.assert_allclose(s1.numpy(), final1, rtol=1e-5)
    np.testing.assert_allclose(s23.numpy(), final23, rtol=1e-5)
    assert layer.state_shapes == [(U1,), (U2, U3)]
    assert layer.compute_output_shape(((None, T, I1), (None, T, I2, I3))) == [
        ((None, T, U1), (None, T, U2, U3)), (None, U1), (None, U2, U3)]


def test_a_masked_step_keeps_states_of_any_rank():
    x1, x2 = data()
    mask = np.ones((4, T), bool)
    mask[:, -2:] = False  # the last two steps are padding
    layer = keras.layers.RNN(NestedCell(U1, U2, U3), return_state=True)
    (o1, o23), s1, s23 = layer((x1, x2), mask=mask)
    out1, out23, _, _ = by_hand(layer.cell, x1, x2)
    np.testing.assert_allclose(s23.numpy(), out23[:, :-2].sum(1), rtol=1e-5)
    np.testing.assert_allclose(o1.numpy(), out1[:, T - 3], rtol=1e-5)  # the last real step


def test_the_guide_model_trains_with_two_targets_named_as_keras_names_them():
    keras.utils.set_random_seed(0)
    rnn = keras.layers.RNN(NestedCell(U1, U2, U3))
    input_1 = keras.Input((None, I1))
    input_2 = keras.Input((None, I2, I3))
    outputs = rnn((input_1, input_2))
    model = keras.models.Model([input_1, input_2], outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    assert [tuple(o.shape) for o in model.outputs] == [(None, U1), (None, U2, U3)]
    x1, x2 = data(16)
    targets = [np.zeros((16, U1), "float32"), np.zeros((16, U2, U3), "float32")]
    history = model.fit([x1, x2], targets, batch_size=8, epochs=2, verbose=0)
    # tf.keras 2's names for a layer's two outputs: rnn, rnn_1
    name = rnn.name
    assert {f"{name}_loss", f"{name}_1_loss", f"{name}_accuracy",
            f"{name}_1_accuracy"} <= set(history.history)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_a_list_still_passes_initial_states():
    x = np.ones((2, 3, 4), "float32")
    layer = keras.layers.SimpleRNN(5, return_state=True)
    h0 = np.full((2, 5), 0.5, "float32")
    _, h_list = layer([x, h0])
    _, h_kw = layer(x, initial_state=[h0])
    np.testing.assert_allclose(h_list.numpy(), h_kw.numpy())
    with pytest.raises(ValueError, match=r"initial state must have shape \(2, 5\)"):
        layer(x, initial_state=[np.ones((2, 4), "float32")])
