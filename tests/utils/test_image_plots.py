"""Image grids: drawn with matplotlib where installed; a clear ImportError where not."""

import importlib.util

import numpy as np
import pytest

from saessak.preprocessing.image import ImageDataGenerator
from saessak.utils import image_plots

HAS_MPL = importlib.util.find_spec("matplotlib") is not None


@pytest.mark.skipif(HAS_MPL, reason="checks the message shown when matplotlib is missing")
def test_clear_error_without_matplotlib():
    with pytest.raises(ImportError, match="pip install matplotlib"):
        image_plots.plot_image_grid(np.zeros((4, 28, 28)))


@pytest.mark.skipif(not HAS_MPL, reason="matplotlib (the 'plot' extra) is not installed")
def test_grids_draw_one_axis_per_image():
    import matplotlib
    matplotlib.use("Agg")
    images = np.random.default_rng(0).random((16, 28, 28, 1))
    fig = image_plots.plot_image_grid(images, labels=np.arange(16) % 10,
                                      class_names=image_plots.FASHION_MNIST_CLASSES)
    assert len(fig.axes) == 16 and fig.axes[0].get_title() == "T-shirt/top"
    gen = ImageDataGenerator(rotation_range=10, horizontal_flip=True)
    fig = image_plots.plot_augmented(images[0], gen, n=20, seed=0)
    assert len(fig.axes) == 20
