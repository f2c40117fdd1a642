"""keras.io "Image similarity estimation using a Siamese Network with a contrastive loss"
(tf.keras 2), on random 28x28 images: a shared tower, a Lambda euclidean distance built
from tf.math (its tf.math.maximum(..., 0) once turned float32 into float64), a closure loss."""

import numpy as np

import saessak as keras
import saessak.compat as tf
from saessak import layers


def euclidean_distance(vects):
    x, y = vects
    sum_square = tf.math.reduce_sum(tf.math.square(x - y), axis=1, keepdims=True)
    return tf.math.sqrt(tf.math.maximum(sum_square, tf.keras.backend.epsilon()))


def loss(margin=1):
    def contrastive_loss(y_true, y_pred):
        square_pred = tf.math.square(y_pred)
        margin_square = tf.math.square(tf.math.maximum(margin - (y_pred), 0))
        return tf.math.reduce_mean((1 - y_true) * square_pred + (y_true) * margin_square)
    return contrastive_loss


def make_pairs(x, y, rng):
    num_classes = max(y) + 1
    digit_indices = [np.where(y == i)[0] for i in range(num_classes)]
    pairs, labels = [], []
    for idx1 in range(len(x)):
        label1 = y[idx1]
        pairs += [[x[idx1], x[rng.choice(digit_indices[label1])]]]
        labels += [0]
        label2 = rng.integers(0, num_classes - 1)
        while label2 == label1:
            label2 = rng.integers(0, num_classes - 1)
        pairs += [[x[idx1], x[rng.choice(digit_indices[label2])]]]
        labels += [1]
    return np.array(pairs), np.array(labels).astype("float32")


def test_siamese_network_with_contrastive_loss():
    rng = np.random.default_rng(0)
    pairs, labels = make_pairs(rng.uniform(0, 1, (60, 28, 28)).astype("float32"),
                               rng.integers(0, 10, 60), rng)
    inputs = layers.Input((28, 28, 1))
    x = tf.keras.layers.BatchNormalization()(inputs)
    x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Conv2D(16, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = tf.keras.layers.BatchNormalization()(x)
    x = layers.Dense(10, activation="tanh")(x)
    embedding_network = keras.Model(inputs, x)

    input_1 = layers.Input((28, 28, 1))
    input_2 = layers.Input((28, 28, 1))
    merge_layer = layers.Lambda(euclidean_distance)(
        [embedding_network(input_1), embedding_network(input_2)])
    normal_layer = tf.keras.layers.BatchNormalization()(merge_layer)
    output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    siamese.compile(loss=loss(margin=1), optimizer="RMSprop", metrics=["accuracy"])
    history = siamese.fit([pairs[:, 0], pairs[:, 1]], labels, validation_split=0.2,
                          batch_size=16, epochs=2, verbose=0)
    assert np.isfinite(history.history["val_loss"]).all()
    assert siamese.predict([pairs[:3, 0], pairs[:3, 1]], verbose=0).dtype == np.float32
    assert len(siamese.evaluate([pairs[:, 0], pairs[:, 1]], labels, verbose=0)) == 2
