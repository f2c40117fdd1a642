"""The graph of a functional model: the nodes between its inputs and its outputs.

``Model(inputs, outputs)`` hands its tensors to :class:`Graph`, which walks back from the
outputs through the recorded nodes (see ``saessak.layers.input_layer``) until it reaches the
inputs, and puts the nodes in an order where every node comes after the nodes it reads
from. Running the model replays the nodes in that order on real data.
"""

from __future__ import annotations

import contextvars

from ..layers.input_layer import Input, InputLayer, KerasTensor, flatten

# The layer a graph node is calling now and the shapes of the symbolic inputs that node was
# recorded with. A nested model checks its data only on the axes those shapes fixed, as in
# TensorFlow's graphs: a model built for (None, 32, 32, 3) that was wired after a
# RandomWidth (None, 32, None, 3) takes any width there (see Model._input_list).
_node_call = contextvars.ContextVar("saessak_node_call", default=None)


def traced_shapes(layer):
    """The recorded input shapes of the node now calling ``layer`` (a list in input order,
    or a dict by input name), or None when ``layer`` is not called by a graph node."""
    current = _node_call.get()
    return current[1] if current is not None and current[0] is layer else None


class Graph:
    """The nodes that compute ``outputs`` from ``inputs``, in an order that can run."""

    def __init__(self, inputs, outputs):
        _as_tensor_list(inputs, "inputs")
        _as_tensor_list(outputs, "outputs")
        inputs, outputs = start_at(inputs, outputs)
        self.inputs = flatten(inputs)
        self.outputs = outputs
        self.output_list = flatten(outputs)
        if len({id(t) for t in self.inputs}) != len(self.inputs):
            raise ValueError("Model: the same Input appears twice in inputs")
        self.nodes = self._order_nodes()
        self.layers = self._order_layers()
        names = [layer.name for layer in self.layers]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"Model: layer names must be unique within a model; "
                             f"{twice} appear more than once")

    # --- topology ------------------------------------------------------------------------------
    def _order_nodes(self):
        """The nodes that lead to the outputs, each after its parents (depth-first)."""
        input_ids = {id(t) for t in self.inputs}
        order, done, visiting = [], set(), set()
        for out in self.output_list:
            stack = [(out.node, False)]
            while stack:
                node, expanded = stack.pop()
                if id(node) in done:
                    continue
                if expanded:
                    visiting.discard(id(node))
                    done.add(id(node))
                    order.append(node)
                    continue
                visiting.add(id(node))
                stack.append((node, True))
                if node.is_input:
                    tensor = node.output_tensors[0]
                    if id(tensor) not in input_ids:
                        reached = [n.layer.name for n in order]
                        raise ValueError(
                            f"Graph disconnected: the outputs need the value of input "
                            f"{tensor.name!r}, which is not among the model's inputs "
                            f"{[t.name for t in self.inputs]}. Layers reached without "
                            f"trouble: {reached}")
                for parent in reversed(node.parent_nodes):
                    if id(parent) not in done:
                        stack.append((parent, False))
        # inputs that no output needs still belong to the model
        for t in self.inputs:
            if id(t.node) not in done:
                order.insert(0, t.node)
                done.add(id(t.node))
        return order

    def _order_layers(self):
        """Layers as Keras lists them: by depth from the inputs (inputs first), ties broken
        by the order in which a walk back from the outputs first meets them."""
        depth = {}
        for node in reversed(self.nodes):  # consumers before producers
            d = depth.setdefault(id(node), 0)
            for parent in node.parent_nodes:
                depth[id(parent)] = max(depth.get(id(parent), 0), d + 1)
        for t in self.inputs:  # an unused input sits as deep as the deepest node
            depth[id(t.node)] = max(depth.values(), default=0)
        layer_depth, first_seen = {}, {}
        for i, node in enumerate(self.nodes):
            key = id(node.layer)
            layer_depth[key] = max(layer_depth.get(key, 0), depth[id(node)])
            first_seen.setdefault(key, (i, node.layer))
        layers = [layer for _, layer in sorted(first_seen.values(), key=lambda p: p[0])]
        # keep input layers in the order the model's inputs were given
        rank = {id(t.node.layer): i for i, t in enumerate(self.inputs)}
        return sorted(layers, key=lambda layer: (-layer_depth[id(layer)],
                                                 rank.get(id(layer), -1),
                                                 first_seen[id(layer)][0]))

    @property
    def nodes_by_depth(self):
        depth = {}
        for node in reversed(self.nodes):
            d = depth.setdefault(id(node), 0)
            for parent in node.parent_nodes:
                depth[id(parent)] = max(depth.get(id(parent), 0), d + 1)
        out: dict[int, list] = {}
        for node in self.nodes:
            out.setdefault(depth[id(node)], []).append(node)
        return out

    # --- running ------------------------------------------------------------------------------
    def run(self, input_values):
        """Replay every node on real values; ``input_values`` lines up with ``inputs``."""
        values = {id(t): v for t, v in zip(self.inputs, input_values)}

        def value_of(x):
            if isinstance(x, KerasTensor):
                return values[id(x)]
            if isinstance(x, list):
                return [value_of(v) for v in x]
            if isinstance(x, tuple):
                return tuple(value_of(v) for v in x)
            if isinstance(x, dict):
                return {k: value_of(v) for k, v in x.items()}
            return x

        for node in self.nodes:
            if node.is_input:
                continue
            args = [value_of(a) for a in node.call_args]
            kwargs = {k: value_of(v) for k, v in node.call_kwargs.items()} \
                if node.call_kwargs else {}
            token = _node_call.set((node.layer, _shapes_of(node.call_args[0])
                                    if node.call_args else None))
            try:
                out = node.layer(*args, **kwargs)
            finally:
                _node_call.reset(token)
            outs = node.output_tensors
            if len(outs) == 1 and not isinstance(out, (list, tuple)):
                values[id(outs[0])] = out
            else:
                for t, v in zip(outs, flatten(out)):
                    values[id(t)] = v
        return _restructure(self.outputs, values)

    @property
    def input_layers(self):
        return [t.node.layer for t in self.inputs]


def start_at(inputs, outputs):
    """Keras 3 lets a model start from any symbolic tensor, not only from an ``Input``
    (``Model(feature_space.get_encoded_features(), outputs)``). Each such tensor gets an
    ``Input`` of its own shape and dtype, and the calls between it and the outputs are made
    again on the new tensors (as a shared layer is called twice), leaving the graph they came
    from as it was. Returns the inputs and outputs to build the model from."""
    starts = [t for t in flatten(inputs) if not t.node.is_input]
    if not starts:
        return inputs, outputs
    new = {id(t): Input(batch_shape=tuple(t.shape), dtype=t.dtype, name=f"{t.name}CLONE")
           for t in starts}
    cut = set(new)

    def swap(x):
        if isinstance(x, KerasTensor):
            return new.get(id(x), x)
        if isinstance(x, (list, tuple)):
            return type(x)(swap(v) for v in x)
        if isinstance(x, dict):
            return {k: swap(v) for k, v in x.items()}
        return x

    for node in _nodes_after(flatten(outputs), cut):
        out = node.layer(*swap(list(node.call_args)), **swap(node.call_kwargs))
        for old, made in zip(node.output_tensors, flatten(out)):
            new[id(old)] = made
    return swap(inputs), swap(outputs)


def _nodes_after(outputs, cut):
    """The nodes that compute ``outputs`` from the tensors in ``cut`` (ids) and the Inputs,
    each after the nodes it reads from."""
    order, seen = [], set()
    stack = [(t.node, False) for t in reversed(outputs) if id(t) not in cut]
    while stack:  # depth first, without recursion (graphs may be deep)
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen and not node.is_input:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((t.node, False) for t in reversed(node.input_tensors)
                         if id(t) not in cut and id(t.node) not in seen)
    return order


def _as_tensor_list(structure, what):
    tensors = flatten(structure)
    for t in tensors:
        if not isinstance(t, KerasTensor):
            raise TypeError(f"Model {what} must be symbolic tensors (from Input and calls of "
                            f"layers on it); received {type(t).__name__}")
    return tensors


def _restructure(structure, values):
    if isinstance(structure, KerasTensor):
        return values[id(structure)]
    if isinstance(structure, dict):
        return {k: _restructure(v, values) for k, v in structure.items()}
    return type(structure)(_restructure(v, values) for v in structure)


def is_input_layer(layer) -> bool:
    return isinstance(layer, InputLayer)


def _shapes_of(arg):
    if isinstance(arg, KerasTensor):
        return [arg.shape]
    if isinstance(arg, dict):
        return {k: v.shape for k, v in arg.items() if isinstance(v, KerasTensor)}
    if isinstance(arg, (list, tuple)) and all(isinstance(v, KerasTensor) for v in arg):
        return [v.shape for v in arg]
    return None
