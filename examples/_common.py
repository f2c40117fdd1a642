"""Plumbing shared by the example scripts (not part of any lesson).

Every example has ``main(epochs=None, quick=False, data_dir=None, out_dir=...)`` and returns a
dict of metrics. This module holds what they all need around the model code: the command
line, where the data lives, a stopwatch, and saving the training curves.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
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
    command line that continues a text with them."""
    import json

    os.makedirs(out_dir, exist_ok=True)
    model_path = os.path.join(out_dir, f"{name}.keras")
    vocab_path = os.path.join(out_dir, f"{name}.vocab.json")
    model.save(model_path)
    with open(vocab_path, "w", encoding="utf-8") as f:
        json.dump({"tokens": [str(t) for t in vocab], "level": level, "unknown": unknown},
                  f, ensure_ascii=False)
    command = (f"saessak generate --model {model_path} --vocab {vocab_path}"
               + (f" --seq-length {seq_length}" if seq_length else ""))
    print("saved; continue a text with:\n  " + command + ' --seed-text "..."')
    return command


def history_dict(history):
    """The per-epoch logs as plain floats (JSON-friendly)."""
    logs = getattr(history, "history", history) or {}
    return {k: [float(v) for v in vals] for k, vals in logs.items()}


def results_dir(out_dir, quick):
    """``out_dir`` if given; else ``examples/results``, or a temporary folder for a quick
    smoke run (so that it never overwrites the full runs' curves and results)."""
    if out_dir:
        return out_dir
    return os.path.join(tempfile.gettempdir(), "saessak-quick") if quick else RESULTS


def cli(main, description, default_epochs=None):
    """Run ``main`` from the command line: ``--epochs --quick --data-dir --out-dir``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=default_epochs,
                        help="training epochs (default: the seed's)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run on a few hundred samples, one epoch")
    parser.add_argument("--data-dir", default=None,
                        help="folder laid out like $SAESSAK_DATA (default: $SAESSAK_DATA, "
                             "then ../shared/data)")
    parser.add_argument("--out-dir", default=None,
                        help="where curves and samples go (default: examples/results, or a "
                             "temporary folder with --quick, so smoke runs never overwrite "
                             "the full runs' results)")
    args = parser.parse_args()
    metrics = main(epochs=args.epochs, quick=args.quick, data_dir=args.data_dir,
                   out_dir=results_dir(args.out_dir, args.quick))
    shown = {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}
    print("metrics:", shown)
    return metrics
