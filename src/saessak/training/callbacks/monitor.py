"""What the callbacks that watch one logged value share (``EarlyStopping``,
``ModelCheckpoint``, ``ReduceLROnPlateau``): reading the value, and deciding whether it
should go up or down.
"""

from __future__ import annotations

import warnings


def resolve_mode(callback_name, mode, monitor, model):
    """``'min'``/``'max'``, with ``'auto'`` decided as Keras 3 does: a loss is minimised;
    otherwise the direction of the model's metric of that name."""
    if mode in ("min", "max"):
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("_loss"):
        return "min"
    found = []
    for metric in getattr(model, "metrics", None) or []:  # compiled metrics: each inside
        inner = getattr(metric, "metrics", None)
        found.extend(inner if isinstance(inner, list) else [metric])
    for metric in found:
        if metric.name == name or name.endswith("_" + metric.name):
            return "max" if getattr(metric, "_direction", "up") == "up" else "min"
    raise ValueError(
        f"{callback_name}: cannot tell whether monitor={monitor!r} should go up or down; "
        "pass mode='max' to keep the highest value or mode='min' to keep the lowest")


def check_mode(callback_name, mode):
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{callback_name}: mode {mode!r} is unknown; using 'auto'",
                      stacklevel=3)
        return "auto"
    return mode


def monitored_value(callback, logs):
    value = (logs or {}).get(callback.monitor)
    if value is None:
        warnings.warn(f"{type(callback).__name__}: the monitored value {callback.monitor!r} "
                      f"is not in the logs; available: {sorted(logs or {})}", stacklevel=3)
    return value
