"""``saessak.callbacks``: the Keras callbacks (defined in the package
:mod:`saessak.training.callbacks`, one module per callback)."""

from .training.callbacks import *  # noqa: F403
from .training.callbacks import __all__  # noqa: F401 - the same public names
