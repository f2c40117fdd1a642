"""Kill training with SIGKILL at random points, resume it, and get the same weights.

Each trial trains in a child process (forked, so that saessak is imported once) with
``BackupAndRestore``, and the child is killed with SIGKILL: by the parent at a random
moment, or by itself at a seeded point -- at a training step, in the middle of writing
the backup, between writing and fsync, between fsync and the rename, or just after the
rename. A second child then runs the same ``fit`` to the end. Its final weights must be
bit-identical to those of a run never interrupted, for SGD with momentum and for Adam,
with dropout and shuffling drawing random numbers all along; and no temporary file may
be left in the backup folder.
"""

import multiprocessing
import os
import random
import signal
import stat
import time

import numpy as np
import pytest

import saessak
from saessak import layers
from saessak.utils import atomic

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods() or not hasattr(signal, "SIGKILL"),
    reason="needs fork() and SIGKILL (POSIX)")

EPOCHS = 4
TRIALS = 20
_rng = np.random.default_rng(0)
X = _rng.normal(size=(48, 6)).astype("float32")
Y = _rng.normal(size=(48, 1)).astype("float32")
POINTS = ("timer", "step", "write", "fsync", "replace", "after_replace")


def make_model(optimizer):
    saessak.utils.set_random_seed(7)
    model = saessak.Sequential([layers.Dense(12, activation="relu", input_shape=(6,)),
                                layers.Dropout(0.3), layers.Dense(8, activation="tanh"),
                                layers.Dropout(0.2), layers.Dense(1)])
    opt = (saessak.optimizers.SGD(0.05, momentum=0.9) if optimizer == "sgd"
           else saessak.optimizers.Adam(0.01))
    model.compile(opt, "mse")
    return model


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


def _arm(point, nth):
    """Make this (child) process kill itself at the ``nth`` occurrence of ``point``."""
    count = [0]

    def hit():
        count[0] += 1
        return count[0] == nth

    if point == "write":
        def write_half(f, data, chunk=1 << 20):
            if hit():
                f.write(data[: len(data) // 2])
                f.flush()
                _die()
            f.write(data)
        atomic.write_all = write_half
    elif point == "fsync":
        real_fsync = os.fsync

        def fsync(fd):
            if hit():
                _die()
            real_fsync(fd)
        os.fsync = fsync
    elif point in ("replace", "after_replace"):
        real_replace = os.replace

        def replace(src, dst):
            if point == "replace" and hit():
                _die()
            real_replace(src, dst)
            if point == "after_replace" and hit():
                _die()
        os.replace = replace


class KillAtStep(saessak.callbacks.Callback):
    def __init__(self, nth):
        super().__init__()
        self.nth, self.seen = nth, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.nth:
            _die()


def _child(optimizer, backup_dir, result, point, nth):
    callbacks = [saessak.callbacks.BackupAndRestore(backup_dir)]
    if point == "step":
        callbacks.append(KillAtStep(nth))
    elif point not in (None, "timer"):
        _arm(point, nth)
    model = make_model(optimizer)
    model.fit(X, Y, batch_size=8, epochs=EPOCHS, verbose=0, callbacks=callbacks)
    np.savez(result, *model.get_weights())


def run_child(optimizer, backup_dir, result, point=None, nth=0, kill_after=None,
              timeout=60):
    process = multiprocessing.get_context("fork").Process(
        target=_child, args=(optimizer, backup_dir, result, point, nth))
    process.start()
    if kill_after is not None:
        time.sleep(kill_after)
        if process.is_alive():
            os.kill(process.pid, signal.SIGKILL)
    process.join(timeout)
    assert not process.is_alive(), "a training child hung"
    return process.exitcode


def weights(result):
    with np.load(result) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Uninterrupted runs (and their duration, to aim the timer kills)."""
    out = {}
    for optimizer in ("sgd", "adam"):  # compile (or load) the numba kernels once, here,
        make_model(optimizer).fit(X, Y, batch_size=8, epochs=1, verbose=0)  # not per child
        folder = tmp_path_factory.mktemp(f"ref_{optimizer}")
        start = time.perf_counter()
        assert run_child(optimizer, str(folder / "backup"), str(folder / "w.npz")) == 0
        out[optimizer] = (weights(folder / "w.npz"), time.perf_counter() - start)
    return out


def test_twenty_sigkills_then_resume_are_bit_identical(tmp_path, references):
    r = random.Random(14)
    steps_per_run = EPOCHS * (len(X) // 8)
    seen_points, killed = set(), 0
    for trial in range(TRIALS):
        optimizer = ("sgd", "adam")[trial % 2]
        point = POINTS[trial % len(POINTS)] if trial < 12 else r.choice(POINTS)
        folder = tmp_path / f"trial{trial}"
        backup, result = str(folder / "backup"), str(folder / "w.npz")
        nth = r.randint(1, steps_per_run if point == "step" else EPOCHS)
        reference, duration = references[optimizer]
        code = run_child(optimizer, backup, result, point, nth,
                         kill_after=r.uniform(0.05, 1.0) * duration if point == "timer"
                         else None)
        killed += code == -signal.SIGKILL
        seen_points.add(point)
        assert run_child(optimizer, backup, result) == 0  # resume to the end
        for got, want in zip(weights(result), reference):
            np.testing.assert_array_equal(got, want, err_msg=f"trial {trial}: {point} {nth}")
        leftovers = [n for n in os.listdir(backup) if n.startswith(atomic.PREFIX)]
        assert leftovers == [], f"trial {trial}: temporary files left: {leftovers}"
        assert not os.listdir(backup)  # the finished run removed its backup
    assert killed >= TRIALS - 3  # (a timer kill may come after the child finished)
    assert seen_points == set(POINTS)


def test_a_kill_during_the_backup_never_pairs_weights_with_the_wrong_epoch(tmp_path):
    """The old backup was two files: a kill between them redid an epoch silently. Now a
    kill anywhere in the write leaves the previous backup whole and readable."""
    backup = str(tmp_path / "backup")
    code = run_child("adam", backup, str(tmp_path / "w.npz"), "replace", 3)
    assert code == -signal.SIGKILL
    names = os.listdir(backup)
    assert names.count("latest.backup") == 1
    from saessak.models.archive import Archive
    state = Archive(os.path.join(backup, "latest.backup"), kinds=("backup",)).json(
        "training_state.json")
    assert state["epoch"] == 2  # the third backup (epoch index 2 done) never landed
    stale = [n for n in names if n.startswith(atomic.PREFIX)]
    assert len(stale) == 1  # the killed write's temporary file, removed by the next save
    assert run_child("adam", backup, str(tmp_path / "w.npz")) == 0
    assert not os.listdir(backup)


def _save_and_die_midway(path):
    def write_half(f, data, chunk=1 << 20):
        f.write(data[: len(data) // 2])
        f.flush()
        _die()
    atomic.write_all = write_half
    make_model("adam").save(path)


def test_a_save_killed_midway_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    path = tmp_path / "m.saessak"
    model = make_model("sgd")
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(path)
    before = path.read_bytes()
    child = multiprocessing.get_context("fork").Process(target=_save_and_die_midway,
                                                        args=(str(path),))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    stale = [n for n in os.listdir(tmp_path) if n.startswith(atomic.PREFIX)]
    assert len(stale) == 1 and path.read_bytes() == before  # the old file is whole
    live = tmp_path / f"{atomic.PREFIX}{os.getpid()}-abcdefgh-other.saessak"
    live.write_bytes(b"a save in progress in this very process")
    other = tmp_path / "unrelated.tmp"
    other.write_bytes(b"not ours")
    model.save(tmp_path / "second.saessak")  # any save to the folder cleans up
    names = sorted(os.listdir(tmp_path))
    assert stale[0] not in names
    assert live.name in names and other.name in names  # only dead processes' files go


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_saved_files_get_the_umask_permissions(tmp_path, umask):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    model = make_model("sgd")
    model.build((None, 6))
    old = os.umask(umask)
    try:
        model.save(tmp_path / "m.saessak")
        model.save_weights(tmp_path / "w.weights.h5")
        with open(tmp_path / "plain.txt", "w") as f:  # what open() gives
            f.write("x")
    finally:
        os.umask(old)
    expected = 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode) == expected
    for name in ("m.saessak", "w.weights.h5"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == expected, name


def test_backups_every_n_batches_resume_from_the_start_of_that_epoch(tmp_path):
    """Keras's rule for an integer save_freq: the run goes on from the start of the epoch
    in which the last backup was made, with that backup's weights."""
    backup = saessak.callbacks.BackupAndRestore(tmp_path, save_freq=4, delete_checkpoint=False)

    class Crash(saessak.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.params and self.model.optimizer.iterations == 14:  # epoch 2, step 2
                raise KeyboardInterrupt

    model = make_model("adam")
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, batch_size=8, epochs=EPOCHS, verbose=0, callbacks=[backup, Crash()])
    # 6 steps an epoch: backups after steps 4, 8 and 12, the last one in epoch 1
    resumed = make_model("adam")
    history = resumed.fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[
        saessak.callbacks.BackupAndRestore(tmp_path, save_freq=4)])
    assert history.epoch == [1, 2]  # epoch 1 again, from its start
    assert resumed.optimizer.iterations == 12 + 2 * 6  # on top of the backup's 12 steps
    with pytest.raises(ValueError, match="save_freq"):
        saessak.callbacks.BackupAndRestore(tmp_path, save_freq="often")


def test_a_damaged_backup_is_a_clear_error(tmp_path):
    model = make_model("sgd")
    model.fit(X, Y, epochs=1, verbose=0,
              callbacks=[saessak.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)])
    path = tmp_path / "latest.backup"
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="latest.backup"):
        make_model("sgd").fit(X, Y, epochs=2, verbose=0,
                              callbacks=[saessak.callbacks.BackupAndRestore(tmp_path)])
