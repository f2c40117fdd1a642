"""keras.io "Text classification with Transformer": a TransformerBlock layer (MultiHeadAttention
and a Sequential feed-forward inside) and a TokenAndPositionEmbedding layer (ops.shape,
ops.arange, two Embeddings), in the Keras 3 form and in the tf.keras 2 form (tf.shape,
tf.range, call(inputs, training)). The user's TokenAndPositionEmbedding shares its name with
a saessak layer; it must stay the user's."""

import numpy as np

import saessak as keras
import saessak.compat as tf
from saessak import layers, ops


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


class TransformerBlockTF2(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super(TransformerBlockTF2, self).__init__()  # noqa: UP008
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbeddingTF2(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super(TokenAndPositionEmbeddingTF2, self).__init__()  # noqa: UP008
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = tf.shape(x)[-1]
        positions = tf.range(start=0, limit=maxlen, delta=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


vocab_size = 300
maxlen = 20
embed_dim = 32
num_heads = 2
ff_dim = 32


def build(block, embedding):
    inputs = layers.Input(shape=(maxlen,))
    embedding_layer = embedding(maxlen, vocab_size, embed_dim)
    x = embedding_layer(inputs)
    transformer_block = block(embed_dim, num_heads, ff_dim)
    x = transformer_block(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def reviews(n, rng):
    """Sequences of word ids whose label is whether low ids outnumber high ones."""
    seqs = [list(rng.integers(1, vocab_size, rng.integers(5, 30))) for _ in range(n)]
    labels = np.array([int(np.mean(np.array(s) < vocab_size // 2) > 0.5) for s in seqs])
    return seqs, labels


def test_text_classification_in_both_forms(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = reviews(64, rng)
    x_val, y_val = reviews(16, rng)
    x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
    x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)
    assert x_train.shape == (64, maxlen)
    for block, embedding in ((TransformerBlock, TokenAndPositionEmbedding),
                             (TransformerBlockTF2, TokenAndPositionEmbeddingTF2)):
        model = build(block, embedding)
        # token 300 x 32 + position 20 x 32; attention + feed-forward + 2 layer norms
        assert [layer.count_params() for layer in model.layers[1:3]] == [10240, 10656]
        assert type(model.layers[1]) is embedding  # the user's class, not saessak's
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(x_train, y_train, batch_size=32, epochs=2,
                            validation_data=(x_val, y_val), verbose=0)
        assert np.isfinite(history.history["loss"] + history.history["val_loss"]).all()
        assert history.history["loss"][1] < history.history["loss"][0]
        model.save_weights(tmp_path / "text.weights.h5")
        again = build(block, embedding)
        again.load_weights(tmp_path / "text.weights.h5")
        np.testing.assert_allclose(again.predict(x_val, verbose=0),
                                   model.predict(x_val, verbose=0), rtol=1e-5, atol=1e-6)
