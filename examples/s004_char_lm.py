"""Seed 004, section 16.3, project 2: a character-level language model of *The Mysterious
Island*, and text generated from it at three temperatures.

The book (Gutenberg's 2016 edition, between "THE MYSTERIOUS ISLAND" and "End of the Project
Gutenberg": 1,112,350 characters, 80 distinct) is cut into pieces of 41 characters; the
first 40 are the input and the last 40 the target, one character ahead. An Embedding(80,
256), an LSTM(512) returning every step and a Dense(80) output a score (logit) for the next
character at every position; the loss is the cross-entropy from logits. The seed trains 20
epochs of 424 batches and reaches a loss of 1.0478.

To write, the model reads the last 40 characters and one character is drawn from the
softmax of its last scores (``saessak.text.generate``, or step by step with
``saessak.random.categorical`` as the seed does); scaling the scores by 2 (temperature 0.5)
makes safer text, by 0.5 (temperature 2) wilder text.

    python examples/s004_char_lm.py [--epochs N] [--quick] [--backup-dir DIR]
    saessak examples run s004_char_lm --quick   # then `saessak generate` as it prints
"""

import numpy as np
from _common import (
    RESULTS,
    Stopwatch,
    cli,
    data_folder,
    epochs_or,
    history_dict,
    resumable,
    save_curves,
    save_language_model,
)

import saessak as keras
from saessak.data import Dataset
from saessak.datasets import text as corpora
from saessak.text import generate

SEED_LOSS = 1.0478
SEQ_LENGTH, BATCH_SIZE, BUFFER_SIZE = 40, 64, 10000


def load_book(data_dir=None):
    with data_folder(data_dir):
        book = corpora.load("mysterious_island_2016")
    start = book.find("THE MYSTERIOUS ISLAND")
    end = book.find("End of the Project Gutenberg")
    return book[start:end]


def build_model(vocab_size, embedding_dim=256, rnn_units=512, learning_rate=0.001):
    model = keras.Sequential([
        keras.layers.Embedding(vocab_size, embedding_dim),
        keras.layers.LSTM(rnn_units, return_sequences=True),
        keras.layers.Dense(vocab_size),                   # logits: no softmax here
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def sample_like_the_seed(model, char2int, char_array, starting_str, length=100,
                         max_input_length=40, scale_factor=1.0):
    """The seed's own sampling loop, written with saessak's TensorFlow-style helpers."""
    tf = keras  # saessak.reshape, saessak.squeeze, saessak.random.categorical, ...
    encoded_input = tf.reshape([char2int[s] for s in starting_str if s in char2int], (1, -1))
    generated = starting_str
    for _ in range(length):
        logits = tf.squeeze(model(encoded_input), 0)
        new_index = tf.random.categorical(logits * scale_factor, num_samples=1)
        new_index = tf.squeeze(new_index)[-1].numpy()
        generated += str(char_array[new_index])
        encoded_input = tf.concat([encoded_input, tf.expand_dims([new_index], 0)], axis=1)
        encoded_input = encoded_input[:, -max_input_length:]
    return generated


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=1, max_chars=None,
         rnn_units=512, steps_per_epoch=None, backup_dir=None):
    keras.utils.set_random_seed(seed)
    text = load_book(data_dir)
    char_set = set(text)
    print("total length:", len(text), " distinct characters:", len(char_set))
    chars_sorted = sorted(char_set)
    char2int = {ch: i for i, ch in enumerate(chars_sorted)}
    char_array = np.array(chars_sorted)
    learning_rate = 0.001  # Adam's default, as in the seed
    if quick:
        # one pass over a quarter of the book with a smaller LSTM and a larger step: about
        # 115 batches, 5-15 s on 2 cores, enough for English-like words at temperature 0.5
        # (the seed's settings need many minutes per epoch before the text stops being noise)
        max_chars, rnn_units, learning_rate = 300_000, 128, 0.01
    run_note = []
    if max_chars:
        text = text[:max_chars]
        run_note.append(f"first {max_chars} characters")
    if rnn_units != 512:
        run_note.append(f"LSTM({rnn_units})")
    if learning_rate != 0.001:
        run_note.append(f"Adam({learning_rate})")
    text_encoded = np.array([char2int[ch] for ch in text], dtype=np.int32)
    print(text[:15], "== encoded ==>", text_encoded[:15])

    chunks = Dataset.from_tensor_slices(text_encoded).batch(SEQ_LENGTH + 1, drop_remainder=True)
    sequences = chunks.map(lambda chunk: (chunk[:-1], chunk[1:]))   # target: one ahead
    ds = sequences.shuffle(BUFFER_SIZE, seed=seed).batch(BATCH_SIZE)

    model = build_model(len(char_array), rnn_units=rnn_units, learning_rate=learning_rate)
    model.build((None, None))
    model.summary()  # 1,636,432 parameters with LSTM(512)
    fit_args = {"steps_per_epoch": steps_per_epoch} if steps_per_epoch else {}
    if steps_per_epoch:
        ds = ds.repeat()
        run_note.append(f"{steps_per_epoch} steps/epoch")
    callbacks, journal = resumable(keras, backup_dir)
    with Stopwatch() as clock:
        history = model.fit(ds, epochs=epochs_or(epochs, 1 if quick else 20), verbose=2,
                            callbacks=callbacks, **fit_args)
    if journal:  # resumed runs: the curves and the time of every process that trained
        history, clock.seconds = journal.history(history), journal.seconds
    loss = history.history["loss"][-1]
    print(f"final loss {loss:.4f}   (seed 004 after 20 epochs: {SEED_LOSS})")

    samples = {}
    length = 100 if quick else 500
    for scale in (1.0, 2.0, 0.5):
        title = f"scale_factor {scale} (temperature {1 / scale:g}), from 'The island'"
        samples[title] = generate(model, "The island", length, temperature=1 / scale,
                                  vocab=char_array, level="char", seq_length=SEQ_LENGTH,
                                  seed=1)
        print(f"--- {title}\n{samples[title]}\n")
    keras.random.set_seed(1)
    samples["the seed's own sampling loop (saessak.random.categorical), scale_factor 1.0"] = (
        sample_like_the_seed(model, char2int, char_array, "The island", length // 5))
    curves = save_curves(history, out_dir, "s004_char_lm", metrics=("loss",))
    command = save_language_model(model, char_array, out_dir, "s004_char_lm", "char",
                                  seq_length=SEQ_LENGTH)
    return {"loss": float(loss), "epochs": len(history.history["loss"]),
            "train_seconds": clock.seconds, "curves": curves,
            "history": history_dict(history), "samples": samples,
            "run_note": ", ".join(run_note), "generate_command": command}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
