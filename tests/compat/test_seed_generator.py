"""``keras.random.SeedGenerator``: Keras 3's stateful seed, as its VAE example's Sampling
layer uses it."""

import numpy as np

import saessak as keras
from saessak import layers, ops


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit (Keras 3's VAE)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def test_a_seed_generator_continues_its_own_sequence():
    zeros = np.zeros((4, 2), "float32")
    first = Sampling()
    a, b = first([zeros, zeros]).numpy(), first([zeros, zeros]).numpy()
    assert not np.allclose(a, b)  # each call draws anew
    again = Sampling()  # the same seed: the same sequence, whatever the global state
    keras.utils.set_random_seed(99)
    np.testing.assert_array_equal(again([zeros, zeros]).numpy(), a)
    np.testing.assert_array_equal(again([zeros, zeros]).numpy(), b)
    # an int seed gives the same draws on every call, as in Keras
    np.testing.assert_array_equal(keras.random.uniform((3,), seed=5).numpy(),
                                  keras.random.uniform((3,), seed=5).numpy())
    mask = keras.random.dropout(np.ones((2, 50), "float32"), 0.5,
                                seed=keras.random.SeedGenerator(0)).numpy()
    assert set(np.unique(mask)) <= {0.0, 2.0}
    assert isinstance(keras.random.SeedGenerator(3).next(), int)
