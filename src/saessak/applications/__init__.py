"""Pre-built models with Keras's names and weights files: ``keras.applications``."""

from . import imagenet_utils, mobilenet_v2
from .mobilenet_v2 import MobileNetV2
