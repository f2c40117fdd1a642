"""Plumbing shared by the example scripts (not part of any lesson).

Every example has ``main(epochs=None, quick=False, data_dir=None, out_dir=...)`` and returns a
dict of metrics. This module holds what they all need around the model code: the command
line, where the data lives, a stopwatch, and saving the training curves.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import time

from saessak.apps.cli import positive_int
from saessak.apps.examples import results_dir as default_results_dir

HERE = os.path.dirname(os.path.abspath(__file__))
# a user's runs write here (~/.saessak/results), never into the repository; the reproduction
# runs in examples/results/ are written by scripts/make_reproduction.py, which says so
RESULTS = default_results_dir()
# the project keeps offline copies of the datasets beside the repository
SHARED_DATA = os.path.abspath(os.path.join(HERE, "..", "..", "shared", "data"))


@contextlib.contextmanager
def data_folder(data_dir=None):
    """Point the dataset loaders at ``data_dir`` (laid out like ``$SAESSAK_DATA``).

    Without one, ``$SAESSAK_DATA`` is used if set, else the project's shared copies if they
    are there, else the loaders' own cache and download.
    """
    old = os.environ.get("SAESSAK_DATA")
    chosen = data_dir or old or (SHARED_DATA if os.path.isdir(SHARED_DATA) else None)
    if chosen:
        os.environ["SAESSAK_DATA"] = os.path.abspath(chosen)
    try:
        yield chosen
    finally:
        if old is None:
            os.environ.pop("SAESSAK_DATA", None)
        else:
            os.environ["SAESSAK_DATA"] = old


def data_path(data_dir, *parts):
    """The path of a file under the data folder (or None when there is no folder)."""
    root = data_dir or os.environ.get("SAESSAK_DATA")
    return os.path.join(root, *parts) if root else None


class Stopwatch:
    """``with Stopwatch() as t: ...`` then ``t.seconds``."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def save_curves(history, out_dir, name, metrics=("loss", "accuracy")):
    """Save the training curves as ``out_dir/name.png``; None (with a message) without
    matplotlib."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # no display needed
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(f"(matplotlib is not installed: {name}.png not saved)")
        return None
    from saessak.utils import plot_history

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{name}.png")
    plot_history(history, metrics=metrics, path=path)
    print(f"training curves saved to {path}")
    return path


def save_language_model(model, vocab, out_dir, name, level, unknown=None, seq_length=None):
    """Save a language model and its vocabulary for ``saessak generate``; returns the
    command line that continues a text with them. The vocabulary file also records the
    token level and how many last tokens the model reads, so ``generate`` needs neither."""
    import json

    from saessak.utils.atomic import atomic_write_bytes

    os.makedirs(out_dir, exist_ok=True)
    # saessak's own format: it needs only NumPy (a .keras name would need h5py)
    model_path = os.path.join(out_dir, f"{name}.saessak")
    vocab_path = os.path.join(out_dir, f"{name}.vocab.json")
    model.save(model_path)
    vocabulary = {"tokens": [str(t) for t in vocab], "level": level, "unknown": unknown,
                  "seq_length": seq_length}
    atomic_write_bytes(vocab_path, json.dumps(vocabulary, ensure_ascii=False).encode("utf-8"))
    command = f"saessak generate --model {model_path} --vocab {vocab_path}"
    print(f"model saved to {model_path}\nvocabulary saved to {vocab_path}\n"
          f'continue a text with:\n  {command} --seed-text "..."')
    return command


BACKUP_DIR_HELP = ("back up after every epoch into this folder, and resume from it when "
                   "run again (BackupAndRestore)")


def resumable(keras, backup_dir):
    """Callbacks that let a long ``fit`` stop and go on in a later process: ``BackupAndRestore``
    in ``backup_dir`` (weights, optimizer and epoch after every finished epoch), and a journal
    of each finished epoch's logs and seconds, because a resumed ``fit`` returns only the
    epochs it ran itself. Returns ``(callbacks, journal)``: pass the callbacks to ``fit``,
    then ``journal.history(history)`` and ``journal.seconds`` give the whole run's.
    ``keras`` is the example's framework module; without a ``backup_dir`` nothing is added.
    Arrays given to ``fit`` resume exactly (the backup holds the random generators); a
    ``Dataset.shuffle`` starts its sequence of orders again, as tf.data's does.
    """
    if not backup_dir:
        return [], None
    os.makedirs(backup_dir, exist_ok=True)
    journal = EpochJournal(os.path.join(backup_dir, "epochs.jsonl"))
    timer = keras.callbacks.LambdaCallback(on_epoch_begin=journal.epoch_begin,
                                           on_epoch_end=journal.epoch_end)
    # the journal first: an epoch is written down before its backup, so a stop between the
    # two runs the epoch again and its entry is replaced, never lost
    return [timer, keras.callbacks.BackupAndRestore(backup_dir)], journal


class EpochJournal:
    """One JSON line per finished epoch: ``{"epoch", "seconds", "logs"}``. A run that starts
    at epoch 0 is a new run and clears the journal; a resumed one appends to it."""

    def __init__(self, path):
        self.path = path
        self._start = None

    def epoch_begin(self, epoch, logs=None):
        if epoch == 0 and os.path.exists(self.path):
            os.remove(self.path)
        self._start = time.perf_counter()

    def epoch_end(self, epoch, logs=None):
        line = {"epoch": int(epoch), "seconds": time.perf_counter() - self._start,
                "logs": {k: float(v) for k, v in (logs or {}).items()}}
        with open(self.path, "a+b") as f:  # (appending: writes go to the end)
            if f.tell():  # a line cut short by a kill is ended first
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    f.write(b"\n")
            f.write((json.dumps(line) + "\n").encode("utf-8"))

    def entries(self):
        """Each epoch's last entry (an epoch cut short by a stop and run again is kept once),
        in epoch order."""
        by_epoch = {}
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                for text in f:
                    try:
                        entry = json.loads(text)
                    except json.JSONDecodeError:  # a line cut by a kill: its epoch reruns
                        continue
                    by_epoch[entry["epoch"]] = entry
        return [by_epoch[e] for e in sorted(by_epoch)]

    @property
    def seconds(self):
        """Training time over every process that worked on the run."""
        return sum(entry["seconds"] for entry in self.entries())

    def history(self, last):
        """The whole run's per-epoch logs, for the History ``last`` of its final ``fit``."""
        entries = self.entries()
        whole = {key: [e["logs"].get(key, float("nan")) for e in entries]
                 for key in (entries[-1]["logs"] if entries else {})}
        last.history = whole or last.history
        return last


def history_dict(history):
    """The per-epoch logs as plain floats (JSON-friendly)."""
    logs = getattr(history, "history", history) or {}
    return {k: [float(v) for v in vals] for k, vals in logs.items()}


def results_dir(out_dir, quick):
    """``out_dir`` if given; else ``~/.saessak/results``, or its ``quick/`` folder for a
    quick smoke run (so that it never overwrites the full runs' curves and models)."""
    return out_dir or default_results_dir(quick)


def epochs_or(epochs, default):
    """``epochs`` when given, else ``default`` (the seed's count). Zero epochs would train
    nothing and leave no curves to draw, so it is refused rather than read as "default"."""
    if epochs is None:
        return default
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number of at least 1, received {epochs!r}")
    return epochs


def cli(main, description, default_epochs=None):
    """Run ``main`` from the command line: ``--epochs --quick --data-dir --out-dir``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=positive_int, default=default_epochs,
                        help="training epochs (default: the seed's)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run on a few hundred samples, one epoch")
    parser.add_argument("--data-dir", default=None,
                        help="folder laid out like $SAESSAK_DATA (default: $SAESSAK_DATA, "
                             "then ../shared/data)")
    parser.add_argument("--out-dir", default=None,
                        help="where curves and models go (default: ~/.saessak/results, or "
                             "its quick/ folder with --quick, so smoke runs never overwrite "
                             "the full runs' files)")
    resumes = "backup_dir" in inspect.signature(main).parameters
    if resumes:
        parser.add_argument("--backup-dir", default=None, help=BACKUP_DIR_HELP)
    args = parser.parse_args()
    extra = {"backup_dir": args.backup_dir} if resumes else {}
    metrics = main(epochs=args.epochs, quick=args.quick, data_dir=args.data_dir,
                   out_dir=results_dir(args.out_dir, args.quick), **extra)
    shown = {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}
    print("metrics:", shown)
    return metrics
