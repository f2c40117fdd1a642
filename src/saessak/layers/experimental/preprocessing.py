"""tf.keras 2's ``layers.experimental.preprocessing``: aliases of saessak's preprocessing
layers, for programs written before the layers moved to ``keras.layers``."""

from ..preprocessing import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    Hashing,
    IntegerLookup,
    Normalization,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomHeight,
    RandomRotation,
    RandomTranslation,
    RandomWidth,
    RandomZoom,
    Rescaling,
    Resizing,
    StringLookup,
    TextVectorization,
)
from ..preprocessing.data_layer import DataLayer as PreprocessingLayer

__all__ = ["CategoryEncoding", "CenterCrop", "Discretization", "Hashing", "IntegerLookup",
           "Normalization", "PreprocessingLayer", "RandomBrightness", "RandomContrast",
           "RandomCrop", "RandomFlip", "RandomHeight", "RandomRotation", "RandomTranslation",
           "RandomWidth", "RandomZoom",
           "Rescaling", "Resizing", "StringLookup", "TextVectorization"]
