"""A WGAN-GP critic step (gradients of gradients), saessak next to PyTorch.

    python benchmarks/bench_gradient_penalty.py [--threads 1] [--batch 64]

The critic is keras.io's WGAN-GP discriminator for 28x28 images (ZeroPadding2D, four strided
5x5 Conv2D + LeakyReLU, Dense(1); no dropout, so both frameworks do the same arithmetic).
One step: the critic on real and fake images, the gradient penalty (the norm of the
critic's gradient at interpolated images, taken by an inner tape whose result the outer
tape differentiates again), and the gradient of the whole loss by the critic's weights.
Also the same step without the penalty, so the cost of the second-order part shows.
Medians over rounds, PyTorch only where it is installed.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine_line, median_time, pin_threads, try_import  # noqa: E402

FILTERS = (64, 128, 256, 512)


def saessak_step(batch, rng):
    import saessak as keras
    import saessak.compat as tf
    from saessak import layers

    inputs = keras.Input((28, 28, 1))
    x = layers.ZeroPadding2D((2, 2))(inputs)
    for filters in FILTERS:
        x = layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
    critic = keras.Model(inputs, layers.Dense(1)(layers.Flatten()(x)))
    real, fake = (rng.standard_normal((batch, 28, 28, 1)).astype("float32") for _ in "ab")
    alpha = rng.uniform(size=(batch, 1, 1, 1)).astype("float32")

    def step(penalty=True):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(critic(fake)) - tf.reduce_mean(critic(real))
            if penalty:
                mixed = tf.constant(real + alpha * (fake - real))
                with tf.GradientTape() as inner:
                    inner.watch(mixed)
                    pred = critic(mixed)
                grads = inner.gradient(pred, mixed)
                norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
                loss = loss + 10.0 * tf.reduce_mean((norm - 1.0) ** 2)
        return tape.gradient(loss, critic.trainable_variables)

    return step


def torch_step(torch, batch, rng):
    nn = torch.nn
    layers_, channels = [nn.ZeroPad2d(2)], 1
    for filters in FILTERS:
        layers_ += [nn.Conv2d(channels, filters, 5, stride=2, padding=2), nn.LeakyReLU(0.2)]
        channels = filters
    critic = nn.Sequential(*layers_, nn.Flatten(), nn.Linear(512 * 2 * 2, 1))
    real, fake = (torch.from_numpy(rng.standard_normal((batch, 1, 28, 28)).astype("float32"))
                  for _ in "ab")
    alpha = torch.from_numpy(rng.uniform(size=(batch, 1, 1, 1)).astype("float32"))

    def step(penalty=True):
        critic.zero_grad()
        loss = critic(fake).mean() - critic(real).mean()
        if penalty:
            mixed = (real + alpha * (fake - real)).requires_grad_(True)
            (grads,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
            norm = grads.square().sum(dim=(1, 2, 3)).sqrt()
            loss = loss + 10.0 * ((norm - 1.0) ** 2).mean()
        loss.backward()

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pin_threads(args.threads)
    import numpy as np

    rng = np.random.default_rng(0)
    steps = {"saessak": saessak_step(args.batch, rng)}
    torch = try_import("torch")
    if torch is not None:
        torch.set_num_threads(args.threads)
        steps["PyTorch"] = torch_step(torch, args.batch, rng)
    print(f"machine: {machine_line()}; {args.threads} thread(s), batch {args.batch}")
    times = {}
    for penalty in (False, True):
        for name, step in steps.items():
            times[name, penalty] = median_time(lambda s=step, p=penalty: s(p),
                                               repeat=args.repeat)[0]
    print(f"{'critic step':34s} " + " ".join(f"{n:>10s}" for n in steps) + "   ratio")
    for penalty, label in ((False, "without the penalty"), (True, "with the gradient penalty")):
        row = [times[n, penalty] for n in steps]
        ratio = f"{row[0] / row[1]:.2f}" if len(row) > 1 else "-"
        print(f"{label:34s} " + " ".join(f"{t * 1e3:8.1f} ms" for t in row) + f"   {ratio}")


if __name__ == "__main__":
    main()
