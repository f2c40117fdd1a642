"""``saessak export MODEL --to onnx [--output PATH]``: a saved model as an ONNX file."""

from __future__ import annotations

import os

from ..models.saving import load_model
from ..onnx import export
from .errors import UsageError


def add_export_command(commands):
    """Register ``export`` on the ``saessak`` command line's subcommands."""
    export = commands.add_parser("export", help="write a saved model in another format "
                                                "(ONNX)")
    export.add_argument("model", help="a model file: saessak's own, Keras .h5 or .keras")
    export.add_argument("--to", choices=["onnx"], default="onnx", help="the format")
    export.add_argument("--output", "-o", default=None,
                        help="where to write (default: the model's path with .onnx)")
    export.set_defaults(run=run_export)


def run_export(args):
    if not os.path.isfile(args.model):
        raise UsageError(f"no model file at {args.model!r}")
    output = args.output or os.path.splitext(args.model)[0] + ".onnx"
    try:
        model = load_model(args.model, compile=False)
        export(model, output)
    except (ImportError, ValueError) as err:
        raise UsageError(f"cannot export {args.model}: {err}") from None
    print(f"wrote {output} ({os.path.getsize(output):,} bytes)")
