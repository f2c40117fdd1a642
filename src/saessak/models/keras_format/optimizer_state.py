"""The optimizer's state (step count, moments) in Keras's layout, so training resumes.

Keras keeps an optimizer's variables in one flat list, saved in that order:

- Keras 3 (``optimizer/vars/0, 1, ...`` in ``model.weights.h5``): ``iteration``, then
  ``learning_rate`` (absent when the rate is a schedule), then the slots, then any scalar
  the rule keeps (Nadam's ``u_product``);
- tf.keras 2 (``optimizer_weights`` in an ``.h5`` model file): ``iteration``, then the slots.

The slots come in *groups*: within a group Keras makes each weight's slots together (Adam:
``m0 v0 m1 v1 ...``); the groups follow one another (Adam's ``amsgrad`` adds ``vhat0
vhat1 ...`` after them; RMSprop makes all velocities, then all momenta). The weights are
taken in the order of ``model.trainable_weights``. saessak's optimizers name their slots as
Keras does, so only the grouping is written down here.
"""

from __future__ import annotations

import warnings

import numpy as np

from ...optimizers import schedules

# optimizers whose slots Keras does not make weight by weight: the groups, in order
_SLOT_GROUPS = {"RMSprop": (("velocity",), ("momentum",), ("average_gradient",)),
                "Adam": (("momentum", "velocity"), ("velocity_hat",)),
                "AdamW": (("momentum", "velocity"), ("velocity_hat",))}


def _groups(optimizer):
    names = tuple(optimizer.slot_names)
    groups = _SLOT_GROUPS.get(type(optimizer).__name__, (names,))
    groups = [tuple(n for n in g if n in names) for g in groups]
    return [g for g in groups if g]


def _has_rate_variable(optimizer) -> bool:
    return not isinstance(optimizer._learning_rate, schedules.LearningRateSchedule)


def _slot_keys(optimizer, model):
    """``(slot name, trainable-weight index)`` in Keras's order."""
    count = len(model.trainable_weights)
    return [(name, i) for group in _groups(optimizer) for i in range(count) for name in group]


def _by_weight(optimizer, model) -> dict:
    """saessak keeps slots in the order the optimizer first met the weights; Keras's order is
    ``model.trainable_weights``. ``(slot, trainable index)`` -> array, for the weights the
    optimizer has met."""
    state = optimizer.get_state()
    seen = {id(v): i for i, v in enumerate(optimizer._variables)}
    out = {}
    for i, w in enumerate(model.trainable_weights):
        j = seen.get(id(w))
        if j is not None:
            for name in optimizer.slot_names:
                out[(name, i)] = state[f"{name}_{j}"]
    return out


def optimizer_arrays(model, keras3=True) -> list[tuple[str, np.ndarray]]:
    """``(name, array)`` for every variable of ``model.optimizer``, in Keras's order; weights
    the optimizer has not met yet get zero slots (Keras would make them so)."""
    optimizer = model.optimizer
    state = optimizer.get_state()
    out = [("iteration", np.asarray(state["iterations"], dtype=np.int64))]
    if keras3 and _has_rate_variable(optimizer):
        # float64: the rate exactly as saessak uses it (Keras casts it to its float32)
        out.append(("learning_rate", np.asarray(optimizer.learning_rate, dtype=np.float64)))
    slots = _by_weight(optimizer, model)
    weights = model.trainable_weights
    for name, i in _slot_keys(optimizer, model):
        value = slots.get((name, i))
        if value is None:
            value = np.zeros(weights[i].shape, dtype=weights[i].dtype)
        out.append((f"{name}/{weights[i].path}", np.asarray(value)))
    if keras3:
        extra = {k: v for k, v in state.items()
                 if k != "iterations" and k.rpartition("_")[0] not in optimizer.slot_names}
        out.extend((k, np.asarray(v)) for k, v in sorted(extra.items()))
    return out


def restore(model, arrays, where, keras3=True) -> bool:
    """Put the arrays a Keras file holds for the optimizer into ``model.optimizer`` (already
    compiled from the file). A count that does not fit this optimizer leaves it fresh, with a
    warning, as Keras does."""
    optimizer = model.optimizer
    keys = _slot_keys(optimizer, model)
    extra = sorted(k for k in optimizer._extra_state()) if keras3 else []
    rate = keras3 and _has_rate_variable(optimizer)
    expected = 1 + int(rate) + len(keys) + len(extra)
    if len(arrays) == 1 + int(rate) and keys:
        keys, extra = [], []  # saved before the first step: no slots yet, as in Keras
    elif len(arrays) != expected:
        warnings.warn(f"{where}: the optimizer state was not restored: the file holds "
                      f"{len(arrays)} optimizer variables, {type(optimizer).__name__} over "
                      f"this model's {len(model.trainable_weights)} trainable weights has "
                      f"{expected}; training starts with a fresh optimizer", stacklevel=3)
        return False
    arrays = list(arrays)  # HDF5 datasets: each shape is checked before it is read
    state = {"iterations": _scalar(arrays.pop(0), "iteration", where).astype(np.int64)}
    if rate:
        optimizer.learning_rate = float(_scalar(arrays.pop(0), "learning_rate", where))
    weights = model.trainable_weights
    for (name, i), value in zip(keys, arrays):
        if tuple(value.shape) != tuple(weights[i].shape):
            raise ValueError(f"{where}: the optimizer's {name} for {weights[i].path!r} has "
                             f"shape {tuple(value.shape)}, the weight has "
                             f"{tuple(weights[i].shape)}")
        state[f"{name}_{i}"] = np.asarray(value[()], dtype=weights[i].dtype)
    for key, value in zip(extra, arrays[len(keys):]):
        state[key] = _scalar(value, key, where)
    if not keras3 and type(optimizer).__name__ == "Nadam":
        state["u_product"] = _nadam_u_product(optimizer, int(state["iterations"]))
    optimizer.set_state(state)
    return True


def _scalar(value, name, where):
    if tuple(value.shape) != ():
        raise ValueError(f"{where}: the optimizer's {name} must be a scalar, the file holds "
                         f"shape {tuple(value.shape)}")
    return np.asarray(value[()])


def _nadam_u_product(optimizer, iterations):
    """tf.keras 2 keeps Nadam's running product of the momentum schedule outside its
    variables; it follows from the step count (the products in saessak's order)."""
    product = 1.0
    for t in range(1, iterations + 1):
        product *= optimizer.beta_1 * (1 - 0.5 * 0.96**t)
    return np.array(product)
