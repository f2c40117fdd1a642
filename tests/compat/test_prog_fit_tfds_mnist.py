"""The TensorFlow Datasets quick start, "Training a neural network on MNIST with Keras":
tfds.load with shuffle_files and as_supervised, a map that normalises the images, cache,
shuffle by info.splits['train'].num_examples, batch, prefetch, and a Flatten(28, 28) model
that takes tfds's (28, 28, 1) images. The four MNIST files are written here, small, in
the real IDX format (a bright quadrant per class), so the program runs offline."""

import gzip
import os

import numpy as np

import saessak as tf
import saessak.tfds as tfds


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def write_fake_mnist(folder, n_train=512, n_test=128):
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 4, n)
        images = rng.integers(0, 60, (n, 28, 28))
        for i, label in enumerate(labels):  # class k lights up quadrant k
            r, c = divmod(int(label), 2)
            images[i, 14 * r:14 * r + 14, 14 * c:14 * c + 14] += 180
        write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"), images)
        write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte.gz"), labels)


def main(data_dir):
    (ds_train, ds_test), ds_info = tfds.load(
        "mnist", split=["train", "test"], shuffle_files=True, as_supervised=True,
        with_info=True, data_dir=data_dir)

    def normalize_img(image, label):
        """Normalizes images: `uint8` -> `float32`."""
        return tf.cast(image, tf.float32) / 255., label

    ds_train = ds_train.map(normalize_img, num_parallel_calls=tf.data.AUTOTUNE)
    ds_train = ds_train.cache()
    ds_train = ds_train.shuffle(ds_info.splits["train"].num_examples)
    ds_train = ds_train.batch(64)
    ds_train = ds_train.prefetch(tf.data.AUTOTUNE)

    ds_test = ds_test.map(normalize_img, num_parallel_calls=tf.data.AUTOTUNE)
    ds_test = ds_test.batch(64).cache().prefetch(tf.data.AUTOTUNE)

    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(32, activation="relu"),
        tf.keras.layers.Dense(10),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.001),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
    history = model.fit(ds_train, epochs=4, validation_data=ds_test, verbose=0)
    return ds_info, history


def test_program(tmp_path):
    write_fake_mnist(str(tmp_path))
    info, history = main(str(tmp_path))
    assert info.splits["train"].num_examples == 512 and info.splits["test"].num_examples == 128
    h = history.history
    assert set(h) == {"loss", "sparse_categorical_accuracy", "val_loss",
                      "val_sparse_categorical_accuracy"}
    assert h["val_sparse_categorical_accuracy"][-1] > 0.9
