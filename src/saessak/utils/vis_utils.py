"""``plot_model`` and ``model_to_dot``: a drawing of a model's layers and connections.

As in Keras, the drawing is made by pydot and Graphviz, optional extras
(``pip install pydot`` and Graphviz's ``dot`` program, e.g. ``apt-get install graphviz``).
Importing this module never needs them; calling ``plot_model`` without them raises an
``ImportError`` that says what to install (in a notebook it prints that instead, so a
notebook keeps running, as Keras does).
"""

from __future__ import annotations

import os
import sys
import warnings

_NEED_PYDOT = "You must install pydot (`pip install pydot`) for `plot_model` to work."
_NEED_GRAPHVIZ = ("You must install graphviz (see instructions at "
                  "https://graphviz.gitlab.io/download/) for `plot_model` to work.")


def _pydot():
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def _graphviz_works(pydot) -> bool:
    try:
        pydot.Dot.create(pydot.Dot())  # runs the `dot` program once
    except (OSError, FileNotFoundError, AssertionError):
        return False
    return True


def _in_notebook() -> bool:
    return "IPython.core.magics.namespace" in sys.modules


def _shape_text(shape) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    return "(" + ", ".join("None" if n is None else str(n) for n in shape) + ")"


def _nodes_and_edges(model):
    """(layer, input shape or None, output shape or None) per box, and (from, to) edges
    between layer ids, for Sequential and functional models."""
    graph = getattr(model, "_graph", None)
    if graph is not None:
        boxes, edges = [], []
        for node in graph.nodes:
            boxes.append((node.layer, getattr(node, "input_shape", None),
                          getattr(node, "output_shape", None)))
            for t in node.input_tensors:
                edges.append((id(t._keras_history[0]), id(node.layer)))
        return boxes, edges
    layers = list(getattr(model, "layers", []))
    if not layers or not getattr(model, "built", False):
        raise ValueError(f"plot_model: the model {model.name!r} has no layers to draw yet; "
                         "build it first (call it on data, or give it an input shape)")
    boxes = []
    for layer in layers:
        try:
            shape_in, shape_out = layer.input_shape, layer.output_shape
        except AttributeError:
            shape_in = shape_out = None
        boxes.append((layer, shape_in, shape_out))
    edges = [(id(a), id(b)) for a, b in zip(layers, layers[1:])]
    return boxes, edges


def _check_arguments(function, model, expand_nested, kwargs):
    """Keras arguments that would change the drawing but are not supported here warn
    (``layer_range``, ``expand_nested`` on a model with a nested model); others are a
    ValueError, as in Keras."""
    if kwargs.pop("layer_range", None) is not None:
        warnings.warn(f"{function}: layer_range= is not supported; the whole model is drawn",
                      stacklevel=3)
    if kwargs:
        raise ValueError(f"{function}: unrecognized argument(s) {sorted(kwargs)}")
    if expand_nested and any(getattr(layer, "layers", None) for layer in model.layers):
        warnings.warn(f"{function}: expand_nested=True is not supported; each nested model "
                      "is drawn as one box", stacklevel=3)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, **kwargs):
    """The model as a ``pydot.Dot`` graph: one box per layer, one arrow per connection."""
    _check_arguments("model_to_dot", model, expand_nested, kwargs)
    pydot = _pydot()
    if pydot is None:
        raise ImportError(_NEED_PYDOT)
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"model_to_dot: rankdir must be 'TB' or 'LR', received {rankdir!r}")
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=str(dpi))
    dot.set_node_defaults(shape="record")
    boxes, edges = _nodes_and_edges(model)
    for layer, shape_in, shape_out in boxes:
        name = type(layer).__name__
        label = f"{layer.name} ({name})" if show_layer_names else name
        activation = getattr(layer, "activation", None)
        if show_layer_activations and callable(activation):
            label += f"|activation: {getattr(activation, '__name__', type(activation).__name__)}"
        if show_dtype:
            label += f"|dtype: {layer.dtype}"
        if show_trainable:
            label += f"|trainable: {'Y' if layer.trainable else 'N'}"
        if show_shapes:
            label += (f"|{{input:|output:}}|{{{_shape_text(shape_in) if shape_in else '?'}|"
                      f"{_shape_text(shape_out) if shape_out else '?'}}}")
        # '<' and '>' are reserved in record labels
        label = label.replace("<", "\\<").replace(">", "\\>")
        dot.add_node(pydot.Node(str(id(layer)), label=label))
    for source, target in dict.fromkeys(edges):  # one arrow per pair, in order
        dot.add_edge(pydot.Edge(str(source), str(target)))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draw ``model`` into ``to_file`` (png, svg, pdf, ... by the file's extension)."""
    _check_arguments("plot_model", model, expand_nested, kwargs)
    pydot = _pydot()
    message = _NEED_PYDOT if pydot is None else (
        None if _graphviz_works(pydot) else _NEED_GRAPHVIZ)
    if message is not None:
        if _in_notebook():
            print(message)
            return None
        raise ImportError(message)
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    extension = os.path.splitext(str(to_file))[1][1:] or "png"
    tmp = f"{to_file}.part"
    dot.write(tmp, format=extension)
    os.replace(tmp, to_file)  # no half-written drawing under the real name
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=str(to_file))
    return None


__all__ = ["model_to_dot", "plot_model"]
