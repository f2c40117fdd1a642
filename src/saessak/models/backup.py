"""One file that holds everything a training run needs to go on exactly where it stopped.

``BackupAndRestore`` writes, at the end of an epoch, one archive (:mod:`.archive`, written
atomically) with:

- the model's weights (``weights/*.npy`` and ``weights.json``, as ``save_weights``);
- the optimizer's state (``optimizer/*.npy``: step count, moments) and learning rate;
- ``training_state.json``: the epoch to start from, and the state of every random generator
  that training draws from: saessak's global generator (shuffling), every layer's own
  (``Dropout`` and friends), NumPy's legacy global one and Python's ``random``.

Because it is one file replaced in one rename, a kill at any moment leaves either the
previous backup or the new one, never weights of one epoch with the epoch number of
another; and because every generator is restored, the resumed run draws the same shuffles
and dropout masks, so its final weights are bit-identical to a run never interrupted.
"""

from __future__ import annotations

import json
import random

import numpy as np

from .. import backend
from . import file_schema
from .archive import FORMAT, VERSION, Archive, npy_bytes, write_archive
from .saving import _load_weight_arrays, _weight_entries

KIND = "backup"


def layer_generators(model) -> dict:
    """Every ``np.random.Generator`` held by the model's layers, each listed once, by a key
    made of positions and class names (``0:Dropout/_rng``), which is the same in a fresh
    process although the layers' automatic names may not be."""
    found, seen = {}, set()

    def visit(layer, prefix):
        for attr, value in sorted(vars(layer).items()):
            if isinstance(value, np.random.Generator) and id(value) not in seen:
                seen.add(id(value))
                found[prefix + attr] = value
        for i, sub in enumerate(getattr(layer, "_layers", ())):
            visit(sub, f"{prefix}{i}:{type(sub).__name__}/")

    visit(model, "")
    return found


def _random_state(model):
    """(JSON-able states, arrays) of every generator training draws from."""
    legacy = np.random.get_state()
    py_version, py_state, py_gauss = random.getstate()
    state = {
        "saessak": backend.rng().bit_generator.state,
        "layers": {k: g.bit_generator.state for k, g in layer_generators(model).items()},
        "numpy_legacy": {"name": legacy[0], "pos": int(legacy[2]),
                         "has_gauss": int(legacy[3]), "cached_gaussian": float(legacy[4])},
        "python": {"version": py_version, "state": list(py_state), "gauss": py_gauss},
    }
    return state, {"rng/numpy_legacy_keys.npy": npy_bytes(legacy[1])}


def _restore_random_state(model, state, archive):
    where = archive.where("training_state.json")
    gens = layer_generators(model)
    if set(state["layers"]) != set(gens):
        raise ValueError(f"{where}: the backup holds the random generators of "
                         f"{sorted(state['layers'])}, the model has {sorted(gens)}; is it the "
                         "same architecture?")
    try:
        backend.rng().bit_generator.state = state["saessak"]
        for key, g in gens.items():
            g.bit_generator.state = state["layers"][key]
        legacy = state["numpy_legacy"]
        np.random.set_state((legacy["name"], archive.array("rng/numpy_legacy_keys.npy"),
                             legacy["pos"], legacy["has_gauss"], legacy["cached_gaussian"]))
        py = state["python"]
        random.setstate((py["version"], tuple(py["state"]), py["gauss"]))
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{where}: field 'random' does not hold generator states "
                         f"({type(err).__name__}: {err})") from err


def write_backup(path, model, next_epoch: int) -> None:
    """Weights, optimizer state, ``next_epoch`` and every generator's state: one file."""
    entries = {"metadata.json": json.dumps({"format": FORMAT, "version": VERSION,
                                            "kind": KIND}).encode()}
    weight_entries, table = _weight_entries(model)
    entries.update(weight_entries)
    entries["weights.json"] = json.dumps(table).encode()
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        for key, value in optimizer.get_state().items():
            entries[f"optimizer/{key}.npy"] = npy_bytes(value)
    rng_state, rng_arrays = _random_state(model)
    entries.update(rng_arrays)
    lr = getattr(optimizer, "_learning_rate", None)
    training = {"epoch": int(next_epoch), "random": rng_state,
                "learning_rate": float(lr) if isinstance(lr, (int, float)) else None}
    entries["training_state.json"] = json.dumps(training).encode()
    write_archive(path, entries)


def read_backup(path, model) -> int:
    """Restore everything :func:`write_backup` saved into ``model`` (already compiled and
    built); returns the epoch to start from."""
    archive = Archive(path, kinds=(KIND,))
    where = archive.where("training_state.json")
    training = file_schema.training_state(archive.json("training_state.json"), where)
    _load_weight_arrays(model, archive)
    state = archive.arrays("optimizer/")
    optimizer = getattr(model, "optimizer", None)
    try:
        if state and optimizer is not None:
            optimizer.set_state(state)
        if training.get("learning_rate") is not None:
            optimizer.learning_rate = training["learning_rate"]
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{archive.path}: cannot restore the optimizer: "
                         f"{type(err).__name__}: {err}") from err
    _restore_random_state(model, training["random"], archive)
    return training["epoch"]
