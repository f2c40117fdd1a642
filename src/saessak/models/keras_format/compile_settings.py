"""Compile settings stored by Keras (tf.keras 2's ``training_config``, Keras 3's
``compile_config``) -> ``model.compile``: the optimizer with its settings, the loss, and the
metrics by name. Optimizer state (moments) is not carried over. Settings saessak cannot
read leave the model uncompiled, with a warning that says so."""

from __future__ import annotations

import warnings

from ... import losses, optimizers
from .config_in import _unwrap


def _metric(spec):
    if isinstance(spec, list):
        flat = [_metric(s) for s in spec]
        return flat[0] if len(flat) == 1 and isinstance(spec[0], (dict, str)) else flat
    if isinstance(spec, dict):  # MeanMetricWrapper and friends: the name says which
        return (spec.get("config") or {}).get("name") or spec.get("class_name")
    return spec


def _metrics(spec):
    if spec is None:
        return None
    if isinstance(spec, list) and len(spec) == 1 and isinstance(spec[0], list):
        spec = spec[0]  # tf.keras 2 lists the metrics once per output
    return [_metric(s) for s in spec]


def _loss(spec):
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return [_loss(s) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _loss(v) for k, v in spec.items()}
    return losses.deserialize(_unwrap(spec))


def compile_from_keras(model, settings, where):
    """Compile ``model`` as the Keras file says; False (and a warning) when it cannot."""
    if not settings:
        return False
    try:
        opt = _unwrap(settings.get("optimizer_config") or settings.get("optimizer"))
        if isinstance(opt, dict):
            opt = {**opt, "class_name": opt["class_name"].split(">")[-1]}  # "Custom>Adam"
            opt = optimizers.deserialize(opt)
        model.compile(optimizer=opt or "rmsprop", loss=_loss(settings.get("loss")),
                      metrics=_metrics(settings.get("metrics")),
                      weighted_metrics=_metrics(settings.get("weighted_metrics")),
                      loss_weights=settings.get("loss_weights"))
        return True
    except (ValueError, TypeError, KeyError) as err:
        warnings.warn(f"{where}: the model loaded uncompiled; its compile settings cannot be "
                      f"read ({err}); call model.compile(...)", stacklevel=3)
        return False
