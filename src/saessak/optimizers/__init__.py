"""Optimizers: the rules that turn gradients into weight updates, and learning-rate schedules.

Example: ``opt = optimizers.get("adam")`` gives Adam with Keras's defaults, and
``opt.apply_gradients(zip(grads, weights))`` updates the weights in place.
"""

from . import schedules
from .adagrad import Adadelta, Adagrad
from .adam import Adam, Adamax, AdamW, Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedules import LearningRateSchedule
from .sgd import SGD

_CLASSES = {c.__name__: c for c in (SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW, Adamax,
                                    Nadam)}
_BY_LOWER = {name.lower(): cls for name, cls in _CLASSES.items()}


def serialize(optimizer) -> dict:
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizers.serialize: expected an Optimizer, received {optimizer!r}")
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None):
    """The optimizer that :func:`serialize` described."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"optimizers.deserialize: expected a dict with 'class_name' and "
                         f"'config', received {config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_LOWER.get(str(name).lower())
    if cls is None:
        raise ValueError(f"optimizers.deserialize: unknown optimizer {name!r}; known: "
                         f"{sorted(_CLASSES)}")
    return cls.from_config(config.get("config") or {}, custom_objects)


def get(identifier):
    """An optimizer from a name (``'adam'``, ``'RMSprop'``: any case), a config dict or an
    Optimizer (returned as is). Named ones get Keras's default arguments."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_LOWER.get(identifier.lower())
        if cls is None:
            raise ValueError(f"optimizers.get: unknown optimizer {identifier!r}; known names: "
                             f"{sorted(_BY_LOWER)}")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"optimizers.get: expected a name, a config dict or an Optimizer, "
                     f"received {identifier!r}")
