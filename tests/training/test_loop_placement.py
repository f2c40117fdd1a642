"""Where the training loop's work happens (issue 20): the loop asks the model for its input
shapes once per fit/evaluate/predict, not per batch; compile's resolution lives in
compile_utils; the callbacks keep their public names after the split into one module each."""

import os
import sys

import numpy as np
import pytest

import saessak
from saessak import callbacks
from saessak.layers import Dense, Input
from saessak.models import Model
from saessak.models import model as model_module
from saessak.training import callbacks as training_callbacks
from saessak.training.compile_utils import resolve_compile


class _GraphReads:
    """Stands in for a functional model's graph and counts the reads of its inputs made
    from the training loop's code (the model's own forward pass reads them too)."""

    def __init__(self, graph, reads):
        self._graph, self._reads = graph, reads

    def __getattr__(self, name):
        if name == "inputs" and _from_training(sys._getframe(1)):
            self._reads["n"] += 1
        return getattr(self._graph, name)


def _from_training(frame):
    return os.sep + os.path.join("saessak", "training") + os.sep in frame.f_code.co_filename


def _count_input_reads(monkeypatch, model):
    """Count how often the training loop asks ``model`` for its inputs, through
    ``Model.inputs`` or through the graph behind it."""
    reads = {"n": 0}
    original = model_module.Model.inputs

    def counted(self):
        if _from_training(sys._getframe(1)):
            reads["n"] += 1
        return original.fget(self)

    monkeypatch.setattr(model_module.Model, "inputs", property(counted))
    model._graph = _GraphReads(model._graph, reads)
    return reads


def _model():
    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_the_loop_reads_the_model_inputs_a_fixed_number_of_times_whatever_the_batches(
        monkeypatch, call):
    x = np.random.default_rng(0).random((64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = _model()
    reads = _count_input_reads(monkeypatch, model)
    counts = []
    for batch_size in (64, 4):  # 1 batch, then 16 batches
        reads["n"] = 0
        if call == "predict":
            model.predict(x, batch_size=batch_size, verbose=0)
        else:
            getattr(model, call)(x, y, batch_size=batch_size, verbose=0)
        counts.append(reads["n"])
    assert counts[0] == counts[1], f"{call} read model.inputs {counts} times for 1 and 16 batches"


def test_resolve_compile_builds_what_compile_sets():
    compiled = resolve_compile("adam", "mse", ["mae"], None, None, ["out"], {})
    assert isinstance(compiled.optimizer, saessak.optimizers.Adam)
    assert compiled.loss_tracker.name == "loss"
    assert compiled.compiled_loss.output_names == ["out"]
    assert compiled.compiled_metrics.has_specs
    model = _model()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    assert type(model.optimizer) is type(compiled.optimizer)
    assert model.compiled_loss.tracker is model._loss_tracker


def test_resolve_compile_refuses_unknown_keywords_and_names():
    with pytest.raises(TypeError, match="compile: unexpected keyword argument 'jit'"):
        resolve_compile("adam", "mse", None, None, None, [], {"jit": True})
    with pytest.raises(ValueError, match="compile: .*unknown optimizer 'adamm'"):
        resolve_compile("adamm", "mse", None, None, None, [], {})
    # tf.keras 2's arguments that change nothing here are accepted
    resolve_compile("adam", "mse", None, None, None, [], {"sample_weight_mode": None})


def test_each_callback_has_its_own_module_and_keeps_its_public_name():
    for name in callbacks.__all__:
        cls = getattr(callbacks, name)
        assert cls is getattr(training_callbacks, name)
        assert cls.__module__.startswith("saessak.training.callbacks."), cls.__module__
    modules = {getattr(callbacks, name).__module__ for name in callbacks.__all__}
    assert len(modules) == len(callbacks.__all__)  # one module per callback
