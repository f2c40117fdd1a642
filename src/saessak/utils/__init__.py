"""Utilities in the style of ``keras.utils``."""

from .._registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from ..backend import clear_session, set_random_seed
from ..data import timeseries_dataset_from_array
from ..models.keras_objects import deserialize_keras_object, serialize_keras_object
from ..preprocessing.image import array_to_img, img_to_array, load_img, save_img
from ..preprocessing.sequence import pad_sequences
from ..training.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from .attention_plot import plot_attention
from .data_utils import get_file
from .feature_space import FeatureSpace
from .image_dataset import image_dataset_from_directory
from .image_plots import plot_augmented, plot_image_grid
from .np_utils import normalize, to_categorical
from .plotting import plot_history
from .sequence import PyDataset, Sequence
from .text_dataset import text_dataset_from_directory
from .vis_utils import model_to_dot, plot_model
from .word_vectors import load_word_vectors
