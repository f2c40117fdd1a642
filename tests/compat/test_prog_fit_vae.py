"""A variational autoencoder with a custom train_step: the encoder gives z_mean and
z_log_var, a Sampling layer draws z, and the step adds the reconstruction and KL losses
itself, reporting each through its own Mean tracker (no add_loss)."""

import numpy as np

import saessak as keras
from saessak import layers, ops


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = z_mean.shape
        epsilon = keras.random.normal(shape=(batch, dim))
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def make_encoder(latent_dim=2):
    inputs = keras.Input(shape=(16,))
    x = layers.Dense(32, activation="relu")(inputs)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    return keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")


def make_decoder(latent_dim=2):
    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(32, activation="relu")(latent_inputs)
    outputs = layers.Dense(16, activation="sigmoid")(x)
    return keras.Model(latent_inputs, outputs, name="decoder")


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.reconstruction_loss_tracker,
                self.kl_loss_tracker]

    def train_step(self, data):
        z_mean, z_log_var, z = self.encoder(data)
        reconstruction = self.decoder(z)
        reconstruction_loss = ops.mean(
            ops.sum(keras.losses.binary_crossentropy(data[..., None], reconstruction[..., None]),
                    axis=1))
        kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
        total_loss = reconstruction_loss + kl_loss
        total_loss.backward()
        self.optimizer.apply_gradients(zip([w.grad for w in self.trainable_weights],
                                           self.trainable_weights))
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {"loss": self.total_loss_tracker.result(),
                "reconstruction_loss": self.reconstruction_loss_tracker.result(),
                "kl_loss": self.kl_loss_tracker.result()}


def main():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    # two kinds of 4x4 "digits": a bar on the left or on the right, with noise
    left = np.tile([1, 1, 0, 0], 4)
    right = np.tile([0, 0, 1, 1], 4)
    kinds = rng.integers(0, 2, 512)
    digits = np.where(kinds[:, None] == 0, left, right) * 0.8 + 0.1
    digits = np.clip(digits + rng.normal(0, 0.05, digits.shape), 0, 1).astype("float32")
    vae = VAE(make_encoder(), make_decoder())
    vae.compile(optimizer=keras.optimizers.Adam(0.01))
    history = vae.fit(digits, epochs=10, batch_size=64, verbose=0)
    return vae, history, digits, kinds


def test_program():
    vae, history, digits, kinds = main()
    h = history.history
    assert sorted(h) == ["kl_loss", "loss", "reconstruction_loss"]
    assert h["loss"][-1] < h["loss"][0]
    np.testing.assert_allclose(np.array(h["loss"]),
                               np.array(h["reconstruction_loss"]) + np.array(h["kl_loss"]),
                               rtol=1e-5)
    z_mean, _, _ = vae.encoder.predict(digits, verbose=0)
    decoded = vae.decoder.predict(z_mean, verbose=0)
    # the decoder separates the two kinds: left bars light up the left columns
    left_side = decoded[:, [0, 1, 4, 5]].mean(axis=1) > decoded[:, [2, 3, 6, 7]].mean(axis=1)
    assert np.mean(left_side == (kinds == 0)) > 0.9
