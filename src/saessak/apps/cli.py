"""The ``saessak`` command line (also ``python -m saessak``).

A mistake on the command line (an unknown example, a missing dataset or model file, a bad
argument) ends in a short message on stderr that says what to do, and exit status 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .._version import __version__
from ..datasets import DatasetNotFoundError
from ..datasets._files import cache_dir
from ..distribute import launch
from ..models import load_model
from ..text import generate
from . import examples, quickstart
from .errors import UsageError
from .examples import UnknownExampleError
from .export_command import add_export_command


def positive_int(text):
    """argparse type: a whole number of at least 1 (``--epochs 0`` would train nothing)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, received {value}")
    return value


def _quickstart(args):
    quickstart.main(epochs=args.epochs, quick=args.quick, plot_path=args.plot)


def _examples_list(args):
    print(examples.format_table())


def _examples_run(args):
    metrics = examples.run(args.name, epochs=args.epochs, quick=args.quick,
                           data_dir=args.data_dir, out_dir=args.out_dir)
    shown = {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}
    print("metrics:", shown)


def _read_vocabulary(path, args):
    """The tokens and the settings saved beside them (level, unknown token, window)."""
    try:
        with open(path, encoding="utf-8") as f:
            vocab = json.load(f)
    except FileNotFoundError:
        raise UsageError(f"no vocabulary file {path}; `saessak examples run s004_char_lm "
                         "--quick` saves a model and its vocabulary and prints both "
                         "paths") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"{path} is not a JSON vocabulary ({e})") from None
    settings = {"level": args.level, "unknown": args.unknown, "seq_length": args.seq_length}
    if isinstance(vocab, dict) and "tokens" in vocab:  # {"tokens": [...], "level": ...}
        for key, value in settings.items():
            if value is None:
                settings[key] = vocab.get(key)
        vocab = vocab["tokens"]
    return vocab, settings


def _generate(args):
    if not os.path.isfile(args.model):
        raise UsageError(f"no model file {args.model}; `saessak examples run s004_char_lm "
                         "--quick` saves one and prints its path")
    vocab, settings = _read_vocabulary(args.vocab, args)
    model = load_model(args.model)
    try:
        generate(model, args.seed_text, args.length, temperature=args.temperature,
                 top_k=args.top_k, top_p=args.top_p, greedy=args.greedy, vocab=vocab,
                 seed=args.seed, stream=lambda piece: print(piece, end="", flush=True),
                 **settings)
    except ValueError as e:  # a bad sampling setting: generate's message names it
        raise UsageError(str(e)) from None
    print()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="saessak", description="saessak: deep learning from scratch on NumPy")
    parser.add_argument("--version", action="version", version=f"saessak {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    quick = commands.add_parser("quickstart", help="offline demo: logic gates, XOR, and "
                                "SimpleRNN vs LSTM vs GRU on the multiplication problem")
    quick.add_argument("--epochs", type=positive_int, default=20,
                       help="epochs per recurrent model")
    quick.add_argument("--quick", action="store_true", help="a few-second smoke run")
    quick.add_argument("--plot", default="quickstart_loss.png",
                       help="where to save the loss curves (PNG; needs matplotlib)")
    quick.set_defaults(run=_quickstart)

    ex = commands.add_parser("examples", help="the seeds' experiments as runnable examples")
    ex_commands = ex.add_subparsers(dest="examples_command", required=True)
    ex_commands.add_parser("list", help="list the examples").set_defaults(run=_examples_list)
    ex_run = ex_commands.add_parser("run", help="run one example")
    ex_run.add_argument("name", help="an example name from `saessak examples list`")
    ex_run.add_argument("--epochs", type=positive_int, default=None, help="default: the seed's")
    ex_run.add_argument("--quick", action="store_true", help="a small smoke run")
    ex_run.add_argument("--data-dir", default=None,
                        help="folder laid out like $SAESSAK_DATA (default: $SAESSAK_DATA)")
    ex_run.add_argument("--out-dir", default=None, help="where curves and models go "
                        "(default: ~/.saessak/results, or its quick/ folder with --quick)")
    ex_run.set_defaults(run=_examples_run)

    gen = commands.add_parser("generate", help="continue a text with a saved language model")
    gen.add_argument("--model", required=True, help="a model saved with model.save()")
    gen.add_argument("--vocab", required=True,
                     help='JSON: the tokens in index order, a token -> index object, or '
                          '{"tokens": [...], "level": "char", "unknown": "UNK", '
                          '"seq_length": 40}')
    gen.add_argument("--seed-text", required=True, help="the beginning of the text")
    gen.add_argument("--length", type=int, default=200, help="tokens to generate")
    gen.add_argument("--temperature", type=float, default=1.0)
    gen.add_argument("--top-k", type=int, default=None)
    gen.add_argument("--top-p", type=float, default=None)
    gen.add_argument("--greedy", action="store_true", help="always the most likely token")
    gen.add_argument("--level", choices=["word", "char", "jamo"], default=None)
    gen.add_argument("--unknown", default=None, help="the vocabulary's unknown token")
    gen.add_argument("--seq-length", type=int, default=None,
                     help="how many last tokens the model sees (default: the vocabulary "
                          "file's, else all)")
    gen.add_argument("--seed", type=int, default=None, help="random seed for sampling")
    gen.set_defaults(run=_generate)
    add_export_command(commands)  # saessak export MODEL --to onnx (apps/export_command.py)
    launch.add_parser(commands)  # saessak launch -n N script.py
    return parser


def _dataset_hint(error) -> str:
    """Two lines for a missing dataset: what is missing and why, then what to do."""
    dataset, fnames = getattr(error, "dataset", None), getattr(error, "fnames", None)
    if not dataset or not fnames:  # a loader that words its own message
        return str(error).splitlines()[0]
    reason = str(getattr(error, "reason", "") or "")
    offline = "SAESSAK_OFFLINE" in reason
    why = ("downloads are off (SAESSAK_OFFLINE is set)" if offline
           else f"the download failed: {reason.rsplit(': ', 1)[-1]}" if reason
           else "it has no public download")
    fix = f"set SAESSAK_DATA (or --data-dir) to a folder holding {dataset}/{fnames[0]}"
    if getattr(error, "url", None) and not str(error.url).startswith("("):
        fix += (f", or unset SAESSAK_OFFLINE to download {error.url}" if offline
                else f", or download {error.url} into {cache_dir()}")
    return f"no copy of dataset {dataset!r} ({fnames[0]}) and {why}.\nTo fix: {fix}."


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows up here
    except BrokenPipeError:
        # the reader stopped early (`saessak examples list | head`): stop quietly, with the
        # status of a process ended by SIGPIPE, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("saessak: interrupted", file=sys.stderr)
        return 130
    except DatasetNotFoundError as e:
        print(f"saessak: {_dataset_hint(e)}", file=sys.stderr)
        return 2
    except (UnknownExampleError, UsageError) as e:
        print(f"saessak: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
