"""Issue 17, item 2: the quickstart says what the multiplication problem and its
|err|<=0.04 column are, and shows progress while the recurrent models train."""

import io

from saessak.apps import quickstart


def test_progress_and_explanations(capsys):
    lines = []
    quickstart.multiplication(epochs=4, n=120, print_fn=lines.append, plot_path=None)
    assert lines[0] == quickstart.PROBLEM
    assert "exactly two steps are marked" in lines[0] and "product" in lines[0]
    assert quickstart.WITHIN in lines
    # captured stdout is not a terminal: a progress line every quarter of each run
    progress = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in progress] == ["SimpleRNN"] * 4 + ["LSTM"] * 4 + \
        ["GRU"] * 4
    assert progress[3].split()[1:3] == ["epoch", "4/4"] and "val_loss" in progress[3]


def test_progress_rewrites_one_line_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    bar = quickstart.EpochProgress("LSTM", 3, stream=out)
    bar.on_train_begin()
    for epoch in range(3):
        bar.on_epoch_end(epoch, {"loss": 0.5, "val_loss": 0.6})
    text = out.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1


def test_seed_spread_returns_one_score_per_seed():
    scores = quickstart.seed_spread(seeds=(0, 1), epochs=1, n=60)
    assert len(scores) == 2 and all(0 <= s <= 100 for s in scores)
