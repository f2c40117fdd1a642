"""Issue 17, item 4: ``plot_history(h, "x.png")`` saves the curves to x.png (it used to
take the file name as a list of metric names and complain about its letters)."""

import pytest

pytest.importorskip("matplotlib", reason="plot_history needs the plot extra (matplotlib)")

from saessak.utils import plot_history  # noqa: E402

LOGS = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}


def test_a_file_name_as_second_argument_is_the_path(tmp_path):
    path = tmp_path / "x.png"
    fig = plot_history(LOGS, str(path))
    assert path.stat().st_size > 0
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]


def test_a_single_metric_name_still_works(tmp_path):
    fig = plot_history(LOGS, "loss", path=str(tmp_path / "y.png"))
    assert [ax.get_title() for ax in fig.axes] == ["loss"]


def test_unknown_metric_names_are_listed_whole():
    with pytest.raises(ValueError, match=r"none of \['mae'\] is in the history"):
        plot_history(LOGS, "mae")
