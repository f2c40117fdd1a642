"""word2vec's skip-gram in the low-level style: an embedding matrix as a tf.Variable, rows
fetched with tf.nn.embedding_lookup, a softmax over the vocabulary with
tf.nn.sparse_softmax_cross_entropy_with_logits, and words that share contexts ending up
close together."""

import numpy as np

import saessak.compat as tf
from saessak import keras

CORPUS = ("the king rules the land . the queen rules the land . "
          "a dog chases the cat . a puppy chases the cat . ") * 20


def skipgram_pairs(ids, window=2):
    pairs = []
    for i, target in enumerate(ids):
        for j in range(max(0, i - window), min(len(ids), i + window + 1)):
            if j != i:
                pairs.append((target, ids[j]))
    return np.array(pairs)


def test_skipgram_with_embedding_lookup():
    tf.random.set_seed(5)
    words = CORPUS.split()
    vocab = sorted(set(words))
    index = {w: i for i, w in enumerate(vocab)}
    pairs = skipgram_pairs([index[w] for w in words])
    dim = 8
    embeddings = tf.Variable(tf.random.uniform((len(vocab), dim), -0.5, 0.5, seed=5))
    context = tf.Variable(tf.random.normal((dim, len(vocab)), stddev=0.1, seed=6))
    optimizer = keras.optimizers.Adam(0.05)
    dataset = tf.data.Dataset.from_tensor_slices((pairs[:, 0], pairs[:, 1]))
    dataset = dataset.shuffle(len(pairs), seed=5).batch(128)

    first = last = None
    for _ in range(6):
        for targets, contexts in dataset:
            with tf.GradientTape() as tape:
                vectors = tf.nn.embedding_lookup(embeddings, targets)
                logits = tf.matmul(vectors, context)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=contexts, logits=logits))
            grads = tape.gradient(loss, [embeddings, context])
            optimizer.apply_gradients(zip(grads, [embeddings, context]))
            first = float(loss) if first is None else first
            last = float(loss)
    assert last < 0.75 * first

    e = tf.math.l2_normalize(embeddings, axis=1).numpy()

    def similarity(a, b):
        return float(e[index[a]] @ e[index[b]])

    assert similarity("king", "queen") > similarity("king", "puppy")
    assert similarity("dog", "puppy") > similarity("dog", "queen")
