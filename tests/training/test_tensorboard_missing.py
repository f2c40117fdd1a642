"""Without the tensorboard extra, ``callbacks.TensorBoard`` says what to install (at once,
not in the middle of ``fit``)."""

import sys

import pytest

import saessak as keras


def test_missing_tensorboard_names_the_extra(monkeypatch, tmp_path):
    for name in list(sys.modules):
        if name == "tensorboard" or name.startswith("tensorboard."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # import tensorboard fails
    with pytest.raises(ImportError, match=r"pip install tensorboard \(or saessak\[tensorboard\]"):
        keras.callbacks.TensorBoard(log_dir=tmp_path)
    assert not list(tmp_path.iterdir())  # nothing written
