"""Preprocessing layers: data transformations that live inside a model."""

from .image_augmentation import (
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
)
from .text_vectorization import TextVectorization
