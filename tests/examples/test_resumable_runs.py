"""Issue 19, item 3: the long reproduction runs back up after every epoch and go on from
there when started again (``examples/_common.resumable``, ``make_reproduction --backup-root``)."""

import json
import os
import sys

import numpy as np
import pytest

import saessak as keras

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import make_reproduction as mr  # noqa: E402
from _common import resumable  # noqa: E402


class StopAfter(keras.callbacks.Callback):
    """Stands in for a session that ends: raise once ``epoch`` has finished."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def _train(backup_dir, epochs=4, stop_after=None):
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("float32")
    model = keras.Sequential([keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.2),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    callbacks, journal = resumable(keras, backup_dir)
    if stop_after is not None:
        callbacks = callbacks + [StopAfter(stop_after)]
    history = model.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.25,
                        verbose=0, callbacks=callbacks)
    return model, history, journal


def test_a_stopped_run_goes_on_and_keeps_the_whole_history(tmp_path):
    straight, straight_history, _ = _train(None)
    folder = str(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        _train(folder, stop_after=1)                       # epochs 0 and 1 done
    assert os.path.exists(os.path.join(folder, "latest.backup"))
    resumed, history, journal = _train(folder)               # runs epochs 2 and 3 only
    assert len(history.history["loss"]) == 2
    history = journal.history(history)
    # the same four epochs as a run never stopped: same logs, same final weights
    assert set(history.history) == set(straight_history.history)
    for key, values in straight_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-6, err_msg=key)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert journal.seconds > 0 and len(journal.entries()) == 4
    assert not os.path.exists(os.path.join(folder, "latest.backup"))  # finished: removed


def test_an_epoch_written_down_twice_counts_once(tmp_path):
    folder = str(tmp_path / "backup")
    _, _, journal = _train(folder, epochs=2)
    with open(journal.path, "a", encoding="utf-8") as f:  # epoch 1 again, after a stop
        f.write(json.dumps({"epoch": 1, "seconds": 5.0, "logs": {"loss": 0.25}}) + "\n")
        f.write('{"epoch": 2, "seconds": 1.')  # a line cut short by a kill
    entries = journal.entries()
    assert [e["epoch"] for e in entries] == [0, 1] and entries[1]["logs"]["loss"] == 0.25
    journal.epoch_begin(2)  # epoch 2 runs again after the resume: written on a line of its own
    journal.epoch_end(2, {"loss": 0.125})
    assert [e["epoch"] for e in journal.entries()] == [0, 1, 2]
    assert journal.entries()[2]["logs"]["loss"] == 0.125
    # a new run (it starts at epoch 0) clears the old journal
    _train(folder, epochs=1)
    assert [e["epoch"] for e in journal.entries()] == [0]


def test_without_a_folder_nothing_is_added():
    assert resumable(keras, None) == ([], None)


def test_the_child_gives_each_run_its_own_backup_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(mr, "RESULTS", str(tmp_path))
    calls = []

    def fake_run(name, **arguments):
        calls.append(arguments)
        return {"loss": 1.0}

    monkeypatch.setattr(mr.registry, "run", fake_run)
    out = tmp_path / "s004_char_lm.json"
    root = tmp_path / "backups"
    assert mr.main(["_child", "s004_char_lm", "--kwargs", "{}", "--out", str(out),
                    "--backup-root", str(root)]) == 0
    assert calls[0]["backup_dir"] == str(root / "s004_char_lm")
    record = json.loads(out.read_text())
    assert record["kwargs"] == {}  # the folder is not part of the protocol
    assert record["backup_dir"] == str(root / "s004_char_lm")


def test_backup_root_is_refused_for_an_example_that_cannot_resume():
    with pytest.raises(ValueError, match="s000_multiplication_lstm cannot resume"):
        mr.run_specs(["s000_multiplication_lstm"], backup_root="/tmp/x")
    for name in ("s004_char_lm", "s002_imdb_conv1d", "s000_cnn_vgg"):
        mr.check_resumable(name)  # these take a backup_dir


def _journal_of(root, name, epochs):
    """A backup folder of ``name`` under ``root`` whose journal holds ``epochs`` epochs."""
    folder = root / name
    folder.mkdir(parents=True)
    with open(folder / "epochs.jsonl", "w", encoding="utf-8") as f:
        for epoch, (val, loss) in enumerate(epochs):
            f.write(json.dumps({"epoch": epoch, "seconds": 1800.0,
                                "logs": {"loss": loss, "accuracy": 0.5,
                                         "val_accuracy": val}}) + "\n")


def test_a_run_under_way_is_snapshotted_and_shown_until_it_finishes(tmp_path, monkeypatch):
    monkeypatch.setattr(mr, "RESULTS", str(tmp_path / "results"))
    root = tmp_path / "backups"
    _journal_of(root, "s000_cnn_vgg_augmented", [(0.90, 0.5), (0.93, 0.4), (0.92, 0.3)])
    assert mr.main(["progress", "s000_cnn_vgg_augmented", "--backup-root", str(root)]) == 0
    table = open(mr.make_table(str(tmp_path / "R.md")), encoding="utf-8").read()
    row = next(line for line in table.splitlines() if "| `s000_cnn_vgg_augmented`" in line)
    assert "| in progress |" in row and "3 epochs done so far" in row
    note = next(line for line in table.split("## Notes")[1].splitlines()
                if "`s000_cnn_vgg_augmented`: a full-length" in line)
    # the validation form of the seed's metric (its accuracy is a test figure, taken last)
    assert "3 epochs done of the seed's 25" in note and "1.5 h of training" in note
    assert "val_accuracy 0.9200 after epoch 3 (best 0.9300, epoch 2)" in note

    # the run finishes: the child writes its record and drops the snapshot
    monkeypatch.setattr(mr.registry, "run", lambda name, **_: {"accuracy": 0.93, "epochs": 25})
    out = mr.result_path("s000_cnn_vgg_augmented")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    mr.main(["_child", "s000_cnn_vgg_augmented", "--kwargs", "{}", "--out", out,
             "--backup-root", str(root)])
    assert not os.path.exists(mr.progress_path(out))
    table = open(mr.make_table(str(tmp_path / "R.md")), encoding="utf-8").read()
    assert "under way" not in table and "| 0.9300 |" in table


def test_a_snapshot_older_than_the_finished_record_is_not_shown(tmp_path, monkeypatch):
    monkeypatch.setattr(mr, "RESULTS", str(tmp_path / "results"))
    root = tmp_path / "backups"
    _journal_of(root, "s004_char_lm", [(0.1, 2.3), (0.2, 1.7)])
    path = mr.snapshot_progress("s004_char_lm", str(root))
    with open(path, encoding="utf-8") as f:
        snapshot = json.load(f)
    assert [e["epoch"] for e in snapshot["epochs"]] == [0, 1]
    record = {"name": "s004_char_lm", "quick": False, "epochs_cap": None, "kwargs": {},
              "wall_seconds": 60.0, "machine": "box", "finished": "2999-01-01 00:00",
              "metrics": {"loss": 1.03, "epochs": 20}}
    with open(mr.result_path("s004_char_lm"), "w", encoding="utf-8") as f:
        json.dump(record, f)
    table = open(mr.make_table(str(tmp_path / "R.md")), encoding="utf-8").read()
    assert "under way" not in table
    record["finished"] = "2000-01-01 00:00"  # an older, shorter run: the snapshot is news
    with open(mr.result_path("s004_char_lm"), "w", encoding="utf-8") as f:
        json.dump(record, f)
    table = open(mr.make_table(str(tmp_path / "R.md")), encoding="utf-8").read()
    assert "2 epochs done of the seed's 20" in table
    assert "loss 1.7000 after epoch 2 (best 1.7000, epoch 2)" in table  # lower is better


def test_a_snapshot_needs_a_journal(tmp_path, monkeypatch):
    monkeypatch.setattr(mr, "RESULTS", str(tmp_path))
    with pytest.raises(ValueError, match="no run of s004_char_lm to snapshot"):
        mr.snapshot_progress("s004_char_lm", str(tmp_path))
    (tmp_path / "s004_char_lm").mkdir()
    (tmp_path / "s004_char_lm" / "epochs.jsonl").write_text("")
    with pytest.raises(ValueError, match="no finished epoch yet"):
        mr.snapshot_progress("s004_char_lm", str(tmp_path))


def test_a_resumed_runs_time_is_the_whole_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(mr, "RESULTS", str(tmp_path))
    record = {"name": "s004_char_lm", "quick": False, "epochs_cap": None, "kwargs": {},
              "backup_dir": "/somewhere", "wall_seconds": 600.0, "machine": "box",
              "finished": "2026-12-05 23:00",
              "metrics": {"loss": 1.03, "epochs": 20, "train_seconds": 3000.0}}
    with open(mr.result_path("s004_char_lm"), "w", encoding="utf-8") as f:
        json.dump(record, f)
    table = open(mr.make_table(str(tmp_path / "R.md")), encoding="utf-8").read()
    assert "| 50.0 min of training, over several sessions |" in table  # not the last 10 min
