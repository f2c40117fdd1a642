"""The main job, ``saessak quickstart``, end to end in its quick mode."""

import subprocess
import sys

from saessak.apps import quickstart
from saessak.apps.cli import build_parser


def test_truth_tables_perceptron_fails_only_on_xor():
    lines = []
    rows = quickstart.truth_tables(print_fn=lines.append)
    solved = {gate: (list(single) == target, list(mlp) == target)
              for gate, target, single, mlp in rows}
    assert solved == {"AND": (True, True), "OR": (True, True), "NAND": (True, True),
                      "XOR": (False, True)}
    assert any("perceptron FAILED, MLP solved" in line for line in lines)


def test_multiplication_table_has_the_seed_parameter_counts(tmp_path):
    lines = []
    results = quickstart.multiplication(epochs=1, n=300, print_fn=lines.append,
                                        plot_path=str(tmp_path / "loss.png"))
    assert [(kind, params) for kind, params, *_ in results] == [
        ("SimpleRNN", 2851), ("LSTM", 11311), ("GRU", 8671)]
    assert any(line.startswith("GRU") for line in lines)


def test_command_line_runs_quick(tmp_path):
    out = subprocess.run([sys.executable, "-m", "saessak.apps.cli", "quickstart", "--quick",
                          "--plot", str(tmp_path / "q.png")],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert "XOR" in out and "Multiplication problem" in out
    assert build_parser().parse_args(["quickstart", "--epochs", "3"]).epochs == 3
