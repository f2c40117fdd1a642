"""The Layer: a callable that owns weights, builds them on first use, and remembers its config.

Every layer follows the same life cycle, as in Keras:

1. ``__init__`` stores the arguments (and checks them); no weights exist yet.
2. The first call sees the input shape and runs ``build(input_shape)``, which creates
   the weights with ``add_weight``.
3. ``call(inputs, training=None, mask=None)`` does the computation with saessak ops.

Calling a layer on a symbolic ``Input`` instead of data records a node of a functional
model; see ``saessak.layers.input_layer``.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import backend, constraints, initializers, regularizers
from .._registry import Registry
from ..autograd import Tensor, Variable
from ..ops import cast
from .call_arguments import (
    call_arguments,
    is_built_in,
    map_structure,
    positional_after_inputs,
    to_tensors,
)
from .input_spec import assert_input_compatibility
from .layer_saving import SavingHooks
from .learning_phase import in_training, learning_phase  # noqa: F401 (re-exported)
from .naming import clear_session, snake_case, unique_name  # noqa: F401 (re-exported)

# Weight lists are cached per layer and recomputed only after the structure changed: a weight
# was added, a sublayer attached, or ``trainable`` flipped anywhere. The training loop reads
# these lists every batch, so this keeps it from walking the layer tree each time.
_structure_version = 0


def _structure_changed() -> None:
    global _structure_version
    _structure_version += 1


# --- the layer -------------------------------------------------------------------------------

_SHAPE_KWARGS = ("input_shape", "batch_input_shape", "batch_size", "input_dim")


class Layer(SavingHooks):
    """Base class of every layer. Subclasses override ``build``, ``call`` and ``get_config``,
    and ``compute_output_shape`` (used to build functional models and ``summary()``)."""

    supports_masking = False
    # Keras 2's legacy shape arguments: ``input_dim=n`` alone means ``input_shape=(n,)``;
    # on layers over sequences (recurrent layers, Conv1D) ``input_length=t, input_dim=n``
    # means ``input_shape=(t, n)``, either part None when not given.
    _sequence_input = False
    # A layer computing with float weights of its own (Dense, Conv, RNN, normalization)
    # takes integer data as floats of its dtype, as Keras casts it; layers whose integer
    # inputs are indices (Embedding) set this to True and keep them.
    _integer_inputs = False
    input_spec = None  # an InputSpec (or a list of them) that every call is checked against

    def __init_subclass__(cls, **kwargs):
        """saessak's own layer classes are known by name to ``layers.deserialize``; a
        user's class is not, so it never replaces a built-in of the same name."""
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("saessak.") and not cls.__name__.startswith("_"):
            LAYERS.register(cls)
        if "build" in cls.__dict__:  # a layer built by hand (layer.build(shape)) is built
            cls.build = _marks_built(cls.__dict__["build"])

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        input_dim = kwargs.pop("input_dim", None)
        input_length = kwargs.pop("input_length", None) if self._sequence_input else None
        initial_weights = kwargs.pop("weights", None)  # tf.keras 2: set once built
        kwargs.pop("autocast", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")
        if input_shape is None and (input_dim is not None or input_length is not None):
            input_shape = (input_length, input_dim) if self._sequence_input else (input_dim,)
        if batch_input_shape is None and input_shape is not None:
            shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
            batch_input_shape = (batch_size,) + shape
        self._batch_input_shape = (None if batch_input_shape is None
                                   else tuple(batch_input_shape))
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        if dtype is not None and (dtype == "string" or np.dtype(dtype).kind in "US"):
            dtype = "object"  # Keras's text dtype: NumPy object arrays of str/bytes
        self.dtype = np.dtype(dtype).name if dtype is not None else backend.floatx()
        self.built = False
        # (lists a subclass may have filled before calling this __init__: see __setattr__)
        self._own_weights: list[Variable] = self.__dict__.get("_own_weights", [])
        self._layers: list[Layer] = self.__dict__.get("_layers", [])
        self._losses: list = []  # activity penalties added during the last call
        self._inbound_nodes: list = []  # the calls on symbolic inputs (functional API)
        self._outbound_nodes: list = []
        self._build_shapes = None  # the input shape(s) build() saw, batch axis as None
        self._weights_cache = (-1, None)
        self._call_takes = call_arguments(type(self).call)
        self._call_positional = positional_after_inputs(type(self).call)
        self._initial_weights = None if initial_weights is None else list(initial_weights)

    # --- tracking sublayers and weights ------------------------------------------------------
    def __setattr__(self, key, value):
        # Layers stored as attributes (or in lists of them) become sublayers, whose weights
        # count as this layer's weights too; also before the subclass calls
        # super().__init__() (keras.io's Switch Transformer sets its experts first), as in
        # Keras.
        if key not in ("_layers", "_own_weights"):
            if "_layers" not in self.__dict__:
                object.__setattr__(self, "_layers", [])
                object.__setattr__(self, "_own_weights", [])
            items = value if isinstance(value, (list, tuple)) else (value,)
            for v in items:
                if isinstance(v, Layer) and v is not self and v not in self._layers:
                    self._layers.append(v)
                    _structure_changed()
                elif isinstance(v, Variable) and all(w is not v for w in self._own_weights):
                    self._track_variable(key, v)  # self.w = tf.Variable(...) is a weight
        object.__setattr__(self, key, value)

    def _track_variable(self, key, var) -> None:
        owner = self.__dict__.get("name")  # None before Layer.__init__ has named the layer
        if var.path is None or "/" not in var.path:  # a tf.Variable's own name, or none
            var.path = f"{owner}/{var.name or key}" if owner else var.name or key
        self._own_weights.append(var)
        _structure_changed()

    def add_weight(self, name=None, shape=(), initializer="glorot_uniform", regularizer=None,
                   trainable=True, constraint=None, dtype=None, **kwargs):
        """Create a weight of this layer (call from ``build``) and return its Variable.
        Keras's distribution arguments (``aggregation``, ``synchronization`` ...) are
        accepted and ignored; ``initializer=None`` is Keras's default (glorot_uniform for
        floats, zeros otherwise)."""
        unknown = set(kwargs) - {"aggregation", "synchronization", "use_resource", "autocast",
                                 "overwrite_with_gradient", "caching_device", "partitioner"}
        if unknown:
            raise TypeError(f"{self.name}.add_weight: unexpected keyword argument(s) "
                            f"{sorted(unknown)}")
        shape = tuple(int(n) for n in ((shape,) if isinstance(shape, int) else shape or ()))
        dtype = dtype or self.dtype
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        init = initializers.get(initializer)
        value = init(shape, dtype=dtype) if callable(init) else init
        # contiguous, so in-place updates and flat views (grad_check) reach the weight itself
        value = np.asarray(value, dtype=dtype, order="C")
        var = Variable(value, trainable=trainable and self._trainable,
                       name=name, constraint=constraints.get(constraint),
                       regularizer=regularizers.get(regularizer))
        var.data = backend.asarray(var.data)
        var.path = f"{self.name}/{name}"
        var.declared_trainable = trainable
        self._own_weights.append(var)
        _structure_changed()
        return var

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, flag: bool) -> None:
        self._trainable = bool(flag)
        for layer in self._layers:
            layer.trainable = flag
        for w in self._own_weights:
            w.requires_grad = self._trainable and w.declared_trainable
        _structure_changed()

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def _flat_weights(self) -> list[Variable]:
        """Each layer's weights in turn (those it declared trainable, then the rest, each in
        creation order), then those of its sublayers in the order they were attached,
        skipping repeats (shared layers). This is Keras 3's order, so ``get_weights`` lists
        the arrays as Keras does. Freezing a layer does not reorder its weights."""
        version, cached = self._weights_cache
        if version == _structure_version:
            return cached
        out, seen = [], set()
        for w in self._own_weights_in_order():
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._layers:
            for w in layer._flat_weights():
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        self._weights_cache = (_structure_version, out)
        return out

    def _own_weights_in_order(self) -> list[Variable]:
        """This layer's own weights (not its sublayers'): those it declared trainable, then
        the rest, each in creation order (Keras 3's order, in lists and in files)."""
        return ([w for w in self._own_weights if w.declared_trainable]
                + [w for w in self._own_weights if not w.declared_trainable])

    @property
    def weights(self) -> list[Variable]:
        return list(self._flat_weights())

    variables = weights

    @property
    def trainable_weights(self) -> list[Variable]:
        return [w for w in self._flat_weights() if w.requires_grad]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return [w for w in self._flat_weights() if not w.requires_grad]

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as NumPy arrays, in the order Keras's ``get_weights`` uses."""
        return [backend.to_numpy(w.data).copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Load arrays in ``get_weights`` order; shapes must match exactly."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(f"{self.name}.set_weights: expected a list of {len(own)} arrays "
                             f"({[w.shape for w in own]}), received {len(weights)}")
        for var, value in zip(own, weights):
            value = np.asarray(value)
            if value.shape != var.shape:
                raise ValueError(f"{self.name}.set_weights: weight {var.path!r} has shape "
                                 f"{var.shape}, received an array of shape {value.shape}")
            var.data[...] = backend.asarray(value.astype(var.dtype, copy=False))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"{self.name}.count_params: the layer is not built yet; call it "
                             "on an input or give it an input_shape")
        return int(sum(w.size for w in self._flat_weights()))

    # --- what the functional API recorded -----------------------------------------------------
    def _node_attribute(self, attr: str):
        if not self._inbound_nodes:
            raise AttributeError(f"layer {self.name!r} has never been called on a symbolic "
                                 f"input, so it has no defined {attr}")
        values = [getattr(node, attr) for node in self._inbound_nodes]
        if any(v != values[0] for v in values[1:]):
            raise AttributeError(f"layer {self.name!r} was called on inputs of different "
                                 f"shapes, so its {attr} is ambiguous; use "
                                 f"get_{attr}_at(node_index)")
        return values[0]

    @property
    def input(self):
        """The symbolic input of this layer (its first call in a functional model)."""
        if not self._inbound_nodes:
            raise AttributeError(f"layer {self.name!r} is not connected: it has no input")
        return self._inbound_nodes[0].inputs

    @property
    def output(self):
        """The symbolic output of this layer (its first call in a functional model)."""
        if not self._inbound_nodes:
            raise AttributeError(f"layer {self.name!r} is not connected: it has no output")
        return self._inbound_nodes[0].outputs

    @property
    def input_shape(self):
        return self._node_attribute("input_shape")

    @property
    def output_shape(self):
        return self._node_attribute("output_shape")

    def get_input_shape_at(self, node_index: int):
        return self._inbound_nodes[node_index].input_shape

    def get_output_shape_at(self, node_index: int):
        return self._inbound_nodes[node_index].output_shape

    # --- losses --------------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        """Regularization penalties of every weight, plus losses added in the last call."""
        out = [w.regularizer(w) for w in self._flat_weights()
               if w.regularizer is not None and w.requires_grad]
        stack = [self]
        while stack:
            layer = stack.pop()
            out.extend(layer._losses)
            stack.extend(layer._layers)
        return out

    # --- calling ---------------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError(
            f"{type(self).__name__} does not define compute_output_shape")

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def __call__(self, inputs, *args, **kwargs):
        if type(inputs) is not Tensor and is_symbolic(inputs):
            return call_symbolic(self, inputs, args, kwargs)
        try:
            inputs = to_tensors(inputs, self.dtype)
        except (TypeError, ValueError) as err:  # ragged lists, objects NumPy cannot hold
            raise ValueError(f"{type(self).__name__} {self.name!r}: the input cannot be made "
                             f"into an array: {err}") from None
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self.name)
        if not self.built:
            self._build_from(inputs)
        if not self._integer_inputs and is_built_in(self) and _computes_in_float(self):
            inputs = map_structure(lambda t: _integer_as_float(t, self), inputs)
        if args:  # layer(x, True) means training=True: name what call names
            named = dict(zip(self._call_positional, args))
            if clash := set(named) & set(kwargs):
                raise TypeError(f"{type(self).__name__} {self.name!r}: got multiple values for "
                                f"argument {sorted(clash)[0]!r}")
            args, kwargs = args[len(named):], {**kwargs, **named}
        mask = kwargs.get("mask")
        if mask is None:
            mask = _collect_masks(inputs)
            if mask is not None and "mask" in self._call_takes:
                kwargs["mask"] = mask
        elif "mask" not in self._call_takes:
            del kwargs["mask"]
        if "training" in self._call_takes:
            kwargs["training"] = in_training(kwargs.get("training"))
        else:
            kwargs.pop("training", None)
        self._losses = []
        outputs = self.call(inputs, *args, **kwargs)
        self._activity_penalty(outputs)
        out_mask = self.compute_mask(inputs, mask)
        if out_mask is not None:
            _set_masks(outputs, out_mask)
        return outputs

    def _activity_penalty(self, outputs) -> None:
        """A layer's ``activity_regularizer`` (when it has one) applied to what it returns
        (its first output when several), per sample as tf.keras 2 does: divided by the
        batch size."""
        regularizer = getattr(self, "activity_regularizer", None)
        if regularizer is None:
            return
        output = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        self.add_loss(regularizers.get(regularizer)(output) / output.shape[0])

    def _build_from(self, inputs) -> None:
        shapes = map_structure(lambda t: tuple(t.shape), inputs)
        self.build(shapes)
        self.built = True
        self._set_initial_weights()
        self._build_shapes = map_structure(lambda t: (None,) + tuple(t.shape[1:]), inputs)

    def _set_initial_weights(self) -> None:
        """Load the arrays given as ``weights=[...]`` (tf.keras 2), once the weights exist."""
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    # --- config ----------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if type(self).get_config is Layer.get_config and not is_built_in(self):
            return self.auto_config(config)  # a user's class without its own get_config
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


# saessak's layer classes by name, filled as they are defined (see Layer.__init_subclass__)
LAYERS = Registry("layer", Layer, {"Layer": Layer}, noun="layer class")


# --- helpers ------------------------------------------------------------------------------------


def _marks_built(build):
    """``build`` that also sets ``built``, as Keras 3 does, so a layer whose own ``build``
    forgets ``self.built = True`` (or that is built by hand) is not built again."""
    if getattr(build, "_marks_built", False):
        return build

    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        result = build(self, *args, **kwargs)
        self.built = True
        return result

    wrapper._marks_built = True
    return wrapper


def _computes_in_float(layer) -> bool:
    """Whether the layer has float weights of its own (or, for a recurrent layer, its
    cell's). A model's or a wrapper's weights belong to its sublayers, which decide."""
    cell = getattr(layer, "cell", None)
    weights = layer._own_weights + (cell.weights if isinstance(cell, Layer) else [])
    return any(w.dtype.kind == "f" for w in weights)


def _integer_as_float(t, layer):
    """An integer or boolean Tensor as the layer's float dtype (keeping its mask); text or
    objects are a TypeError naming the layer; float Tensors are returned unchanged."""
    if not isinstance(t, Tensor) or t.dtype.kind in "fc" or np.dtype(layer.dtype).kind != "f":
        return t
    if t.dtype.kind not in "iub":
        raise TypeError(f"{type(layer).__name__} {layer.name!r}: expected numbers, received "
                        f"an input of dtype {t.dtype} (text needs a StringLookup or "
                        "TextVectorization layer first)")
    cast_t = cast(t, layer.dtype)
    cast_t._keras_mask = t._keras_mask
    return cast_t


def _collect_masks(inputs):
    if isinstance(inputs, Tensor):
        return inputs._keras_mask
    if isinstance(inputs, (list, tuple)):
        masks = [_collect_masks(x) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return None


def _set_masks(outputs, mask):
    if isinstance(outputs, Tensor):
        outputs._keras_mask = mask
    elif isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for o, m in zip(outputs, masks):
            _set_masks(o, m)


# The functional API lives beside this module; it needs Layer, so it is imported last.
from .input_layer import call_symbolic, is_symbolic  # noqa: E402
