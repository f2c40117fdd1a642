"""Run the examples, keep their metrics as JSON, and generate REPRODUCTION.md from them.

    # run some examples (each in its own process; log and JSON under examples/results/)
    python scripts/make_reproduction.py run s001_reuters_lstm s000_nsmc_sentiment:3
    # NAME:EPOCHS caps the epochs; NAME:EPOCHS:key=value,key=value passes main() arguments
    python scripts/make_reproduction.py run s004_char_lm:2:max_chars=300000
    # every example in quick mode (a smoke test of the whole set)
    python scripts/make_reproduction.py run --all --quick
    # write REPRODUCTION.md from every examples/results/*.json
    python scripts/make_reproduction.py table

REPRODUCTION.md is generated, never edited by hand.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RESULTS = os.path.join(ROOT, "examples", "results")
sys.path.insert(0, os.path.join(ROOT, "src"))

from saessak.apps import examples as registry  # noqa: E402


def parse_spec(spec):
    """'name', 'name:epochs' or 'name:epochs:k=v,k=v' -> (name, epochs or None, kwargs)."""
    name, _, rest = spec.partition(":")
    epochs_text, _, kw_text = rest.partition(":")
    epochs = int(epochs_text) if epochs_text else None
    kwargs = {}
    for pair in filter(None, kw_text.split(",")):
        key, _, value = pair.partition("=")
        try:
            kwargs[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            kwargs[key] = value
    registry.get(name)  # fail early on a typo
    return name, epochs, kwargs


def result_path(name, quick=False):
    return os.path.join(RESULTS, f"{name}{'.quick' if quick else ''}.json")


def child(name, epochs, quick, kwargs_json, out_json):
    """Run one example in this process and write its metrics (called in a subprocess)."""
    kwargs = json.loads(kwargs_json)
    start = time.perf_counter()
    metrics = registry.run(name, epochs=epochs, quick=quick, out_dir=RESULTS, **kwargs)
    wall = time.perf_counter() - start
    record = {"name": name, "quick": quick, "epochs_cap": epochs, "kwargs": kwargs,
              "wall_seconds": wall, "finished": time.strftime("%Y-%m-%d %H:%M"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}",
              "metrics": metrics}
    with open(out_json + ".part", "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=1, default=float)
    os.replace(out_json + ".part", out_json)


def run_specs(specs, quick=False):
    os.makedirs(RESULTS, exist_ok=True)
    failures = []
    for spec in specs:
        name, epochs, kwargs = parse_spec(spec)
        log_path = os.path.join(RESULTS, f"{name}{'.quick' if quick else ''}.log")
        command = [sys.executable, os.path.abspath(__file__), "_child", name,
                   "--epochs", str(epochs or 0), "--kwargs", json.dumps(kwargs),
                   "--out", result_path(name, quick)] + (["--quick"] if quick else [])
        print(f"[{time.strftime('%H:%M:%S')}] {name} (epochs {epochs or 'seed'}, {kwargs}) "
              f"-> {os.path.relpath(log_path, ROOT)}", flush=True)
        start = time.perf_counter()
        with open(log_path, "w", encoding="utf-8") as log:
            code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"    {status} in {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failures.append(name)
    return failures


# -- the table -----------------------------------------------------------------------------
def _decimals(figure):
    """As many decimals as the seed printed, at least 4."""
    text = repr(figure) if isinstance(figure, float) else ""
    return max(4, len(text.split(".")[1]) if "." in text and "e" not in text else 0)


def _fmt(value, decimals=4):
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    if isinstance(value, float):
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.1e}"
        return f"{value:.{decimals}f}"
    return str(value)


def _figure_link(path):
    """A figure's link relative to the repository root. Runs record absolute paths, which
    point into whichever checkout ran them; a figure saved in any checkout's
    ``examples/results/`` is linked as ``examples/results/<name>`` here."""
    parts = os.path.normpath(path).split(os.sep)
    if len(parts) >= 3 and parts[-3:-1] == ["examples", "results"]:
        return "examples/results/" + parts[-1]
    return os.path.relpath(os.path.join(ROOT, path), ROOT).replace(os.sep, "/")


def _minutes(seconds):
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _verdict(example, ours):
    if example.reported is None or ours is None:
        return ""
    if not example.comparable:
        return "not comparable (other corpus)"
    if example.metric == "max_abs_diff":
        return "agrees" if ours < 1e-9 else f"differs by {ours:.1e}"
    if round(ours, _decimals(example.reported)) == example.reported:
        return "matches"
    if example.metric in ("accuracy", "val_accuracy", "correctness"):
        gap = 100 * (ours - example.reported)
        if gap >= 0:
            return f"better (+{gap:.1f} points)"
        return "within 2 points" if gap >= -2 else f"{gap:+.1f} points"
    if example.higher_is_better:
        return "better" if ours >= example.reported else "lower"
    return "better" if ours <= example.reported else "higher"


# examples left out of the full runs, and why (shown in the table)
NOT_RUN = {
    "s000_cnn_vgg_augmented": "not run in full: the VGG model took about 11 min per epoch "
                              "on 45,000 images here, so the seed's 25 epochs on 67,500 "
                              "would take about 7 hours; runs in quick mode",
    "s002_imdb_conv1d": "not run in full: about 7 min per epoch here, and the seed's "
                        "RMSprop(1e-4) needs its 10 epochs (still 55% after one); the seed "
                        "shows no figure",
}


def _short_of_seed_epochs(example, record):
    """True when the run had fewer epochs than the seed's fixed count."""
    seed_run = registry.SEED_RUNS.get(example.name, "")
    match = re.match(r"(\d+) epochs", seed_run)
    epochs = record["metrics"].get("epochs")
    return bool(match and epochs and epochs < int(match.group(1)))


def _validation_story(metrics):
    """Where validation accuracy peaked, when the last epoch fell below the seed."""
    history = metrics.get("history") or {}
    values = history.get("val_accuracy") or history.get("val_acc")
    if not values or len(values) < 2:
        return ""
    best = max(range(len(values)), key=values.__getitem__)
    return (f"validation accuracy peaked at {values[best]:.4f} in epoch {best + 1} and ended "
            f"at {values[-1]:.4f} (like the seed, the last epoch's weights are evaluated)")


def load_records():
    records = {}
    for e in registry.EXAMPLES:
        path = result_path(e.name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                records[e.name] = json.load(f)
    return records


REPRODUCTION_MD = os.path.join(ROOT, "REPRODUCTION.md")


def make_table(out_path=REPRODUCTION_MD):
    records = load_records()
    lines = [
        "# Reproducing the seeds' experiments",
        "",
        "Generated by `python scripts/make_reproduction.py table` from "
        "`examples/results/*.json`; do not edit by hand. Each row is one example under "
        "`examples/` (run it with `saessak examples run NAME`). *Seed* is the figure the seed "
        "reports; *saessak* is ours on the same data where the project's offline copies have "
        "it. Runs are "
        "on a shared 2-core CPU machine, so several full runs are capped at fewer epochs "
        "or on a subset of the data: the *run* column says exactly what was run.",
        "",
        "Data: these runs read the project's offline copies of the datasets through "
        "`SAESSAK_DATA` (a user's run reads the same files from the cache or downloads them "
        "from their canonical addresses). Keras's preprocessed "
        "`imdb.npz` is not available offline, so `saessak.datasets.imdb` builds the same word "
        "ranks from the raw aclImdb reviews and Keras's word index (99.97% of the training "
        "tokens are found). The Jena climate CSV is not available offline: that row is "
        "skipped (its quick mode runs on a synthetic CSV in the real format). The Korean "
        "annals corpus of seed 000, section 7.4, is not available either: NSMC movie reviews "
        "stand in for it, so the text-generation figures are not comparable with the seed's.",
        "",
        "| example | seed § | data | metric | seed | saessak | verdict | run | wall time "
        "| curves |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes, samples = [], []
    for e in registry.EXAMPLES:
        record = records.get(e.name)
        if record is None:
            reason = NOT_RUN.get(e.name, "")
            lines.append(f"| `{e.name}` | {e.seed} {e.section} | {e.dataset} | {e.metric} | "
                         f"{_fmt(e.reported, _decimals(e.reported))} | not run | {reason} "
                         "| | | |")
            if e.note:
                notes.append(f"- `{e.name}`: {e.note}.")
            continue
        m = record["metrics"]
        ours = m.get(e.metric)
        digits = _decimals(e.reported)
        if m.get("skipped"):
            lines.append(f"| `{e.name}` | {e.seed} {e.section} | {e.dataset} | {e.metric} | "
                         f"{_fmt(e.reported)} | skipped | {m['skipped']} | | | |")
            continue
        run = m.get("run_note") or ""
        epochs = m.get("epochs")
        if epochs:
            run = f"{epochs} epoch{'s' if epochs != 1 else ''}" + (f"; {run}" if run else "")
        seed_run = registry.SEED_RUNS.get(e.name)
        if seed_run:
            run += f" (seed: {seed_run})"
        curves = m.get("curves")
        curves = f"[png]({_figure_link(curves)})" if curves else "-"
        lines.append(f"| `{e.name}` | {e.seed} {e.section} | {e.dataset} | {e.metric} | "
                     f"{_fmt(e.reported, digits)} | {_fmt(ours, digits)} | {_verdict(e, ours)} | "
                     f"{run} | "
                     f"{_minutes(record['wall_seconds'])} | {curves} |")
        verdict = _verdict(e, ours)
        below = verdict.startswith("-") or verdict in ("higher", "lower")
        short = below and _short_of_seed_epochs(e, record)
        fewer = "short of the seed's figure after fewer epochs than the seed trained"
        note = "; ".join(filter(None, [e.note, m.get("why"), fewer if short else "",
                                       _validation_story(m) if below else ""]))
        if note:
            notes.append(f"- `{e.name}`: {note}.")
        for title, text in (m.get("samples") or {}).items():
            samples.append((e.name, title, text))
    machine = next((r["machine"] for r in records.values()), platform.machine())
    lines += ["", f"Machine: {machine}.", ""]
    if notes:
        lines += ["## Notes", ""] + notes + [""]
    if samples:
        lines += ["## Generated samples", ""]
        for name, title, text in samples:
            lines += [f"**`{name}`**, {title}:", "", "```", text.strip(), "```", ""]
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"wrote {out_path} ({len(records)} of {len(registry.EXAMPLES)} examples have results)")
    return out_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run examples and keep their metrics")
    run.add_argument("specs", nargs="*", help="NAME[:EPOCHS[:key=value,...]]")
    run.add_argument("--all", action="store_true", help="every registered example")
    run.add_argument("--quick", action="store_true", help="quick mode (smoke runs)")
    sub.add_parser("table", help="write REPRODUCTION.md")
    kid = sub.add_parser("_child")
    kid.add_argument("name")
    kid.add_argument("--epochs", type=int, default=0)
    kid.add_argument("--kwargs", default="{}")
    kid.add_argument("--out", required=True)
    kid.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "_child":
        child(args.name, args.epochs or None, args.quick, args.kwargs, args.out)
        return 0
    if args.command == "table":
        make_table()
        return 0
    specs = [e.name for e in registry.EXAMPLES] if args.all else args.specs
    failures = run_specs(specs, quick=args.quick)
    if failures:
        print("failed:", ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
