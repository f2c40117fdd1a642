"""``plot_history``: the loss and accuracy curves the seeds draw after ``fit``.

One panel per metric, the training curve solid and the validation curve dashed, epochs on
the x axis. matplotlib is an optional extra (``pip install saessak[plot]``).
"""

from __future__ import annotations

# a second positional argument ending like this is the file to save, not a metric name
_IMAGE_FILES = (".png", ".pdf", ".svg", ".jpg", ".jpeg")


def plot_history(history, metrics=("loss", "accuracy"), path=None, figsize=None):
    """Draw ``history`` (a ``History`` from ``fit``, or its ``.history`` dict).

    Each name in ``metrics`` gets a panel with its training values and, when present, the
    ``val_`` values; names missing from the history are skipped (``'acc'`` is tried for
    ``'accuracy'``). Saves to ``path`` when given (and closes the figure), else shows it;
    ``plot_history(h, "curves.png")`` saves the default panels there.
    Returns the matplotlib Figure.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plot_history needs matplotlib, an optional extra: "
                          "pip install matplotlib (or saessak[plot])") from None
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"plot_history: expected a History or its .history dict, received "
                        f"{type(history).__name__}")
    if isinstance(metrics, str) and path is None and metrics.lower().endswith(_IMAGE_FILES):
        metrics, path = ("loss", "accuracy"), metrics  # plot_history(h, "curves.png")
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    names = []
    for name in metrics:
        if name not in logs and name == "accuracy" and "acc" in logs:
            name = "acc"
        if name in logs:
            names.append(name)
    if not names:
        raise ValueError(f"plot_history: none of {list(metrics)} is in the history; it has "
                         f"{sorted(logs)}")
    fig, axes = plt.subplots(1, len(names), figsize=figsize or (6 * len(names), 4),
                             squeeze=False)
    styles = [("b-", "r--"), ("g-", "k--")]  # the seeds' colours: loss, then accuracy
    for ax, name, (train_style, val_style) in zip(axes[0], names, styles * len(names)):
        epochs = range(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], train_style, label=name)
        if "val_" + name in logs:
            ax.plot(range(1, len(logs["val_" + name]) + 1), logs["val_" + name], val_style,
                    label="val_" + name)
        ax.set_xlabel("Epoch")
        ax.set_title(name)
        ax.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
        plt.close(fig)
    else:
        plt.show()
    return fig
