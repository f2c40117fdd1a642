"""Preprocessing in the style of ``keras.preprocessing``: ``text``, ``sequence``, ``image``
and ``timeseries``."""

from . import image, sequence, text, timeseries
from .timeseries import timeseries_dataset_from_array
