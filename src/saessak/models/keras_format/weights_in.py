"""Read Keras weight files (HDF5) into a saessak model.

Two layouts exist:

- **tf.keras 2** (``model.save('m.h5')``'s ``model_weights`` group, or ``save_weights('w.h5')``):
  the group's ``layer_names`` attribute lists the layers; each layer's group has a
  ``weight_names`` attribute (``'dense/kernel:0'``, ``'bidirectional/forward_lstm/lstm_cell/
  bias:0'``) and one dataset per name. Layers pair up in order (or by name with
  ``by_name=True``); within a layer, each stored weight goes to the saessak weight whose path
  shares the longest tail of its name (``bn/gamma``, ``query/kernel``) among those of the
  same shape, so a different order of trainable and frozen weights does not matter.
- **Keras 3** (``model.weights.h5`` in a ``.keras`` archive, or ``*.weights.h5``): a tree that
  follows the objects: ``layers/<layer>/vars/0, 1, ...`` for a layer's own weights, in the
  order it created them, and a sub-group named after the attribute that holds each
  sublayer (``cell``, ``forward_layer``, ``query_dense``); saessak's layers use the same
  attribute names.

Every array is checked before any is copied in, so a failed load leaves the model as it
was. Arrays are read straight from the file (no pickle, no code).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

from ...layers.input_layer import InputLayer
from ...layers.layer import snake_case
from .container import read_attr, read_dataset


def decode(name):
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def _top_layers(model):
    return [layer for layer in model.layers if not isinstance(layer, InputLayer)]


# --- tf.keras 2 ---------------------------------------------------------------------------------


def is_tf2_layout(group) -> bool:
    return "layer_names" in group.attrs


def _stored_weights(group, layer_name, where):
    g = group[layer_name]
    names = [decode(n) for n in read_attr(g, "weight_names", where, default=[])]
    return [(n, g[n]) for n in names]


def _tail_match(stored_name, path):
    """How many trailing '/'-separated parts two weight names share."""
    a = stored_name.split(":")[0].split("/")
    b = path.split("/")
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _pair_layer_tf2(layer, stored, where, skip_mismatch):
    """(variable, dataset) pairs for one layer; None when skipped."""
    variables = layer.weights
    if len(stored) != len(variables):
        msg = (f"{where}: layer {layer.name!r} has {len(variables)} weights, the file holds "
               f"{len(stored)} for it ({[n for n, _ in stored]})")
        if skip_mismatch:
            warnings.warn(msg + "; skipped (skip_mismatch=True)", stacklevel=4)
            return None
        raise ValueError(msg)
    free = list(variables)
    pairs = []
    for name, data in stored:
        fits = [v for v in free if tuple(v.shape) == tuple(data.shape)]
        if not fits:
            msg = (f"{where}: weight {name!r} has shape {tuple(data.shape)} in the file, but "
                   f"layer {layer.name!r} has no weight of that shape left "
                   f"({[(v.path, v.shape) for v in free]})")
            if skip_mismatch:
                warnings.warn(msg + "; layer skipped (skip_mismatch=True)", stacklevel=4)
                return None
            raise ValueError(msg)
        best = max(fits, key=lambda v: _tail_match(name, v.path))  # first of the best
        free.remove(best)
        pairs.append((best, data))
    return pairs


def tf2_pairs(model, group, where, by_name=False, skip_mismatch=False):
    """Pair the model's weights with a tf.keras 2 weight group's datasets."""
    file_layers = [decode(n) for n in read_attr(group, "layer_names", where)]
    stored = {n: _stored_weights(group, n, where) for n in file_layers}
    pairs = []
    if by_name:
        ours = {layer.name: layer for layer in _top_layers(model)}
        for name in file_layers:
            if name in ours and (stored[name] or ours[name].weights):
                got = _pair_layer_tf2(ours[name], stored[name], where, skip_mismatch)
                pairs.extend(got or [])
        return pairs
    ours = [layer for layer in _top_layers(model) if layer.weights]
    theirs = [n for n in file_layers if stored[n]]
    if len(ours) != len(theirs):
        raise ValueError(f"{where}: the file holds weights for {len(theirs)} layers "
                         f"({theirs}), the model has {len(ours)} layers with weights "
                         f"({[layer.name for layer in ours]}); is it the same architecture? "
                         "(by_name=True loads the layers whose names match)")
    for layer, name in zip(ours, theirs):
        pairs.extend(_pair_layer_tf2(layer, stored[name], where, skip_mismatch) or [])
    return pairs


# --- Keras 3 ------------------------------------------------------------------------------------


def keras3_class_name(layer) -> str:
    """The class name Keras 3 gives ``layer`` (saessak's functional Model is 'Functional')."""
    name = type(layer).__name__
    if name == "Model" and getattr(layer, "_graph", None) is not None:
        return "Functional"
    return name


def keras3_container_names(layers) -> dict:
    """Keras 3 files a list of layers under names made from their classes, counted in
    order: ``dense``, ``dense_1``, ``conv2d`` ... (not the layers' own names, so renaming a
    layer does not break loading)."""
    counts, names = {}, {}
    for layer in layers:
        base = snake_case(keras3_class_name(layer))
        n = counts.get(base, 0)
        counts[base] = n + 1
        names[id(layer)] = base if n == 0 else f"{base}_{n}"
    return names


def keras3_children(layer) -> list:
    """``(group path, sublayer)`` for each sublayer, as Keras 3 files them: under
    ``layers/<name>`` in a Sequential or functional model; elsewhere under the attribute
    that holds the sublayer (``cell``, ``query_dense``), and for a list or dict attribute
    under ``<attribute>/<name>`` (``blocks/dense``, ``blocks/dense_1``)."""
    children = list(layer._layers)
    if getattr(layer, "_graph", None) is not None or type(layer).__name__ == "Sequential":
        names = keras3_container_names(children)
        return [(f"layers/{names[id(c)]}", c) for c in children]
    ids = {id(c) for c in children}
    out, found = [], set()
    for attr, value in vars(layer).items():
        if id(value) in ids and id(value) not in found:
            out.append((attr, value))
            found.add(id(value))
        elif isinstance(value, (list, tuple, dict)) and not attr.startswith("_"):
            items = list(value.values()) if isinstance(value, dict) else list(value)
            inside = [v for v in items if id(v) in ids and id(v) not in found]
            names = keras3_container_names(inside)
            for child in inside:
                out.append((f"{attr}/{names[id(child)]}", child))
                found.add(id(child))
    return out


def keras3_tree(layer, path=""):
    """``(path, layer)`` for ``layer`` and every sublayer below it, with the group paths
    of a Keras 3 weights file (``""`` for the model, then ``layers/dense``,
    ``layers/bidirectional/forward_layer`` ...), which the archive's ``assets/`` reuses."""
    yield path, layer
    for sub, child in keras3_children(layer):
        yield from keras3_tree(child, f"{path}/{sub}" if path else sub)


def overrides(layer, method) -> bool:
    """Whether ``layer``'s class replaces Layer's ``method`` (a saving hook)."""
    from ...layers.layer import Layer
    return getattr(type(layer), method) is not getattr(Layer, method)


class StoredVariables(Mapping):
    """A layer's ``vars`` group as ``load_own_variables`` reads it: a read-only mapping of
    key to NumPy array, each checked as :func:`.container.read_dataset` checks it."""

    def __init__(self, group, where):
        self._group, self._where = group, where

    def __getitem__(self, key):
        if self._group is None or key not in self._group:
            raise KeyError(f"{self._where}: no variable {key!r} in "
                           f"{self._group.name if self._group is not None else 'this layer'}")
        return read_dataset(self._group[key], self._where, None)

    def __iter__(self):
        return iter(() if self._group is None else list(self._group.keys()))

    def __len__(self):
        return 0 if self._group is None else len(self._group)


def _pairs_k3(layer, group, where, skip_mismatch, out, hooks):
    stored = group.get("vars")
    if overrides(layer, "load_own_variables"):  # the layer reads its own group, later
        hooks.append((layer, StoredVariables(stored, where)))
    else:
        own = layer._own_weights_in_order()
        count = len(stored) if stored is not None else 0
        if count != len(own):
            msg = (f"{where}: layer {layer.name!r} has {len(own)} weights of its own "
                   f"({[w.path for w in own]}), the file holds {count} at {group.name}")
            if skip_mismatch:
                warnings.warn(msg + "; skipped (skip_mismatch=True)", stacklevel=4)
                return
            raise ValueError(msg)
        local = []
        for i, var in enumerate(own):
            data = stored[str(i)]
            if tuple(data.shape) != tuple(var.shape):
                msg = (f"{where}: weight {var.path!r} has shape {tuple(var.shape)}, the "
                       f"file's {group.name}/vars/{i} has {tuple(data.shape)}")
                if skip_mismatch:
                    warnings.warn(msg + "; layer skipped (skip_mismatch=True)", stacklevel=4)
                    return
                raise ValueError(msg)
            local.append((var, data))
        out.extend(local)
    for path, child in keras3_children(layer):
        if not child.weights and not overrides(child, "load_own_variables"):
            continue
        sub = group.get(path)
        if sub is None or not hasattr(sub, "keys"):
            msg = (f"{where}: no weights for {child.name!r} (inside {layer.name!r}) under "
                   f"{group.name}")
            if skip_mismatch:
                warnings.warn(msg + "; skipped (skip_mismatch=True)", stacklevel=4)
                continue
            raise ValueError(msg)
        _pairs_k3(child, sub, where, skip_mismatch, out, hooks)


def keras3_pairs(model, root, where, skip_mismatch=False):
    """Pair the model's weights with a Keras 3 ``model.weights.h5`` tree: ``(pairs,
    hooks)``, where hooks are ``(layer, stored variables)`` for the layers that load their
    own group (``load_own_variables``)."""
    out, hooks = [], []
    _pairs_k3(model, root, where, skip_mismatch, out, hooks)
    return out, hooks


# --- both -----------------------------------------------------------------------------------------


def assign(pairs, where):
    """Read every dataset (checked by :func:`.container.read_dataset`), then copy them in,
    so that a file that fails half-way leaves the model as it was."""
    arrays = [read_dataset(data, where, var.dtype) for var, data in pairs]
    for (var, _), array in zip(pairs, arrays):
        var.data[...] = array


def load_into(model, root, where, by_name=False, skip_mismatch=False):
    """Load an open HDF5 weight group (either layout) into ``model``."""
    if is_tf2_layout(root):  # tf.keras 2 had no saving hooks
        pairs, hooks = tf2_pairs(model, root, where, by_name, skip_mismatch), []
    else:
        if by_name:
            raise ValueError(f"{where}: by_name=True needs a tf.keras 2 weights file "
                             "(save_weights('w.h5')); Keras 3 .weights.h5 files are matched "
                             "by the model's structure")
        pairs, hooks = keras3_pairs(model, root, where, skip_mismatch)
    assign(pairs, where)
    for layer, store in hooks:  # after the checked weights: a hook may fail half-way
        layer.load_own_variables(store)
    return len(pairs) + sum(len(store) for _, store in hooks)
