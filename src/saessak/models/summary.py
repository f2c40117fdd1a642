"""``model.summary()``: the table of layers, output shapes and parameter counts.

The layout is tf.keras 2's, the one the seeds print::

    Model: "sequential"
    _________________________________________________________________
    Layer (type)                 Output Shape              Param #
    =================================================================
    dense (Dense)                (None, 8)                 40
    _________________________________________________________________
    dense_1 (Dense)              (None, 1)                 9
    =================================================================
    Total params: 49
    Trainable params: 49
    Non-trainable params: 0
    _________________________________________________________________

A model whose graph is a plain chain gets three columns, 65 characters wide; any other
graph gets a fourth column, "Connected to", and 98 characters. ``show_trainable`` adds a
"Trainable" column (Y/N), 11 characters; ``layer_range`` prints only the rows from one layer
to another (the totals still count the whole model).
"""

from __future__ import annotations

import re
import warnings

from ..layers.input_layer import InputLayer


def _row(fields, positions) -> str:
    """Each field starts where the previous column ends (after at least one space) and is
    cut or padded to end at its column's position."""
    line = ""
    for i, (field, end) in enumerate(zip(fields, positions)):
        if i > 0:
            line = line[:-1] + " "
        line = (line + str(field))[:end]
        line += " " * (end - len(line))
    return line


def _model_nodes(model):
    graph = getattr(model, "_graph", None)
    return [] if graph is None else list(graph.nodes)


def _is_chain(model, nodes) -> bool:
    """True for Sequential, subclassed models, and graphs with one node per depth, each
    reading at most one tensor, and no layer used twice."""
    if type(model).__name__ == "Sequential" or getattr(model, "_graph", None) is None:
        return True
    for depth_nodes in model._graph.nodes_by_depth.values():
        if len(depth_nodes) > 1 or len(depth_nodes[0].input_tensors) > 1:
            return False
    layers = [n.layer for n in nodes]
    return len({id(layer) for layer in layers}) == len(layers)


def _format_shape(shape) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_format_shape(s) for s in shape) + "]"
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _output_shape(layer, nodes) -> str:
    own = [n for n in nodes if n.layer is layer]
    shapes = [n.output_shape for n in own]
    if not shapes or any(s != shapes[0] for s in shapes[1:]):
        return "multiple"
    shape = shapes[0]
    if isinstance(layer, InputLayer):  # tf.keras 2 prints an input's shape as a list
        return _format_shape([shape[0]] if isinstance(shape, list) else [shape])
    return _format_shape(shape)


def _connections(layer, nodes) -> list:
    node_ids = {id(n) for n in nodes}
    out = []
    for node in layer._inbound_nodes:
        if id(node) not in node_ids:
            continue
        for t in node.input_tensors:
            source, node_index, tensor_index = t._keras_history
            out.append(f"{source.name}[{node_index}][{tensor_index}]")
    return out


def _class_name(layer) -> str:
    if type(layer).__name__ == "Model" and getattr(layer, "_graph", None) is not None:
        return "Functional"
    return type(layer).__name__


def _count(weights) -> int:
    seen, total = set(), 0
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            total += int(w.size)
    return total


def _layer_bounds(layers, layer_range):
    """``[first, last + 1]``: the rows ``layer_range = (start, end)`` asks for, as Keras
    reads it: each is a regular expression matched at the start of a layer's name, the rows
    run from the first layer that matches ``start`` to the last that matches ``end``
    (either way round)."""
    if layer_range is None:
        return 0, len(layers)
    if not isinstance(layer_range, (list, tuple)) or len(layer_range) != 2:
        raise ValueError("summary: layer_range must be a list or tuple of 2 layer names (or "
                         f"patterns); received {layer_range!r}")
    if not all(isinstance(name, str) for name in layer_range):
        raise ValueError(f"summary: layer_range must hold strings; received {layer_range!r}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"summary: layer_range {list(layer_range)} does not match the names of "
                         f"the layers of this model: {[layer.name for layer in layers]}")
    if min(lower) > max(upper):  # given end first
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested=False, show_trainable=False, layer_range=None):
    if not model.built:
        raise ValueError(
            f"summary: model {model.name!r} has not been built yet, so its weights and "
            "shapes are unknown. Give the first layer an input_shape (or start with Input), "
            "call model.build(input_shape), or call the model on a batch of data first")
    print_fn = print_fn or print
    nodes = _model_nodes(model)
    chain = _is_chain(model, nodes)
    if chain:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions = [*positions, line_length]
        headers.append("Trainable")

    first, last = _layer_bounds(model.layers, layer_range)
    layers = model.layers[first:last]
    if expand_nested and any(getattr(layer, "layers", None) for layer in layers):
        warnings.warn("summary: expand_nested=True is not supported; each nested model is "
                      "printed as one row", stacklevel=3)
    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(_row(headers, positions))
    print_fn("=" * line_length)
    for i, layer in enumerate(layers):
        params = layer.count_params() if layer.built else 0
        fields = [f"{layer.name} ({_class_name(layer)})", _output_shape(layer, nodes), params]
        flag = ["Y" if layer.trainable else "N"] if show_trainable else []
        if chain:
            print_fn(_row(fields + flag, positions))
        else:
            connections = _connections(layer, nodes)
            print_fn(_row(fields + [connections[0] if connections else ""] + flag,
                          positions))
            for extra in connections[1:]:
                print_fn(_row(["", "", "", extra], positions))
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    if not layers:
        print_fn("=" * line_length)
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    print_fn(f"Total params: {total:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {total - trainable:,}")
    print_fn("_" * line_length)
