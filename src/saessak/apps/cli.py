"""The ``saessak`` command line."""

from __future__ import annotations

import argparse
import sys


def _quickstart(args):
    from .quickstart import main

    main(epochs=args.epochs, quick=args.quick, plot_path=args.plot)


def _examples_list(args):
    from . import examples

    print(examples.format_table())


def _examples_run(args):
    from . import examples

    metrics = examples.run(args.name, epochs=args.epochs, quick=args.quick,
                           data_dir=args.data_dir, out_dir=args.out_dir)
    shown = {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}
    print("metrics:", shown)


def _generate(args):
    import json

    from ..models import load_model
    from ..text import generate

    model = load_model(args.model)
    with open(args.vocab, encoding="utf-8") as f:
        vocab = json.load(f)
    if isinstance(vocab, dict) and "tokens" in vocab:  # {"tokens": [...], "level": ...}
        level = args.level or vocab.get("level")
        unknown = args.unknown or vocab.get("unknown")
        vocab = vocab["tokens"]
    else:
        level, unknown = args.level, args.unknown
    generate(model, args.seed_text, args.length, temperature=args.temperature,
             top_k=args.top_k, top_p=args.top_p, greedy=args.greedy, vocab=vocab, level=level,
             unknown=unknown, seq_length=args.seq_length, seed=args.seed,
             stream=lambda piece: print(piece, end="", flush=True))
    print()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="saessak", description="saessak: deep learning from scratch on NumPy")
    commands = parser.add_subparsers(dest="command", required=True)

    quick = commands.add_parser("quickstart", help="offline demo: logic gates, XOR, and "
                                "SimpleRNN vs LSTM vs GRU on the multiplication problem")
    quick.add_argument("--epochs", type=int, default=20, help="epochs per recurrent model")
    quick.add_argument("--quick", action="store_true", help="a few-second smoke run")
    quick.add_argument("--plot", default="quickstart_loss.png",
                       help="where to save the loss curves (PNG; needs matplotlib)")
    quick.set_defaults(run=_quickstart)

    ex = commands.add_parser("examples", help="the seeds' experiments as runnable examples")
    ex_commands = ex.add_subparsers(dest="examples_command", required=True)
    ex_commands.add_parser("list", help="list the examples").set_defaults(run=_examples_list)
    ex_run = ex_commands.add_parser("run", help="run one example")
    ex_run.add_argument("name", help="an example name from `saessak examples list`")
    ex_run.add_argument("--epochs", type=int, default=None, help="default: the seed's")
    ex_run.add_argument("--quick", action="store_true", help="a small smoke run")
    ex_run.add_argument("--data-dir", default=None,
                        help="folder laid out like $SAESSAK_DATA (default: $SAESSAK_DATA)")
    ex_run.add_argument("--out-dir", default=None, help="where curves go "
                        "(default: examples/results)")
    ex_run.set_defaults(run=_examples_run)

    gen = commands.add_parser("generate", help="continue a text with a saved language model")
    gen.add_argument("--model", required=True, help="a model saved with model.save()")
    gen.add_argument("--vocab", required=True,
                     help='JSON: the tokens in index order, a token -> index object, or '
                          '{"tokens": [...], "level": "char", "unknown": "UNK"}')
    gen.add_argument("--seed-text", required=True, help="the beginning of the text")
    gen.add_argument("--length", type=int, default=200, help="tokens to generate")
    gen.add_argument("--temperature", type=float, default=1.0)
    gen.add_argument("--top-k", type=int, default=None)
    gen.add_argument("--top-p", type=float, default=None)
    gen.add_argument("--greedy", action="store_true", help="always the most likely token")
    gen.add_argument("--level", choices=["word", "char", "jamo"], default=None)
    gen.add_argument("--unknown", default=None, help="the vocabulary's unknown token")
    gen.add_argument("--seq-length", type=int, default=None,
                     help="how many last tokens the model sees")
    gen.add_argument("--seed", type=int, default=None, help="random seed for sampling")
    gen.set_defaults(run=_generate)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
