"""``keras.preprocessing.timeseries``: ``timeseries_dataset_from_array`` where tf.keras 2
kept it (the same function as ``keras.utils.timeseries_dataset_from_array``; it lives in
``saessak.data.timeseries``)."""

from ..data.timeseries import timeseries_dataset_from_array

__all__ = ["timeseries_dataset_from_array"]
