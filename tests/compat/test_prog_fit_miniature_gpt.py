"""keras.io's "Text generation with a miniature GPT", shrunk: token and position embeddings
(``ops.arange``), a transformer block with ``use_causal_mask=True``, a model with two outputs
(the logits and the block's features) compiled with ``loss=[loss_fn, None]`` and fitted on
one target, a ``tf.data`` pipeline that splits each sequence into inputs and labels, and
top-k sampling in a callback. The text is a counting pattern, ``t[i+1] = t[i] + 1 (mod V)``,
which a causal model learns from the previous token alone."""

import numpy as np

import saessak as keras
import saessak as tf
from saessak import layers, ops

VOCAB, MAXLEN, EMBED, HEADS, FF = 24, 10, 32, 2, 32


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads, embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attention_output = self.att(inputs, inputs, use_causal_mask=True)
        out1 = self.layernorm1(inputs + self.dropout1(attention_output))
        return self.layernorm2(out1 + self.dropout2(self.ffn(out1)))


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = self.pos_emb(ops.arange(0, maxlen, 1))
        return self.token_emb(x) + positions


class TextGenerator(keras.callbacks.Callback):
    """Samples ``max_tokens`` after a prompt at the end of training, from the top k logits."""

    def __init__(self, max_tokens, start_tokens, top_k=3):
        super().__init__()
        self.max_tokens, self.start_tokens, self.k = max_tokens, list(start_tokens), top_k
        self.generated = None

    def sample_from(self, logits):
        logits, indices = ops.top_k(logits, k=self.k, sorted=True)
        indices = np.asarray(indices).astype("int32")
        preds = keras.activations.softmax(ops.expand_dims(logits, 0))[0]
        preds = np.asarray(preds).astype("float32")
        return np.random.choice(indices, p=preds / preds.sum())

    def on_train_end(self, logs=None):
        tokens = list(self.start_tokens)
        while len(tokens) < len(self.start_tokens) + self.max_tokens:
            window = tokens[-MAXLEN:]
            x = np.array([window + [0] * (MAXLEN - len(window))])
            y, _ = self.model.predict(x, verbose=0)
            tokens.append(int(self.sample_from(y[0][len(window) - 1])))
        self.generated = tokens


def create_model():
    inputs = layers.Input(shape=(MAXLEN,), dtype="int32")
    x = TokenAndPositionEmbedding(MAXLEN, VOCAB, EMBED)(inputs)
    x = TransformerBlock(EMBED, HEADS, FF)(x)
    outputs = layers.Dense(VOCAB)(x)
    model = keras.Model(inputs=inputs, outputs=[outputs, x])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile("adam", loss=[loss_fn, None])  # no loss, and no metrics, on the features
    return model


def prepare_lm_inputs_labels(text):
    return text[:, :-1], text[:, 1:]  # predict each next token


def test_miniature_gpt_learns_to_count_and_samples_from_top_k():
    keras.utils.set_random_seed(0)
    starts = np.random.default_rng(0).integers(0, VOCAB, 256)
    text = (starts[:, None] + np.arange(MAXLEN + 1)) % VOCAB
    ds = tf.data.Dataset.from_tensor_slices(text).shuffle(256).batch(32)
    ds = ds.map(prepare_lm_inputs_labels)
    model = create_model()
    generator = TextGenerator(6, [5, 6, 7], top_k=3)
    history = model.fit(ds, verbose=0, epochs=12, callbacks=[generator])
    # the total and the logits' own loss (named after their Dense); none for the features
    others = set(history.history) - {"loss"}
    assert len(others) == 1 and others.pop().startswith("dense"), history.history.keys()
    losses = history.history["loss"]
    assert losses[-1] < 0.25 * losses[0], losses  # from ln 24 = 3.18 towards 0
    logits, features = model.predict(text[:64, :-1], verbose=0)
    assert logits.shape == (64, MAXLEN, VOCAB) and features.shape == (64, MAXLEN, EMBED)
    accuracy = np.mean(logits.argmax(-1) == text[:64, 1:])
    assert accuracy > 0.9, accuracy
    # sampling among the top 3 of a model this sure still follows the count
    assert generator.generated[:3] == [5, 6, 7] and len(generator.generated) == 9
    assert all(0 <= t < VOCAB for t in generator.generated)
    steps = np.diff(generator.generated) % VOCAB
    assert np.mean(steps == 1) >= 0.8, generator.generated
