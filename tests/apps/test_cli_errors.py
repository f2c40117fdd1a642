"""Issue 17, item 3: every mistake on the ``saessak`` command line ends in one or two lines
that say what to do (no traceback), ``--version`` and ``python -m saessak`` work, and a
closed pipe ends the program quietly."""

import os
import subprocess
import sys

import pytest

from saessak import __version__
from saessak.apps import examples as registry
from saessak.apps import quickstart
from saessak.apps.cli import main

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENV = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_mistyped_example_name_suggests_the_right_one(capsys):
    code, _, err = _run(["examples", "run", "s001_reuters_lst"], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        "saessak: no example named 's001_reuters_lst'; did you mean s001_reuters_lstm? "
        "`saessak examples list` shows them all"]


def test_an_unknown_name_is_still_a_key_error():
    with pytest.raises(KeyError, match="examples list"):
        registry.get("no_such_example")


def test_a_missing_dataset_is_two_lines_and_no_download_when_offline(tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.setenv("SAESSAK_OFFLINE", "1")
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAESSAK_DATA", raising=False)
    code, out, err = _run(["examples", "run", "s001_reuters_lstm", "--quick",
                           "--data-dir", str(tmp_path / "empty"),
                           "--out-dir", str(tmp_path / "out")], capsys)
    assert code == 2
    assert "Downloading" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[0] == ("saessak: no copy of dataset 'reuters' (reuters.npz) and downloads "
                        "are off (SAESSAK_OFFLINE is set).")
    assert lines[1].startswith("To fix: set SAESSAK_DATA (or --data-dir) to a folder holding "
                               "reuters/reuters.npz, or unset SAESSAK_OFFLINE to download https")


@pytest.mark.parametrize("command", [["examples", "run", "s003_backprop"], ["quickstart"]])
@pytest.mark.parametrize("value", ["0", "-3", "two"])
def test_epochs_below_one_are_refused_by_the_parser(command, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(command + ["--epochs", value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"argument --epochs: must be at least 1, received {value}") or \
        err[-1].endswith(f"argument --epochs: expected a whole number, received '{value}'")


def test_epochs_zero_is_refused_in_python_too(tmp_path):
    with pytest.raises(ValueError, match="epochs must be a whole number of at least 1"):
        quickstart.multiplication(epochs=0, n=60, plot_path=None, progress=False)
    with pytest.raises(ValueError, match="received 0"):
        registry.run("s003_perceptron", epochs=0, out_dir=str(tmp_path))


def test_generate_without_a_model_file_says_how_to_make_one(tmp_path, capsys):
    code, _, err = _run(["generate", "--model", str(tmp_path / "none.keras"), "--vocab",
                         str(tmp_path / "v.json"), "--seed-text", "x"], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        f"saessak: no model file {tmp_path / 'none.keras'}; `saessak examples run "
        "s004_char_lm --quick` saves one and prints its path"]


def test_version_and_python_dash_m():
    out = subprocess.run([sys.executable, "-m", "saessak", "--version"], env=ENV,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"saessak {__version__}"
    listed = subprocess.run([sys.executable, "-m", "saessak", "examples", "list"], env=ENV,
                            capture_output=True, text=True, check=True).stdout
    assert "s001_reuters_lstm" in listed


def test_a_closed_pipe_ends_quietly():
    # `saessak examples list | head -1` once head has gone: the reading end is closed
    # before the program writes (closing it first makes the broken pipe certain)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "saessak", "examples", "list"], env=ENV,
                              stdout=write_end, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write_end)
    err = done.stderr.decode()
    assert done.returncode == 141, err  # as a process ended by SIGPIPE
    assert "Traceback" not in err and "BrokenPipeError" not in err
