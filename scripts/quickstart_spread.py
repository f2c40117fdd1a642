"""How far the quickstart's LSTM score moves between seeds, with and without numba.

    python scripts/quickstart_spread.py [--seeds 0 1 2 3 4 5 6 7 8 9] [--kind LSTM]

Each path runs in its own process (``SAESSAK_NUMBA=1`` and ``=0``) and trains the
quickstart's model for every seed; the script prints one Markdown row per path: the
|err|<=0.04 score for each seed, and their mean and range. The README's table comes from it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys


def child(seeds, kind):
    from saessak.apps.quickstart import seed_spread
    from saessak.ops import _rnn_numba

    print(json.dumps({"compiled": _rnn_numba.ENABLED,
                      "scores": seed_spread(seeds=seeds, kind=kind)}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--kind", default="LSTM", choices=["SimpleRNN", "LSTM", "GRU"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.seeds, args.kind)
        return 0
    print(f"| {args.kind} path | " + " | ".join(f"seed {s}" for s in args.seeds)
          + " | mean | range |")
    print("|---" * (len(args.seeds) + 3) + "|")
    for flag, label in (("1", "numba (compiled loops)"), ("0", "NumPy")):
        env = dict(os.environ, SAESSAK_NUMBA=flag)
        out = subprocess.run([sys.executable, __file__, "--child", "--kind", args.kind,
                              "--seeds", *map(str, args.seeds)],
                             env=env, check=True, capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        if flag == "1" and not result["compiled"]:
            label = "numba (not installed: NumPy again)"
        scores = result["scores"]
        print(f"| {label} | " + " | ".join(f"{v:.1f}%" for v in scores)
              + f" | {sum(scores) / len(scores):.1f}% | {min(scores):.1f}-{max(scores):.1f}% |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
