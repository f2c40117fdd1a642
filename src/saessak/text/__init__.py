"""Text helpers: Korean jamo and morphemes (``korean``) and sentence cleaning (``cleaning``)."""

from . import cleaning, korean
from .cleaning import clean_str
from .generate import generate, sample_next
from .korean import join_jamos, morphs, split_syllables
