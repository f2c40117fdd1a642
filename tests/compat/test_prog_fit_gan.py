"""A GAN whose train_step drives two optimizers: compile() is overridden to take a
discriminator optimizer, a generator optimizer and a loss function; fit() then trains both
networks in turn on each batch of real samples."""

import numpy as np

import saessak as keras
from saessak import layers, ops

LATENT_DIM = 4


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real_samples):
        if isinstance(real_samples, tuple):
            real_samples = real_samples[0]
        batch_size = real_samples.shape[0]

        # Train the discriminator on generated (label 1) and real (label 0) samples
        noise = keras.random.normal(shape=(batch_size, self.latent_dim))
        generated = self.generator(noise)
        combined = ops.concatenate([generated, real_samples], axis=0)
        labels = np.concatenate([np.ones((batch_size, 1)), np.zeros((batch_size, 1))])
        labels = labels + 0.05 * np.random.uniform(size=labels.shape)  # label noise
        self.zero_grad()
        d_loss = self.loss_fn(labels, self.discriminator(combined))
        d_loss.backward()
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip([w.grad for w in weights], weights))

        # Train the generator to make the discriminator say "real" (label 0)
        noise = keras.random.normal(shape=(batch_size, self.latent_dim))
        misleading_labels = np.zeros((batch_size, 1))
        self.zero_grad()
        g_loss = self.loss_fn(misleading_labels, self.discriminator(self.generator(noise)))
        g_loss.backward()
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip([w.grad for w in weights], weights))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(),
                "g_loss": self.g_loss_tracker.result()}


def main():
    keras.utils.set_random_seed(3)
    discriminator = keras.Sequential([keras.Input(shape=(2,)),
                                      layers.Dense(16, activation="relu"),
                                      layers.Dense(1, activation="sigmoid")],
                                     name="discriminator")
    generator = keras.Sequential([keras.Input(shape=(LATENT_DIM,)),
                                  layers.Dense(16, activation="relu"),
                                  layers.Dense(2)], name="generator")
    # the real data: points around (2, -1)
    real = np.random.default_rng(0).normal([2.0, -1.0], 0.3, size=(1024, 2)).astype("float32")
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=LATENT_DIM)
    before = generator.get_weights()
    gan.compile(d_optimizer=keras.optimizers.Adam(0.003),
                g_optimizer=keras.optimizers.Adam(0.003),
                loss_fn=keras.losses.BinaryCrossentropy())
    history = gan.fit(real, epochs=15, batch_size=64, verbose=0)
    return gan, history, before


def test_program():
    gan, history, before = main()
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert len(history.history["d_loss"]) == 15
    assert not np.allclose(before[0], gan.generator.get_weights()[0])
    samples = gan.generator.predict(np.random.default_rng(1).normal(size=(500, LATENT_DIM)),
                                    verbose=0)
    # the generator has moved its samples towards the real cloud around (2, -1)
    assert np.linalg.norm(samples.mean(axis=0) - [2.0, -1.0]) < 1.0
