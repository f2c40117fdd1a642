"""The Optimizer base class: everything the update rules have in common.

An optimizer turns gradients into changes of the weights. Each subclass writes one method,
``_update(w, g, slots, lr)``, that changes the weight array ``w`` IN PLACE from its gradient
``g`` and the per-weight state ``slots`` (momenta, running averages). The base class does
the rest, in the order Keras 3 does it, once per batch:

1. build the slots of weights it has not seen yet;
2. read the learning rate (a float, a schedule evaluated at ``iterations``, or a callable),
   divided by ``1 + decay * iterations`` when the old ``decay`` argument is used;
3. clip the gradients (``clipnorm`` per weight, ``global_clipnorm`` over all of them, or
   ``clipvalue`` per element);
4. decoupled weight decay, ``w -= w * weight_decay * lr``, when ``weight_decay`` is set;
5. the update rule for each weight, then that weight's ``constraint``, if it has one;
6. with ``use_ema``, each weight's moving average ``a = m a + (1 - m) w`` (``a = w`` at
   the first step; ``finalize_variable_values``, called at the end of ``fit``, puts the
   averages into the weights);
7. ``iterations += 1``.

With ``gradient_accumulation_steps=n``, steps 2-5 and 7 run on every n-th batch only, with
the mean of the n gradients; the batches between add their gradients to a running sum
(``iterations`` counts updates, so schedules and Adam's bias corrections see those).

Weights are updated in place (``var.data -= ...``), so every reference to them stays valid,
and the update rules use in-place NumPy calls on preallocated buffers: no new arrays per
batch.
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from . import schedules

_IGNORED_KWARGS = ("jit_compile", "is_legacy_optimizer", "loss_scale_factor")


def _data(var):
    return var.data if isinstance(var, Tensor) else var


def _grad_array(g):
    return g.data if isinstance(g, Tensor) else g


class Optimizer:
    """Base class of the optimizers (see the module docstring for what one step does).

    Common arguments: ``learning_rate`` (``lr`` is accepted as its old name), ``weight_decay``,
    ``clipnorm``, ``clipvalue``, ``global_clipnorm`` (at most one of the three), ``decay``
    (tf.keras 2's inverse-time decay of the learning rate) and ``name``.
    """

    slot_names: tuple = ()  # the per-weight state arrays, in the order _update receives them

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        cls = type(self).__name__
        if "lr" in kwargs:  # tf.keras 2 code writes Adam(lr=0.001)
            lr = kwargs.pop("lr")
            if lr is not None:
                learning_rate = lr
        self.decay = float(kwargs.pop("decay", 0.0) or 0.0)
        if self.decay < 0:
            raise ValueError(f"{cls}: decay must be >= 0, received {self.decay!r}")
        for key in _IGNORED_KWARGS:
            kwargs.pop(key, None)
        self._averaging(cls, kwargs.pop("use_ema", False), kwargs.pop("ema_momentum", 0.99),
                        kwargs.pop("ema_overwrite_frequency", None),
                        kwargs.pop("gradient_accumulation_steps", None))
        if kwargs:
            raise TypeError(f"{cls}: unexpected argument(s) {sorted(kwargs)}")
        given = [k for k, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"{cls}: only one of clipnorm, clipvalue and global_clipnorm can "
                             f"be set; received {given}")
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm),
                           ("weight_decay", weight_decay)):
            if value is not None and not (isinstance(value, numbers.Real) and value >= 0):
                raise ValueError(f"{cls}: {arg} must be a non-negative number or None, "
                                 f"received {value!r}")
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.weight_decay = weight_decay
        self.name = name or cls.lower()
        self.learning_rate = learning_rate
        self.iterations = 0
        self._variables: list = []  # the weights, in the order their slots were built
        self._index: dict[int, int] = {}  # id(weight) -> position in _variables
        self._slots: list[list] = []  # per weight, one array per slot name
        self._pending_state: dict = {}  # set_state() before build(): loaded at build
        self._buffers: dict = {}  # scratch memory for the update rules
        self._wd_exclude_ids: set = set()
        self._wd_exclude_pattern = None

    def _averaging(self, cls, use_ema, momentum, overwrite_frequency, accumulation_steps):
        """Check and keep the moving-average and gradient-accumulation settings."""
        if use_ema and not 0 <= momentum <= 1:
            raise ValueError(f"{cls}: ema_momentum must be in [0, 1], received {momentum!r}")
        for arg, value in (("ema_overwrite_frequency", overwrite_frequency),
                           ("gradient_accumulation_steps", accumulation_steps)):
            if value is not None and (not isinstance(value, numbers.Integral)
                                      or value < (2 if arg[0] == "g" else 1)):
                raise ValueError(f"{cls}: {arg} must be an integer >= "
                                 f"{2 if arg[0] == 'g' else 1} or None, received {value!r}")
        self.use_ema, self.ema_momentum = bool(use_ema), float(momentum)
        self.ema_overwrite_frequency = overwrite_frequency
        self.gradient_accumulation_steps = accumulation_steps
        self._averages: list = []  # use_ema: each weight's moving average
        self._accumulated: list = []  # gradient accumulation: each weight's gradients so far
        self._batches_summed = 0  # ... and over how many batches

    # --- the learning rate --------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The current learning rate (a schedule is evaluated at ``iterations``)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return float(lr(self.iterations))
        if callable(lr):
            return float(lr())
        return lr

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, Tensor):
            value = value.data
        if isinstance(value, (np.ndarray, np.generic)) and value.ndim == 0:
            value = value.item()  # a 0-d array or NumPy scalar of the rate
        if isinstance(getattr(self, "_learning_rate", None), schedules.LearningRateSchedule) \
                and not isinstance(value, schedules.LearningRateSchedule) \
                and not callable(value):
            raise TypeError(f"{type(self).__name__}: the learning rate is a schedule, so it "
                            f"cannot be set to a number ({value!r}); create the optimizer "
                            f"with a float learning_rate to change it during training")
        if isinstance(value, (schedules.LearningRateSchedule,)) or callable(value):
            self._learning_rate = value
            return
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{type(self).__name__}: learning_rate must be a non-negative "
                             f"number, a schedule or a callable, received {value!r}")
        self._learning_rate = float(value)

    lr = property(lambda self: self.learning_rate,
                  lambda self, value: setattr(self, "learning_rate", value),
                  doc="tf.keras 2's name of ``learning_rate``.")

    def _current_lr(self) -> float:
        lr = self.learning_rate
        if self.decay:
            lr = lr / (1.0 + self.decay * self.iterations)
        return lr

    # --- building the per-weight state ----------------------------------------------------
    @property
    def built(self) -> bool:
        return bool(self._variables)

    def build(self, var_list) -> None:
        """Create the slots of every weight in ``var_list`` not seen before (in order)."""
        for var in var_list:
            if id(var) in self._index:
                continue
            i = len(self._variables)
            self._index[id(var)] = i
            self._variables.append(var)
            w = _data(var)
            self._slots.append([self._make_slot(name, w) for name in self.slot_names])
            if self.use_ema:
                self._averages.append(w.copy())
            if self.gradient_accumulation_steps:
                self._accumulated.append(backend.get_array_module(w).zeros_like(w))
            for name, slot in zip(self._state_names(), self._arrays_of(i)):
                value = self._pending_state.pop(f"{name}_{i}", None)
                if value is not None:
                    _load(slot, value, f"{name}_{i}")

    def _make_slot(self, name, w):
        """The initial value of slot ``name`` for weight array ``w`` (zeros by default)."""
        return backend.get_array_module(w).zeros_like(w)

    def _scratch(self, w, k=0):
        """A scratch array shaped like ``w``: a view of a flat buffer shared by all weights,
        so the update rules allocate nothing per batch. ``k`` picks one of several."""
        xp = backend.get_array_module(w)
        key = (xp.__name__, w.dtype.str, k)
        buf = self._buffers.get(key)
        if buf is None or buf.size < w.size:
            biggest = max((_data(v).size for v in self._variables), default=0)
            buf = xp.empty(max(w.size, biggest), dtype=w.dtype)
            self._buffers[key] = buf
        return buf[:w.size].reshape(w.shape)

    # --- applying gradients -------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply a list of ``(gradient, variable)`` pairs (pairs with no gradient are skipped)."""
        pairs = list(grads_and_vars)
        for item in pairs:
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise ValueError(f"{type(self).__name__}.apply_gradients: expected "
                                 f"(gradient, variable) pairs, received {item!r}")
        return self._apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, trainable_variables=None):
        """Apply ``grads`` to ``trainable_variables`` (by default, the weights it was built
        with, in that order)."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{type(self).__name__}.apply: pass trainable_variables, or "
                                 f"call build(variables) first")
            trainable_variables = self._variables
        grads, trainable_variables = list(grads), list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"{type(self).__name__}.apply: received {len(grads)} gradients "
                             f"for {len(trainable_variables)} variables")
        return self._apply(grads, trainable_variables)

    def step(self, var_list):
        """Update each variable in ``var_list`` from its ``.grad`` (those without are skipped)."""
        var_list = list(var_list)
        return self._apply([v.grad for v in var_list], var_list)

    def minimize(self, loss, var_list):
        """Compute the gradients of ``loss`` (a scalar Tensor, or a function returning one)
        with respect to ``var_list``, and apply them."""
        var_list = list(var_list)
        for v in var_list:
            v.grad = None
        value = loss() if callable(loss) else loss
        value.backward()
        self.step(var_list)
        return value

    def _apply(self, grads, variables):
        pairs = [(_grad_array(g), v) for g, v in zip(grads, variables) if g is not None]
        if not pairs:
            raise ValueError(f"{type(self).__name__}: no gradients were provided for any "
                             f"variable")
        grads = []
        for g, v in pairs:
            w = _data(v)
            if g.shape != w.shape:
                raise ValueError(f"{type(self).__name__}: gradient of shape {g.shape} for a "
                                 f"variable of shape {w.shape} ({getattr(v, 'name', None)!r})")
            grads.append(g if g.dtype == w.dtype else g.astype(w.dtype))
        variables = [v for _, v in pairs]
        self.build(variables)
        grads = self._accumulate(grads, variables)
        if grads is not None:
            self._update_all(grads, variables)
        if self.use_ema:
            self._update_averages()
        if grads is not None:  # iterations counts updates, as Keras 3's optimizers do
            self.iterations += 1
        return self.iterations

    def _accumulate(self, grads, variables):
        """With gradient accumulation: the mean of the last n gradients on every n-th step,
        else None after adding ``grads`` to the running sums. Without: ``grads``."""
        n = self.gradient_accumulation_steps
        if not n:
            return grads
        sums = [self._accumulated[self._index[id(v)]] for v in variables]
        self._batches_summed += 1
        if self._batches_summed < n:
            for total, g in zip(sums, grads):
                total += g
            return None
        self._batches_summed = 0
        means = [(g + total) / n for g, total in zip(grads, sums)]
        for total in sums:
            total[...] = 0
        return means

    def _update_averages(self):
        """a = m a + (1 - m) w for every weight (a = w at the first step); every
        ``ema_overwrite_frequency`` steps the weights take their averages."""
        momentum = self.ema_momentum if self.iterations else 0.0
        for var, average in zip(self._variables, self._averages):
            average *= momentum
            average += (1 - momentum) * _data(var)
        freq = self.ema_overwrite_frequency
        if freq and (self.iterations + 1) % freq == 0:
            self.finalize_variable_values(self._variables)

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, give each weight of ``var_list`` its moving average (Keras
        calls this at the end of ``fit``)."""
        for var in var_list if self.use_ema else ():
            i = self._index.get(id(var))
            if i is not None:
                _data(var)[...] = self._averages[i]

    def _update_all(self, grads, variables):
        lr = self._current_lr()
        grads = self._clip(grads)
        if self.weight_decay:
            for v in variables:
                if self._decays(v):
                    w = _data(v)
                    w *= 1.0 - self.weight_decay * lr  # w - w * wd * lr, in place
        self._prepare_step(lr)
        for g, v in zip(grads, variables):
            w = _data(v)
            self._update(w, g, self._slots[self._index[id(v)]], lr)
            constraint = getattr(v, "constraint", None)
            if constraint is not None:
                w[...] = constraint(w)

    def _prepare_step(self, lr) -> None:
        """Work out the constants shared by every weight in this step (e.g. Adam's bias
        corrections), once per step rather than once per weight."""

    def _update(self, w, g, slots, lr):  # pragma: no cover - abstract
        raise NotImplementedError

    # --- gradient clipping and weight decay -------------------------------------------------
    def _clip(self, grads):
        if self.clipnorm:  # each gradient scaled down to norm clipnorm if longer
            c = self.clipnorm
            out = []
            for g in grads:
                norm = math.sqrt(float(_sumsq(g)))
                out.append(g * (c / norm) if norm > c else g)
            return out
        if self.global_clipnorm:  # all gradients scaled by one factor: their joint norm
            c = self.global_clipnorm
            norm = math.sqrt(sum(float(_sumsq(g)) for g in grads))
            return [g * (c / norm) for g in grads] if norm > c else grads
        if self.clipvalue:
            v = self.clipvalue
            return [np.clip(g, -v, v) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Leave out of weight decay these variables, and every variable whose name
        contains one of ``var_names`` (e.g. ``['bias']``)."""
        self._wd_exclude_ids = {id(v) for v in (var_list or ())}
        self._wd_exclude_pattern = (re.compile("|".join(map(re.escape, var_names)))
                                    if var_names else None)

    def _decays(self, var) -> bool:
        if id(var) in self._wd_exclude_ids:
            return False
        if self._wd_exclude_pattern is not None:
            name = getattr(var, "path", None) or getattr(var, "name", None) or ""
            return not self._wd_exclude_pattern.search(name)
        return True

    # --- state: save and resume ---------------------------------------------------------------
    @property
    def variables(self) -> list:
        """The optimizer's own state arrays: ``iterations``, then each weight's slots."""
        return [np.array(self.iterations, dtype=np.int64)] + [
            s for slots in self._slots for s in slots]

    def get_state(self) -> dict:
        """All state as NumPy arrays: ``'iterations'`` and ``'<slot>_<i>'`` for weight ``i``
        (in the order the weights were first seen), plus any scalars the rule keeps."""
        state = {"iterations": np.array(self.iterations, dtype=np.int64)}
        if self.gradient_accumulation_steps:
            state["batches_summed"] = np.array(self._batches_summed, dtype=np.int64)
        for i, slots in enumerate(self._state_arrays()):
            for name, slot in zip(self._state_names(), slots):
                state[f"{name}_{i}"] = backend.to_numpy(slot).copy()
        state.update(self._extra_state())
        return state

    def set_state(self, state) -> None:
        """Restore what :meth:`get_state` returned. Slots of weights not built yet are kept
        and loaded when the optimizer meets those weights (in the same order)."""
        state = dict(state)
        if "iterations" not in state:
            raise ValueError(f"{type(self).__name__}.set_state: the state has no "
                             f"'iterations'; keys received: {sorted(state)}")
        self.iterations = int(np.asarray(state.pop("iterations")))
        self._batches_summed = int(np.asarray(state.pop("batches_summed", 0)))
        self._load_extra_state(state)
        for i, slots in enumerate(self._state_arrays()):
            for name, slot in zip(self._state_names(), slots):
                key = f"{name}_{i}"
                if key not in state:
                    raise ValueError(f"{type(self).__name__}.set_state: missing {key!r} for "
                                     f"weight {i}; keys received: {sorted(state)}")
                _load(slot, state.pop(key), key)
        unknown = [k for k in state if k.rpartition("_")[0] not in self._state_names()
                   or not k.rpartition("_")[2].isdigit()]
        if unknown:
            raise ValueError(f"{type(self).__name__}.set_state: unexpected keys {unknown} "
                             f"(this optimizer keeps slots {list(self._state_names())})")
        self._pending_state = state

    def _state_names(self) -> tuple:
        """The per-weight arrays :meth:`get_state` saves: the slots, then the moving
        average and the accumulated gradients when those are kept."""
        return self.slot_names + (("average",) if self.use_ema else ()) + (
            ("accumulated",) if self.gradient_accumulation_steps else ())

    def _arrays_of(self, i) -> list:
        """Weight ``i``'s arrays, in :meth:`_state_names`' order."""
        return (list(self._slots[i]) + ([self._averages[i]] if self.use_ema else [])
                + ([self._accumulated[i]] if self.gradient_accumulation_steps else []))

    def _state_arrays(self) -> list:
        return [self._arrays_of(i) for i in range(len(self._slots))]

    def _extra_state(self) -> dict:
        return {}

    def _load_extra_state(self, state) -> None:
        """Pop from ``state`` the scalars that :meth:`_extra_state` saved."""

    def get_weights(self) -> list:
        """tf.keras 2's form of the state: a list of arrays (see :attr:`variables`)."""
        return [backend.to_numpy(v).copy() for v in self.variables]

    def set_weights(self, weights) -> None:
        weights = list(weights)
        expected = 1 + sum(len(s) for s in self._slots)
        if len(weights) != expected:
            raise ValueError(f"{type(self).__name__}.set_weights: expected {expected} arrays "
                             f"(build the optimizer first), received {len(weights)}")
        self.iterations = int(np.asarray(weights[0]))
        flat = [s for slots in self._slots for s in slots]
        for i, (slot, value) in enumerate(zip(flat, weights[1:])):
            _load(slot, value, f"array {i + 1}")

    # --- configuration ----------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        config = {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                  "clipvalue": self.clipvalue}
        if self.decay:
            config["decay"] = self.decay
        if self.use_ema:
            config.update(use_ema=True, ema_momentum=self.ema_momentum,
                          ema_overwrite_frequency=self.ema_overwrite_frequency)
        if self.gradient_accumulation_steps:
            config["gradient_accumulation_steps"] = self.gradient_accumulation_steps
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={self.learning_rate!r}>"


def _sumsq(g):
    flat = g.reshape(-1)
    return flat @ flat


def _load(slot, value, key):
    value = np.asarray(backend.to_numpy(value))
    if value.shape != slot.shape:
        raise ValueError(f"optimizer state {key!r}: expected shape {slot.shape}, received "
                         f"{value.shape}")
    slot[...] = backend.asarray(value) if backend.device() == "gpu" else value
