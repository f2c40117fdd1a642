"""TensorFlow-style programs in the seeds' manner, with only ``import tensorflow as tf``
changed to ``import saessak as tf``, run end to end; plus the helpers one by one."""

import numpy as np
import pytest

import saessak as tf


def test_seed004_simple_rnn_by_hand_matches_the_layer():
    # seed 004, 16.2: a SimpleRNN's output computed by hand from its weights
    tf.random.set_seed(1)
    rnn_layer = tf.keras.layers.SimpleRNN(units=2, use_bias=True, return_sequences=True)
    rnn_layer.build(input_shape=(None, None, 5))
    w_xh, w_oo, b_h = rnn_layer.weights
    assert (w_xh.shape, w_oo.shape, b_h.shape) == ((5, 2), (2, 2), (2,))
    x_seq = tf.convert_to_tensor([[1.0] * 5, [2.0] * 5, [3.0] * 5], dtype=tf.float32)
    output = rnn_layer(tf.reshape(x_seq, shape=(1, 3, 5)))
    out_man = []
    for t in range(len(x_seq)):
        xt = tf.reshape(x_seq[t], (1, 5))
        ht = tf.matmul(xt, w_xh) + b_h
        prev_o = out_man[t - 1] if t > 0 else tf.zeros(shape=(ht.shape))
        ot = tf.math.tanh(ht + tf.matmul(prev_o, w_oo))
        out_man.append(ot)
        np.testing.assert_allclose(ot.numpy()[0], output[0][t].numpy(), rtol=1e-6, atol=1e-7)


def test_seed004_softmax_figures():
    logits = np.array([[1.0, 1.0, 3.0]])
    np.testing.assert_allclose(tf.math.softmax(logits).numpy()[0],
                               [0.10650698, 0.10650698, 0.78698604], atol=1e-7)
    np.testing.assert_allclose(tf.math.softmax(0.5 * logits).numpy()[0],
                               [0.21194156, 0.21194156, 0.57611688], atol=1e-7)
    np.testing.assert_allclose(tf.math.softmax(0.1 * logits).numpy()[0],
                               [0.31042377, 0.31042377, 0.37915245], atol=1e-7)


def test_random_categorical_follows_the_softmax_and_the_seed():
    tf.random.set_seed(1)
    logits = [[1.0, 1.0, 3.0]]
    samples = tf.random.categorical(logits=logits, num_samples=10)
    assert samples.numpy().shape == (1, 10) and samples.numpy().dtype == np.int64
    assert set(samples.numpy().ravel()) <= {0, 1, 2}
    tf.random.set_seed(1)
    assert np.array_equal(tf.random.categorical(logits=logits, num_samples=10).numpy(),
                          samples.numpy())
    many = tf.random.categorical([[1.0, 1.0, 3.0], [0.0, 0.0, 0.0]], num_samples=30000).numpy()
    # 30,000 draws per row: frequencies within 0.01 (over 4 standard deviations)
    np.testing.assert_allclose(np.bincount(many[0], minlength=3) / 30000,
                               [0.10650698, 0.10650698, 0.78698604], atol=0.01)
    np.testing.assert_allclose(np.bincount(many[1], minlength=3) / 30000, [1 / 3] * 3,
                               atol=0.01)
    with pytest.raises(ValueError, match="2-D"):
        tf.random.categorical([1.0, 2.0], 1)


def test_seed004_sample_loop_runs_on_a_model():
    # seed 004's sample(): reshape, squeeze, categorical, expand_dims, concat, slicing
    char_array = np.array(list(" abcdefgh"))
    char2int = {c: i for i, c in enumerate(char_array)}
    tf.random.set_seed(1)
    model = tf.keras.Sequential([tf.keras.layers.Embedding(len(char_array), 8),
                                 tf.keras.layers.LSTM(16, return_sequences=True),
                                 tf.keras.layers.Dense(len(char_array))])

    def sample(model, starting_str, len_generated_text=30, max_input_length=5,
               scale_factor=1.0):
        encoded_input = [char2int[s] for s in starting_str]
        encoded_input = tf.reshape(encoded_input, (1, -1))
        generated_str = starting_str
        for _ in range(len_generated_text):
            logits = model(encoded_input)
            logits = tf.squeeze(logits, 0)
            scaled_logits = logits * scale_factor
            new_char_indx = tf.random.categorical(scaled_logits, num_samples=1)
            new_char_indx = tf.squeeze(new_char_indx)[-1].numpy()
            generated_str += str(char_array[new_char_indx])
            new_char_indx = tf.expand_dims([new_char_indx], 0)
            encoded_input = tf.concat([encoded_input, new_char_indx], axis=1)
            encoded_input = encoded_input[:, -max_input_length:]
        return generated_str

    tf.random.set_seed(1)
    text = sample(model, "abc")
    assert len(text) == 33 and text.startswith("abc") and set(text) <= set(char_array)
    tf.random.set_seed(1)
    assert sample(model, "abc") == text


def test_tensor_helpers():
    assert tf.constant([1, 2]).numpy().dtype == np.int32        # Python ints: int32
    assert tf.constant([1.0]).numpy().dtype == np.float32       # Python floats: floatx
    assert tf.convert_to_tensor(np.array([1.0])).numpy().dtype == np.float64  # arrays kept
    np.testing.assert_array_equal(tf.constant(0.5, shape=(2, 2)).numpy(), np.full((2, 2), 0.5))
    assert tf.argmax([[1, 5, 2], [7, 0, 1]], axis=1).numpy().tolist() == [1, 0]
    assert tf.argmax([[1, 5, 2], [7, 0, 1]]).numpy().tolist() == [1, 0, 0]  # axis 0 default
    assert float(tf.reduce_mean([1.0, 2.0, 6.0]).numpy()) == pytest.approx(3.0)
    assert tf.reduce_sum([[1, 2], [3, 4]], axis=0).numpy().tolist() == [4, 6]
    assert tf.one_hot([0, 2], 3).numpy().tolist() == [[1, 0, 0], [0, 0, 1]]
    assert tf.one_hot([1], 2, on_value=5, off_value=-1).numpy().tolist() == [[-1, 5]]
    assert tf.squeeze(np.ones((1, 3, 1))).shape == (3,)
    assert tf.expand_dims([4], 0).shape == (1, 1)
    mixed = tf.concat([tf.constant([[1, 2]]), np.array([[3]], dtype=np.int64)], axis=1)
    assert mixed.numpy().tolist() == [[1, 2, 3]] and mixed.numpy().dtype == np.int64
    assert tf.cast([1.7], tf.int32).numpy().tolist() == [1]
    out = tf.py_function(lambda a, b: (np.array([a * 2]), b), inp=[3, 1],
                         Tout=(tf.int64, tf.int64))
    assert [o.numpy().tolist() for o in out] == [[6], 1] and out[0].numpy().dtype == np.int64
    assert tf.keras.utils.get_file is tf.utils.get_file and tf.keras.random is tf.random


def test_tf_print(capsys):
    tf.print(tf.constant([1, 2]), "done")
    assert capsys.readouterr().out == "[1 2] done\n"


def test_helpers_are_differentiable():
    with tf.backend.floatx_scope("float64"):
        x = tf.tensor(np.random.default_rng(0).normal(size=(2, 3)), requires_grad=True)
        w = tf.tensor(np.random.default_rng(1).normal(size=(3, 1)), requires_grad=True)

        def f(x, w):
            h = tf.reshape(tf.matmul(x, w), (1, 2))
            h = tf.concat([tf.expand_dims(tf.squeeze(h), 0), h], axis=0)
            return tf.reduce_mean(tf.math.tanh(h)) + tf.reduce_sum(tf.math.softmax(x) * x)

        result = tf.grad_check(f, x, w, wrt=[x, w])
        assert result.ok, str(result)
