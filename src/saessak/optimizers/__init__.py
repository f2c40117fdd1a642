"""Optimizers: the rules that turn gradients into weight updates, and learning-rate schedules.

Example: ``opt = optimizers.get("adam")`` gives Adam with Keras's defaults, and
``opt.apply_gradients(zip(grads, weights))`` updates the weights in place.
"""

from .._registry import Registry
from . import schedules
from .adagrad import Adadelta, Adagrad
from .adam import Adam, Adamax, AdamW, Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedules import LearningRateSchedule
from .sgd import SGD

# names in any case: 'adam', 'Adam' and 'ADAM' are one optimizer
_registry = Registry("optimizer", Optimizer, {c.__name__: c for c in (
    SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW, Adamax, Nadam)}, fold=str.lower)


def serialize(optimizer) -> dict:
    """``{'class_name', 'config'}`` of an optimizer."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizers.serialize: expected an Optimizer, received {optimizer!r}")
    return _registry.serialize(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer that :func:`serialize` described (your own class through
    ``custom_objects``, a ``custom_object_scope`` or ``register_keras_serializable``)."""
    if not isinstance(config, dict):
        raise ValueError(f"optimizers.deserialize: expected a dict with 'class_name' and "
                         f"'config', received {config!r}")
    return _registry.deserialize(config, custom_objects)


def get(identifier):
    """An optimizer from a name (``'adam'``, ``'RMSprop'``: any case), a config dict or an
    Optimizer (returned as is). Named ones get Keras's default arguments."""
    if not isinstance(identifier, (Optimizer, str, dict)):
        raise ValueError(f"optimizers.get: expected a name, a config dict or an Optimizer, "
                         f"received {identifier!r}")
    return _registry.get(identifier)
