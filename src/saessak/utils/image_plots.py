"""Grids of images for looking at data: samples with their labels (the seed's example 6.6)
and many augmented variants of one image (example 6.14). Needs matplotlib (the 'plot'
extra); everything else in saessak works without it.

>>> fig = plot_image_grid(train_x[:16], labels=train_y[:16], class_names=FASHION_MNIST_CLASSES)
>>> fig.savefig("samples.png")
"""

from __future__ import annotations

import math

import numpy as np

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("saessak.utils.image_plots needs matplotlib: pip install matplotlib "
                          "(or pip install 'saessak[plot]')") from e
    return plt


def _as_2d(img):
    """(h, w), (h, w, 1) -> (h, w) for a grey map; (h, w, 3|4) stays colour."""
    img = np.asarray(img)
    if img.ndim == 1:  # a flat 28*28 vector, as in the seed
        side = math.isqrt(img.size)
        if side * side != img.size:
            raise ValueError(f"plot_image_grid: cannot show a flat vector of {img.size} values "
                             f"as a square image")
        return img.reshape(side, side)
    return img[..., 0] if img.ndim == 3 and img.shape[-1] == 1 else img


def plot_image_grid(images, labels=None, class_names=None, rows=None, cols=None,
                    figsize=None, cmap="gray", title=None, show=False):
    """Draw ``images`` (n, h, w[, c]) in a grid, each titled with its label (or its class
    name when ``class_names`` is given). Returns the matplotlib Figure."""
    plt = _pyplot()
    images = list(images)
    n = len(images)
    if n == 0:
        raise ValueError("plot_image_grid: no images to plot")
    cols = cols or (rows and math.ceil(n / rows)) or math.ceil(math.sqrt(n))
    rows = rows or math.ceil(n / cols)
    fig = plt.figure(figsize=figsize or (cols * 1.6, rows * 1.6 + (0.4 if title else 0)))
    for i, img in enumerate(images[:rows * cols]):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(_as_2d(img), cmap=cmap)
        ax.axis("off")
        if labels is not None:
            label = np.asarray(labels[i]).item() if np.ndim(labels[i]) == 0 else labels[i]
            text = class_names[int(label)] if class_names is not None else str(label)
            ax.set_title(text, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if show:
        plt.show()
    return fig


def plot_augmented(image, generator, n=100, seed=None, cols=10, show=False, **kwargs):
    """Draw ``n`` random variants of one ``image`` (h, w[, c]) made by an
    ImageDataGenerator (or any object with ``random_transform(x, seed)``)."""
    x = np.asarray(image, dtype=np.float32)
    if x.ndim == 2:
        x = x[:, :, None]
    rng = np.random.default_rng(seed)
    variants = [generator.random_transform(x, seed=int(rng.integers(2**31))) for _ in range(n)]
    return plot_image_grid(variants, cols=cols, show=show, **kwargs)
