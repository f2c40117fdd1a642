"""Text generation with an RNN: characters become ids with StringLookup (and back with
invert=True), a subclassed model (Embedding, GRU with states, Dense) learns the next
character, and a one-step model generates text one character at a time, carrying the GRU
state from call to call."""

import numpy as np
import pytest

import saessak as tf  # saessak stands for tensorflow: tf.keras, tf.data, tf.strings, ...

if not hasattr(tf, "strings"):
    pytest.skip("saessak.compat has no tf.strings yet", allow_module_level=True)

TEXT = "to be or not to be, that is the question. " * 40


class MyModel(tf.keras.Model):
    def __init__(self, vocab_size, embedding_dim, rnn_units):
        super().__init__(self)
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
        self.gru = tf.keras.layers.GRU(rnn_units, return_sequences=True, return_state=True)
        self.dense = tf.keras.layers.Dense(vocab_size)

    def call(self, inputs, states=None, return_state=False, training=False):
        x = inputs
        x = self.embedding(x, training=training)
        if states is None:
            states = self.gru.get_initial_state(x)
        x, states = self.gru(x, initial_state=states, training=training)
        x = self.dense(x, training=training)
        if return_state:
            return x, states
        return x


class OneStep(tf.keras.Model):
    def __init__(self, model, chars_from_ids, ids_from_chars, temperature=1.0):
        super().__init__()
        self.temperature = temperature
        self.model = model
        self.chars_from_ids = chars_from_ids
        self.ids_from_chars = ids_from_chars
        # never generate '[UNK]': its logit gets -inf
        skip_ids = self.ids_from_chars(["[UNK]"]).numpy()
        mask = np.zeros(len(ids_from_chars.get_vocabulary()), dtype="float32")
        mask[skip_ids] = -np.inf
        self.prediction_mask = tf.constant(mask)

    def generate_one_step(self, inputs, states=None):
        input_chars = tf.strings.unicode_split(inputs, "UTF-8")
        input_ids = self.ids_from_chars(input_chars)
        predicted_logits, states = self.model(inputs=input_ids, states=states,
                                              return_state=True)
        predicted_logits = predicted_logits[:, -1, :]
        predicted_logits = predicted_logits / self.temperature
        predicted_logits = predicted_logits + self.prediction_mask
        predicted_ids = tf.random.categorical(predicted_logits, num_samples=1)
        predicted_ids = tf.squeeze(predicted_ids, axis=-1)
        predicted_chars = self.chars_from_ids(predicted_ids)
        return predicted_chars, states


def main(epochs=25):
    tf.random.set_seed(7)
    vocab = sorted(set(TEXT))
    ids_from_chars = tf.keras.layers.StringLookup(vocabulary=list(vocab), mask_token=None)
    chars_from_ids = tf.keras.layers.StringLookup(
        vocabulary=ids_from_chars.get_vocabulary(), invert=True, mask_token=None)

    def text_from_ids(ids):
        return tf.strings.reduce_join(chars_from_ids(ids), axis=-1)

    all_ids = ids_from_chars(tf.strings.unicode_split(TEXT, "UTF-8"))
    round_trip = text_from_ids(all_ids).numpy().decode("utf-8")
    ids_dataset = tf.data.Dataset.from_tensor_slices(all_ids)
    seq_length = 30
    sequences = ids_dataset.batch(seq_length + 1, drop_remainder=True)

    def split_input_target(sequence):
        input_text = sequence[:-1]
        target_text = sequence[1:]
        return input_text, target_text

    dataset = sequences.map(split_input_target)
    dataset = dataset.shuffle(1000, seed=1).batch(16, drop_remainder=True).prefetch(
        tf.data.AUTOTUNE)

    model = MyModel(vocab_size=len(ids_from_chars.get_vocabulary()), embedding_dim=16,
                    rnn_units=64)
    for input_example_batch, _ in dataset.take(1):
        example_batch_predictions = model(input_example_batch)
    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss=loss)
    history = model.fit(dataset, epochs=epochs, verbose=0)

    one_step_model = OneStep(model, chars_from_ids, ids_from_chars, temperature=0.05)
    states = None
    next_char = tf.constant(["to be or not to be"])
    result = [next_char]
    for _ in range(24):
        next_char, states = one_step_model.generate_one_step(next_char, states=states)
        result.append(next_char)
    generated = tf.strings.join(result)

    # the GRU state carries the context: one call on a whole prefix predicts what calls
    # on its characters one by one, each given the state the last returned, predict
    prefix = ids_from_chars(tf.strings.unicode_split(["not to be"], "UTF-8"))
    whole = model(prefix).numpy()[:, -1]
    states = None
    for t in range(prefix.shape[1]):
        stepped, states = model(prefix[:, t:t + 1], states=states, return_state=True)
    return (round_trip, example_batch_predictions, history,
            generated[0].numpy().decode("utf-8"), (whole, stepped.numpy()[:, -1]))


def test_program():
    round_trip, predictions, history, generated, (whole, stepped) = main()
    assert round_trip == TEXT
    vocab_size = len(set(TEXT)) + 1  # and '[UNK]'
    assert predictions.shape == (16, 30, vocab_size)
    assert history.history["loss"][-1] < 0.2 < np.log(vocab_size) - 1
    np.testing.assert_allclose(stepped, whole, rtol=1e-4, atol=1e-5)
    # after "not to be" comes "," (after the first "to be", " or"): the state decides
    assert generated.startswith("to be or not to be, that is the question")
