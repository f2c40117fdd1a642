"""keras.io "Image segmentation with a U-Net-like architecture" (Oxford pets): a
keras.utils.Sequence of (image, trimap) batches, an Xception-style U-Net (SeparableConv2D
down, Conv2DTranspose and UpSampling2D up, residual projections joined by layers.add),
per-pixel sparse cross-entropy, ModelCheckpoint(save_best_only) to an .h5 file."""

import numpy as np

import saessak as keras
from saessak import layers
from saessak.preprocessing.image import load_img


class OxfordPets(keras.utils.Sequence):
    """Helper to iterate over the data (as Numpy arrays)."""

    def __init__(self, batch_size, img_size, input_img_paths, target_img_paths):
        self.batch_size = batch_size
        self.img_size = img_size
        self.input_img_paths = input_img_paths
        self.target_img_paths = target_img_paths

    def __len__(self):
        return len(self.target_img_paths) // self.batch_size

    def __getitem__(self, idx):
        i = idx * self.batch_size
        batch_input_img_paths = self.input_img_paths[i : i + self.batch_size]
        batch_target_img_paths = self.target_img_paths[i : i + self.batch_size]
        x = np.zeros((self.batch_size,) + self.img_size + (3,), dtype="float32")
        for j, path in enumerate(batch_input_img_paths):
            img = load_img(path, target_size=self.img_size)
            x[j] = img
        y = np.zeros((self.batch_size,) + self.img_size + (1,), dtype="uint8")
        for j, path in enumerate(batch_target_img_paths):
            img = load_img(path, target_size=self.img_size, color_mode="grayscale")
            y[j] = np.expand_dims(img, 2)
            y[j] -= 1
        return x, y


def get_model(img_size, num_classes):
    inputs = keras.Input(shape=img_size + (3,))
    x = layers.Conv2D(32, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for filters in [64, 128, 256]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(
            previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    for filters in [256, 128, 64, 32]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.UpSampling2D(2)(x)
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])
        previous_block_activation = x
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)
    model = keras.Model(inputs, outputs)
    return model


def write_pets(folder, n, size, rng):
    """JPEG-like photos and 1/2/3 trimaps as image files, as the dataset has them."""
    inputs, targets = [], []
    for i in range(n):
        photo = rng.integers(0, 256, (size, size, 3)).astype("uint8")
        trimap = rng.integers(1, 4, (size, size, 1)).astype("uint8")
        inputs.append(str(folder / f"pet_{i}.png"))
        targets.append(str(folder / f"pet_{i}_trimap.png"))
        keras.preprocessing.image.array_to_img(photo, scale=False).save(inputs[-1])
        keras.preprocessing.image.array_to_img(trimap, scale=False).save(targets[-1])
    return inputs, targets


def test_the_keras_io_model_has_its_parameter_count():
    keras.backend.clear_session()
    model = get_model((160, 160), 3)
    assert model.count_params() == 2058979  # keras.io's summary
    assert sum(w.size for w in model.non_trainable_weights) == 3776
    assert model.output_shape == (None, 160, 160, 3)


def test_segmentation_training_with_a_sequence_and_checkpoint(tmp_path):
    keras.utils.set_random_seed(0)
    img_size, num_classes, batch_size = (32, 32), 3, 2
    input_img_paths, target_img_paths = write_pets(tmp_path, 6, 40, np.random.default_rng(0))
    train_gen = OxfordPets(batch_size, img_size, input_img_paths[:4], target_img_paths[:4])
    val_gen = OxfordPets(batch_size, img_size, input_img_paths[4:], target_img_paths[4:])
    x, y = train_gen[0]
    assert x.shape == (2, 32, 32, 3) and y.shape == (2, 32, 32, 1) and y.max() <= 2

    model = get_model(img_size, num_classes)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    path = str(tmp_path / "oxford_segmentation.h5")
    callbacks = [keras.callbacks.ModelCheckpoint(path, save_best_only=True)]
    history = model.fit(train_gen, epochs=1, validation_data=val_gen, callbacks=callbacks,
                        verbose=0)
    assert np.isfinite(history.history["loss"] + history.history["val_loss"]).all()

    val_preds = model.predict(val_gen, verbose=0)
    assert val_preds.shape == (2, 32, 32, 3)
    np.testing.assert_allclose(val_preds.sum(-1), 1.0, rtol=1e-4)
    mask = np.argmax(val_preds[1], axis=-1)
    mask = np.expand_dims(mask, axis=-1)
    img = keras.preprocessing.image.array_to_img(mask)
    assert img.size == (32, 32)
    best = keras.models.load_model(path)
    np.testing.assert_allclose(best.predict(val_gen, verbose=0), val_preds, rtol=1e-4,
                               atol=1e-5)
