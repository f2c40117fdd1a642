"""saessak (새싹, "sprout"): a deep-learning framework written from scratch on NumPy.

It has its own reverse-mode autodiff, layers, optimizers and training loop, behind the
Keras API, so ``import saessak as keras`` runs programs written for ``tf.keras``.
"""

import sys as _sys

from . import (
    activations,
    applications,
    backend,
    callbacks,
    compat,
    constraints,
    data,
    datasets,
    distribute,
    hub,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    preprocessing,
    regularizers,
    saved_model,
    saving,
    text,
    utils,
)
from ._version import __version__
from .autograd import Function, GradCheckResult, Tensor, enable_grad, grad_check, no_grad
from .backend import set_random_seed

# TensorFlow's own helpers that the seeds call beside Keras (tf.random.categorical, ...)
from .compat import *  # noqa: F403
from .layers import Input
from .models import Model, Sequential, load_model, save_model

# tf.keras 2's CTC functions live in keras.backend; the backend module sits below the ops
backend.ctc_batch_cost = ops.ctc.ctc_batch_cost
backend.ctc_decode = ops.ctc.backend_ctc_decode


def tensor(value, dtype=None, requires_grad=False):
    """Make a Tensor, like ``torch.tensor``: ``saessak.tensor([1., 2.], requires_grad=True)``."""
    return Tensor(value, requires_grad=requires_grad, dtype=dtype)


def _alias_keras():
    """Make ``saessak.keras`` (and ``saessak.keras.layers`` ...) the same modules as saessak's,
    so that ``from tensorflow.keras.layers import LSTM`` only needs its first word changed."""
    me = _sys.modules[__name__]
    _sys.modules[__name__ + ".keras"] = me
    for name, module in list(_sys.modules.items()):
        if name.startswith(__name__ + ".") and not name.startswith(__name__ + ".keras"):
            _sys.modules[__name__ + ".keras" + name[len(__name__):]] = module


def __getattr__(name):
    """A name saessak lacks (``tf.foo`` with ``import saessak as tf``) says so and points to
    docs/compatibility.md."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise compat.missing(f"tf.{name} (or keras.{name})")


keras = _sys.modules[__name__]
_alias_keras()
