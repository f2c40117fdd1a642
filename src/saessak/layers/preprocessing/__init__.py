"""Preprocessing layers: data transformations that live inside a model."""

from .category_encoding import CategoryEncoding
from .discretization import Discretization
from .hashing import Hashing
from .image_augmentation import (
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
)
from .image_color import RandomBrightness, RandomContrast
from .image_crop import CenterCrop, RandomCrop
from .integer_lookup import IntegerLookup
from .normalization import Normalization
from .string_lookup import StringLookup
from .text_vectorization import TextVectorization
