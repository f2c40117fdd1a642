"""``saessak.saved_model``: TensorFlow's ``tf.saved_model.save/load`` names, mapped onto
saessak's own model format.

**This is not TensorFlow's SavedModel format.** A TensorFlow SavedModel folder holds a
protobuf graph (``saved_model.pb``) and variable checkpoints that only TensorFlow can run;
saessak has no TensorFlow graphs. Here ``save(model, export_dir)`` makes the folder and
writes the model into it as one archive in saessak's own format (architecture, weights,
compile settings, checksummed), and ``load(export_dir)`` reads it back as a saessak model, so a
program that calls the two functions runs unchanged. A folder written by TensorFlow cannot
be loaded (a clear error says so), and the folder cannot be served by TF Serving.
"""

from __future__ import annotations

import os
import warnings

from .models import load_model

#: the file inside an export folder that holds the model
MODEL_FILE = "saessak_model.keras"
_NOTE_FILE = "README.txt"
_NOTE = ("This folder was written by saessak.saved_model.save. It is NOT a TensorFlow "
         "SavedModel: it holds one saessak model archive, " + MODEL_FILE + ", which "
         "saessak.saved_model.load (or saessak.models.load_model on the file) reads back.\n")


def _warn() -> None:
    # Python's default filter shows it once per calling line
    warnings.warn("saessak.saved_model writes and reads saessak's own model format in "
                  "the folder, not TensorFlow's SavedModel (no saved_model.pb); "
                  "TensorFlow cannot load it", UserWarning, stacklevel=3)


def save(obj, export_dir, signatures=None, options=None) -> None:
    """Save a built saessak model into the folder ``export_dir`` (made if missing)."""
    if not hasattr(obj, "save") or not hasattr(obj, "get_config"):
        raise TypeError(f"saved_model.save: expected a saessak model, received "
                        f"{type(obj).__name__}; only Keras-style models can be saved")
    _warn()
    export_dir = os.fspath(export_dir)
    if os.path.isfile(export_dir):
        raise ValueError(f"saved_model.save: export_dir {export_dir!r} is a file; a "
                         "SavedModel goes into a folder")
    os.makedirs(export_dir, exist_ok=True)
    # saessak's own archive whatever the name (it needs only NumPy); written atomically
    obj.save(os.path.join(export_dir, MODEL_FILE), save_format="saessak")
    with open(os.path.join(export_dir, _NOTE_FILE), "w", encoding="utf-8") as f:
        f.write(_NOTE)


def contains_saved_model(export_dir) -> bool:
    """True when ``export_dir`` holds a model written by ``save``."""
    return os.path.isfile(os.path.join(os.fspath(export_dir), MODEL_FILE))


def load(export_dir, tags=None, options=None, custom_objects=None, compile=True):
    """Load the model that ``save`` wrote into ``export_dir``."""
    _warn()
    export_dir = os.fspath(export_dir)
    path = os.path.join(export_dir, MODEL_FILE)
    if not os.path.isfile(path):
        if os.path.isfile(os.path.join(export_dir, "saved_model.pb")):
            raise ValueError(f"saved_model.load: {export_dir!r} is a TensorFlow SavedModel "
                             "(saved_model.pb); saessak cannot run TensorFlow graphs. Save "
                             "the Keras model as .keras (or its weights) and load that")
        raise FileNotFoundError(f"saved_model.load: no {MODEL_FILE} in {export_dir!r}; "
                                "expected a folder written by saessak.saved_model.save")
    return load_model(path, custom_objects=custom_objects, compile=compile)


__all__ = ["MODEL_FILE", "contains_saved_model", "load", "save"]
