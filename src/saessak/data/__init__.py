"""Input pipelines in the style of ``tf.data``: ``Dataset`` and time-series windows."""

from .dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset
from .timeseries import timeseries_dataset_from_array

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN
