"""keras.io "Convolutional autoencoder for image denoising": Conv2D/MaxPooling2D down,
Conv2D/UpSampling2D up, binary cross-entropy against the clean images, trained first on
clean and then on noisy inputs (float64 after np.clip of the noise)."""

import numpy as np

import saessak.compat as tf  # noqa: F401  (the program imports it)
from saessak.layers import Conv2D, Input, MaxPooling2D, UpSampling2D
from saessak.models import Model


def preprocess(dataset):
    dataset = dataset.astype("float32") / 255.0
    dataset = np.reshape(dataset, (len(dataset), 28, 28, 1))
    return dataset


def noise(dataset):
    noise_factor = 0.4
    noisy_dataset = dataset + noise_factor * np.random.normal(loc=0.0, scale=1.0,
                                                              size=dataset.shape)
    return np.clip(noisy_dataset, 0.0, 1.0)


def test_denoising_autoencoder(tmp_path):
    np.random.seed(0)
    rng = np.random.default_rng(0)
    # blobs on a dark background stand in for MNIST digits
    yy, xx = np.mgrid[:28, :28]
    centres = rng.integers(8, 20, (48, 2))
    digits = (255 * (((yy - centres[:, :1, None]) ** 2 + (xx - centres[:, 1:, None]) ** 2)
                     < 30)).astype("uint8")
    train_dataset, test_dataset = preprocess(digits[:40]), preprocess(digits[40:])
    noisy_train_dataset, noisy_test_dataset = noise(train_dataset), noise(test_dataset)
    assert noisy_train_dataset.dtype == np.float64

    input = Input(shape=(28, 28, 1))
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = MaxPooling2D((2, 2), padding="same")(x)
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = MaxPooling2D((2, 2), padding="same")(x)
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = UpSampling2D((2, 2))(x)
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = UpSampling2D((2, 2))(x)
    x = Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    autoencoder = Model(input, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    assert autoencoder.count_params() == 28353  # keras.io's summary
    assert [layer.output.shape[1] for layer in autoencoder.layers[1:]] == [
        28, 14, 14, 7, 7, 14, 14, 28, 28]

    autoencoder.fit(x=train_dataset, y=train_dataset, epochs=1, batch_size=20, shuffle=True,
                    validation_data=(test_dataset, test_dataset), verbose=0)
    predictions = autoencoder.predict(test_dataset, verbose=0)
    assert predictions.shape == (8, 28, 28, 1) and predictions.dtype == np.float32
    history = autoencoder.fit(x=noisy_train_dataset, y=train_dataset, epochs=2,
                              batch_size=20, shuffle=True,
                              validation_data=(noisy_test_dataset, test_dataset), verbose=0)
    assert np.isfinite(history.history["val_loss"]).all()
    assert history.history["loss"][1] < history.history["loss"][0]
    predictions = autoencoder.predict(noisy_test_dataset, verbose=0)
    assert ((predictions > 0) & (predictions < 1)).all()
    autoencoder.save(tmp_path / "ae.keras")
    from saessak.models import load_model
    np.testing.assert_allclose(load_model(tmp_path / "ae.keras").predict(
        noisy_test_dataset, verbose=0), predictions, rtol=1e-5, atol=1e-6)
