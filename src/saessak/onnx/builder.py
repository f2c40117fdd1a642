"""A small ONNX graph builder: named values, constants, and one call per operator.

``g.op('MatMul', x, w)`` adds a node and returns its output's name; ``g.const(array)`` adds
an initializer. A builder can also make a subgraph (the body of a ``Scan``), which sees the
outer graph's values by name, as ONNX allows.
"""

from __future__ import annotations

import numpy as np

from . import _onnx


class GraphBuilder:
    def __init__(self, name="saessak", parent=None):
        self.name = name
        self.parent = parent
        self.nodes, self.initializers = [], []
        self.inputs, self.outputs = [], []
        self._counter = parent._counter if parent is not None else {"n": 0}

    def fresh(self, hint="v"):
        self._counter["n"] += 1
        return f"{hint}_{self._counter['n']}"

    def op(self, op_type, *inputs, outputs=1, name=None, **attrs):
        """Add one node; returns its output name (or a list when ``outputs`` > 1)."""
        onnx = _onnx.onnx()
        out = [self.fresh(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(onnx.helper.make_node(op_type, [i or "" for i in inputs], out,
                                                name=name or self.fresh("n"), **attrs))
        return out[0] if outputs == 1 else out

    def const(self, value, dtype=None, hint="c"):
        """A constant as an initializer (in the top graph, visible to every subgraph)."""
        if self.parent is not None:
            return self.parent.const(value, dtype, hint)
        onnx = _onnx.onnx()
        array = np.asarray(value, dtype=dtype)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        name = self.fresh(hint)
        self.initializers.append(onnx.numpy_helper.from_array(array, name))
        return name

    def ints(self, values):
        return self.const(np.asarray(values, dtype=np.int64), hint="i")

    def add_input(self, name, elem_type, shape):
        onnx = _onnx.onnx()
        self.inputs.append(onnx.helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def add_output(self, name, elem_type=None, shape=None):
        onnx = _onnx.onnx()
        elem_type = onnx.TensorProto.FLOAT if elem_type is None else elem_type
        self.outputs.append(onnx.helper.make_tensor_value_info(name, elem_type, shape))

    def graph(self):
        onnx = _onnx.onnx()
        return onnx.helper.make_graph(self.nodes, self.name, self.inputs, self.outputs,
                                      initializer=self.initializers)

    # --- a few composite helpers ----------------------------------------------------------------
    def batch_zeros(self, like, width):
        """Zeros of shape (batch of ``like``, width), float32."""
        shape = self.op("Shape", like)
        batch = self.op("Slice", shape, self.ints([0]), self.ints([1]))
        dims = self.op("Concat", batch, self.ints([width]), axis=0)
        onnx = _onnx.onnx()
        return self.op("ConstantOfShape", dims,
                       value=onnx.helper.make_tensor("zero", onnx.TensorProto.FLOAT, [1], [0.0]))

    def reverse_time(self, x):
        """x[:, ::-1] along axis 1."""
        big = np.iinfo(np.int64).max
        return self.op("Slice", x, self.ints([-1]), self.ints([-big]), self.ints([1]),
                       self.ints([-1]))
