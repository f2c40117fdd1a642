"""Beyond seed 004: the transformer block of section 16.4 as an IMDB classifier.

Section 16.4 ends with the transformer block (multi-head self-attention, a residual
connection and layer normalisation, then a small MLP with another residual connection and
normalisation) but does not train one. Here one block reads the last 200 words of each
review: token embeddings plus learned position embeddings (attention alone does not know
word order), the encoder block, the average over positions, and a sigmoid unit. Two epochs
are enough; there is no seed figure to compare with.

    python examples/s004_transformer_imdb.py [--epochs N] [--quick]
"""

from _common import RESULTS, Stopwatch, cli, epochs_or, history_dict, save_curves
from s002_imdb_embedding_flatten import load

import saessak as keras
from saessak import layers

VOCAB, MAXLEN, EMBED, HEADS, FEED_FORWARD = 20000, 200, 32, 2, 32


def build_model():
    inputs = layers.Input(shape=(MAXLEN,))
    x = layers.TokenAndPositionEmbedding(VOCAB, MAXLEN, EMBED)(inputs)
    x = layers.TransformerEncoder(num_heads=HEADS, intermediate_dim=FEED_FORWARD,
                                  dropout=0.1)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load(num_words=VOCAB, maxlen=MAXLEN, quick=quick,
                                                data_dir=data_dir)
    if x_train.shape[1] < MAXLEN:  # quick mode cuts reviews shorter: pad back to MAXLEN
        x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=MAXLEN)
        x_test = keras.preprocessing.sequence.pad_sequences(x_test, maxlen=MAXLEN)
    model = build_model()
    model.summary()
    with Stopwatch() as clock:
        history = model.fit(x_train, y_train, batch_size=32,
                            epochs=epochs_or(epochs, 1 if quick else 2),
                            validation_split=0.2, verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy {accuracy:.4f}")
    curves = save_curves(history, out_dir, "s004_transformer_imdb")
    return {"accuracy": float(accuracy), "loss": float(loss),
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
