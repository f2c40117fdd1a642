"""Preprocessing in the style of ``keras.preprocessing``: ``text`` and ``sequence``."""

from . import sequence, text
from . import image
