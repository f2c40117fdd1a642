"""Seed 000, section 7.4.2: generating Korean text one jamo (letter) at a time.

Hangul syllables are built from letters: 한 = ㅎ + ㅏ + ㄴ. Splitting the text into letters
(``saessak.text.split_syllables``, the seed's ``jamotools``) leaves a small alphabet, so the
model can be a plain softmax over a few hundred symbols. An LSTM of 400 units reads 80
letters and predicts the 81st; ``saessak.text.generate`` writes letters one at a time and
``join_jamos`` glues them back into syllables.

The seed's corpus (the Joseon annals) is not available offline; NSMC movie reviews stand in.
The seed reports a training accuracy of 0.6999 after 100 epochs of 2,364 steps.

    python examples/s000_jamo_generation.py [--epochs N] [--quick]
"""

import numpy as np
from _common import RESULTS, Stopwatch, cli, epochs_or, history_dict, save_curves
from s000_word_generation import CORPUS_NOTE, korean_corpus

import saessak as keras
from saessak import layers
from saessak.callbacks import LambdaCallback
from saessak.data import Dataset
from saessak.text import generate, split_syllables

SEQ_LENGTH, BATCH_SIZE = 80, 256


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0, n_reviews=20000,
         steps_per_epoch=None):
    keras.utils.set_random_seed(seed)
    if quick:
        n_reviews = 200
    text = korean_corpus(n_reviews, data_dir)
    letters = split_syllables(text)
    vocab = sorted(set(letters)) + ["UNK"]
    char2idx = {c: i for i, c in enumerate(vocab)}
    text_as_int = np.array([char2idx[c] for c in letters])
    print(f"{len(text)} characters -> {len(letters)} jamo, {len(vocab)} distinct symbols")
    print(letters[:20], text_as_int[:20])

    chunks = Dataset.from_tensor_slices(text_as_int).batch(SEQ_LENGTH + 1, drop_remainder=True)
    train = chunks.map(lambda chunk: (chunk[:-1], chunk[-1]))
    batch = 32 if quick else BATCH_SIZE
    train = train.shuffle(10000, seed=seed).batch(batch, drop_remainder=True)
    steps = steps_per_epoch or max(1, len(text_as_int) // (SEQ_LENGTH + 1) // batch)

    total_chars = len(vocab)
    model = keras.Sequential([
        layers.Embedding(total_chars, 100, input_length=SEQ_LENGTH),
        layers.LSTM(units=64 if quick else 400),
        layers.Dense(total_chars, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.summary()
    start = text[:text.index("\n")] if "\n" in text[:200] else text[:20]

    def continue_text(seed_text, n=150, **sampling):
        return generate(model, seed_text, n, vocab=vocab, level="jamo", unknown="UNK",
                        seq_length=SEQ_LENGTH, pad_value=char2idx["UNK"], avoid=["UNK"],
                        **sampling)

    shown = 30 if quick else 150

    def show(epoch, logs):
        if epoch % 5 == 0:
            print("\n" + continue_text(start, shown, greedy=True) + "\n")

    with Stopwatch() as clock:
        history = model.fit(train.repeat(), epochs=epochs_or(epochs, 1 if quick else 100),
                            steps_per_epoch=steps, callbacks=[LambdaCallback(on_epoch_end=show)],
                            verbose=2)
    samples = {}
    for title, kwargs in (("greedy", {"greedy": True}),
                          ("temperature 0.7", {"temperature": 0.7, "seed": 1})):
        for seed_text in (start, "이 영화는"):
            samples[f"{title}, from '{seed_text}'"] = continue_text(seed_text, shown + 50, **kwargs)
            print(samples[f"{title}, from '{seed_text}'"])
    curves = save_curves(history, out_dir, "s000_jamo_generation")
    return {"accuracy": history.history["accuracy"][-1], "loss": history.history["loss"][-1],
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history), "samples": samples,
            "why": CORPUS_NOTE + f" ({n_reviews} reviews, {len(letters)} jamo)",
            "run_note": f"{n_reviews} reviews, {steps} steps/epoch"}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
