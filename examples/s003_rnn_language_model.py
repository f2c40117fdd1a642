"""Seed 003, section 11.1: a word-level RNN language model on three Korean sentences.

    경마장에 있는 말이 뛰고 있다 / 그의 말이 법이다 / 가는 말이 고와야 오는 말이 곱다

Every prefix of every sentence becomes a training example (11 of them: [경마장에, 있는] ->
predict 있는, ...), left-padded to 5 words. Embedding(12, 10) + SimpleRNN(32) +
softmax(12) is trained for 200 epochs on the whole set at once; then greedy generation
must give back the sentences from their first words, as in the seed.

    python examples/s003_rnn_language_model.py [--epochs N]
"""

import numpy as np
from _common import RESULTS, Stopwatch, cli, epochs_or, history_dict, save_curves

import saessak as keras
from saessak.layers import Dense, Embedding, SimpleRNN
from saessak.models import Sequential
from saessak.preprocessing.sequence import pad_sequences
from saessak.preprocessing.text import Tokenizer
from saessak.text import generate
from saessak.utils import to_categorical

TEXT = """경마장에 있는 말이 뛰고 있다\n
그의 말이 법이다\n
가는 말이 고와야 오는 말이 곱다\n"""
PROMPTS = [("경마장에", 4, "경마장에 있는 말이 뛰고 있다"), ("그의", 2, "그의 말이 법이다"),
           ("가는", 5, "가는 말이 고와야 오는 말이 곱다")]


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    t = Tokenizer()
    t.fit_on_texts([TEXT])
    vocab_size = len(t.word_index) + 1                # index 0 is the padding
    print("vocabulary:", t.word_index)
    sequences = []
    for line in TEXT.split("\n"):
        encoded = t.texts_to_sequences([line])[0]
        sequences += [encoded[:i + 1] for i in range(1, len(encoded))]
    max_len = max(len(s) for s in sequences)
    sequences = pad_sequences(sequences, maxlen=max_len, padding="pre")
    x, y = sequences[:, :-1], to_categorical(sequences[:, -1], num_classes=vocab_size)
    print(f"{len(x)} examples of {max_len - 1} words")

    model = Sequential([
        Embedding(vocab_size, 10, input_length=max_len - 1),
        SimpleRNN(32),
        Dense(vocab_size, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.summary()  # 1,892 parameters
    with Stopwatch() as clock:
        history = model.fit(x, y, epochs=epochs_or(epochs, 200 if not quick else 200), verbose=0)
    print(f"final loss {history.history['loss'][-1]:.4f}, "
          f"accuracy {history.history['accuracy'][-1]:.4f}")

    # index -> word, with the padding index 0 mapped to an empty word
    vocab = [""] + [t.index_word[i] for i in range(1, vocab_size)]
    reproduced, lines = 0, []
    for start, n, expected in PROMPTS:
        sentence = generate(model, start, n, greedy=True, vocab=vocab, level="word",
                            seq_length=max_len - 1)
        reproduced += sentence == expected
        lines.append(sentence)
        print(f"{sentence}   ({'as in the seed' if sentence == expected else 'seed: ' + expected})")
    curves = save_curves(history, out_dir, "s003_rnn_language_model")
    return {"sentences_reproduced": float(reproduced), "loss": history.history["loss"][-1],
            "accuracy": history.history["accuracy"][-1], "epochs": len(history.history["loss"]),
            "train_seconds": clock.seconds, "curves": curves, "history": history_dict(history),
            "samples": {"greedy, from each sentence's first word": "\n".join(lines)},
            "probabilities_sum": float(np.sum(model.predict(x[:1], verbose=0)))}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
