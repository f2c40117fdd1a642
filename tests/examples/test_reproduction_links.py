"""Issue 17, item 4: REPRODUCTION.md links each figure relative to the repository, even when
the run that made it recorded an absolute path in another checkout."""

import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import make_reproduction as mr  # noqa: E402


def test_figures_from_another_checkout_link_into_examples_results(tmp_path, monkeypatch):
    monkeypatch.setattr(mr, "RESULTS", str(tmp_path))
    record = {"name": "s001_reuters_lstm", "wall_seconds": 60.0, "machine": "box",
              "metrics": {"accuracy": 0.72, "epochs": 3,
                          "curves": "/home/someone/other-clone/examples/results/"
                                    "s001_reuters_lstm.png"}}
    (tmp_path / "s001_reuters_lstm.json").write_text(json.dumps(record))
    text = open(mr.make_table(str(tmp_path / "R.md")), encoding="utf-8").read()
    row = next(line for line in text.splitlines() if "`s001_reuters_lstm`" in line)
    assert row.endswith("| [png](examples/results/s001_reuters_lstm.png) |")
    assert "../shared" not in text


def test_relative_figure_paths_stay_relative():
    assert mr._figure_link("benchmarks/results/x.png") == "benchmarks/results/x.png"
    assert mr._figure_link(os.path.join(ROOT, "examples", "results", "y.png")) == \
        "examples/results/y.png"
