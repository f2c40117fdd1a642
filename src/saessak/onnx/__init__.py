"""Export a saessak model to ONNX (``pip install 'saessak[onnx]'``).

::

    import saessak
    saessak.onnx.export(model, "model.onnx")
    # onnxruntime.InferenceSession("model.onnx").run(None, {"input_1": x})

The model's graph is walked in order and each layer becomes a few ONNX operators (opset 17):
Dense, activations, Conv1D/2D/3D, Conv1D/2DTranspose and DepthwiseConv, pooling,
BatchNormalization (moving statistics), Embedding (with ``mask_zero``), Masking,
SimpleRNN/LSTM/GRU (masks, ``go_backwards``, ``return_state``) and Bidirectional,
LayerNormalization, MultiHeadAttention, merging, Flatten/Reshape, and Dropout/noise (the
identity, as in inference). Masks travel beside the values, as in Keras. A layer without
a converter is an error that names it. The file is written atomically.
"""

from __future__ import annotations

import os

import numpy as np

from ..layers.input_layer import InputLayer, flatten
from ..utils.atomic import atomic_write_bytes, refuse_to_overwrite
from . import _onnx, convert_core, convert_rnn
from .builder import GraphBuilder

OPSET = 17
_CONVERTERS = {
    "Dense": convert_core.dense,
    "Activation": convert_core.activation_layer, "ReLU": convert_core.activation_layer,
    "LeakyReLU": convert_core.activation_layer, "Softmax": convert_core.activation_layer,
    "Dropout": convert_core.identity, "SpatialDropout1D": convert_core.identity,
    "SpatialDropout2D": convert_core.identity, "GaussianDropout": convert_core.identity,
    "GaussianNoise": convert_core.identity, "Identity": convert_core.identity,
    "Conv1D": convert_core.conv, "Conv2D": convert_core.conv, "Conv3D": convert_core.conv,
    "Conv1DTranspose": convert_core.conv_transpose,
    "Conv2DTranspose": convert_core.conv_transpose,
    "DepthwiseConv1D": convert_core.conv, "DepthwiseConv2D": convert_core.conv,
    "SeparableConv1D": convert_core.conv, "SeparableConv2D": convert_core.conv,
    "MaxPooling1D": convert_core.pooling, "MaxPooling2D": convert_core.pooling,
    "AveragePooling1D": convert_core.pooling, "AveragePooling2D": convert_core.pooling,
    "GlobalAveragePooling1D": convert_core.pooling, "GlobalAveragePooling2D": convert_core.pooling,
    "GlobalMaxPooling1D": convert_core.pooling, "GlobalMaxPooling2D": convert_core.pooling,
    "BatchNormalization": convert_core.batch_normalization,
    "LayerNormalization": convert_core.layer_normalization,
    "Embedding": convert_core.embedding, "Masking": convert_core.masking,
    "ZeroPadding2D": convert_core.zero_padding, "Flatten": convert_core.flatten,
    "Reshape": convert_core.reshape,
    "Add": convert_core.merge, "Subtract": convert_core.merge, "Multiply": convert_core.merge,
    "Average": convert_core.merge, "Maximum": convert_core.merge, "Minimum": convert_core.merge,
    "Concatenate": convert_core.merge,
}
_WITH_KWARGS = {"MultiHeadAttention": convert_core.multi_head_attention,
                "Attention": convert_core.dot_attention,
                "SimpleRNN": convert_rnn.rnn, "LSTM": convert_rnn.rnn, "GRU": convert_rnn.rnn,
                "Bidirectional": convert_rnn.bidirectional}


def _elem_type(dtype):
    onnx = _onnx.onnx()
    return onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def _graph_of(model):
    graph = getattr(model, "_graph", None)
    if graph is None:
        raise ValueError(f"ONNX export: model {model.name!r} has no graph of layers (a "
                         "subclassed model, or a Sequential never built); build it with "
                         "an input shape first")
    return graph


def _convert_node(g, node, values, masks):
    layer = node.layer
    kind = type(layer).__name__
    args = [a for a in node.call_args]
    first = args[0] if args else None
    tensors = first if isinstance(first, (list, tuple)) else [first]
    if kind == "MultiHeadAttention":
        value = args[1] if len(args) > 1 else node.call_kwargs.get("value")
        key = args[2] if len(args) > 2 else node.call_kwargs.get("key")
        tensors = [first, value] + ([key] if key is not None else [])
    names = [values[id(t)] for t in tensors]
    in_masks = [masks.get(id(t)) for t in tensors]
    if kind in _WITH_KWARGS:
        outs, mask = _WITH_KWARGS[kind](g, layer, names, in_masks, dict(node.call_kwargs))
    elif kind in _CONVERTERS:
        outs, mask = _CONVERTERS[kind](g, layer, names, in_masks)
    elif kind in ("Model", "Sequential", "Functional"):
        outs, mask = _inline(g, layer, names, in_masks)
    else:
        raise ValueError(f"ONNX export: layer {layer.name!r} ({kind}) has no ONNX converter")
    for t, name in zip(flatten(node.outputs), outs):
        values[id(t)] = name
        if mask is not None:
            masks[id(t)] = mask


def _inline(g, model, names, in_masks):
    """A nested model's layers, written into the outer graph."""
    graph = _graph_of(model)
    values, masks = {}, {}
    for t, name, m in zip(graph.inputs, names, in_masks):
        values[id(t)] = name
        if m is not None:
            masks[id(t)] = m
    for node in graph.nodes:
        if not node.is_input:
            _convert_node(g, node, values, masks)
    outs = graph.output_list
    return [values[id(t)] for t in outs], masks.get(id(outs[0]))


def to_model_proto(model):
    """The ``onnx.ModelProto`` of ``model`` (see the module docstring)."""
    onnx = _onnx.onnx()
    if not model.built:
        raise ValueError(f"ONNX export: model {model.name!r} is not built yet")
    graph = _graph_of(model)
    g = GraphBuilder(model.name)
    values, masks = {}, {}
    for i, t in enumerate(graph.inputs):
        name = t.name or f"input_{i}"
        shape = ["batch"] + [n if n is not None else f"d{i}_{j}"
                             for j, n in enumerate(t.shape[1:], 1)]
        values[id(t)] = g.add_input(name, _elem_type(t.dtype), shape)
    for node in graph.nodes:
        if node.is_input or isinstance(node.layer, InputLayer):
            continue
        _convert_node(g, node, values, masks)
    for i, t in enumerate(graph.output_list):
        out_name = f"output_{i}" if len(graph.output_list) > 1 else "output"
        g.nodes.append(onnx.helper.make_node("Identity", [values[id(t)]], [out_name]))
        g.add_output(out_name, _elem_type("float32"),
                     ["batch"] + [n if n is not None else f"o{i}_{j}"
                                  for j, n in enumerate(t.shape[1:], 1)])
    proto = onnx.helper.make_model(g.graph(), producer_name="saessak",
                                   opset_imports=[onnx.helper.make_opsetid("", OPSET)])
    proto.ir_version = min(proto.ir_version, 8)  # readable by onnxruntime >= 1.14
    onnx.checker.check_model(proto)
    return proto


def export(model, path, overwrite=True):
    """Write ``model`` as an ONNX file at ``path``; returns the path."""
    path = os.fspath(path)
    refuse_to_overwrite(path, overwrite)
    proto = to_model_proto(model)
    atomic_write_bytes(path, proto.SerializeToString())
    return path
