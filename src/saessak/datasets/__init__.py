"""Datasets in the style of keras.datasets, read from local copies or downloaded."""

from . import imdb, reuters
