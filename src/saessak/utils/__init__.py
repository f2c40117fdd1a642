"""Utilities in the style of ``keras.utils``."""

from ..backend import set_random_seed
from ..data import timeseries_dataset_from_array
from ..preprocessing.sequence import pad_sequences
from .data_utils import get_file
from .np_utils import normalize, to_categorical
from .text_dataset import text_dataset_from_directory
from .plotting import plot_history
from .attention_plot import plot_attention
from .image_plots import plot_augmented, plot_image_grid
