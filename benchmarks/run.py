"""saessak against PyTorch and Keras on the seeds' workloads, side by side, in one run.

    python benchmarks/run.py --quick                                # ~2-3 minutes, prints
    python benchmarks/run.py --keras-python /tmp/tfvenv/bin/python  # full: writes RESULTS.md

For every workload of ``workloads.py`` (Reuters LSTM, IMDB Conv1D+LSTM, IMDB LSTM+attention,
Jena GRU, char LSTM LM, Fashion-MNIST CNN, transformer block), each framework trains in its
own process (``_worker.py``) on the same batches with the same optimizer. The processes
start together, warm up, and then take turns: in each round every framework trains N steps,
and the order rotates from round to round (A B C, B C A, ...), so a change in the machine's
load touches them all alike. Reported: the median and min/max over the rounds of the time
per step, scaled to the seed's epoch (N steps timed, then multiplied out: the table says so),
each process's peak RSS, and saessak's time over each peer's (below 1: saessak is faster).

The ceiling: the matrix-product FLOPs of one step, counted layer by layer (``workloads.py``;
forward + backward ~ 3x forward), over this machine's float32 GEMM rate (NumPy's BLAS on
square 512 and 1024 matrices, same threads, measured in the same run) give the time a step
could not beat; "% of GEMM peak" is that floor over the measured time.

Then a scaling study (one LSTM at hidden sizes 32/128/512 and lengths 50/200/800, saessak and
PyTorch, as they come and with subnormal floats flushed to zero), and cProfile's hot spots of
saessak's side of each workload.

Threads: ``--threads 1`` by default (OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS, torch.set_num_threads,
TensorFlow's intra/inter-op pools): the machine this was written on is shared, and one
thread per framework gives the steadiest comparison. Keras runs in the interpreter given by
``--keras-python`` (TensorFlow backend); by default in this one if it can import keras, else
it is reported as skipped. A peer that is not installed is skipped, never faked.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import THREAD_VARIABLES, pin_threads  # noqa: E402  (no NumPy in it)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS_DIR = os.path.join(HERE, "results")
PEERS = ("pytorch", "keras")
LABELS = {"saessak": "saessak", "saessak_step": "saessak (hand step)", "pytorch": "PyTorch",
          "keras": "Keras"}
TRAINERS = ("saessak", "pytorch", "keras")  # one figure each in the memory/ceiling table
# predict: batch size -> samples timed (inference throughput, as a served model sees it)
PREDICT = {1: 64, 256: 512}

# Steps timed per round (N): full run, quick run. About 1-3 s of saessak per round in full.
STEPS = {"reuters_lstm": (50, 5), "imdb_conv_lstm": (10, 2), "imdb_attention": (5, 1),
         "jena_gru": (6, 1), "jena_gru_ftz": (20, 3), "char_lstm_lm": (6, 1),
         "fashion_cnn": (60, 10), "transformer_block": (10, 2)}
SCALING_FULL = [(h, t) for h in (32, 128, 512) for t in (50, 200, 800)]
SCALING_QUICK = [(32, 50), (128, 50), (32, 800)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="few steps, 2 rounds, a scaling subset; prints, writes nothing")
    parser.add_argument("--threads", type=thread_counts, default=[1],
                        help="threads per framework; several (like 1,all) time the workloads "
                             "at each, in the same run")
    parser.add_argument("--keras-python", default=None,
                        help="interpreter with keras + tensorflow (default: this one if it "
                             "has keras, else Keras is skipped)")
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds (default 5; 2)")
    parser.add_argument("--workloads", nargs="*", default=None, help="a subset, by name")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--write", action="store_true",
                        help="write RESULTS.md/results even in --quick mode")
    parser.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--render", action="store_true",
                        help="time nothing: rewrite the report from the last full run "
                             "(results/full.json), with the workloads' notes read afresh")
    return parser.parse_args(argv)


def thread_counts(text):
    """'1', '2' or '1,all' -> [1], [2], [1, os.cpu_count()]."""
    counts = []
    for part in text.split(","):
        count = (os.cpu_count() or 1) if part.strip() == "all" else int(part)
        if count < 1:
            raise argparse.ArgumentTypeError(f"--threads: at least 1, received {part!r}")
        counts.append(count)
    return counts


if __name__ == "__main__":
    ARGS = parse_args()
    pin_threads(ARGS.threads[0])

import numpy as np  # noqa: E402
from _timing import machine_line  # noqa: E402
from workloads import FRAMEWORKS, WORKLOADS, builder_of, get_workload  # noqa: E402

# --- the machine -----------------------------------------------------------------------------


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_name():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:
        return "unknown"


def gemm_rate(size, repeat=7):
    """Median float32 GEMM rate (FLOP/s) of NumPy's BLAS on (size x size) @ (size x size)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size)).astype(np.float32) for _ in range(2))
    out = np.empty_like(a)
    np.matmul(a, b, out=out)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - start)
    return 2 * size ** 3 / statistics.median(times)


def measure_gemm(sizes=(512, 1024), repeat=7):
    return {str(n): gemm_rate(n, repeat) for n in sizes}


# --- driving the workers ---------------------------------------------------------------------


class Worker:
    """One framework's process for one workload (``_worker.py``), spoken to in JSON lines."""

    def __init__(self, framework, workload, python, threads, warmup, timeout=900):
        self.framework, self.timeout = framework, timeout
        self.log = tempfile.NamedTemporaryFile("w+", prefix=f"bench-{framework}-",
                                               suffix=".log", delete=False)
        env = dict(os.environ)
        for var in THREAD_VARIABLES:  # this run's own pinned count must not leak in
            env[var] = str(threads)
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.join(REPO, "src"), HERE] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH")
                                                 else []))
        env.setdefault("KERAS_BACKEND", "tensorflow")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.proc = subprocess.Popen(
            [python, os.path.join(HERE, "_worker.py"), "--framework", framework,
             "--workload", workload, "--threads", str(threads), "--warmup", str(warmup)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
            env=env)

    def read(self):
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.proc.kill()
            return {"ok": False, "error": f"worker ended without an answer: {self.log_tail()}"}
        return json.loads(line)

    def call(self, **command):
        try:
            self.proc.stdin.write(json.dumps(command) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            return {"ok": False, "error": f"worker gone: {self.log_tail()}"}
        return self.read()

    def log_tail(self, lines=3):
        self.log.flush()
        with open(self.log.name) as f:
            tail = [line.strip() for line in f.read().splitlines() if line.strip()]
        return " | ".join(tail[-lines:]) or "(no output)"

    def close(self):
        if self.proc.poll() is None:
            self.call(op="quit")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        os.unlink(self.log.name)


def rotate(items, r):
    r %= max(len(items), 1)
    return items[r:] + items[:r]


def run_workload(workload, pythons, steps, rounds, threads, warmup=2, profile_steps=0,
                 skipped=None, predict=False):
    """Time one workload in every framework of ``pythons`` (framework -> interpreter), the
    workers taking turns; return a JSON-ready record."""
    record = {"name": workload.name, "title": workload.title, "source": workload.source,
              "batch": workload.batch, "steps_per_epoch": workload.steps_per_epoch,
              "steps_per_round": steps, "rounds": rounds, "step_flops": workload.step_flops(),
              "forward_flops": workload.forward_flops(), "frameworks": {}}
    workers = {fw: Worker(fw, workload.name, python, threads, warmup)
               for fw, python in pythons.items() if builder_of(workload, fw)}
    for framework in FRAMEWORKS:  # the table's order, whatever ran
        if framework in (skipped or {}) and builder_of(workload, framework):
            record["frameworks"][framework] = {"status": "skipped", "why": skipped[framework]}
        elif framework in workers:
            record["frameworks"][framework] = {"note": workload.notes.get(framework, "")}
    live = []
    for fw, worker in workers.items():
        ready = worker.read()
        entry = record["frameworks"][fw]
        if ready.get("ok"):
            entry.update(status="ok", warmup_s=ready["warmup_s"], versions=ready["versions"],
                         params=ready.get("params"), step_seconds=[])
            live.append(fw)
        else:
            entry.update(status="skipped" if ready.get("missing") else "failed",
                         why=ready.get("error", "?"))
    for r in range(rounds):
        for fw in rotate(live, r):
            reply = workers[fw].call(op="time", steps=steps)
            if reply.get("ok"):
                record["frameworks"][fw]["step_seconds"].append(reply["seconds"] / steps)
            else:
                record["frameworks"][fw].update(status="failed", why=reply.get("error"))
                live.remove(fw)
    for batch, samples in (PREDICT.items() if predict else ()):
        for r in range(3):  # median of three, the order rotating
            for fw in rotate([f for f in live if f != "saessak_step"], r):
                reply = workers[fw].call(op="predict", batch=batch, samples=samples)
                if reply.get("ok"):
                    record["frameworks"][fw].setdefault("predict", {}).setdefault(
                        str(batch), []).append(samples / reply["seconds"])
    if profile_steps and "saessak" in live:
        reply = workers["saessak"].call(op="profile", steps=profile_steps, top=8)
        if reply.get("ok"):
            record["profile"] = {"steps": profile_steps, "seconds": reply["seconds"],
                                 "rows": reply["rows"], "files": reply.get("files", [])}
    for fw in live:
        reply = workers[fw].call(op="rss")
        if reply.get("ok"):
            record["frameworks"][fw]["max_rss_mb"] = reply["max_rss_mb"]
    for worker in workers.values():
        worker.close()
    summarize(record)
    return record


def summarize(record):
    """Medians, spreads, ratios and the GEMM floor of a record with raw step times."""
    per_epoch = record["steps_per_epoch"] or 1
    for entry in record["frameworks"].values():
        times = entry.get("step_seconds")
        if entry.get("status") == "ok" and times:
            entry["median"] = statistics.median(times) * per_epoch
            entry["min"], entry["max"] = min(times) * per_epoch, max(times) * per_epoch
        for batch, rates in (entry.get("predict") or {}).items():
            entry.setdefault("predict_median", {})[batch] = statistics.median(rates)
    ours = record["frameworks"].get("saessak", {}).get("median")
    record["ratios"] = {}
    for peer in PEERS:
        theirs = record["frameworks"].get(peer, {}).get("median")
        if ours and theirs:
            record["ratios"][peer] = ours / theirs
    return record


def apply_ceiling(record, peak_flops):
    """The GEMM floor per epoch (or step) and each framework's share of the GEMM peak."""
    per_epoch = record["steps_per_epoch"] or 1
    record["gemm_floor"] = record["step_flops"] * per_epoch / peak_flops
    for entry in record["frameworks"].values():
        if entry.get("median"):
            entry["gemm_share"] = record["gemm_floor"] / entry["median"]
    return record


def keras_interpreter(requested):
    """(python, None) for the interpreter that runs Keras, or (None, why it is skipped)."""
    if requested:
        if not os.path.exists(requested):
            return None, f"--keras-python {requested} does not exist"
        return requested, None
    try:
        import importlib.util
        if importlib.util.find_spec("keras") is not None:
            return sys.executable, None
    except Exception:
        pass
    return None, "keras not installed here (pass --keras-python PATH)"


# --- formatting ------------------------------------------------------------------------------


def fmt_time(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.1f} s"
    return f"{seconds * 1e3:.1f} ms"


def fmt_cell(entry):
    if entry is None:
        return "-"
    if entry.get("status") != "ok" or "median" not in entry:
        return f"{entry.get('status', 'skipped')}"
    return f"{fmt_time(entry['median'])} [{fmt_time(entry['min'])}-{fmt_time(entry['max'])}]"


def fmt_flops(flops):
    if flops >= 1e8:
        return f"{flops / 1e9:.2f} GFLOP"
    return f"{flops / 1e6:.1f} MFLOP" if flops >= 1e5 else f"{flops / 1e3:.1f} kFLOP"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _per_framework(fws, key, fmt, frameworks=TRAINERS):
    """'a / b / c': one figure per framework, '-' where there is none."""
    return " / ".join(fmt(fws[fw][key]) if fws.get(fw, {}).get(key) is not None else "-"
                      for fw in frameworks)


def main_table(records):
    """Times and ratios: the headline."""
    header = ["workload", "per", "timed (N steps x rounds)", "saessak (fit)",
              "saessak (hand step)", "PyTorch", "Keras", "saessak / PyTorch",
              "saessak / Keras"]
    rows = []
    for rec in records:
        fws = rec["frameworks"]
        per = (f"epoch ({rec['steps_per_epoch']} steps)" if rec["steps_per_epoch"]
               else "step")
        timed = f"{rec['steps_per_round']} x {rec['rounds']}" + (
            f" -> x{rec['steps_per_epoch']}" if rec["steps_per_epoch"] else "")
        ratio = {p: f"{rec['ratios'][p]:.2f}" if p in rec["ratios"] else "-" for p in PEERS}
        rows.append([rec["name"], per, timed, fmt_cell(fws.get("saessak")),
                     fmt_cell(fws.get("saessak_step")), fmt_cell(fws.get("pytorch")),
                     fmt_cell(fws.get("keras")), ratio["pytorch"], ratio["keras"]])
    return markdown_table(header, rows)


def predict_table(records):
    """Inference throughput (samples per second, higher is better) at batch 1 and 256."""
    header = ["workload"]
    for batch in PREDICT:
        header += [f"batch {batch}: samples/s (s / PT / K)", f"batch {batch}: s / PT, s / K"]
    rows = []
    for rec in records:
        fws, row = rec["frameworks"], [rec["name"]]
        for batch in map(str, PREDICT):
            rate = {fw: fws.get(fw, {}).get("predict_median", {}).get(batch) for fw in TRAINERS}
            row.append(" / ".join(f"{rate[fw]:,.0f}" if rate[fw] else "-" for fw in TRAINERS))
            # time per sample, saessak's over the peer's (below 1: saessak is faster)
            row.append(", ".join(f"{rate[peer] / rate['saessak']:.2f}"
                                 if rate[peer] and rate["saessak"] else "-" for peer in PEERS))
        rows.append(row)
    return markdown_table(header, rows)


def ceiling_table(records):
    """The GEMM ceiling, memory and model size, per framework (saessak / PyTorch / Keras)."""
    header = ["workload", "matmul FLOPs per step", "GEMM floor", "% of GEMM peak (s / PT / K)",
              "peak RSS MB (s / PT / K)", "parameters (s / PT / K)"]
    rows = []
    for rec in records:
        fws = rec["frameworks"]
        rows.append([rec["name"], fmt_flops(rec["step_flops"]), fmt_time(rec.get("gemm_floor")),
                     _per_framework(fws, "gemm_share", lambda v: f"{100 * v:.1f}%"),
                     _per_framework(fws, "max_rss_mb", lambda v: f"{v:.0f}"),
                     _per_framework(fws, "params", lambda v: f"{v:,}")])
    return markdown_table(header, rows)


def notes_table(records):
    """What differs between the frameworks, and why a peer did not run (once, when the
    reason is the same for every workload)."""
    rows, everywhere = [], {}
    for fw in FRAMEWORKS:
        entries = [rec["frameworks"][fw] for rec in records if fw in rec["frameworks"]]
        whys = {entry.get("why") for entry in entries}
        if entries and len(whys) == 1 and all(e.get("status") == "skipped" for e in entries):
            everywhere[fw] = whys.pop()
            rows.append(["all", LABELS[fw], f"skipped: {everywhere[fw]}"])
    for rec in records:
        for fw, entry in rec["frameworks"].items():
            if fw in everywhere:
                continue
            text = entry.get("note") or ""
            if entry.get("status") != "ok":
                text = f"{entry.get('status')}: {entry.get('why', '')}"
            if text:
                rows.append([rec["name"], LABELS[fw], text])
    return markdown_table(["workload", "framework", "note"], rows) if rows else ""


def flops_table(records):
    rows = []
    for rec in records:
        parts = "; ".join(f"{layer} {fmt_flops(f)}" for layer, f in rec["forward_flops"])
        rows.append([rec["name"], rec["title"], rec["source"], parts,
                     fmt_flops(rec["step_flops"])])
    return markdown_table(["workload", "model", "seed shapes", "forward matmul FLOPs per layer",
                           "train step (3x)"], rows)


def scaling_table(records):
    """One row per (hidden, length): per-step medians by default and with subnormals
    flushed to zero, saessak over PyTorch in each, and the GEMM share with the flush on."""
    by_point = {}
    for rec in records:
        p = rec["params"]
        by_point.setdefault((p["hidden"], p["length"]), {})["ftz" if p["ftz"] else "plain"] = rec
    rows = []
    for (hidden, length), variants in sorted(by_point.items()):
        row = [hidden, length]
        for key in ("plain", "ftz"):
            rec = variants.get(key)
            if rec is None:
                row += ["-", "-", "-"]
                continue
            fws = rec["frameworks"]
            row += [fmt_cell(fws.get("saessak")), fmt_cell(fws.get("pytorch")),
                    f"{rec['ratios']['pytorch']:.2f}" if "pytorch" in rec["ratios"] else "-"]
        any_rec = variants.get("ftz") or variants.get("plain")
        row += [f"{any_rec['steps_per_round']} x {any_rec['rounds']}",
                fmt_flops(any_rec["step_flops"]),
                _per_framework(any_rec["frameworks"], "gemm_share", lambda v: f"{100 * v:.1f}%",
                               ("saessak", "pytorch"))]
        rows.append(row)
    return markdown_table(["hidden", "length", "saessak", "PyTorch", "ratio",
                           "saessak, FTZ", "PyTorch, FTZ", "ratio, FTZ", "timed (N x rounds)",
                           "matmul FLOPs", "% of GEMM peak (s / PT)" + (
                               ", FTZ" if any(r["params"]["ftz"] for r in records) else "")],
                          rows)


def profile_tables(records):
    parts = []
    for rec in records:
        prof = rec.get("profile")
        if not prof:
            continue
        rows = [[f"`{row['function']}`", f"{100 * row['own']:.1f}%",
                 f"{100 * row['cumulative']:.1f}%", row["calls"]] for row in prof["rows"]]
        files = ", ".join(f"`{f['file']}` {100 * f['own']:.0f}%" for f in prof.get("files", []))
        parts.append(f"**{rec['name']}** ({prof['steps']} steps under cProfile, "
                     f"{prof['seconds']:.2f} s)" + (f"; by file: {files}" if files else "")
                     + "\n\n"
                     + markdown_table(["function", "own time", "with callees", "calls"], rows))
    return "\n\n".join(parts)


# --- plots -----------------------------------------------------------------------------------


def plot_scaling(records, path):
    """Time per step against length (left) and hidden size (right); top row as the
    frameworks come, bottom row with subnormals flushed to zero."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    variants = [(ftz, [r for r in records if r["params"]["ftz"] == ftz]) for ftz in (False, True)]
    variants = [(ftz, recs) for ftz, recs in variants if recs]
    fig, axes = plt.subplots(len(variants), 2, figsize=(11, 4.2 * len(variants)), squeeze=False)
    for row, (ftz, recs) in zip(axes, variants):
        hiddens = sorted({r["params"]["hidden"] for r in recs})
        lengths = sorted({r["params"]["length"] for r in recs})
        for ax, (key, other, other_values) in zip(
                row, (("length", "hidden", hiddens), ("hidden", "length", lengths))):
            for i, fixed in enumerate(other_values):
                for fw, style in (("saessak", "-o"), ("pytorch", "--s")):
                    pts = sorted((r["params"][key], r["frameworks"][fw]["median"])
                                 for r in recs if r["params"][other] == fixed
                                 and r["frameworks"].get(fw, {}).get("median"))
                    if pts:
                        xs, ys = zip(*pts)
                        ax.plot(xs, ys, style, color=f"C{i}",
                                label=f"{LABELS[fw]}, {other} {fixed}")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ticks = lengths if key == "length" else hiddens
            ax.set_xticks(ticks)
            ax.set_xticklabels([str(t) for t in ticks])
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.set_xlabel(key)
            ax.set_ylabel("seconds per train step")
            ax.set_title(f"LSTM step vs {key}" + (", subnormals flushed" if ftz else
                                                   ", default float modes"))
            ax.legend(fontsize=7)
            ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_ratios(records, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    names = [r["name"] for r in records]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    width = 0.27
    for i, fw in enumerate(("saessak", "pytorch", "keras")):
        heights = []
        for r in records:
            base = r["frameworks"].get("pytorch", {}).get("median")
            mine = r["frameworks"].get(fw, {}).get("median")
            heights.append(mine / base if base and mine else 0)
        ax.bar(np.arange(len(names)) + (i - 1) * width, heights, width, label=LABELS[fw])
    ax.axhline(1.0, color="gray", lw=0.8)
    ax.set_xticks(np.arange(len(names)))
    ax.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("time / PyTorch's time (lower is faster)")
    ax.set_title("Train time per epoch relative to PyTorch (medians)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --- the report ------------------------------------------------------------------------------


def versions_line(records):
    seen = {}
    for rec in records:
        for entry in rec["frameworks"].values():
            for k, v in (entry.get("versions") or {}).items():
                seen.setdefault(k, v)
    return ", ".join(f"{k} {v}" for k, v in sorted(seen.items()))


def render_report(run):
    """RESULTS.md, entirely from the run's record (never typed)."""
    m = run["machine"]
    peak = run["gemm"]["peak"]
    lines = [
        "# Benchmarks: saessak, PyTorch and Keras side by side",
        "",
        f"Generated by `{run['command']}` on {run['date']} in {run['seconds'] / 60:.1f} "
        "minutes. Do not edit by hand: rerun the script.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; BLAS: {m['blas']}",
        f"- threads per framework: {m['threads']} (OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS, "
        "torch.set_num_threads, TensorFlow intra/inter-op)",
        f"- load average (1/5/15 min) at start {m['load_start']}, at end {m['load_end']} "
        "(the machine was shared with other jobs: read the min/max spread)",
        f"- versions: {m['versions']}",
        f"- float32 GEMM (NumPy, {m['threads']} thread(s)), GFLOP/s at start "
        f"{_gemm_text(run['gemm']['start'])}, at end {_gemm_text(run['gemm']['end'])}; "
        f"peak used for the ceiling: **{peak / 1e9:.1f} GFLOP/s**",
        "",
        "## Method",
        "",
        "- Same network, same batches (same random numbers), same loss, Adam (lr 1e-3, eps "
        "1e-7) in every framework, with the seed's metrics where it has them. **saessak "
        "trains through `model.fit`** (a compiled `Sequential`: one `fit` call over the N "
        "batches of a round, unshuffled, with its data adapter, metrics, callbacks and "
        "progress bar), as users train; *saessak (hand step)* runs a hand-written step "
        "(forward, loss, backward, update) on the same layers, so the difference is what "
        "the training loop costs. PyTorch runs a hand-written step, as PyTorch users "
        "write it; Keras runs `train_on_batch` (its compiled train function, TensorFlow "
        "backend). The ratios compare saessak's `fit`.",
        "- Inference: `predict` in saessak and Keras, an `eval()`/`no_grad()` forward "
        "per batch in PyTorch, on " + " and ".join(
            f"{n} samples at batch {b}" for b, n in PREDICT.items())
        + "; the median of 3 timings, in samples per second.",
        "- Each framework trains in its own process (peak RSS is that process's "
        f"`ru_maxrss`, libraries and data included). The processes warm up "
        f"(warm-up steps: {run.get('warmup', 2)}), then take turns: each of "
        f"{run.get('rounds', 5)} rounds every framework trains N steps, the order "
        "rotating each round. Times are medians [min-max] over the rounds.",
        "- **Epoch times are extrapolated**: N steps are timed per round and the time per "
        "step is multiplied by the seed's steps per epoch (the `timed` column: N x rounds "
        "-> x steps per epoch). The transformer block has no epoch: per step.",
        "- Ratio = saessak's median / the peer's median: below 1, saessak is faster.",
        "- Parameters are counted in each framework as a check that the networks match; "
        "PyTorch's LSTM keeps two bias vectors (input and recurrent), 4 x units more.",
        "- GEMM floor = matmul FLOPs of the epoch / the peak GEMM rate above: no framework "
        "can beat it on this many threads. \"% of GEMM peak\" = floor / measured time. "
        "FLOPs count only matrix products (forward per layer below, train step = 3x "
        "forward); small recurrent GEMMs (batch x units) cannot reach the peak rate, so "
        "the recurrent workloads sit far below 100% in every framework.",
        "",
        "## Results",
        "",
        summary_line(run["workloads"]),
        "",
        main_table(run["workloads"]),
        "",
        "Inference (`predict`), samples per second, higher is faster; the ratios are "
        "saessak's time per sample over the peer's:",
        "",
        predict_table(run["workloads"]),
        "",
        ceiling_table(run["workloads"]),
        "",
    ]
    for threads, records in (run.get("more_threads") or {}).items():
        lines += [f"### At {threads} threads per framework", "", summary_line(records), "",
                  main_table(records), "", predict_table(records), ""]
    if os.path.exists(os.path.join(RESULTS_DIR, "ratios.png")):
        lines += ["![time relative to PyTorch](results/ratios.png)", ""]
    notes = notes_table(run["workloads"])
    if notes:
        lines += ["Differences and skipped peers:", "", notes, ""]
    denormals = denormal_finding(run["workloads"])
    if denormals:
        lines += [denormals, ""]
    lines += ["### What is counted", "", flops_table(run["workloads"]), ""]
    if run.get("scaling"):
        lines += ["## Scaling: one LSTM, hidden size x sequence length", "",
                  "LSTM(hidden) > Dense(1), mse, Adam, on (batch 32, length, 64 features), per "
                  "train step, as the frameworks come and with subnormal floats flushed to "
                  "zero (FTZ: the gradient from the last step decays through long sequences "
                  "into the subnormal range, and that, not the length, can dominate). N steps "
                  "per round from the FLOP count (aiming at ~"
                  f"{run['scaling_target_s']:.1f} s per round).", "",
                  scaling_table(run["scaling"]), ""]
        if os.path.exists(os.path.join(RESULTS_DIR, "scaling.png")):
            lines += ["![LSTM scaling](results/scaling.png)", ""]
    profiles = profile_tables(run["workloads"])
    if profiles:
        lines += ["## Where saessak spends its time (cProfile)", "",
                  "Top functions by their own time (share of the profiled steps); \"with "
                  "callees\" includes what they call. A NumPy product written `a @ b` (or a "
                  "ufunc expression) is not a call cProfile sees: its time is the own time of "
                  "the function that contains it, so rows like `backward (ops/rnn.py)` are "
                  "mostly BLAS and NumPy. cProfile adds overhead to every Python call, so "
                  "Python-heavy rows are somewhat inflated.", "", profiles, ""]
    return "\n".join(lines)


def summary_line(records):
    """How many workloads saessak wins against each peer, and the geometric mean ratio."""
    parts = []
    for peer in PEERS:
        ratios = [rec["ratios"][peer] for rec in records if peer in rec["ratios"]]
        if ratios:
            faster = sum(r < 1 for r in ratios)
            geo = float(np.exp(np.mean(np.log(ratios))))
            parts.append(f"against {LABELS[peer]}, saessak is faster on {faster} of "
                         f"{len(ratios)} workloads (geometric mean of the ratios {geo:.2f})")
    return ("**Summary:** " + "; ".join(parts) + ".") if parts else ""


def denormal_finding(records):
    """A sentence on subnormal floats, when the run has the Jena GRU both ways."""
    by_name = {rec["name"]: rec["frameworks"] for rec in records}
    plain, flushed = by_name.get("jena_gru"), by_name.get("jena_gru_ftz")
    if not plain or not flushed:
        return ""
    a, b = plain.get("pytorch", {}).get("median"), flushed.get("pytorch", {}).get("median")
    if not (a and b):
        return ""
    return ("**Subnormal floats.** The Jena GRU's gradient, carried back through 240 steps "
            "from the last one, shrinks below float32's normal range, where x86 arithmetic is "
            "many times slower. TensorFlow's threads flush such numbers to zero (FTZ/DAZ) by "
            "default, and so do saessak's fit/evaluate/predict (every saessak row here runs "
            f"flushed). PyTorch does not: flushing them takes its epoch from {fmt_time(a)} "
            f"to {fmt_time(b)} ({a / b:.1f}x).")


def _gemm_text(rates):
    return ", ".join(f"{n}^2: {r / 1e9:.1f}" for n, r in rates.items())


def print_summary(run):
    print()
    print(main_table(run["workloads"]))
    print(summary_line(run["workloads"]))
    print()
    print(predict_table(run["workloads"]))
    for threads, records in (run.get("more_threads") or {}).items():
        print(f"\nAt {threads} threads per framework:")
        print(main_table(records))
        print(summary_line(records))
        print(predict_table(records))
    print()
    print(ceiling_table(run["workloads"]))
    notes = notes_table(run["workloads"])
    if notes:
        print()
        print(notes)
    if run.get("scaling"):
        print()
        print(scaling_table(run["scaling"]))
    if run.get("workloads") and any(r.get("profile") for r in run["workloads"]):
        print()
        print(profile_tables(run["workloads"]))


# --- main ------------------------------------------------------------------------------------


def render_saved(out, path=None):
    """Rewrite the report from a saved run without timing anything. The notes come from
    the workloads as they are now: they describe the comparison, they measure nothing."""
    path = path or os.path.join(RESULTS_DIR, "full.json")
    with open(path) as f:
        run = json.load(f)
    more = [r for rs in (run.get("more_threads") or {}).values() for r in rs]
    for rec in run["workloads"] + more:
        notes = get_workload(rec["name"]).notes
        for fw, entry in rec["frameworks"].items():
            if entry.get("status") == "ok":
                entry["note"] = notes.get(fw, "")
    with open(out, "w") as f:
        f.write(render_report(run))
    print(f"wrote {out} from {path}")


def main(args):
    if args.render:
        return render_saved(args.out)
    started = time.perf_counter()
    quick = args.quick
    rounds = args.rounds or (2 if quick else 5)
    warmup = 1 if quick else 2
    names = args.workloads or list(WORKLOADS)
    load_start = tuple(round(x, 2) for x in os.getloadavg())
    print(f"machine: {machine_line()}; threads {args.threads}; load {load_start}")

    pythons = {"saessak": sys.executable, "saessak_step": sys.executable,
               "pytorch": sys.executable}
    skipped = {}
    keras_python, why = keras_interpreter(args.keras_python)
    if keras_python:
        pythons["keras"] = keras_python
    else:
        skipped["keras"] = why
    print(f"peers: PyTorch in {sys.executable}; Keras: {keras_python or 'skipped (' + why + ')'}")

    gemm_start = measure_gemm()
    print("GEMM GFLOP/s: " + _gemm_text(gemm_start))

    by_threads = {}
    for threads in args.threads:
        print(f"{threads} thread(s) per framework:")
        by_threads[threads] = records = []
        for name in names:
            workload = get_workload(name)
            full_steps, quick_steps = STEPS.get(name, (5, 1))
            steps = quick_steps if quick else full_steps
            first = threads == args.threads[0]
            profile_steps = 0 if args.no_profile or not first else max(1, steps // 2)
            t0 = time.perf_counter()
            rec = run_workload(workload, pythons, steps, rounds, threads,
                               warmup=warmup, profile_steps=profile_steps,
                               skipped=skipped, predict=True)
            records.append(rec)
            cells = ", ".join(f"{fw} {fmt_cell(e)}" for fw, e in rec["frameworks"].items())
            print(f"  {name:18s} ({time.perf_counter() - t0:5.1f} s)  {cells}", flush=True)
    records = by_threads[args.threads[0]]

    scaling = []
    target = 0.4 if quick else 1.5
    if not args.no_scaling:
        configs = SCALING_QUICK if quick else SCALING_FULL
        scaling_rounds = 2 if quick else 3
        scaling_pythons = {fw: pythons[fw] for fw in ("saessak", "pytorch")}
        for hidden, length in configs:
            for suffix in ("", "_ftz"):
                workload = get_workload(f"lstm_h{hidden}_t{length}{suffix}")
                steps = scaling_steps(workload, target)
                rec = run_workload(workload, scaling_pythons, steps, scaling_rounds,
                                   args.threads[0], warmup=1)
                rec["params"] = workload.params
                scaling.append(rec)
                cells = ", ".join(f"{fw} {fmt_cell(e)}" for fw, e in rec["frameworks"].items())
                print(f"  LSTM({hidden}) x {length}{suffix}: {cells}", flush=True)

    gemm_end = measure_gemm()
    peak = max(max(gemm_start.values()), max(gemm_end.values()))
    for rec in [r for rs in by_threads.values() for r in rs] + scaling:
        apply_ceiling(rec, peak)
    load_end = tuple(round(x, 2) for x in os.getloadavg())
    run = {
        "command": "python benchmarks/run.py" + "".join(
            f" {a}" for a in sys.argv[1:]),
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "quick": quick,
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "threads": args.threads[0],
                    "blas": blas_name(), "load_start": load_start, "load_end": load_end,
                    "versions": versions_line(records + scaling)},
        "gemm": {"start": gemm_start, "end": gemm_end, "peak": peak},
        "workloads": records, "scaling": scaling, "scaling_target_s": target,
        "more_threads": {str(n): rs for n, rs in by_threads.items() if n != args.threads[0]},
        "warmup": warmup, "rounds": rounds,
    }
    run["seconds"] = time.perf_counter() - started
    print_summary(run)
    print(f"\nGEMM peak {peak / 1e9:.1f} GFLOP/s; load {load_start} -> {load_end}; "
          f"{run['seconds']:.0f} s in all")
    if not quick or args.write:
        write_results(run, args.out)


def scaling_steps(workload, target_s):
    """Steps per round for a scaling point: about ``target_s`` of work, judged from the
    FLOPs at an assumed 10 GFLOP/s plus 2 ms per 50 time steps of per-step overhead (a rough
    single-thread guess; the table reports the measured times)."""
    estimate = workload.step_flops() / 10e9 + 0.002 * workload.params["length"] / 50
    return int(min(20, max(1, round(target_s / estimate))))


def write_results(run, out):
    os.makedirs(RESULTS_DIR, exist_ok=True)
    tag = "quick" if run["quick"] else "full"
    with open(os.path.join(RESULTS_DIR, f"{tag}.json"), "w") as f:
        json.dump(run, f, indent=1)
    if run["workloads"]:
        plot_ratios(run["workloads"], os.path.join(RESULTS_DIR, "ratios.png"))
    if run["scaling"]:
        plot_scaling(run["scaling"], os.path.join(RESULTS_DIR, "scaling.png"))
    with open(out, "w") as f:
        f.write(render_report(run))
    print(f"wrote {out} and {RESULTS_DIR}/")


if __name__ == "__main__":
    main(ARGS)
