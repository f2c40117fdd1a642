"""tf.keras 2's ``layers.experimental.preprocessing``: aliases of saessak's preprocessing
layers, for programs written before the layers moved to ``keras.layers``."""

from ..preprocessing import (
    CategoryEncoding,
    Discretization,
    Hashing,
    IntegerLookup,
    Normalization,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
    StringLookup,
    TextVectorization,
)
from ..preprocessing.data_layer import DataLayer as PreprocessingLayer

__all__ = ["CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "Normalization",
           "PreprocessingLayer", "RandomFlip", "RandomRotation", "RandomTranslation",
           "RandomZoom", "Rescaling", "Resizing", "StringLookup", "TextVectorization"]
