"""Seed 000, chapter 6: convolutional networks on Fashion-MNIST, three steps up.

* ``plain`` (examples 6.7/6.9): three 3x3 Conv2D layers and no pooling. The flattened
  feature map is large (22*22*64 = 30,976 values), so the first Dense layer holds almost
  all of the 3,989,642 weights, and the network overfits: the seed gets 0.8521.
* ``pool_dropout`` (example 6.10): 2x2 max pooling after the first two convolutions and
  dropout before the classifier: 241,546 weights, 0.8909.
* ``vgg`` (example 6.12): VGG-style pairs of 'same' convolutions, pooling and heavy dropout:
  5,240,842 weights, 0.9252. With ``augment=True`` (examples 6.14-6.16) 30,000 randomly
  transformed copies of training images are added first (rotation, zoom, shear, shifts,
  horizontal flips, with ``saessak.preprocessing.image.ImageDataGenerator``): 0.9288.

    python examples/s000_fashion_mnist_cnn.py --variant pool_dropout [--epochs N] [--quick]
"""

import argparse

import numpy as np
from _common import (
    BACKUP_DIR_HELP,
    RESULTS,
    Stopwatch,
    epochs_or,
    history_dict,
    positive_int,
    results_dir,
    resumable,
    save_curves,
)
from s000_fashion_mnist_dense import load

import saessak as keras
from saessak import layers
from saessak.preprocessing.image import ImageDataGenerator

SEED_ACCURACY = {"plain": 0.8521, "pool_dropout": 0.8909, "vgg": 0.9252, "vgg+augment": 0.9288}


def build_model(variant):
    conv = layers.Conv2D
    if variant == "plain":
        stack = [conv(input_shape=(28, 28, 1), kernel_size=(3, 3), filters=16),
                 conv(kernel_size=(3, 3), filters=32),
                 conv(kernel_size=(3, 3), filters=64),
                 layers.Flatten(),
                 layers.Dense(units=128, activation="relu")]
    elif variant == "pool_dropout":
        stack = [conv(input_shape=(28, 28, 1), kernel_size=(3, 3), filters=32),
                 layers.MaxPool2D(strides=(2, 2)),
                 conv(kernel_size=(3, 3), filters=64),
                 layers.MaxPool2D(strides=(2, 2)),
                 conv(kernel_size=(3, 3), filters=128),
                 layers.Flatten(),
                 layers.Dense(units=128, activation="relu"),
                 layers.Dropout(rate=0.3)]
    elif variant == "vgg":
        stack = [conv(input_shape=(28, 28, 1), kernel_size=(3, 3), filters=32, padding="same",
                      activation="relu"),
                 conv(kernel_size=(3, 3), filters=64, padding="same", activation="relu"),
                 layers.MaxPool2D(pool_size=(2, 2)),
                 layers.Dropout(rate=0.5),
                 conv(kernel_size=(3, 3), filters=128, padding="same", activation="relu"),
                 conv(kernel_size=(3, 3), filters=256, padding="valid", activation="relu"),
                 layers.MaxPool2D(pool_size=(2, 2)),
                 layers.Dropout(rate=0.5),
                 layers.Flatten(),
                 layers.Dense(units=512, activation="relu"),
                 layers.Dropout(rate=0.5),
                 layers.Dense(units=256, activation="relu"),
                 layers.Dropout(rate=0.5)]
    else:
        raise ValueError(f"variant must be 'plain', 'pool_dropout' or 'vgg', received {variant!r}")
    model = keras.Sequential(stack + [layers.Dense(units=10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0, variant="pool_dropout",
         augment=False, augment_size=None, max_train=None, backup_dir=None):
    keras.utils.set_random_seed(seed)
    key = variant + ("+augment" if augment else "")
    (train_x, train_y), (test_x, test_y) = load(quick, data_dir)
    # Conv2D wants a channel axis: (n, 28, 28) -> (n, 28, 28, 1)
    train_x = train_x.reshape(-1, 28, 28, 1).astype("float32")
    test_x = test_x.reshape(-1, 28, 28, 1).astype("float32")
    run_note = ""
    if max_train and max_train < len(train_x):
        train_x, train_y = train_x[:max_train], train_y[:max_train]
        run_note = f"first {max_train} training images"
    if augment:
        rng = np.random.default_rng(seed)
        extra = augment_size or len(train_x) // 2   # the seed adds 30,000 to 60,000
        pick = rng.integers(len(train_x), size=extra)
        # random rotations, zooms, shears, shifts and mirror images of the picked images
        generator = ImageDataGenerator(rotation_range=10, zoom_range=0.10, shear_range=0.5,
                                       width_shift_range=0.10, height_shift_range=0.10,
                                       horizontal_flip=True, vertical_flip=False)
        flow = generator.flow(train_x[pick], np.zeros(extra), batch_size=extra, shuffle=False)
        train_x = np.concatenate([train_x, next(flow)[0]])
        train_y = np.concatenate([train_y, train_y[pick]])
        print("training images after augmentation:", train_x.shape)
    model = build_model(variant)
    model.summary()
    callbacks, journal = resumable(keras, backup_dir)
    with Stopwatch() as clock:
        history = model.fit(train_x, train_y, epochs=epochs_or(epochs, 1 if quick else 25),
                            validation_split=0.25, verbose=2, callbacks=callbacks)
    if journal:  # resumed runs: the curves and the time of every process that trained
        history, clock.seconds = journal.history(history), journal.seconds
    loss, accuracy = model.evaluate(test_x, test_y, verbose=0)
    print(f"test accuracy {accuracy:.4f}   (seed 000: {SEED_ACCURACY[key]})")
    name = "s000_cnn_" + key.replace("+", "_")
    curves = save_curves(history, out_dir, name)
    return {"accuracy": float(accuracy), "loss": float(loss),
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history), "run_note": run_note}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="pool_dropout",
                        choices=["plain", "pool_dropout", "vgg"])
    parser.add_argument("--augment", action="store_true", help="add augmented images")
    parser.add_argument("--epochs", type=positive_int)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--max-train", type=int, help="use only the first N training images")
    parser.add_argument("--data-dir")
    parser.add_argument("--out-dir")
    parser.add_argument("--backup-dir", help=BACKUP_DIR_HELP)
    a = parser.parse_args()
    main(a.epochs, a.quick, a.data_dir, results_dir(a.out_dir, a.quick), variant=a.variant,
         augment=a.augment, max_train=a.max_train, backup_dir=a.backup_dir)
