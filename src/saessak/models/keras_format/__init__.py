"""Keras's own file formats, read and written with h5py (``pip install saessak[h5]``).

- ``.h5``: tf.keras 2's HDF5 model file (``model_config`` + ``model_weights``) or weights file;
- ``.keras``: Keras 3's zip archive (``config.json`` + ``model.weights.h5`` + ``metadata.json``);
- ``.weights.h5``: Keras 3's weights-only file.

``saessak.models.saving`` sends these here (``load_model``, ``load_weights``, ``save``); the
files contain only JSON and arrays, so nothing in them is ever executed or unpickled.
"""

from .files import (
    is_hdf5,
    is_keras3_archive,
    is_keras_file,
    load_keras_model,
    load_keras_weights,
    save_keras_model,
    save_keras_weights,
    wants_keras_format,
    wants_keras_weights,
)
