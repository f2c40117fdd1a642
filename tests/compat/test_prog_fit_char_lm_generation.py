"""Character-level generation as Python Machine Learning (seed 004, 16.3) writes it: a
tf.data pipeline of 41-character chunks split into (input, target), an
Embedding-LSTM-Dense model trained on logits, and a sample() loop that calls
model.reset_states() and grows the text one tf.random.categorical draw at a time."""

import numpy as np

import saessak as tf

TEXT = ("the island was large and the engineer knew the island well. " * 30)


def build_model(vocab_size, embedding_dim, rnn_units):
    model = tf.keras.Sequential([
        tf.keras.layers.Embedding(vocab_size, embedding_dim),
        tf.keras.layers.LSTM(rnn_units, return_sequences=True),
        tf.keras.layers.Dense(vocab_size),
    ])
    return model


def main():
    char_set = set(TEXT)
    chars_sorted = sorted(char_set)
    char2int = {ch: i for i, ch in enumerate(chars_sorted)}
    char_array = np.array(chars_sorted)
    text_encoded = np.array([char2int[ch] for ch in TEXT], dtype=np.int32)

    ds_text_encoded = tf.data.Dataset.from_tensor_slices(text_encoded)
    seq_length = 40
    chunk_size = seq_length + 1
    ds_chunks = ds_text_encoded.batch(chunk_size, drop_remainder=True)

    def split_input_target(chunk):
        input_seq = chunk[:-1]
        target_seq = chunk[1:]
        return input_seq, target_seq

    ds_sequences = ds_chunks.map(split_input_target)
    ds = ds_sequences.shuffle(1000).batch(16)

    tf.random.set_seed(1)
    model = build_model(vocab_size=len(char_array), embedding_dim=16, rnn_units=64)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=40, verbose=0)

    def sample(model, starting_str, len_generated_text=60, max_input_length=40,
               scale_factor=1.0):
        encoded_input = [char2int[s] for s in starting_str]
        encoded_input = tf.reshape(encoded_input, (1, -1))
        generated_str = starting_str
        model.reset_states()
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
    return history, sample(model, "the island", scale_factor=2.0), char_set


def test_program():
    history, generated, char_set = main()
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert generated.startswith("the island") and len(generated) == 70
    assert set(generated) <= char_set
    words = generated.split()
    known = set(TEXT.split())
    assert sum(w in known for w in words[2:-1]) >= len(words[2:-1]) // 2  # mostly real words
