"""keras.io "Point cloud classification with PointNet": a tf.data pipeline whose augment
jitters the points in place (points += tf.random.uniform(...)) and shuffles them, conv_bn /
dense_bn blocks, two T-nets with an OrthogonalRegularizer (tf.eye, tf.reshape,
tf.tensordot, tf.reduce_sum) as the activity regularizer of a Dense whose bias starts at
the identity, and layers.Dot(axes=(2, 1)) applying the learned transform."""

import numpy as np

import saessak as keras
import saessak.compat as tf
from saessak import layers

NUM_POINTS = 32
NUM_CLASSES = 3
BATCH_SIZE = 8
CLASS_MAP = {0: "sphere", 1: "plane", 2: "line"}


def augment(points, label):
    # jitter points
    points += tf.random.uniform(points.shape, -0.005, 0.005, dtype=tf.float64)
    # shuffle points
    points = tf.random.shuffle(points)
    return points, label


def conv_bn(x, filters):
    x = layers.Conv1D(filters, kernel_size=1, padding="valid")(x)
    x = layers.BatchNormalization(momentum=0.0)(x)
    return layers.Activation("relu")(x)


def dense_bn(x, filters):
    x = layers.Dense(filters)(x)
    x = layers.BatchNormalization(momentum=0.0)(x)
    return layers.Activation("relu")(x)


class OrthogonalRegularizer(keras.regularizers.Regularizer):
    def __init__(self, num_features, l2reg=0.001):
        self.num_features = num_features
        self.l2reg = l2reg
        self.eye = tf.eye(num_features)

    def __call__(self, x):
        x = tf.reshape(x, (-1, self.num_features, self.num_features))
        xxt = tf.tensordot(x, x, axes=(2, 2))
        xxt = tf.reshape(xxt, (-1, self.num_features, self.num_features))
        return tf.reduce_sum(self.l2reg * tf.square(xxt - self.eye))


def tnet(inputs, num_features):
    bias = keras.initializers.Constant(np.eye(num_features).flatten())
    reg = OrthogonalRegularizer(num_features)
    x = conv_bn(inputs, 32)
    x = conv_bn(x, 64)
    x = conv_bn(x, 512)
    x = layers.GlobalMaxPooling1D()(x)
    x = dense_bn(x, 256)
    x = dense_bn(x, 128)
    x = layers.Dense(num_features * num_features, kernel_initializer="zeros",
                     bias_initializer=bias, activity_regularizer=reg)(x)
    feat_T = layers.Reshape((num_features, num_features))(x)
    return layers.Dot(axes=(2, 1))([inputs, feat_T])


def build():
    inputs = keras.Input(shape=(NUM_POINTS, 3))
    x = tnet(inputs, 3)
    x = conv_bn(x, 32)
    x = conv_bn(x, 32)
    x = tnet(x, 32)
    x = conv_bn(x, 32)
    x = conv_bn(x, 64)
    x = conv_bn(x, 512)
    x = layers.GlobalMaxPooling1D()(x)
    x = dense_bn(x, 256)
    x = layers.Dropout(0.3)(x)
    x = dense_bn(x, 128)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="pointnet")


def clouds(n, rng):
    labels = rng.integers(0, NUM_CLASSES, n)
    pts = rng.normal(size=(n, NUM_POINTS, 3))
    pts[labels == 1, :, 2] = 0.0          # flat
    pts[labels == 2, :, 1:] = 0.0         # on a line
    return pts, labels


def test_the_regularizer_is_zero_for_an_orthogonal_transform():
    reg = OrthogonalRegularizer(3)
    assert float(reg(np.eye(3).reshape(1, 9).astype("float32"))) == 0.0
    assert float(reg(2 * np.eye(3).reshape(1, 9).astype("float32"))) > 0.0


def test_pointnet_trains_from_an_augmented_dataset():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    train_points, train_labels = clouds(24, rng)
    test_points, test_labels = clouds(8, rng)
    original = train_points.copy()
    train_dataset = tf.data.Dataset.from_tensor_slices((train_points, train_labels))
    test_dataset = tf.data.Dataset.from_tensor_slices((test_points, test_labels))
    train_dataset = train_dataset.shuffle(len(train_points)).map(augment).batch(BATCH_SIZE)
    test_dataset = test_dataset.shuffle(len(test_points)).batch(BATCH_SIZE)

    model = build()
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.Adam(learning_rate=0.001),
                  metrics=["sparse_categorical_accuracy"])
    history = model.fit(train_dataset, epochs=2, validation_data=test_dataset, verbose=0)
    assert np.isfinite(history.history["loss"] + history.history["val_loss"]).all()
    # the augmentation made new arrays: the training data is as it was
    np.testing.assert_array_equal(train_points, original)
    # each T-net's Dense adds its orthogonality penalty
    assert len(model.losses) == 2 and all(float(loss) >= 0 for loss in model.losses)

    data = test_dataset.take(1)
    points, labels = list(data)[0]
    points = points[:8, ...]
    labels = labels[:8, ...]
    preds = model.predict(points, verbose=0)
    preds = tf.math.argmax(preds, -1)
    assert preds.shape == (8,)
    names = [CLASS_MAP[int(preds[i])] for i in range(8)]  # keras.io: preds[i].numpy()
    assert set(names) <= set(CLASS_MAP.values())
    assert [CLASS_MAP[labels.numpy()[i]] for i in range(8)] == [
        CLASS_MAP[v] for v in labels.numpy()]
