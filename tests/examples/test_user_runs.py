"""Issue 17, item 1: the README's language-model sequence works as written, and a user's
runs write outside the repository (``examples/results/`` is tracked)."""

import os
import re

import numpy as np
import pytest

from saessak.apps import examples as registry
from saessak.apps.cli import main

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture()
def user(tmp_path, monkeypatch):
    """A user with a fresh home folder and a tiny book as their dataset copy."""
    home = tmp_path / "home"
    monkeypatch.setenv("SAESSAK_HOME", str(home / ".saessak"))
    monkeypatch.delenv("SAESSAK_RESULTS", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    data = tmp_path / "data" / "texts"
    data.mkdir(parents=True)
    rng = np.random.default_rng(0)
    body = "".join(rng.choice(list("the island was far, and so "), 4000))
    (data / "mysterious_island_2016.txt").write_text(
        "header\nTHE MYSTERIOUS ISLAND\n" + body + "\nEnd of the Project Gutenberg", "utf-8")
    monkeypatch.setenv("SAESSAK_DATA", str(tmp_path / "data"))
    return home


def test_results_go_to_the_users_folder_never_the_repository(user, monkeypatch):
    full, quick = registry.results_dir(), registry.results_dir(quick=True)
    assert full == str(user / ".saessak" / "results")
    assert quick == os.path.join(full, "quick")
    for folder in (full, quick):
        assert not os.path.abspath(folder).startswith(ROOT + os.sep)
    monkeypatch.setenv("SAESSAK_RESULTS", "/somewhere/else")
    assert registry.results_dir(quick=True) == "/somewhere/else/quick"


def test_the_readme_generate_line_reads_what_the_quick_run_saved(user, capsys, monkeypatch):
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    command = re.search(r"saessak generate (.*?)(?:\n\S|\n\n|```)", readme, re.S).group(1)
    model = re.search(r"--model (\S+)", command).group(1)
    vocab = re.search(r"--vocab (\S+)", command).group(1)
    monkeypatch.setenv("HOME", str(user))  # the README's ~ is the user's home
    monkeypatch.delenv("SAESSAK_HOME")
    model, vocab = os.path.expanduser(model), os.path.expanduser(vocab)
    assert os.path.dirname(model) == registry.results_dir(quick=True)

    metrics = registry.run("s004_char_lm", quick=True)
    out = capsys.readouterr().out
    assert f"model saved to {model}" in out and f"vocabulary saved to {vocab}" in out
    assert metrics["generate_command"] == f"saessak generate --model {model} --vocab {vocab}"

    code = main(["generate", "--model", model, "--vocab", vocab, "--seed-text", "The island",
                 "--temperature", "0.5", "--length", "30", "--seed", "0"])
    text = capsys.readouterr().out.rstrip("\n")   # the 30 generated characters, streamed
    assert code == 0 and len(text) == 30, repr(text)
    assert set(text) <= set("the island was far, and so ")


def test_a_full_run_leaves_the_checkout_clean(user, tmp_path):
    pytest.importorskip("matplotlib", reason="without the plot extra a run writes no curves")
    tracked = os.path.join(ROOT, "examples", "results", "s000_sequence_prediction.png")
    before = os.stat(tracked).st_mtime_ns if os.path.exists(tracked) else None
    metrics = registry.run("s000_sequence_prediction", epochs=2)
    assert metrics["curves"] == str(user / ".saessak" / "results" /
                                    "s000_sequence_prediction.png")
    after = os.stat(tracked).st_mtime_ns if os.path.exists(tracked) else None
    assert before == after
