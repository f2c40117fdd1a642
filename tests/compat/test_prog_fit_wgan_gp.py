"""keras.io's "WGAN-GP overriding Model.train_step" (tf.keras 2), shrunk to 8x8 images: the
critic's loss carries a gradient penalty, the norm of an inner tape's gradient, which the
outer tape differentiates again. Only the imports and the sizes differ from the example.

The critic's gradients are checked against central differences of its whole loss (the
penalty included), with the penalty's inner gradient taken in plain first order."""

import numpy as np
import pytest

import saessak.compat as tf
from saessak import backend

keras = tf.keras
layers = keras.layers

IMG_SHAPE = (8, 8, 1)
NOISE_DIM = 6


def conv_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), padding="same",
               use_bias=True, use_bn=False, use_dropout=False, drop_value=0.5):
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    x = activation(x)
    if use_dropout:
        x = layers.Dropout(drop_value)(x)
    return x


def get_discriminator_model(dropout=True):
    img_input = layers.Input(shape=IMG_SHAPE)
    x = layers.ZeroPadding2D((2, 2))(img_input)
    x = conv_block(x, 4, kernel_size=(3, 3), strides=(2, 2), use_bn=False, use_bias=True,
                   activation=layers.LeakyReLU(0.2), use_dropout=False, drop_value=0.3)
    x = conv_block(x, 8, kernel_size=(3, 3), strides=(2, 2), use_bn=False,
                   activation=layers.LeakyReLU(0.2), use_bias=True, use_dropout=dropout,
                   drop_value=0.3)
    x = layers.Flatten()(x)
    if dropout:  # random masks would spoil the finite differences below
        x = layers.Dropout(0.2)(x)
    x = layers.Dense(1)(x)
    return keras.models.Model(img_input, x, name="discriminator")


def get_generator_model():
    noise = layers.Input(shape=(NOISE_DIM,))
    x = layers.Dense(4 * 4 * 8, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((4, 4, 8))(x)
    x = layers.UpSampling2D((2, 2))(x)
    x = conv_block(x, 4, layers.LeakyReLU(0.2), strides=(1, 1), use_bias=False, use_bn=True,
                   padding="same", use_dropout=False)
    x = conv_block(x, 1, layers.Activation("tanh"), strides=(1, 1), use_bias=False,
                   use_bn=True)
    return keras.models.Model(noise, x, name="generator")


class WGAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim, discriminator_extra_steps=3,
                 gp_weight=10.0):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_steps = discriminator_extra_steps
        self.gp_weight = gp_weight

    def compile(self, d_optimizer, g_optimizer, d_loss_fn, g_loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.d_loss_fn = d_loss_fn
        self.g_loss_fn = g_loss_fn

    def gradient_penalty(self, batch_size, real_images, fake_images, alpha=None):
        if alpha is None:
            alpha = tf.random.normal([batch_size, 1, 1, 1], 0.0, 1.0)
        diff = fake_images - real_images
        interpolated = real_images + alpha * diff
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = self.discriminator(interpolated, training=True)
        grads = gp_tape.gradient(pred, [interpolated])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
        gp = tf.reduce_mean((norm - 1.0) ** 2)
        return gp

    def train_step(self, real_images):
        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = tf.shape(real_images)[0]
        for _ in range(self.d_steps):
            random_latent_vectors = tf.random.normal(shape=(batch_size, self.latent_dim))
            with tf.GradientTape() as tape:
                fake_images = self.generator(random_latent_vectors, training=True)
                fake_logits = self.discriminator(fake_images, training=True)
                real_logits = self.discriminator(real_images, training=True)
                d_cost = self.d_loss_fn(real_img=real_logits, fake_img=fake_logits)
                gp = self.gradient_penalty(batch_size, real_images, fake_images)
                d_loss = d_cost + gp * self.gp_weight
            d_gradient = tape.gradient(d_loss, self.discriminator.trainable_variables)
            self.d_optimizer.apply_gradients(
                zip(d_gradient, self.discriminator.trainable_variables))
        random_latent_vectors = tf.random.normal(shape=(batch_size, self.latent_dim))
        with tf.GradientTape() as tape:
            generated_images = self.generator(random_latent_vectors, training=True)
            gen_img_logits = self.discriminator(generated_images, training=True)
            g_loss = self.g_loss_fn(gen_img_logits)
        gen_gradient = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(gen_gradient, self.generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}


def discriminator_loss(real_img, fake_img):
    real_loss = tf.reduce_mean(real_img)
    fake_loss = tf.reduce_mean(fake_img)
    return fake_loss - real_loss


def generator_loss(fake_img):
    return -tf.reduce_mean(fake_img)


def _images(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.tanh(rng.standard_normal((n, *IMG_SHAPE))).astype(backend.floatx())


def test_wgan_gp_trains():
    tf.random.set_seed(0)
    wgan = WGAN(get_discriminator_model(), get_generator_model(), NOISE_DIM,
                discriminator_extra_steps=2)
    wgan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5,
                                                   beta_2=0.9),
                 g_optimizer=keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5,
                                                   beta_2=0.9),
                 g_loss_fn=generator_loss, d_loss_fn=discriminator_loss)
    history = wgan.fit(_images(16), batch_size=8, epochs=2, verbose=0)
    assert len(history.history["d_loss"]) == 2
    assert np.all(np.isfinite(history.history["d_loss"] + history.history["g_loss"]))


def _critic_loss(wgan, real, fake, alpha):
    """The critic's loss with the penalty in first order only (no outer tape)."""
    d_cost = discriminator_loss(wgan.discriminator(real, training=False),
                                wgan.discriminator(fake, training=False))
    return float(d_cost.numpy()) + 10.0 * float(
        wgan.gradient_penalty(len(real), real, fake, alpha).numpy())


def test_critic_gradient_with_the_penalty_matches_finite_differences():
    with backend.floatx_scope("float64"):
        tf.random.set_seed(1)
        wgan = WGAN(get_discriminator_model(dropout=False), get_generator_model(), NOISE_DIM)
        real, fake = _images(3, seed=1), _images(3, seed=2)
        alpha = tf.constant(np.array([0.2, 0.5, 0.9]).reshape(3, 1, 1, 1))
        critic = wgan.discriminator
        rng = np.random.default_rng(0)
        for var in critic.trainable_variables:  # zero biases put the padding on the kink
            if var.ndim == 1:                   # of LeakyReLU, where differences fail
                var.assign(rng.normal(0.0, 0.1, var.shape))
        with tf.GradientTape() as tape:
            d_cost = discriminator_loss(critic(real, training=False),
                                        critic(fake, training=False))
            d_loss = d_cost + 10.0 * wgan.gradient_penalty(3, real, fake, alpha)
        grads = tape.gradient(d_loss, critic.trainable_variables)
        assert all(g is not None for g in grads)
        for var, grad in zip(critic.trainable_variables, grads):
            for flat in rng.choice(var.size, size=min(4, var.size), replace=False):
                index = np.unravel_index(flat, var.shape)
                old = var.data[index]
                var.data[index] = old + 1e-6
                up = _critic_loss(wgan, real, fake, alpha)
                var.data[index] = old - 1e-6
                down = _critic_loss(wgan, real, fake, alpha)
                var.data[index] = old
                assert grad.numpy()[index] == pytest.approx((up - down) / 2e-6, rel=1e-5,
                                                            abs=1e-8), var.name
