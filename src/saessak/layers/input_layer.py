"""Symbolic tensors, ``Input`` and the nodes of the functional API.

``x = Input(shape=(10,))`` makes no data: it makes a ``KerasTensor``, a placeholder that only
knows its shape ``(None, 10)`` (None: the batch size, unknown until data arrives) and its
dtype. Calling a layer on placeholders does not compute anything either. The layer builds its
weights from the shapes, works out its output shape with ``compute_output_shape``, and
records a ``Node``: "this layer was called on these placeholders and produced those". A
functional ``Model(inputs, outputs)`` later walks the nodes from its inputs to its outputs,
calling each layer on real data in turn.
"""

from __future__ import annotations

import numpy as np

from .. import backend, ops
from ..autograd import Tensor, no_grad
from ..ops import symbolic as _symbolic_ops
from .call_arguments import map_structure
from .input_spec import assert_input_compatibility
from .layer import Layer, learning_phase, unique_name
from .op_layer import OpLayer, function_name

# --- symbolic tensors --------------------------------------------------------------------------


class KerasTensor:
    """A placeholder for the data that will flow along one edge of a functional model.

    >>> x = Input(shape=(20, 8))
    >>> x.shape
    (None, 20, 8)
    """

    def __init__(self, shape, dtype=None, name=None, sparse=False):
        self.shape = tuple(None if n is None else int(n) for n in shape)
        # Keras's dtype="string" (and text data) are NumPy object arrays here
        dtype = np.dtype("object" if dtype == "string" else dtype or backend.floatx())
        self.dtype = "object" if dtype.kind in "USO" else dtype.name
        self.name = name
        self.sparse = bool(sparse)
        # (layer, node index, output index): which call made this tensor
        self._keras_history = None
        # the mask the data here will carry, as a boolean KerasTensor (Keras's symbolic
        # tensors report it too); None where there is none
        self._keras_mask = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def node(self) -> Node:
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self):
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, "
                f"name={self.name}>")

    def __len__(self):
        raise TypeError("a symbolic KerasTensor has no length; its batch size is unknown "
                        f"until data arrives (shape {self.shape})")

    def __bool__(self):
        raise TypeError("a symbolic KerasTensor has no truth value: it holds no data yet")

    # Arithmetic on placeholders records an op layer, so ``x + y`` and ``x[:, 0]`` work in
    # functional models as they do in Keras.
    def __add__(self, other):
        return _operator(ops.add, self, other)

    def __radd__(self, other):
        return _operator(ops.add, other, self)

    def __sub__(self, other):
        return _operator(ops.subtract, self, other)

    def __rsub__(self, other):
        return _operator(ops.subtract, other, self)

    def __mul__(self, other):
        return _operator(ops.multiply, self, other)

    def __rmul__(self, other):
        return _operator(ops.multiply, other, self)

    def __truediv__(self, other):
        return _operator(ops.divide, self, other)

    def __matmul__(self, other):
        return _operator(ops.matmul, self, other)

    def __neg__(self):
        return _operator(ops.negative, self)

    def __getitem__(self, index):
        return _operator(ops.get_item, self, index)


def is_symbolic(inputs) -> bool:
    """True when ``inputs`` (a tensor, or a list/tuple/dict of them) holds a KerasTensor."""
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, (list, tuple)):
        return any(is_symbolic(x) for x in inputs)
    if isinstance(inputs, dict):
        return any(is_symbolic(x) for x in inputs.values())
    return False


def flatten(structure) -> list:
    """The leaves of nested lists, tuples and dicts, in order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    return [structure]


def is_shape(value) -> bool:
    """``(None, 10)`` is a shape; ``[(None, 10), (None, 3)]`` is a list of shapes."""
    return isinstance(value, (tuple, list)) and all(
        n is None or isinstance(n, (int, np.integer)) for n in value)


def map_shapes(fn, shapes):
    """Apply ``fn`` to every shape in a (possibly nested) structure of shapes."""
    if is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: map_shapes(fn, v) for k, v in shapes.items()}
    return type(shapes)(map_shapes(fn, s) for s in shapes)


# --- nodes ---------------------------------------------------------------------------------------


class Node:
    """One call of a layer on symbolic tensors: the arguments it got and what it returned.

    ``call_args`` and ``call_kwargs`` keep the call as written (with KerasTensors where data
    will go), so a model can replay it on real values.
    """

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=()):
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        everything = flatten(list(self.call_args)) + flatten(self.call_kwargs)
        self.input_tensors = [t for t in everything if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in flatten(outputs) if isinstance(t, KerasTensor)]
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._keras_history = (layer, self.index, i)
        for t in self.input_tensors:
            t._keras_history[0]._outbound_nodes.append(self)

    @property
    def inputs(self):
        """The first argument of the call: the layer's input tensor(s)."""
        return self.call_args[0] if self.call_args else []

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    @property
    def parent_nodes(self) -> list:
        return [t.node for t in self.input_tensors]

    @property
    def input_shape(self):
        return map_structure(lambda t: t.shape, self.inputs) if self.call_args else None

    @property
    def output_shape(self):
        return map_structure(lambda t: t.shape, self.outputs)


# --- Input and InputLayer ------------------------------------------------------------------------


def _check_wrapped(tensor, input_shape, batch_size, batch_shape, dtype):
    """``InputLayer(input_tensor=...)`` takes the tensor's shape and dtype; any also given
    must agree with them (Keras refuses a mismatch too)."""
    if not isinstance(tensor, KerasTensor):
        raise ValueError(f"InputLayer: input_tensor must be a KerasTensor (made by Input or by "
                         f"calling a layer on one), received {type(tensor).__name__}")
    shape = None if input_shape is None else (
        (input_shape,) if isinstance(input_shape, int) else tuple(input_shape))
    given = [("shape", shape, tensor.shape[1:]),
             ("batch_size", batch_size, tensor.shape[0]),
             ("batch_shape", None if batch_shape is None else tuple(batch_shape), tensor.shape),
             ("dtype", None if dtype is None else KerasTensor((), dtype).dtype, tensor.dtype)]
    for argument, value, wrapped in given:
        if value is not None and value != wrapped:
            raise ValueError(f"InputLayer: {argument}={value!r} does not match the input_tensor "
                             f"it wraps, which has {wrapped!r}")


class InputLayer(Layer):
    """The layer behind ``Input``: it has no weights and makes the model's input placeholder.

    Its name counts from one (``input_1``, ``input_2`` ...) as in tf.keras.
    """

    def __init__(self, input_shape=None, batch_size=None, dtype=None, sparse=False,
                 name=None, batch_input_shape=None, batch_shape=None, input_tensor=None,
                 **kwargs):
        batch_input_shape = batch_input_shape if batch_input_shape is not None else batch_shape
        if input_tensor is not None:  # Keras wraps an existing placeholder as it is
            _check_wrapped(input_tensor, input_shape, batch_size, batch_input_shape, dtype)
            batch_input_shape, dtype = input_tensor.shape, input_tensor.dtype
            sparse = input_tensor.sparse
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError("InputLayer: give shape= (without the batch axis) or "
                                 "batch_shape=, e.g. Input(shape=(10,))")
            shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
            batch_input_shape = (batch_size,) + shape
        for n in batch_input_shape:
            if n is not None and (not isinstance(n, (int, np.integer)) or n < 0):
                raise ValueError(f"InputLayer: every size in the shape must be a non-negative "
                                 f"integer or None, received {tuple(batch_input_shape)}")
        super().__init__(name=name or unique_name("input", zero_based=False), dtype=dtype,
                         **kwargs)
        self._batch_input_shape = tuple(batch_input_shape)
        self.sparse = bool(sparse)
        self.built = True
        tensor = input_tensor if input_tensor is not None else KerasTensor(
            self._batch_input_shape, dtype=self.dtype, name=self.name, sparse=sparse)
        Node(self, outputs=[tensor])

    def call(self, inputs):
        return inputs

    @property
    def input(self):
        """The placeholder itself, as in Keras (``model.get_layer("image").input``)."""
        return self._inbound_nodes[0].output_tensors[0]

    output = input

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {"batch_input_shape": list(self._batch_input_shape), "dtype": self.dtype,
                "sparse": self.sparse, "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None,
          batch_shape=None, ragged=None):
    """A symbolic input for a functional model: ``inputs = Input(shape=(10,))``.

    ``shape`` leaves out the batch axis; ``batch_size`` fixes it; ``batch_shape`` gives both.
    Use ``dtype='int32'`` for token ids (they go to an ``Embedding``). ``tensor`` wraps an
    existing KerasTensor instead of making a new one.
    """
    if ragged:
        raise ValueError("Input: ragged tensors are not supported; pad the sequences to one "
                         "length (saessak.preprocessing.sequence.pad_sequences)")
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError("Input: give shape= (without the batch axis), e.g. Input(shape=(10,))")
    layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name, dtype=dtype,
                       sparse=bool(sparse), batch_shape=batch_shape, input_tensor=tensor)
    return layer._inbound_nodes[0].outputs[0]


# --- calling a layer on symbolic inputs -----------------------------------------------------------


def call_symbolic(layer, inputs, args, kwargs):
    """Record ``layer(inputs, *args, **kwargs)`` as a node and return placeholder outputs.

    The layer is built from the symbolic shapes if it was not built yet; the output shapes
    come from its ``compute_output_shape`` (or, for layers without one, from a trial run on
    small arrays of zeros).
    """
    for t in flatten(inputs):
        if not isinstance(t, KerasTensor):
            raise TypeError(f"layer {layer.name!r}: when one input is symbolic, every input "
                            f"must be (a KerasTensor from Input or another layer); received "
                            f"{type(t).__name__}")
    if layer.input_spec is not None:
        assert_input_compatibility(layer.input_spec, inputs, layer.name)
    shapes = map_structure(lambda t: t.shape, inputs)
    if not layer.built:
        layer.build(shapes)
        layer.built = True
        layer._build_shapes = shapes
        layer._set_initial_weights()
    try:
        out_shapes = layer.compute_output_shape(shapes)
        out_dtype = layer.dtype
    except NotImplementedError:
        out_shapes, out_dtype = _shapes_by_trial_run(layer, inputs, args, kwargs)
    outputs = map_shapes(lambda s: KerasTensor(s, dtype=out_dtype), out_shapes)
    for i, t in enumerate(flatten(outputs)):
        t.name = f"{layer.name}/{i}" if len(flatten(outputs)) > 1 else layer.name
    _mark_masks(layer, inputs, kwargs, outputs)
    Node(layer, (inputs,) + tuple(args), kwargs, outputs)
    return outputs


def _sizes(t, fill):
    """A placeholder's shape with its unknown sizes (the batch ...) given as ``fill``."""
    return tuple(fill if n is None else n for n in t.shape)


def _zeros(t, fill):
    """Zeros in the shape and dtype of placeholder ``t``, unknown sizes as ``fill``."""
    return np.zeros(_sizes(t, fill), dtype=t.dtype)


def _mark_masks(layer, inputs, kwargs, outputs):
    """Give the outputs the symbolic mask they will carry: the layer's ``compute_mask`` run
    on zeros of the inputs' shapes (unknown sizes as 2) and on all-true input masks. Only
    where some input has a mask, or the layer makes masks of its own (an Embedding with
    ``mask_zero``, Masking); a compute_mask that cannot run on zeros leaves no mask."""
    in_masks = map_structure(lambda t: t._keras_mask, inputs)
    own = type(layer).compute_mask is not Layer.compute_mask
    if not own and all(m is None for m in flatten(in_masks)):
        return
    concrete = map_structure(lambda t: Tensor(_zeros(t, 2)) if t.dtype != "object" else
                    np.full(_sizes(t, 2), "", object), inputs)
    masks = map_structure(lambda m: None if m is None else _zeros(m, 2) == 0, in_masks)
    try:
        with no_grad():
            out_masks = layer.compute_mask(concrete, kwargs.get("mask", masks))
    except Exception:  # a compute_mask written for real data only: no symbolic mask
        return
    outs = flatten(outputs)
    out_masks = out_masks if isinstance(out_masks, (list, tuple)) else [out_masks] * len(outs)
    for out, m in zip(outs, out_masks):
        if m is not None and isinstance(out, KerasTensor):
            out._keras_mask = KerasTensor(out.shape[:np.ndim(backend.to_numpy(
                getattr(m, "data", m)))], dtype="bool", name=f"{out.name}/mask")


def _shapes_by_trial_run(layer, inputs, args, kwargs):
    """Output shapes found by running the layer on zeros. Unknown sizes are tried as 2 and
    as 3; the output sizes that change with them are unknown (None) as well."""

    def run(fill):
        def zeros(t):
            return _zeros(t, fill)

        concrete = map_structure(zeros, inputs)

        def concrete_arg(v):
            return zeros(v) if isinstance(v, KerasTensor) else v

        extra_args = map_structure(concrete_arg, list(args))
        extra_kwargs = {k: map_structure(concrete_arg, v) for k, v in kwargs.items()}
        masks = map_structure(lambda t: t._keras_mask, inputs)
        if "mask" in layer._call_takes and "mask" not in kwargs and any(
                m is not None for m in flatten(masks)):  # the call sees the masks it will get
            extra_kwargs["mask"] = map_structure(
                lambda m: None if m is None else zeros(m) == 0, masks)
        # zeros stand in for data: 0 / 0 and log(0) there are no reason to warn
        with no_grad(), learning_phase(False), np.errstate(all="ignore"):
            out = layer(concrete, *extra_args, **extra_kwargs)
        return out

    first, second = run(2), run(3)
    shapes = map_structure(lambda t: tuple(t.shape), first)
    shapes2 = map_structure(lambda t: tuple(t.shape), second)
    merged = _merge_shapes(shapes, shapes2)
    dtype = flatten(first)[0].dtype
    return merged, np.dtype(dtype).name


def _merge_shapes(a, b):
    if is_shape(a):
        return tuple(x if x == y else None for x, y in zip(a, b))
    return type(a)(_merge_shapes(x, y) for x, y in zip(a, b))


def record_op(name, fn, args, kwargs):
    """``fn(*args, **kwargs)`` with placeholders among the arguments (``keras.ops.concatenate
    ([a, b])``, ``tf.reduce_mean(x, axis=1)``), recorded as a layer of the functional model
    (an :class:`OpLayer`): the placeholders become its inputs, the rest is kept as given."""
    public = name if "." in name else function_name(fn)
    return OpLayer(public, name=unique_name(f"tf.{public.rpartition('.')[2]}"))(*args, **kwargs)


def _operator(fn, *args):
    """An operator on placeholders (``x + y``) as the ``keras.ops`` call it stands for."""
    return record_op(function_name(fn), fn, args, {})


# keras.ops and the tf.* functions record themselves through this when given placeholders
_symbolic_ops.SYMBOLIC.update(type=KerasTensor, record=record_op)
