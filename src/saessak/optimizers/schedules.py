"""Learning-rate schedules: the learning rate as a function of the training step.

Pass one as ``learning_rate=`` to any optimizer; it is evaluated at ``optimizer.iterations``
(the number of updates done so far) before each update.

>>> schedule = ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
>>> schedule(0), schedule(100), schedule(200)
(0.1, 0.05, 0.025)
"""

from __future__ import annotations

import math
import numbers

from .._registry import Registry


class LearningRateSchedule:
    """Base class: ``__call__(step) -> float`` and ``get_config()``."""

    def __call__(self, step):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_config(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _positive(cls, arg, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{cls}: {arg} must be a positive number, received {value!r}")
    return value


def _step(step) -> float:
    return float(step)  # an int, a NumPy scalar or a 0-d Tensor


class ExponentialDecay(LearningRateSchedule):
    """lr * decay_rate ^ (step / decay_steps); with ``staircase`` the exponent is floored,
    so the rate drops in steps every ``decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("ExponentialDecay", "decay_steps", decay_steps)
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = _step(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """lr / (1 + decay_rate * step / decay_steps) (the exponent floored with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("InverseTimeDecay", "decay_steps", decay_steps)
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = _step(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including step ``boundaries[0]``, then ``values[1]`` up to
    ``boundaries[1]``, ..., and ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"PiecewiseConstantDecay: values must have one more element "
                             f"than boundaries; received {len(boundaries)} boundaries and "
                             f"{len(values)} values")
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase, "
                             f"received {boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        step = _step(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` down to ``end_learning_rate`` over ``decay_steps``:
    (initial - end) * (1 - step / decay_steps) ^ power + end, then constant.

    With ``cycle`` it starts over instead, each cycle ``decay_steps`` longer than the last
    multiple of ``decay_steps`` past ``step``.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("PolynomialDecay", "decay_steps", decay_steps)
        self.end_learning_rate, self.power, self.cycle = end_learning_rate, power, cycle
        self.name = name

    def __call__(self, step):
        step = _step(step)
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps *= max(1.0, math.ceil(step / decay_steps))
        else:
            step = min(step, decay_steps)
        fraction_left = 1 - step / decay_steps
        span = self.initial_learning_rate - self.end_learning_rate
        return span * fraction_left**self.power + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


def _cosine(fraction):
    """Half a cosine wave from 1 (fraction 0) down to 0 (fraction 1)."""
    return 0.5 * (1 + math.cos(math.pi * fraction))


class CosineDecay(LearningRateSchedule):
    """Cosine annealing, optionally after a linear warmup.

    Without warmup: lr * ((1 - alpha) * c + alpha), c = 0.5 (1 + cos(pi * step /
    decay_steps)), held at ``alpha * lr`` after ``decay_steps``. With ``warmup_target``
    and ``warmup_steps``, the rate first climbs linearly from ``initial_learning_rate`` to
    ``warmup_target``, and the cosine then decays from ``warmup_target``.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("CosineDecay", "decay_steps", decay_steps)
        self.alpha, self.name = alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def _decay(self, step, start):
        fraction = min(step, self.decay_steps) / self.decay_steps
        return start * ((1 - self.alpha) * _cosine(fraction) + self.alpha)

    def __call__(self, step):
        step = _step(step)
        if self.warmup_target is None:
            return self._decay(step, self.initial_learning_rate)
        if step < self.warmup_steps:
            climb = self.warmup_target - self.initial_learning_rate
            return self.initial_learning_rate + climb * step / self.warmup_steps
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine annealing with warm restarts (SGDR): the i-th cycle lasts
    ``first_decay_steps * t_mul^i`` steps and starts from ``lr * m_mul^i``."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = _positive("CosineDecayRestarts", "first_decay_steps",
                                           first_decay_steps)
        self.t_mul, self.m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        fraction = _step(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            restarts = math.floor(fraction)
            fraction -= restarts
        else:  # cycles 0..i-1 cover (1 - t^i) / (1 - t) first-cycle lengths
            restarts = math.floor(math.log(1 - fraction * (1 - self.t_mul), self.t_mul))
            done = (1 - self.t_mul**restarts) / (1 - self.t_mul)
            fraction = (fraction - done) / self.t_mul**restarts
        peak = self.m_mul**restarts
        return self.initial_learning_rate * ((1 - self.alpha) * peak * _cosine(fraction)
                                             + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


_registry = Registry("schedule", LearningRateSchedule, {c.__name__: c for c in (
    ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay,
    CosineDecayRestarts)})


def serialize(schedule):
    """``{'class_name', 'config'}`` of a learning-rate schedule."""
    if not isinstance(schedule, LearningRateSchedule):
        raise ValueError(f"schedules.serialize: expected a LearningRateSchedule, "
                         f"received {schedule!r}")
    return _registry.serialize(schedule)


def deserialize(config, custom_objects=None):
    """The schedule that :func:`serialize` described (your own class through
    ``custom_objects``, a ``custom_object_scope`` or ``register_keras_serializable``)."""
    if not isinstance(config, dict):
        raise ValueError(f"schedules.deserialize: expected a dict with 'class_name' and "
                         f"'config', received {config!r}")
    return _registry.deserialize(config, custom_objects)
