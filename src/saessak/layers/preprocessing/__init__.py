"""Preprocessing layers: data transformations that live inside a model."""

from .audio import MelSpectrogram, STFTSpectrogram
from .category_encoding import CategoryEncoding
from .discretization import Discretization
from .hashed_crossing import HashedCrossing
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
from .image_mixing import CutMix, MixUp, RandomErasing, RandomGaussianBlur
from .image_random_size import RandomHeight, RandomWidth
from .image_shear import RandomShear
from .image_tone import (
    AutoContrast,
    Equalization,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    Solarization,
)
from .integer_lookup import IntegerLookup
from .normalization import Normalization
from .pipeline import Pipeline
from .string_lookup import StringLookup
from .text_vectorization import TextVectorization
