"""Flushing subnormal floats to zero around training (x86-64 with llvmlite only)."""

import numpy as np
import pytest

from saessak import _fpmode, backend

TINY = np.float32(1e-39)  # below float32's smallest normal number, 1.18e-38
needs_control = pytest.mark.skipif(_fpmode._mxcsr() is None,
                                   reason="needs an x86-64 CPU and llvmlite (the 'fast' extra)")


def halve(x):
    return (np.array([x], np.float32) * np.float32(0.5))[0]


@needs_control
def test_context_flushes_inside_and_restores_after():
    assert halve(TINY) != 0  # the default mode keeps subnormals
    with backend.denormals_flushed():
        assert halve(TINY) == 0
        with backend.denormals_flushed():  # nested calls (fit -> evaluate) restore in order
            assert halve(TINY) == 0
        assert halve(TINY) == 0
    assert halve(TINY) != 0


@needs_control
def test_flush_denormal_switches_the_mode_like_torch():
    try:
        assert backend.flush_denormal(True)
        assert halve(TINY) == 0
    finally:
        assert backend.flush_denormal(False)
    assert halve(TINY) != 0


@needs_control
def test_fit_runs_flushed_and_leaves_the_mode_alone(monkeypatch):
    import saessak

    seen = []

    class Probe(saessak.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(halve(TINY))

    model = saessak.Sequential([saessak.layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.ones(4), epochs=1, verbose=0, callbacks=[Probe()])
    assert seen and all(v == 0 for v in seen)
    assert halve(TINY) != 0
    monkeypatch.setenv("SAESSAK_FTZ", "0")
    seen.clear()
    model.fit(np.ones((4, 2)), np.ones(4), epochs=1, verbose=0, callbacks=[Probe()])
    assert seen and all(v != 0 for v in seen)
