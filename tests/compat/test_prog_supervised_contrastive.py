"""keras.io "Supervised Contrastive Learning" (tf.keras 2 version): an augmentation stack
of tf.keras 2's layers.experimental.preprocessing (Normalization adapted on the data,
RandomFlip, RandomRotation, RandomWidth, RandomHeight) inside the encoder before a nested
ResNet50V2 built for 32x32 images, a projection head, a custom keras.losses.Loss overriding
__call__ with tf.math.l2_normalize, and a classifier on the frozen encoder. tfa's
npairs_loss is written out (TensorFlow Addons is TF-only)."""

import numpy as np

import saessak as keras
import saessak.compat as tf
from saessak import layers

num_classes = 10
input_shape = (32, 32, 3)
learning_rate = 0.001
batch_size = 16
hidden_units = 64
projection_units = 16
num_epochs = 1
dropout_rate = 0.5
temperature = 0.05

data_augmentation = keras.Sequential([
    layers.experimental.preprocessing.Normalization(),
    layers.experimental.preprocessing.RandomFlip("horizontal"),
    layers.experimental.preprocessing.RandomRotation(0.02),
    layers.experimental.preprocessing.RandomWidth(0.2),
    layers.experimental.preprocessing.RandomHeight(0.2),
])


def small_resnet(input_shape):
    """A stand-in for ResNet50V2(include_top=False, weights=None, pooling="avg") that
    trains in a test's time: a functional model for 32x32 images, average-pooled."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(8, 3, strides=2, activation="relu")(inputs)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    return keras.Model(inputs, layers.GlobalAveragePooling2D()(x), name="resnet")


def create_encoder(resnet=None):
    resnet = resnet or small_resnet(input_shape)
    inputs = keras.Input(shape=input_shape)
    augmented = data_augmentation(inputs)
    outputs = resnet(augmented)
    model = keras.Model(inputs=inputs, outputs=outputs, name="cifar10-encoder")
    return model


def create_classifier(encoder, trainable=True):
    for layer in encoder.layers:
        layer.trainable = trainable
    inputs = keras.Input(shape=input_shape)
    features = encoder(inputs)
    features = layers.Dropout(dropout_rate)(features)
    features = layers.Dense(hidden_units, activation="relu")(features)
    features = layers.Dropout(dropout_rate)(features)
    outputs = layers.Dense(num_classes, activation="softmax")(features)
    model = keras.Model(inputs=inputs, outputs=outputs, name="cifar10-classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model


def npairs_loss(y_true, y_pred):
    """tfa.losses.npairs_loss."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true = tf.expand_dims(y_true, -1)
    y_true = tf.cast(tf.equal(y_true, tf.transpose(y_true)), y_pred.dtype)
    y_true /= tf.math.reduce_sum(y_true, 1, keepdims=True)
    loss = tf.nn.softmax_cross_entropy_with_logits(logits=y_pred, labels=y_true)
    return tf.math.reduce_mean(loss)


class SupervisedContrastiveLoss(keras.losses.Loss):
    def __init__(self, temperature=1, name=None):
        super(SupervisedContrastiveLoss, self).__init__(name=name)  # noqa: UP008
        self.temperature = temperature

    def __call__(self, labels, feature_vectors, sample_weight=None):
        feature_vectors_normalized = tf.math.l2_normalize(feature_vectors, axis=1)
        logits = tf.divide(tf.matmul(feature_vectors_normalized,
                                     tf.transpose(feature_vectors_normalized)),
                           self.temperature)
        return npairs_loss(tf.squeeze(labels), logits)


def add_projection_head(encoder):
    inputs = keras.Input(shape=input_shape)
    features = encoder(inputs)
    outputs = layers.Dense(projection_units, activation="relu")(features)
    model = keras.Model(inputs=inputs, outputs=outputs,
                        name="cifar-encoder_with_projection-head")
    return model


def data():
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (32, 32, 32, 3)).astype("uint8")
    y_train = rng.integers(0, 10, (32, 1))
    x_test = rng.integers(0, 256, (8, 32, 32, 3)).astype("uint8")
    y_test = rng.integers(0, 10, (8, 1))
    return (x_train, y_train), (x_test, y_test)


def test_the_keras_io_encoders_have_their_parameter_counts():
    (x_train, _), _ = data()
    data_augmentation.layers[0].adapt(x_train)
    resnet = keras.applications.ResNet50V2(include_top=False, weights=None,
                                           input_shape=input_shape, pooling="avg")
    encoder = create_encoder(resnet)
    assert encoder.count_params() == 23564807  # keras.io's summaries
    assert encoder.output_shape == (None, 2048)
    assert data_augmentation.output_shape == (None, None, None, 3)
    head = keras.Model(encoder.inputs, layers.Dense(128, activation="relu")(encoder.outputs[0]))
    assert head.count_params() == 23827079


def test_contrastive_pretraining_then_a_frozen_encoder_classifier():
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = data()
    data_augmentation.layers[0].adapt(x_train)

    encoder = create_encoder()
    classifier = create_classifier(encoder)
    history = classifier.fit(x=x_train, y=y_train, batch_size=batch_size, epochs=num_epochs,
                             verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    accuracy = classifier.evaluate(x_test, y_test, verbose=0)[1]
    assert 0 <= accuracy <= 1

    # the loss itself: same-label pairs are the positives of each row
    loss = SupervisedContrastiveLoss(temperature)
    features = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]], "float32")
    assert float(loss(np.array([[0], [0], [1]]), features)) < float(
        loss(np.array([[0], [1], [0]]), features))

    encoder = create_encoder()
    encoder_with_projection_head = add_projection_head(encoder)
    encoder_with_projection_head.compile(optimizer=keras.optimizers.Adam(learning_rate),
                                         loss=SupervisedContrastiveLoss(temperature))
    history = encoder_with_projection_head.fit(x=x_train, y=y_train, batch_size=batch_size,
                                               epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()

    frozen = [w.copy() for w in encoder.get_weights()]
    classifier = create_classifier(encoder, trainable=False)
    assert len(classifier.trainable_weights) == 4  # the two Dense layers
    classifier.fit(x=x_train, y=y_train, batch_size=batch_size, epochs=num_epochs, verbose=0)
    for before, after in zip(frozen, encoder.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert classifier.predict(x_test, verbose=0).shape == (8, num_classes)
