"""The registry of runnable examples: one per experiment of the seed chapters.

Each entry names the seed and section it reproduces, the dataset, the figure the seed
reports and the script under ``examples/`` that runs it. ``run(name)`` imports the script
and calls its ``main(epochs=..., quick=..., data_dir=..., out_dir=...)``, which returns a
dict of metrics.

    >>> [e.name for e in EXAMPLES][:2]
    ['s000_fashion_mnist_dense', 's000_cnn_plain']
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import sys
from dataclasses import dataclass, field

from ..utils.data_utils import saessak_home


@dataclass(frozen=True)
class Example:
    name: str            # registry key and the script's file name (examples/<module>.py)
    seed: str            # "000" .. "004"
    section: str         # where in the seed
    title: str
    dataset: str
    metric: str          # the key of main()'s result that the seed's figure compares to
    reported: float | None  # the seed's figure (None: the seed shows only curves or text)
    module: str = ""     # defaults to name
    kwargs: dict = field(default_factory=dict)  # extra arguments for main()
    higher_is_better: bool = True
    note: str = ""
    comparable: bool = True  # False where the data differs from the seed's (a stand-in)

    @property
    def script(self):
        return self.module or self.name


E = Example
EXAMPLES = [
    # -- seed 000: TensorFlow 2.0 programming (chapters 5-7) --------------------------------
    E("s000_fashion_mnist_dense", "000", "5.3", "Fashion-MNIST, Dense classifier",
      "fashion_mnist", "accuracy", 0.885),
    E("s000_cnn_plain", "000", "ex. 6.7/6.9", "Fashion-MNIST, 3 Conv2D without pooling",
      "fashion_mnist", "accuracy", 0.8521, module="s000_fashion_mnist_cnn",
      kwargs={"variant": "plain"}),
    E("s000_cnn_pool_dropout", "000", "ex. 6.10", "Fashion-MNIST CNN with pooling + dropout",
      "fashion_mnist", "accuracy", 0.8909, module="s000_fashion_mnist_cnn",
      kwargs={"variant": "pool_dropout"}),
    E("s000_cnn_vgg", "000", "ex. 6.12", "Fashion-MNIST VGG-style CNN",
      "fashion_mnist", "accuracy", 0.9252, module="s000_fashion_mnist_cnn",
      kwargs={"variant": "vgg"}),
    E("s000_cnn_vgg_augmented", "000", "ex. 6.14-6.16",
      "Fashion-MNIST VGG-style CNN + image augmentation", "fashion_mnist", "accuracy", 0.9288,
      module="s000_fashion_mnist_cnn", kwargs={"variant": "vgg", "augment": True}),
    E("s000_sequence_prediction", "000", "ex. 7.2-7.5", "SimpleRNN predicts the next number",
      "synthetic", "pred_0.6_0.9", 0.8314607,
      note="the prediction for [0.6, 0.7, 0.8, 0.9] (ideal 1.0)"),
    E("s000_multiplication_simplernn", "000", "ex. 7.6-7.10",
      "Multiplication problem, SimpleRNN", "synthetic", "correctness", 0.0932,
      module="s000_multiplication", kwargs={"kind": "SimpleRNN"},
      note="share of 440 test problems within 0.04"),
    E("s000_multiplication_lstm", "000", "ex. 7.11-7.14", "Multiplication problem, LSTM",
      "synthetic", "correctness", 0.9477, module="s000_multiplication",
      kwargs={"kind": "LSTM"}),
    E("s000_multiplication_gru", "000", "ex. 7.15-7.18", "Multiplication problem, GRU",
      "synthetic", "correctness", 0.9886, module="s000_multiplication",
      kwargs={"kind": "GRU"}),
    E("s000_nsmc_sentiment", "000", "7.3 (ex. 7.19-7.31)",
      "NSMC sentiment, Embedding + LSTM, custom sentences", "nsmc", "accuracy", 0.80038),
    E("s000_word_generation", "000", "7.4.1", "Word-level text generation (LSTM x2)",
      "nsmc (stand-in for the annals)", "accuracy", 0.9256,
      note="training accuracy", comparable=False),
    E("s000_jamo_generation", "000", "7.4.2", "Jamo-level text generation (LSTM 400)",
      "nsmc (stand-in for the annals)", "accuracy", 0.6999,
      note="training accuracy", comparable=False),
    E("s000_mobilenet_v2", "000", "8.1", "MobileNetV2 as the seed loads it (TF-Hub classifier)",
      "none (built, not trained)", "params_seed_classifier", 3540265,
      module="s000_transfer_learning", kwargs={"count_only": True},
      note="applications.MobileNetV2(classes=1001): TF-Hub's classifier has a background "
           "class beside ImageNet's 1,000"),
    E("s000_transfer_learning", "000", "8.1",
      "Transfer learning: a frozen MobileNetV2 base, a new head, then fine-tuning",
      "fashion_mnist (96x96, 3 channels)", "fine_tuned_accuracy", None, comparable=False,
      note="the seed's TF-Hub MobileNetV2 and flowers are not held here; new classes on a "
           "base pre-trained on the other five"),
    # -- seed 001: Deep Learning for Everyone, chapter 18 ----------------------------------
    E("s001_reuters_lstm", "001", "18.1", "Reuters topics, Embedding + LSTM", "reuters",
      "accuracy", 0.7177),
    E("s001_imdb_conv_lstm", "001", "18.2", "IMDB, Conv1D + MaxPooling1D + LSTM", "imdb",
      "accuracy", 0.8796),
    E("s001_imdb_lstm_attention", "001", "18.3", "IMDB, LSTM + attention", "imdb",
      "accuracy", 0.8808),
    # -- seed 002: Deep Learning with Python, chapter 6 -------------------------------------
    E("s002_imdb_embedding_flatten", "002", "6.1-2", "IMDB, Embedding(8) + Flatten, 20 words",
      "imdb", "val_accuracy", 0.7536),
    E("s002_imdb_simplernn", "002", "6.2-1", "IMDB, SimpleRNN(32)", "imdb", "val_accuracy",
      None, module="s002_imdb_rnn", kwargs={"variant": "simplernn"},
      note="the seed shows curves only"),
    E("s002_imdb_lstm", "002", "6.2-3", "IMDB, LSTM(32)", "imdb", "val_accuracy", None,
      module="s002_imdb_rnn", kwargs={"variant": "lstm"}, note="the seed shows curves only"),
    E("s002_imdb_lstm_reversed", "002", "6.3", "IMDB, LSTM on reversed reviews", "imdb",
      "val_accuracy", 0.8764, module="s002_imdb_rnn", kwargs={"variant": "reversed"}),
    E("s002_imdb_bidirectional", "002", "6.3", "IMDB, bidirectional LSTM", "imdb",
      "val_accuracy", 0.8770, module="s002_imdb_rnn", kwargs={"variant": "bidirectional"}),
    E("s002_imdb_conv1d", "002", "6.4-3", "IMDB, 1D convnet", "imdb", "val_accuracy", None,
      note="the seed shows the summary only"),
    E("s002_glove_embedding", "002", "6.1-3", "IMDB, pre-trained GloVe embedding (frozen)",
      "imdb (raw reviews) + glove", "val_accuracy", None, comparable=False,
      note="the seed shows curves only; the full GloVe file is not held offline, so the "
           "run uses the project's 100-word sample"),
    E("s002_jena_forecasting", "002", "6.3, 6.4-4",
      "Jena temperature: naive, Dense, GRU, dropout/stacked/bidirectional GRU, Conv1D+GRU",
      "jena_climate", "naive_mae", 0.2897, higher_is_better=False,
      note="needs the Jena CSV, not available offline"),
    # -- seed 003: NLP foundations (wikidocs chapter 8) -------------------------------------
    E("s003_perceptron", "003", "1", "Perceptron gates and XOR", "truth tables",
      "gates_solved", 4.0, note="AND, NAND, OR by hand, XOR by composition and by an MLP"),
    E("s003_backprop", "003", "4", "The worked backpropagation example", "by hand",
      "w5_updated", 0.43703857, note="W5 after one step, to 8 decimals"),
    E("s003_functional_api", "003", "6", "Functional API models", "random",
      "params_ffnn", 49.0, note="parameter counts of the seed's models"),
    E("s003_numpy_rnn", "003", "8.3", "NumPy RNN beside saessak's SimpleRNN", "random",
      "max_abs_diff", 0.0, higher_is_better=False),
    E("s003_rnn_language_model", "003", "11.1", "SimpleRNN language model, 3 sentences",
      "3 Korean sentences", "sentences_reproduced", 3.0),
    # -- seed 004: Python Machine Learning, chapter 16 --------------------------------------
    E("s004_imdb_bilstm", "004", "16.3 project 1", "IMDB, Embedding(20) + bidirectional LSTM",
      "imdb (raw reviews)", "accuracy", 0.8515),
    E("s004_imdb_bisimplernn_100", "004", "16.3 project 1",
      "IMDB, bidirectional SimpleRNN on the last 100 tokens", "imdb (raw reviews)",
      "accuracy", 0.8070, module="s004_imdb_bilstm",
      kwargs={"recurrent": "SimpleRNN", "max_seq_length": 100}),
    E("s004_char_lm", "004", "16.3 project 2",
      "Character LSTM language model, The Mysterious Island", "mysterious_island_2016",
      "loss", 1.0478, higher_is_better=False, note="training loss (the seed's: after 20 epochs)"),
    E("s004_self_attention", "004", "16.4", "Self-attention walk-through", "by hand",
      "max_abs_diff", 0.0, higher_is_better=False,
      note="the basic and the query/key/value self-attention, by hand and by saessak"),
    E("s004_transformer_imdb", "004", "16.4 (beyond the seed)",
      "IMDB, transformer-encoder classifier", "imdb", "accuracy", None,
      note="not in the seed"),
]
BY_NAME = {e.name: e for e in EXAMPLES}

# how long the seed trained each model, for the reproduction table
SEED_RUNS = {
    "s000_fashion_mnist_dense": "25 epochs", "s000_cnn_plain": "25 epochs",
    "s000_cnn_pool_dropout": "25 epochs", "s000_cnn_vgg": "25 epochs",
    "s000_cnn_vgg_augmented": "25 epochs on 90,000 images",
    "s000_sequence_prediction": "100 epochs", "s000_multiplication_simplernn": "100 epochs",
    "s000_multiplication_lstm": "100 epochs", "s000_multiplication_gru": "100 epochs",
    "s000_nsmc_sentiment": "5 epochs", "s000_word_generation": "50 epochs of 533 steps",
    "s000_jamo_generation": "100 epochs of 2,364 steps",
    "s001_reuters_lstm": "up to 200 epochs, early stopping (patience 5)",
    "s001_imdb_conv_lstm": "up to 100 epochs, early stopping (patience 3)",
    "s001_imdb_lstm_attention": "up to 100 epochs, early stopping (patience 3)",
    "s002_imdb_embedding_flatten": "10 epochs", "s002_imdb_simplernn": "10 epochs",
    "s002_imdb_lstm": "10 epochs", "s002_imdb_lstm_reversed": "10 epochs",
    "s002_imdb_bidirectional": "10 epochs", "s002_imdb_conv1d": "10 epochs",
    "s002_jena_forecasting": "20-40 epochs of 500 steps",
    "s003_rnn_language_model": "200 epochs", "s004_imdb_bilstm": "10 epochs",
    "s004_imdb_bisimplernn_100": "10 epochs", "s004_char_lm": "20 epochs of 424 steps",
}


def examples_dir():
    """The repository's ``examples/`` folder (``$SAESSAK_EXAMPLES`` overrides)."""
    env = os.environ.get("SAESSAK_EXAMPLES")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.abspath(os.path.join(here, "..", "..", "..", "examples"))


class UnknownExampleError(KeyError):
    """No example has that name (the message suggests the closest names)."""

    def __str__(self):  # KeyError would show the message in quotes
        return self.args[0]


def get(name):
    try:
        return BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(name, BY_NAME, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise UnknownExampleError(f"no example named {name!r}; {hint}`saessak examples list` "
                                  "shows them all") from None


def results_dir(quick=False):
    """Where an example writes its curves and models unless given ``out_dir``:
    ``$SAESSAK_RESULTS``, else ``results/`` in saessak's home folder (``~/.saessak``); a
    quick run uses the ``quick/`` folder inside it, so a smoke run never overwrites a full
    run's files. Never the repository: ``examples/results/`` holds the reproduction runs and
    is written only by ``scripts/make_reproduction.py``, so a user's runs leave the checkout
    clean."""
    root = os.environ.get("SAESSAK_RESULTS") or os.path.join(saessak_home(), "results")
    return os.path.join(root, "quick") if quick else root


def load_module(example):
    """Import ``examples/<script>.py`` (its folder goes on ``sys.path`` for its helpers)."""
    folder = examples_dir()
    path = os.path.join(folder, example.script + ".py")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"example script {path} not found (the examples live in the "
                                "source repository; set SAESSAK_EXAMPLES to its examples/)")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    if example.script in sys.modules:
        return sys.modules[example.script]
    spec = importlib.util.spec_from_file_location(example.script, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[example.script] = module
    spec.loader.exec_module(module)
    return module


def run(name, epochs=None, quick=False, data_dir=None, out_dir=None, **kwargs):
    """Run one example; returns its metrics dict."""
    example = get(name)
    module = load_module(example)
    arguments = dict(example.kwargs, **kwargs)
    if out_dir is None:
        out_dir = results_dir(quick)
    return module.main(epochs=epochs, quick=quick, data_dir=data_dir, out_dir=out_dir,
                       **arguments)


def format_table(examples=EXAMPLES):
    """The registry as a text table (``saessak examples list``)."""
    rows = [("name", "seed", "section", "dataset", "seed's figure")]
    for e in examples:
        figure = "-" if e.reported is None else f"{e.metric} {e.reported:g}"
        rows.append((e.name, e.seed, e.section, e.dataset, figure))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
