"""Preprocessing in the style of ``keras.preprocessing``: ``text`` and ``sequence``."""

from . import image, sequence, text
