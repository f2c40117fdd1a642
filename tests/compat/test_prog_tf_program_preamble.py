"""The preamble many TensorFlow programs start with (GPU memory growth, visible devices,
version check, seeds, a device block), then a small seeded training run that must give the
same result twice."""

import numpy as np

import saessak.compat as tf
from saessak import keras


def preamble():
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        for gpu in gpus:
            tf.config.experimental.set_memory_growth(gpu, True)
    tf.config.set_visible_devices(tf.config.list_physical_devices("CPU"), "CPU")
    major = int(tf.version.VERSION.split(".")[0])
    assert major >= 2, "TensorFlow 2 API required"
    tf.random.set_seed(11)
    keras.utils.set_random_seed(11)


def run():
    preamble()
    with tf.device("/CPU:0"):
        x = tf.random.uniform((64, 5), seed=None).numpy()
        y = (x.sum(axis=1, keepdims=True) > 2.5).astype("float32")
        model = keras.Sequential([keras.layers.Dense(4, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    return history.history["loss"], model.get_weights()


def test_preamble_and_reproducible_run():
    assert tf.config.list_physical_devices("CPU")[0].device_type == "CPU"
    losses_a, weights_a = run()
    losses_b, weights_b = run()
    assert losses_a == losses_b and len(losses_a) == 5
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)
    assert losses_a[-1] < losses_a[0]
