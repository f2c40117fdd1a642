"""The browser check's reading of a rendered TensorBoard card (scripts/
tensorboard_browser_check.py; the check itself needs Chromium and runs as a CI step)."""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import tensorboard_browser_check as check  # noqa: E402

HISTORY = {"loss": [0.7, 0.6, 0.5, 0.45, 0.423], "val_loss": [0.7, 0.6, 0.5, 0.45, 0.4195]}


def _card(rows, points=5, lines=2):
    path = "M" + "L".join(f"{10 * i},{50 - i}" for i in range(points))
    svg = "".join(f'<path d="{path}" style="fill: none">' for _ in range(lines))
    table = "".join(f"<tr><td>{run}</td><td>{smooth}</td><td>{value}</td><td>{step}</td>"
                    "<td>63 ms</td></tr>" for run, smooth, value, step in rows)
    return (f"<scalar-card-component><span>epoch_loss</span><svg>{svg}</svg>"
            f"<table>{table}</table></scalar-card-component>")


ROWS = [("train", "0.49", "0.423", 4), ("validation", "0.48", "0.4195", 4)]


def test_a_card_that_shows_both_runs_passes():
    assert check.check_card(_card(ROWS), HISTORY) == []


def test_missing_lines_rows_or_wrong_values_fail():
    assert "draws 0 lines" in check.check_card(_card(ROWS, lines=0), HISTORY)[0]
    assert "draws 1 lines" in check.check_card(_card(ROWS, lines=1), HISTORY)[0]
    assert "draws 0 lines" in check.check_card(_card(ROWS, points=3), HISTORY)[0]
    assert "no row for the run 'validation'" in check.check_card(_card(ROWS[:1]), HISTORY)[0]
    wrong = [("train", "0.49", "0.5", 4), ROWS[1]]
    assert "History has 0.4230" in check.check_card(_card(wrong), HISTORY)[0]
    assert check.check_card("<html></html>", HISTORY) == [
        "the rendered dashboard has no epoch_loss chart card"]
