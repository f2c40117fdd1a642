"""Compile settings in Keras files: tf.keras 2's ``training_config`` (an HDF5 attribute) and
Keras 3's ``compile_config`` (in ``config.json``), written and read.

Both hold the optimizer with its settings, the loss and the metrics; the optimizer's state
(moments) is stored beside the weights (:mod:`.optimizer_state`). Losses and metrics
given by name stay names; objects are written as ``{'class_name', 'config'}``, which Keras
and saessak both rebuild; a plain function is written by its name. Settings saessak cannot
read leave the model uncompiled, with a warning that says so.
"""

from __future__ import annotations

import warnings

from ... import losses, optimizers
from ...training import metrics as metrics_module
from ...training.packing import map_structure
from .config_in import _unwrap

# --- writing ----------------------------------------------------------------------------------


def _wrapped(spec, module, keras3):
    """Keras 3 adds ``module``/``registered_name`` to every serialized object."""
    if not keras3 or not isinstance(spec, dict) or "class_name" not in spec:
        return spec
    return {"module": module, "class_name": spec["class_name"], "config": spec["config"],
            "registered_name": None}


def _loss_out(loss, keras3):
    """One loss as Keras writes it: a name stays, a Loss its config, a function its name."""
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, losses.Loss):
        return _wrapped(losses.serialize(loss), "keras.losses", keras3)
    return getattr(loss, "__name__", str(loss))


def _metric_out(metric, keras3):
    """One metric as Keras writes it, as :func:`_loss_out` does a loss."""
    if metric is None or isinstance(metric, str):
        return metric
    if isinstance(metric, metrics_module.Metric):
        return _wrapped(metrics_module.serialize(metric), "keras.metrics", keras3)
    return getattr(metric, "__name__", str(metric))


def compile_settings(model, keras3: bool) -> dict | None:
    """``model``'s compile settings as Keras writes them, or None when it is not compiled."""
    args = getattr(model, "_compile_args", None)
    if not getattr(model, "compiled", False) or args is None:
        return None
    optimizer = optimizers.serialize(model.optimizer)
    loss = map_structure(lambda v: _loss_out(v, keras3), args["loss"])
    metrics = map_structure(lambda v: _metric_out(v, keras3), args["metrics"])
    weighted = map_structure(lambda v: _metric_out(v, keras3), args["weighted_metrics"])
    if keras3:
        return {"optimizer": {"module": "keras.optimizers", **optimizer,
                              "registered_name": None},
                "loss": loss, "loss_weights": args["loss_weights"], "metrics": metrics,
                "weighted_metrics": weighted, "run_eagerly": False,
                "steps_per_execution": 1, "jit_compile": False}
    # tf.keras 2 reads a plain class name as its legacy optimizer; "Custom>" names the
    # current one, as tf.keras 2 itself writes it
    optimizer = {"class_name": f"Custom>{optimizer['class_name']}",
                 "config": {**optimizer["config"], "is_legacy_optimizer": False}}
    return {"loss": loss, "metrics": metrics, "weighted_metrics": weighted,
            "loss_weights": args["loss_weights"], "optimizer_config": optimizer}


# --- reading ----------------------------------------------------------------------------------


def _metric(spec, custom_objects):
    if isinstance(spec, list):
        flat = [_metric(s, custom_objects) for s in spec]
        return flat[0] if len(flat) == 1 and isinstance(spec[0], (dict, str)) else flat
    if isinstance(spec, dict) and "class_name" in spec:
        try:  # a metric class saessak has: rebuilt with its settings
            return metrics_module.deserialize(_unwrap(spec), custom_objects)
        except (ValueError, TypeError, KeyError):  # MeanMetricWrapper and friends
            return (spec.get("config") or {}).get("name") or spec.get("class_name")
    if isinstance(spec, dict):
        return {k: _metric(v, custom_objects) for k, v in spec.items()}
    if isinstance(spec, str) and custom_objects and spec in custom_objects:
        return custom_objects[spec]
    return spec


def _metrics(spec, custom_objects):
    if spec is None:
        return None
    if isinstance(spec, list) and len(spec) == 1 and isinstance(spec[0], list):
        spec = spec[0]  # tf.keras 2 lists the metrics once per output
    if isinstance(spec, dict):
        return {k: _metric(v, custom_objects) for k, v in spec.items()}
    return [_metric(s, custom_objects) for s in spec]


def _loss(spec, custom_objects):
    if spec is None:
        return spec
    if isinstance(spec, str):
        return (custom_objects or {}).get(spec, spec)
    if isinstance(spec, list):
        return [_loss(s, custom_objects) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _loss(v, custom_objects) for k, v in spec.items()}
    return losses.deserialize(_unwrap(spec), custom_objects)


def compile_from_keras(model, settings, where, custom_objects=None):
    """Compile ``model`` as the Keras file says; False (and a warning) when it cannot."""
    if not settings:
        return False
    try:
        opt = _unwrap(settings.get("optimizer_config") or settings.get("optimizer"))
        if isinstance(opt, dict):
            opt = {**opt, "class_name": opt["class_name"].split(">")[-1]}  # "Custom>Adam"
            opt = optimizers.deserialize(opt, custom_objects)
        model.compile(optimizer=opt or "rmsprop", loss=_loss(settings.get("loss"),
                                                             custom_objects),
                      metrics=_metrics(settings.get("metrics"), custom_objects),
                      weighted_metrics=_metrics(settings.get("weighted_metrics"),
                                                custom_objects),
                      loss_weights=settings.get("loss_weights"))
        return True
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        warnings.warn(f"{where}: the model loaded uncompiled; its compile settings cannot be "
                      f"read ({err}); call model.compile(...)", stacklevel=3)
        return False
