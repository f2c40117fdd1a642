"""Variables: the trainable (or not) leaf tensors that layers own."""

from __future__ import annotations

from .tensor import Tensor


class Variable(Tensor):
    """A leaf Tensor with a name, owned by a layer and updated in place by optimizers.

    ``trainable`` decides whether it requires gradients. A ``constraint`` (a callable on the
    array) is applied by the optimizer after each update; a ``regularizer`` adds a penalty
    to the model's loss.
    """

    __slots__ = ("constraint", "regularizer", "path", "declared_trainable")

    def __init__(self, value, trainable=True, name=None, dtype=None, constraint=None,
                 regularizer=None):
        super().__init__(value, requires_grad=trainable, dtype=dtype, name=name)
        self.constraint = constraint
        self.regularizer = regularizer
        self.path = name  # "layer_name/weight_name", set by the owning layer
        self.declared_trainable = trainable  # what the layer asked for, before freezing

    @property
    def trainable(self) -> bool:
        return self.requires_grad

    @trainable.setter
    def trainable(self, flag: bool) -> None:
        self.requires_grad = bool(flag)

    def assign_add(self, delta) -> Variable:
        """Add ``delta`` in place (``tf.Variable.assign_add``); returns the variable."""
        return self.assign(self.data + getattr(delta, "data", delta))

    def assign_sub(self, delta) -> Variable:
        """Subtract ``delta`` in place (``tf.Variable.assign_sub``); returns the variable."""
        return self.assign(self.data - getattr(delta, "data", delta))

    def value(self) -> Tensor:
        """The current values as a Tensor that is still this variable (gradients reach it)."""
        return self

    read_value = value

    def __repr__(self):
        return f"<Variable {self.path!r} shape={self.shape} dtype={self.dtype}>"
