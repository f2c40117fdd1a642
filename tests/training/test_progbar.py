"""Progress output of fit: the tf.keras line format, verbose levels, History."""

import io
import re

import numpy as np

import saessak
from saessak.layers import Dense
from saessak.models import Sequential
from saessak.training.progbar import Progbar, format_value


def test_value_format_matches_keras():
    assert format_value(0.12344) == "0.1234"
    assert format_value(6.6581e-4) == "6.6581e-04"


def test_final_line_and_in_place_updates_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    bar = Progbar(450, stream=out, interval=0)
    bar.update(225, {"loss": 0.5})
    bar.finish({"loss": 0.1234, "accuracy": 0.95})
    text = out.getvalue()
    assert text.startswith("\r225/450 [==============>...............] - ETA:")
    final = text.split("\r")[-1]
    assert re.match(r"450/450 \[={30}\] - \d+s \d+[mu]?s/step - loss: 0\.1234 - "
                    r"accuracy: 0\.9500 *\n$", final)


def test_not_a_terminal_writes_only_final_lines():
    out = io.StringIO()
    bar = Progbar(10, stream=out, interval=0)
    for i in range(1, 11):
        bar.update(i, {"loss": 1.0})
    bar.finish({"loss": 1.0})
    assert out.getvalue().count("\n") == 1 and "\r" not in out.getvalue()


def test_fit_prints_epoch_headers_and_verbose_2_lines(capsys):
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse", metrics=["mae"])
    x, y = np.ones((64, 2), "float32"), np.ones((64, 1), "float32")
    model.fit(x, y, epochs=2, verbose=1, validation_data=(x, y))
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.match(r"2/2 \[=+\] - \d+s .*/step - loss: \S+ - mae: \S+ - val_loss: \S+ - "
                    r"val_mae: \S+$", lines[1])
    history = model.fit(x, y, epochs=1, verbose=2)
    line = capsys.readouterr().out.strip().split("\n")[1]
    assert re.match(r"2/2 - \d+s - loss: \S+ - mae: \S+ - \d+s/epoch - .*/step$", line)
    assert list(history.history) == ["loss", "mae"] and history.epoch == [0]
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x, y)
    assert re.match(r"2/2 \[=+\] .* - loss: ", capsys.readouterr().out)


def test_plot_history_draws_or_explains(tmp_path):
    history = saessak.callbacks.History()
    history.history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8],
                       "val_accuracy": [0.4, 0.7]}
    try:
        import matplotlib
        matplotlib.use("Agg")
    except ImportError:
        import pytest
        with pytest.raises(ImportError, match="matplotlib"):
            saessak.utils.plot_history(history, path=tmp_path / "h.png")
        return
    saessak.utils.plot_history(history, path=tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 0
