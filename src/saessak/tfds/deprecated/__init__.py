"""``tfds.deprecated``: the text encoders of tensorflow_datasets that the seeds still use."""

from . import text

__all__ = ["text"]
