"""``hub.KerasLayer``: a whole pre-trained model used as one layer, as ``tensorflow_hub`` does.

::

    from saessak import applications, hub
    base = applications.MobileNetV2(classes=1001, weights="mobilenet_v2_1001.h5")
    model = keras.Sequential([hub.KerasLayer(base, input_shape=(224, 224, 3))])
    model.summary()            # keras_layer (KerasLayer) ... 3,540,265 non-trainable

The handle is a model, the path of a model file (Keras ``.h5``/``.keras`` or saessak's own
format) or an ``http(s)`` URL of such a file (fetched once through ``get_file``). TF-Hub
handles point at TensorFlow SavedModels, which hold TensorFlow graphs that saessak cannot
run; they get an error naming the saessak way to the same model.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from .layers.layer import Layer
from .models.model import Model
from .models.saving import load_model
from .utils.data_utils import get_file

_MODEL_SUFFIXES = (".h5", ".hdf5", ".keras")
_HUB_HOSTS = ("tfhub.dev", "www.kaggle.com", "kaggle.com")


def _savedmodel_error(handle):
    return ValueError(
        f"hub.KerasLayer: {handle!r} is a TF-Hub / TensorFlow SavedModel handle, which saessak "
        "cannot read (it holds a TensorFlow graph). For MobileNetV2 build it here and load "
        "Keras's weights: hub.KerasLayer(applications.MobileNetV2(weights='imagenet')) (or "
        "weights='path/to/weights.h5', classes=1001 for the hub model's background class); "
        "for another model, save it from Keras as .h5 or .keras and pass that file.")


def resolve_handle(handle, custom_objects=None):
    """The model a handle names (see the module docstring)."""
    if isinstance(handle, Model):
        return handle
    if not isinstance(handle, (str, os.PathLike)):
        raise TypeError(f"hub.KerasLayer: handle must be a model, a file path or a URL; "
                        f"received {type(handle).__name__}")
    handle = os.fspath(handle)
    url = urlparse(handle)
    if url.scheme in ("http", "https"):
        if url.netloc in _HUB_HOSTS or not url.path.lower().endswith(_MODEL_SUFFIXES):
            raise _savedmodel_error(handle)
        handle = get_file(os.path.basename(url.path), handle, cache_subdir="models")
    if os.path.isdir(handle):
        raise _savedmodel_error(handle)
    if not os.path.exists(handle):
        raise FileNotFoundError(f"hub.KerasLayer: no model file at {handle!r}")
    return load_model(handle, custom_objects=custom_objects, compile=False)


class KerasLayer(Layer):
    """A pre-trained model as one layer; its weights are frozen unless ``trainable=True``.

    Frozen, it runs in inference mode (batch normalization uses its moving statistics),
    as Keras does for a frozen layer.
    """

    def __init__(self, handle, trainable=False, arguments=None, output_shape=None,
                 custom_objects=None, **kwargs):
        if arguments:
            raise ValueError("hub.KerasLayer: arguments= passes options to a TF-Hub "
                             f"SavedModel's signature; saessak has none, received {arguments!r}")
        super().__init__(trainable=trainable, **kwargs)
        self.handle = handle
        self.model = resolve_handle(handle, custom_objects)
        self.model.trainable = bool(trainable)
        self._output_shape = None if output_shape is None else tuple(output_shape)
        self.built = self.model.built

    def build(self, input_shape):
        if not self.model.built:
            self.model.build(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        # a frozen model always runs in inference mode; a trainable one follows `training`
        return self.model(inputs, training=bool(training) and self.trainable)

    def compute_output_shape(self, input_shape):
        if self._output_shape is not None:
            return (input_shape[0],) + self._output_shape
        return self.model.compute_output_shape(input_shape)

    def get_config(self):
        if not isinstance(self.handle, (str, os.PathLike)):
            raise ValueError("hub.KerasLayer: a layer made from a model object has no "
                             "config; save the model and pass its path as the handle")
        return {**super().get_config(), "handle": os.fspath(self.handle),
                "output_shape": None if self._output_shape is None else list(
                    self._output_shape)}
