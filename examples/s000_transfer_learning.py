"""Seed 000, section 8.1: transfer learning with a pre-trained MobileNetV2.

The seed loads MobileNetV2 from TF-Hub as a frozen layer and classifies images with it. Here
the same steps run offline on images we hold: Fashion-MNIST, resized to 96x96 and given 3
channels.

1. The base: ``applications.MobileNetV2(alpha=0.35, include_top=False, pooling='avg')``.
   With ``--weights imagenet`` (or a Keras weights file) it starts from Keras's ImageNet
   weights, as the seed does. Offline there are none, so the script makes its own
   pre-trained base: it trains the network on the *first five* clothing classes.
2. Feature extraction: the base is frozen and a new Dense head learns the *other five*
   classes, which the base has never seen.
3. Fine-tuning: the top blocks (from ``block_13``) are unfrozen and trained on with a 10x
   lower learning rate; batch normalization stays frozen, as the Keras guide advises, so
   its statistics are not overwritten by small batches.

A full run here (one thread of a shared 2-core machine, about 3 minutes; 1,000 images per
stage, 3 epochs each): the base reaches 0.71 training accuracy on the source classes; on
1,000 test images of the new classes the frozen base with a new head scores 0.40 and
fine-tuning lifts it to 0.58 (chance: 0.20). A base pre-trained this briefly is weak;
Keras's ImageNet weights (``--weights imagenet``) are the seed's setting.

    python examples/s000_transfer_learning.py [--epochs N] [--quick] [--weights imagenet|PATH]
"""

import argparse
import os

import numpy as np
from _common import RESULTS, Stopwatch, data_folder, epochs_or, results_dir

import saessak as keras
from saessak import applications, layers
from saessak.datasets import fashion_mnist

SIZE = 96
SOURCE, TARGET = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)  # T-shirt..coat | sandal..ankle boot


def to_rgb96(images):
    """(n, 28, 28) uint8 -> (n, 96, 96, 3) in [-1, 1]: nearest-pixel resize, grey to RGB."""
    rows = (np.arange(SIZE) * 28 // SIZE).astype(int)
    big = images[:, rows][:, :, rows].astype("float32")
    return applications.mobilenet_v2.preprocess_input(np.repeat(big[..., None], 3, axis=-1))


def subset(x, y, classes, n, rng):
    keep = np.flatnonzero(np.isin(y, classes))
    keep = rng.choice(keep, size=min(n, len(keep)), replace=False)
    labels = np.searchsorted(np.asarray(classes), y[keep])  # 0..4
    return to_rgb96(x[keep]), labels


def make_base(weights):
    return applications.MobileNetV2(input_shape=(SIZE, SIZE, 3), alpha=0.35,
                                    include_top=False, pooling="avg", weights=weights)


def pretrain(base, x, y, epochs):
    """Our own 'pre-trained' base: the network trained on the source classes."""
    # Keras's MobileNetV2 keeps 99.9% of its batch-norm averages at every step, made for
    # long ImageNet runs; over a few hundred steps the averages would stay near their
    # initial values, so they follow the batches faster here.
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = 0.9
    model = keras.Sequential([base, layers.Dense(len(SOURCE), activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=2)
    return history.history["accuracy"][-1]


def seed_classifier_params():
    """The seed's model: TF-Hub's MobileNetV2 classifier (224x224, 1,001 ImageNet classes:
    the 1,000 and a background class), whose summary shows 3,540,265 parameters."""
    return applications.MobileNetV2(weights=None, classes=1001).count_params()


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0, weights=None,
         count_only=False):
    """``count_only``: only build the seed's classifier and count its parameters."""
    if count_only:
        params = seed_classifier_params()
        print(f"MobileNetV2, 1,001 classes: {params:,} parameters (seed 000: 3,540,265)")
        return {"params_seed_classifier": params}
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    with data_folder(data_dir):
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    # a training step of MobileNetV2 at 96x96 takes about 0.35 s per batch of 32 on one
    # thread here, so the full run stays at a few thousand images
    n_source, n_target, n_test = (128, 128, 128) if quick else (1000, 1000, 1000)
    n_epochs = epochs_or(epochs, 1 if quick else 3)

    base = make_base(weights)
    source_accuracy = None
    if weights is None:
        xs, ys = subset(x_train, y_train, SOURCE, n_source, rng)
        source_accuracy = pretrain(base, xs, ys, n_epochs)

    x_new, y_new = subset(x_train, y_train, TARGET, n_target, rng)
    x_val, y_val = subset(x_test, y_test, TARGET, n_test, rng)

    # 2. frozen base + new head (the seed's hub.KerasLayer(..., trainable=False))
    base.trainable = False
    model = keras.Sequential([keras.Input((SIZE, SIZE, 3)), base, layers.Dropout(0.2),
                              layers.Dense(len(TARGET), activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    with Stopwatch() as clock:
        model.fit(x_new, y_new, epochs=n_epochs, batch_size=32, verbose=2)
    frozen_accuracy = model.evaluate(x_val, y_val, verbose=0)[1]

    # 3. fine-tune the top blocks with a lower learning rate
    base.trainable = True
    top = [layer.name for layer in base.layers].index("block_13_expand")
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= top and not isinstance(layer, layers.BatchNormalization)
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    with Stopwatch() as tune_clock:
        model.fit(x_new, y_new, epochs=n_epochs, batch_size=32, verbose=2)
    tuned_accuracy = model.evaluate(x_val, y_val, verbose=0)[1]
    origin = "ImageNet" if weights == "imagenet" else weights or "our own (source classes)"
    print(f"base weights: {origin}; new-class accuracy with the frozen base "
          f"{frozen_accuracy:.4f}, after fine-tuning the top blocks ({trainable:,} trainable "
          f"parameters) {tuned_accuracy:.4f}")
    os.makedirs(out_dir, exist_ok=True)
    return {"source_accuracy": source_accuracy, "frozen_accuracy": float(frozen_accuracy),
            "fine_tuned_accuracy": float(tuned_accuracy), "trainable_when_tuning": trainable,
            "head_seconds": clock.seconds, "tune_seconds": tune_clock.seconds,
            "epochs": n_epochs,
            "run_note": f"{n_source:,} images a stage",
            "why": (f"on {n_test:,} test images of the five new classes (chance 0.20) the "
                    f"frozen base with a new head scores {float(frozen_accuracy):.4f}, and "
                    f"fine-tuning its top blocks lifts it to {float(tuned_accuracy):.4f}; the "
                    f"base was pre-trained here, on the other five classes (training accuracy "
                    f"{source_accuracy:.2f}), not on ImageNet")}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out-dir", default=None)
    parser.add_argument("--weights", default=None,
                        help="'imagenet' (needs Keras's file, downloaded once) or a path")
    args = parser.parse_args()
    metrics = main(epochs=args.epochs, quick=args.quick, data_dir=args.data_dir,
                   out_dir=results_dir(args.out_dir, args.quick), weights=args.weights)
    print("metrics:", {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))})
