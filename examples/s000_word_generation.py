"""Seed 000, section 7.4.1: generating Korean text one word at a time.

The seed trains on 26 million characters of the Joseon annals (조선왕조실록), which cannot
be downloaded offline; here Naver movie reviews (NSMC) stand in as the Korean corpus. The
recipe is the seed's: clean each line (Hangul and a few marks survive), split it into words
with a newline token after each line, number the words, cut the stream into pieces of
25 + 1 words with ``saessak.data.Dataset``, and train two stacked LSTMs to predict the 26th
word from the 25 before it. After training, ``saessak.text.generate`` continues a sentence
by always taking the most likely next word (the seed's ``predict_classes``).

One difference, stated: the seed keeps every word (332,640 of them, a 67-million-weight
model); we keep the ``max_vocab`` most frequent words and map the rest to 'UNK'.

    python examples/s000_word_generation.py [--epochs N] [--quick]
"""

from collections import Counter

import numpy as np
from _common import RESULTS, Stopwatch, cli, data_folder, epochs_or, history_dict, save_curves

import saessak as keras
from saessak import layers
from saessak.callbacks import LambdaCallback
from saessak.data import Dataset
from saessak.datasets import nsmc
from saessak.text import clean_str, generate

SEQ_LENGTH, BATCH_SIZE = 25, 128
CORPUS_NOTE = "NSMC reviews stand in for the Korean annals (not available offline)"


def korean_corpus(n_reviews, data_dir=None):
    """The first ``n_reviews`` NSMC training reviews, one per line."""
    with data_folder(data_dir):
        (reviews, _), _ = nsmc.load_data()
    return "\n".join(str(r) for r in reviews[:n_reviews])


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0, n_reviews=30000,
         max_vocab=10000, steps_per_epoch=None):
    keras.utils.set_random_seed(seed)
    if quick:
        n_reviews, max_vocab = 300, 300
    text = korean_corpus(n_reviews, data_dir)
    words = []
    for line in text.split("\n"):
        words.extend(clean_str(line, mode="annals").split(" "))
        words.append("\n")                         # keep the line breaks as a token
    words = [w for w in words if w != ""]
    print(f"{len(text)} characters, {len(words)} words; first 20: {words[:20]}")

    # the vocabulary: most frequent words first, then 'UNK' for everything else
    vocab = [w for w, _ in Counter(words).most_common(max_vocab)] + ["UNK"]
    word2idx = {w: i for i, w in enumerate(vocab)}
    unk = word2idx["UNK"]
    text_as_int = np.array([word2idx.get(w, unk) for w in words])
    print(f"{len(vocab)} words in the vocabulary ({np.mean(text_as_int == unk):.1%} of the "
          "text is UNK)")

    # pieces of 26 words: the first 25 are the input, the 26th is the word to predict
    chunks = Dataset.from_tensor_slices(text_as_int).batch(SEQ_LENGTH + 1, drop_remainder=True)
    train = chunks.map(lambda chunk: (chunk[:-1], chunk[-1]))
    batch = 16 if quick else BATCH_SIZE
    train = train.shuffle(10000, seed=seed).batch(batch, drop_remainder=True)
    steps = steps_per_epoch or max(1, len(text_as_int) // (SEQ_LENGTH + 1) // batch)

    total_words = len(vocab)
    model = keras.Sequential([
        layers.Embedding(total_words, 100, input_length=SEQ_LENGTH),
        layers.LSTM(units=100, return_sequences=True),
        layers.Dropout(0.2),
        layers.LSTM(units=100),
        layers.Dense(total_words, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.summary()

    first_line = " ".join(words[:words.index("\n")]) if "\n" in words else " ".join(words[:5])

    def continue_text(start, n=30):
        return generate(model, start, n, greedy=True, vocab=vocab, level="word",
                        unknown="UNK", seq_length=SEQ_LENGTH, pad_value=unk,
                        avoid=["UNK"])

    def show(epoch, logs):
        if epoch % 5 == 0:
            print("\n" + continue_text(first_line, 10 if quick else 30) + "\n")

    epochs = epochs_or(epochs, 1 if quick else 50)
    with Stopwatch() as clock:
        history = model.fit(train.repeat(), epochs=epochs, steps_per_epoch=steps,
                            callbacks=[LambdaCallback(on_epoch_end=show)], verbose=2)
    samples = {}
    for start in (first_line, "이 영화 정말"):
        samples[f"greedy, from '{start}'"] = continue_text(start, 40)
        print(samples[f"greedy, from '{start}'"])
    sampled = generate(model, "이 영화 정말", 40, temperature=0.8, top_k=50, vocab=vocab,
                       level="word", unknown="UNK", seq_length=SEQ_LENGTH, pad_value=unk, seed=1,
                       avoid=["UNK"])
    samples["temperature 0.8, top-k 50, from '이 영화 정말'"] = sampled
    print(sampled)
    curves = save_curves(history, out_dir, "s000_word_generation")
    return {"accuracy": history.history["accuracy"][-1], "loss": history.history["loss"][-1],
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history), "samples": samples,
            "why": CORPUS_NOTE + f"; {len(vocab)}-word vocabulary from {n_reviews} reviews",
            "run_note": f"{n_reviews} reviews, {steps} steps/epoch"}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
