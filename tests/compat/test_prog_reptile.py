"""keras.io "Few-Shot learning with Reptile": a dataset map with tf.image.convert_image_dtype,
rgb_to_grayscale and resize, mini-datasets from tf.data (shuffle, batch, repeat), inner
loops with GradientTape and SGD, and the meta step done on get_weights / set_weights."""

import random

import numpy as np

import saessak as keras
import saessak.compat as tf
from saessak import layers

learning_rate = 0.003
meta_step_size = 0.25
inner_batch_size = 25
eval_batch_size = 25
meta_iters = 3
eval_iters = 2
inner_iters = 2
eval_interval = 1
train_shots = 5
shots = 5
classes = 5


class Dataset:
    def __init__(self, training):
        rng = np.random.default_rng(0 if training else 1)
        # omniglot stand-in: RGB uint8 images, 8 characters
        images = rng.integers(0, 256, (48, 35, 35, 3)).astype("uint8")
        ds = tf.data.Dataset.from_tensor_slices((images, np.repeat(np.arange(8), 6)))
        self.data = {}

        def extraction(image, label):
            image = tf.image.convert_image_dtype(image, tf.float32)
            image = tf.image.rgb_to_grayscale(image)
            image = tf.image.resize(image, [28, 28])
            return image, label

        for image, label in ds.map(extraction):
            image = image.numpy()
            label = str(label.numpy())
            if label not in self.data:
                self.data[label] = []
            self.data[label].append(image)
        self.labels = list(self.data.keys())

    def get_mini_dataset(self, batch_size, repetitions, shots, num_classes, split=False):
        temp_labels = np.zeros(shape=(num_classes * shots))
        temp_images = np.zeros(shape=(num_classes * shots, 28, 28, 1))
        if split:
            test_labels = np.zeros(shape=(num_classes))
            test_images = np.zeros(shape=(num_classes, 28, 28, 1))
        label_subset = random.choices(self.labels, k=num_classes)
        for class_idx, class_obj in enumerate(label_subset):  # noqa: B007
            temp_labels[class_idx * shots : (class_idx + 1) * shots] = class_idx
            if split:
                test_labels[class_idx] = class_idx
                images_to_split = random.choices(self.data[label_subset[class_idx]],
                                                 k=shots + 1)
                test_images[class_idx] = images_to_split[-1]
                temp_images[class_idx * shots : (class_idx + 1) * shots] = images_to_split[:-1]
            else:
                temp_images[class_idx * shots : (class_idx + 1) * shots] = random.choices(
                    self.data[label_subset[class_idx]], k=shots)
        dataset = tf.data.Dataset.from_tensor_slices(
            (temp_images.astype(np.float32), temp_labels.astype(np.int32)))
        dataset = dataset.shuffle(100).batch(batch_size).repeat(repetitions)
        if split:
            return dataset, test_images, test_labels
        return dataset


def conv_bn(x):
    x = layers.Conv2D(filters=64, kernel_size=3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def test_reptile_meta_learning():
    random.seed(0)
    keras.utils.set_random_seed(0)
    train_dataset = Dataset(training=True)
    test_dataset = Dataset(training=False)
    assert len(train_dataset.labels) == 8
    sample = train_dataset.data[train_dataset.labels[0]][0]
    assert sample.shape == (28, 28, 1) and sample.dtype == np.float32
    assert 0.0 <= sample.min() and sample.max() <= 1.0

    inputs = layers.Input(shape=(28, 28, 1))
    x = conv_bn(inputs)
    x = conv_bn(x)
    x = conv_bn(x)
    x = conv_bn(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile()
    optimizer = keras.optimizers.SGD(learning_rate=learning_rate)

    training, testing = [], []
    for meta_iter in range(meta_iters):
        frac_done = meta_iter / meta_iters
        cur_meta_step_size = (1 - frac_done) * meta_step_size
        old_vars = model.get_weights()
        mini_dataset = train_dataset.get_mini_dataset(inner_batch_size, inner_iters,
                                                      train_shots, classes)
        for images, labels in mini_dataset:
            with tf.GradientTape() as tape:
                preds = model(images)
                loss = keras.losses.sparse_categorical_crossentropy(labels, preds)
            grads = tape.gradient(loss, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
        new_vars = model.get_weights()
        moved = [np.abs(n - o).max() for n, o in zip(new_vars, old_vars)]
        for var in range(len(new_vars)):
            new_vars[var] = old_vars[var] + ((new_vars[var] - old_vars[var])
                                             * cur_meta_step_size)
        model.set_weights(new_vars)
        assert max(moved) > 0
        np.testing.assert_allclose(model.get_weights()[0], new_vars[0])
        if meta_iter % eval_interval == 0:
            accuracies = []
            for dataset in (train_dataset, test_dataset):
                train_set, test_images, test_labels = dataset.get_mini_dataset(
                    eval_batch_size, eval_iters, shots, classes, split=True)
                old_vars = model.get_weights()
                for images, labels in train_set:
                    with tf.GradientTape() as tape:
                        preds = model(images)
                        loss = keras.losses.sparse_categorical_crossentropy(labels, preds)
                    grads = tape.gradient(loss, model.trainable_weights)
                    optimizer.apply_gradients(zip(grads, model.trainable_weights))
                test_preds = model.predict(test_images, verbose=0)
                test_preds = tf.argmax(test_preds).numpy()
                num_correct = (test_preds == test_labels).sum()
                model.set_weights(old_vars)
                accuracies.append(num_correct / classes)
            training.append(accuracies[0])
            testing.append(accuracies[1])
    assert len(training) == len(testing) == meta_iters
    assert all(0 <= a <= 1 for a in training + testing)
    assert test_preds.shape == (classes,)
    assert "Prediction : {}".format(test_preds[0]).startswith("Prediction : ")  # noqa: UP032
