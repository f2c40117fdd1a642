"""Run the examples, keep their metrics as JSON, and generate REPRODUCTION.md from them.

    # run some examples (each in its own process; log and JSON under examples/results/)
    python scripts/make_reproduction.py run s001_reuters_lstm s000_nsmc_sentiment:3
    # NAME:EPOCHS caps the epochs; NAME:EPOCHS:key=value,key=value passes main() arguments
    python scripts/make_reproduction.py run s004_char_lm:2:max_chars=300000
    # every example in quick mode (a smoke test of the whole set)
    python scripts/make_reproduction.py run --all --quick
    # several seeds (0..4, or a list), each in its own process, kept under examples/results/seeds/
    python scripts/make_reproduction.py run s000_multiplication_lstm --seeds 5
    python scripts/make_reproduction.py run s000_multiplication_lstm --seed-list 3,7,11
    # the same seeds in real Keras too (scripts/keras_twin.py, in the environment given)
    python scripts/make_reproduction.py run s000_multiplication_lstm --seeds 5 \
        --keras-python ../tfvenv/bin/python [--keras-only]
    # a run of hours that may be stopped: back up after each epoch, and the same command
    # run again goes on from the last one (examples whose main() takes backup_dir)
    python scripts/make_reproduction.py run s004_char_lm --backup-root ../backups
    # record how far such a run has got (its journal, copied under examples/results/progress/)
    python scripts/make_reproduction.py progress s004_char_lm --backup-root ../backups
    # write REPRODUCTION.md from every examples/results/*.json
    python scripts/make_reproduction.py table

REPRODUCTION.md is generated, never edited by hand. A row with several seeded runs of the
same protocol (example, epochs, arguments) shows their mean, sample standard deviation, min-max
and count; a row without them shows its single run, as before. Where Keras ran the same
protocol, its spread has a column of its own, and an exact permutation test says whether
the two differ (scripts/seed_statistics.py).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import inspect
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RESULTS = os.path.join(ROOT, "examples", "results")
SEEDS_FOLDER = "seeds"  # seeded runs live in RESULTS/seeds/, apart from the single runs
sys.path.insert(0, os.path.join(ROOT, "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from seed_statistics import permutation_test, spread  # noqa: E402

from saessak.apps import examples as registry  # noqa: E402

KERAS_TWIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_twin.py")


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


def result_path(name, quick=False, seed=None, epochs=None, kwargs=None, framework="saessak"):
    """A single run's JSON, or with ``seed`` the seeded run's (under ``seeds/``). A seeded
    run's name also carries its protocol (epochs cap, a digest of the arguments), so runs
    under another protocol never overwrite it; Keras's twin of a run ends in ``.keras.json``."""
    stem = f"{name}{'.quick' if quick else ''}"
    if seed is None:
        return os.path.join(RESULTS, stem + ".json")
    if epochs:
        stem += f".e{epochs}"
    if kwargs:
        digest = hashlib.sha1(json.dumps(kwargs, sort_keys=True).encode()).hexdigest()[:8]
        stem += f".k{digest}"
    twin = "" if framework == "saessak" else f".{framework}"
    return os.path.join(RESULTS, SEEDS_FOLDER, f"{stem}.seed{seed}{twin}.json")


def seed_out_dir(seed):
    """Where a seeded run's curves and models go, so that seeds never overwrite each other
    or the single run's files."""
    return os.path.join(RESULTS, SEEDS_FOLDER, f"seed{seed}")


def parse_seeds(count=None, listed=None):
    """``--seeds N`` -> [0, ..., N-1]; ``--seed-list 3,7,11`` -> [3, 7, 11]; neither -> None
    (one run with the example's own default seed, as before)."""
    if count is not None and listed is not None:
        raise ValueError("make_reproduction: give --seeds or --seed-list, not both")
    if count is not None:
        if count < 1:
            raise ValueError(f"make_reproduction: --seeds must be at least 1, received {count}")
        return list(range(count))
    if listed is None:
        return None
    try:
        seeds = [int(text) for text in listed.split(",")]
    except ValueError:
        raise ValueError("make_reproduction: --seed-list expects whole numbers separated by "
                         f"commas (like 3,7,11), received {listed!r}") from None
    if len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError("make_reproduction: --seed-list needs distinct seeds of at least 0, "
                         f"received {listed!r}")
    return seeds


def child(name, epochs, quick, kwargs_json, out_json, seed=None, backup_root=None):
    """Run one example in this process and write its metrics (called in a subprocess).
    ``seed`` goes to the example's ``main(seed=...)``, which calls
    ``saessak.utils.set_random_seed`` with it. With ``backup_root`` the run backs up after
    every epoch into a folder of its own there, and a run stopped part-way goes on from its
    last epoch when started again; the folder is not part of the protocol."""
    kwargs = json.loads(kwargs_json)
    out_dir = RESULTS if seed is None else seed_out_dir(seed)
    arguments = kwargs if seed is None else dict(kwargs, seed=seed)
    more = {}
    if backup_root:
        more["backup_dir"] = backup_dir(backup_root, out_json)
        arguments = dict(arguments, backup_dir=more["backup_dir"])
    start = time.perf_counter()
    metrics = registry.run(name, epochs=epochs, quick=quick, out_dir=out_dir, **arguments)
    write_record(out_json, name, quick, epochs, kwargs, seed, time.perf_counter() - start,
                 metrics, **more)
    snapshot = progress_path(out_json)
    if os.path.exists(snapshot):  # the finished run's own record now says it all
        os.remove(snapshot)


def backup_dir(backup_root, out_json):
    """The backup folder of one run: named after its result file, so each protocol and seed
    resumes only itself."""
    return os.path.join(os.path.abspath(backup_root),
                        os.path.basename(out_json)[:-len(".json")])


PROGRESS_FOLDER = "progress"  # snapshots of long runs not yet finished, under RESULTS


def progress_path(out_json):
    """Where the progress snapshot of the run that will write ``out_json`` is kept."""
    stem = os.path.basename(out_json)[:-len(".json")]
    return os.path.join(RESULTS, PROGRESS_FOLDER, stem + ".json")


def snapshot_progress(spec, backup_root, quick=False):
    """Copy the epoch journal of a resumable run that is not finished (its backup folder
    under ``backup_root``) into a snapshot the table can show; returns its path. The backup
    itself (weights and optimizer) is too big to keep in the repository; its journal is not."""
    name, epochs, kwargs = parse_spec(spec)
    out_json = result_path(name, quick, None, epochs, kwargs)
    journal = os.path.join(backup_dir(backup_root, out_json), "epochs.jsonl")
    if not os.path.isfile(journal):
        raise ValueError(f"make_reproduction: no run of {spec} to snapshot: {journal} does "
                         "not exist (start it with run --backup-root)")
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    from _common import EpochJournal  # the examples' own reader of the journal
    entries = EpochJournal(journal).entries()
    if not entries:
        raise ValueError(f"make_reproduction: {journal} holds no finished epoch yet")
    record = {"name": name, "quick": quick, "epochs_cap": epochs, "kwargs": kwargs,
              "taken": time.strftime("%Y-%m-%d %H:%M"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}",
              "epochs": entries}
    path = progress_path(out_json)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".part", "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    os.replace(path + ".part", path)
    return path


def load_progress():
    """{example name: its progress snapshot}, for runs that have no finished record newer
    than the snapshot (a finished run removes its snapshot; an older record stays shown)."""
    folder = os.path.join(RESULTS, PROGRESS_FOLDER)
    snapshots = {}
    for file in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if file.endswith(".json"):
            with open(os.path.join(folder, file), encoding="utf-8") as f:
                record = json.load(f)
            if not record.get("quick"):
                snapshots[record["name"]] = record
    return snapshots


def progress_story(example, snapshot):
    """One sentence on how far a resumable run has got, in the example's own metric where
    the journal has it (its validation form first: the seeds' accuracy is a test figure,
    taken only at the end)."""
    entries = snapshot["epochs"]
    logs = [entry["logs"] for entry in entries]
    key = next((k for k in ("val_" + example.metric, example.metric, "val_accuracy", "loss")
                if k in logs[-1]), None)
    done = len(entries)
    target = seed_epochs(example)
    story = (f"a full-length run is under way (resumable, `--backup-root`): {done} "
             f"epoch{'s' if done != 1 else ''} done"
             + (f" of the seed's {target}" if target else "")
             + f" by {snapshot['taken']}, {sum(e['seconds'] for e in entries) / 3600:.1f} h "
             "of training so far")
    if key:
        values = [entry.get(key) for entry in logs]
        best = (max if key.endswith("accuracy") else min)(
            range(done), key=lambda i: values[i] if values[i] is not None else float("nan"))
        story += (f"; {key} {values[-1]:.4f} after epoch {done}"
                  f" (best {values[best]:.4f}, epoch {best + 1})")
    return story


def check_resumable(name):
    """Refuse --backup-root for an example whose main() cannot back up."""
    main = registry.load_module(registry.get(name)).main
    if "backup_dir" not in inspect.signature(main).parameters:
        raise ValueError(f"make_reproduction: {name} cannot resume (its main() takes no "
                         "backup_dir), so --backup-root does not apply to it")


def write_record(out_json, name, quick, epochs, kwargs, seed, wall, metrics, **more):
    """One run's JSON, written whole or not at all (``more``: e.g. the ``framework``)."""
    record = {"name": name, "quick": quick, "epochs_cap": epochs, "kwargs": kwargs,
              "seed": seed, **more,
              "wall_seconds": wall, "finished": time.strftime("%Y-%m-%d %H:%M"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}",
              "metrics": metrics}
    with open(out_json + ".part", "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=1, default=float)
    os.replace(out_json + ".part", out_json)


def child_command(name, epochs, kwargs, quick=False, seed=None, backup_root=None):
    """The command line of one child run (its own process, so runs share no state)."""
    command = [sys.executable, os.path.abspath(__file__), "_child", name,
               "--epochs", str(epochs or 0), "--kwargs", json.dumps(kwargs),
               "--out", result_path(name, quick, seed, epochs, kwargs)]
    if seed is not None:
        command += ["--seed", str(seed)]
    if backup_root:
        command += ["--backup-root", backup_root]
    return command + (["--quick"] if quick else [])


def keras_command(keras_python, name, epochs, kwargs, quick, seed, flavour="keras"):
    """The command line of one run of the example's Keras twin (``flavour``: 'keras' for
    Keras 3, 'tf_keras' for tf.keras 2)."""
    return [keras_python, KERAS_TWIN, name, "--seed", str(seed), "--epochs", str(epochs or 0),
            "--kwargs", json.dumps(kwargs), "--flavour", flavour,
            "--out", result_path(name, quick, seed, epochs, kwargs, framework=flavour)
            ] + (["--quick"] if quick else [])


def _run_logged(command, out_json, label):
    """Run one child with its output in the log beside its JSON; True when it succeeded."""
    log_path = out_json[:-len(".json")] + ".log"
    print(f"[{time.strftime('%H:%M:%S')}] {label} -> {os.path.relpath(log_path, ROOT)}",
          flush=True)
    start = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    status = "ok" if code == 0 else f"FAILED (exit {code})"
    print(f"    {status} in {time.perf_counter() - start:.0f} s", flush=True)
    return code == 0


def run_specs(specs, quick=False, seeds=None, keras_python=None, keras_only=False,
              keras_flavour="keras", backup_root=None):
    """Run each spec once (``seeds`` None) or once per seed, and with ``keras_python`` each
    seed in Keras too (only there with ``keras_only``); returns the failed runs. With
    ``backup_root`` saessak's runs can be stopped and resumed (see ``child``)."""
    if (keras_python or keras_only) and seeds is None:
        raise ValueError("make_reproduction: --keras-python runs seeded twins; give --seeds "
                         "or --seed-list too")
    if keras_only and not keras_python:
        raise ValueError("make_reproduction: --keras-only needs --keras-python")
    if seeds is not None:
        for spec in specs:
            if "seed" in parse_spec(spec)[2]:
                raise ValueError(f"make_reproduction: {spec!r} sets seed= and --seeds/--seed-list "
                                 "is given too; use one of them")
    if backup_root:
        for spec in specs:
            check_resumable(parse_spec(spec)[0])
    os.makedirs(os.path.join(RESULTS, SEEDS_FOLDER) if seeds else RESULTS, exist_ok=True)
    failures = []
    for spec in specs:
        name, epochs, kwargs = parse_spec(spec)
        for seed in seeds or [None]:
            label = name if seed is None else f"{name} seed {seed}"
            label += f" (epochs {epochs or 'seed'}, {kwargs})"
            if not keras_only and not _run_logged(
                    child_command(name, epochs, kwargs, quick, seed, backup_root),
                    result_path(name, quick, seed, epochs, kwargs), label):
                failures.append(label)
            if keras_python and not _run_logged(
                    keras_command(keras_python, name, epochs, kwargs, quick, seed,
                                  keras_flavour),
                    result_path(name, quick, seed, epochs, kwargs, keras_flavour),
                    "Keras: " + label):
                failures.append("Keras: " + label)
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
    if len(parts) >= 5 and parts[-5:-2] == ["examples", "results", SEEDS_FOLDER]:
        return "/".join(["examples/results"] + parts[-3:])  # a seeded run's figure
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
    "s000_cnn_vgg_augmented": "not run in full: 67,500 training images take 10 to 15 min "
                              "an epoch here (one thread, shared machine), about 5 hours "
                              "for the seed's 25 epochs; run it with --backup-root to "
                              "spread it over sessions",
}


def seed_epochs(example):
    """The seed's fixed count of epochs, or None where it trained otherwise (early stopping)."""
    match = re.match(r"(\d+) epochs", registry.SEED_RUNS.get(example.name, ""))
    return int(match.group(1)) if match else None


def _short_of_seed_epochs(example, record):
    """True when the run had fewer epochs than the seed's fixed count."""
    target, epochs = seed_epochs(example), record["metrics"].get("epochs")
    return bool(target and epochs and epochs < target)


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


def protocol(record):
    """What makes seeded runs comparable: the same example, epochs cap, arguments and mode."""
    return json.dumps({"name": record["name"], "epochs_cap": record.get("epochs_cap"),
                       "kwargs": record.get("kwargs") or {}, "quick": bool(record.get("quick"))},
                      sort_keys=True)


def framework_of(record):
    """'saessak', or for a run of the Keras twin 'keras' (Keras 3) or 'tf_keras' (tf.keras 2)."""
    framework = record.get("framework", "saessak")
    return ("tf_keras" if framework.startswith("tf.keras") else
            "keras" if framework.startswith("Keras") else "saessak")


def seed_runs_by_protocol(quick=False, framework="saessak"):
    """{protocol: its seeded runs, sorted by seed}, of saessak's runs or of Keras's twins."""
    folder = os.path.join(RESULTS, SEEDS_FOLDER)
    groups = {}
    for file in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not file.endswith(".json"):
            continue
        with open(os.path.join(folder, file), encoding="utf-8") as f:
            record = json.load(f)
        if (bool(record.get("quick")) != quick or record.get("seed") is None
                or framework_of(record) != framework):
            continue
        groups.setdefault(protocol(record), []).append(record)
    for runs in groups.values():
        runs.sort(key=lambda r: r["seed"])
    return groups


def load_seed_groups(quick=False, framework="saessak"):
    """{example name: its seeded full runs of one protocol, sorted by seed}. When an example
    was run under several protocols, the one with the most runs is shown (ties: the latest)."""
    chosen = {}
    for runs in seed_runs_by_protocol(quick, framework).values():
        name = runs[0]["name"]
        rank = (len(runs), max(r.get("finished", "") for r in runs))
        best = chosen.get(name)
        if best is None or rank > (len(best), max(r.get("finished", "") for r in best)):
            chosen[name] = runs
    return chosen


def against_keras(ours, theirs):
    """The verdict of saessak's seeded figures against Keras's on the same protocol."""
    p = permutation_test(ours, theirs)
    if p >= 0.05:
        return f"Keras: no difference (exact permutation test, p={p:.2f})"
    side = "above" if statistics.fmean(ours) > statistics.fmean(theirs) else "below"
    return f"{side} Keras (exact permutation test, p={p:.3f})"


def _fmt_spread(stats, decimals):
    return (f"{_fmt(stats['mean'], decimals)} ± {_fmt(stats['std'], decimals)} "
            f"({_fmt(stats['min'], decimals)} to {_fmt(stats['max'], decimals)}, "
            f"N={stats['n']})")


REPRODUCTION_MD = os.path.join(ROOT, "REPRODUCTION.md")


def make_table(out_path=REPRODUCTION_MD):
    records = load_records()
    groups = {name: runs for name, runs in load_seed_groups().items()
              if len(runs) >= 2 or name not in records}  # one seeded run never hides a run
    # tf.keras 2, the seeds' Keras, where it ran a protocol; else Keras 3
    keras_groups = {**seed_runs_by_protocol(framework="keras"),
                    **seed_runs_by_protocol(framework="tf_keras")}
    lines = [
        "# Reproducing the seeds' experiments",
        "",
        "Generated by `python scripts/make_reproduction.py table` from "
        "`examples/results/*.json` and `examples/results/seeds/*.json`; do not edit by "
        "hand. Each row is one example under "
        "`examples/` (run it with `saessak examples run NAME`). *Seed* is the figure the seed "
        "reports; *saessak* is ours on the same data where the project's offline copies have "
        "it. Runs are "
        "on a shared 2-core CPU machine, so several full runs are capped at fewer epochs "
        "or on a subset of the data: the *run* column says exactly what was run. Where "
        "several seeds were run (`run NAME --seeds N`), *saessak* shows their mean ± sample "
        "standard deviation (min to max, N=runs), all with the same epochs and arguments, and "
        "the verdict compares the mean. Where the same seeds were run in real Keras too "
        "(`--keras-python`: the same program with only its import lines changed, "
        "`scripts/keras_twin.py`), *Keras* shows their spread, and the verdict says whether "
        "the two differ by an exact permutation test on the difference of means (p < 0.05).",
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
        "| example | seed § | data | metric | seed | saessak | Keras, same protocol | verdict "
        "| run | wall time | curves |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes, samples = [], []
    in_progress = load_progress()
    for e in registry.EXAMPLES:
        runs = groups.get(e.name)
        record = runs[0] if runs else records.get(e.name)
        snapshot = in_progress.get(e.name)
        if snapshot and record and record.get("finished", "") > snapshot["taken"]:
            snapshot = None  # finished since
        if snapshot:
            notes.append(f"- `{e.name}`: {progress_story(e, snapshot)}.")
        if record is None:
            reason = NOT_RUN.get(e.name, "")
            figure = "not run"
            if snapshot:
                done = len(snapshot["epochs"])
                figure, reason = "in progress", (f"{done} epoch{'s' if done != 1 else ''} "
                                                 "done so far; see the notes")
            lines.append(f"| `{e.name}` | {e.seed} {e.section} | {e.dataset} | {e.metric} | "
                         f"{_fmt(e.reported, _decimals(e.reported))} | {figure} | | {reason} "
                         "| | | |")
            if e.note:
                notes.append(f"- `{e.name}`: {e.note}.")
            continue
        m = record["metrics"]
        ours = m.get(e.metric)
        digits = _decimals(e.reported)
        values = [r["metrics"].get(e.metric) for r in runs or []]
        stats = None
        if len(values) >= 2 and all(isinstance(v, (int, float)) for v in values):
            stats = spread(values)
            ours = stats["mean"]
        if m.get("skipped"):
            lines.append(f"| `{e.name}` | {e.seed} {e.section} | {e.dataset} | {e.metric} | "
                         f"{_fmt(e.reported)} | skipped | | {m['skipped']} | | | |")
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
        figure = _fmt(ours, digits) if stats is None else _fmt_spread(stats, digits)
        wall = _minutes(record["wall_seconds"])
        if record.get("backup_dir") and (m.get("train_seconds") or 0) > record["wall_seconds"]:
            # resumed across sessions: the last process's time is only part of the run
            wall = f"{_minutes(m['train_seconds'])} of training, over several sessions"
        if stats is not None:
            wall = _minutes(statistics.fmean(r["wall_seconds"] for r in runs)) + " per run"
        twins = keras_groups.get(protocol(record), []) if stats is not None else []
        theirs = [r["metrics"].get(e.metric) for r in twins]
        keras_cell, verdict = "", _verdict(e, ours)
        if len(theirs) >= 2 and all(isinstance(v, (int, float)) for v in theirs):
            keras_cell = _fmt_spread(spread(theirs), digits)
            verdict = "; ".join(filter(None, [verdict, against_keras(values, theirs)]))
            wall += ("; Keras " + _minutes(statistics.fmean(r["wall_seconds"] for r in twins))
                     + " per run")
        lines.append(f"| `{e.name}` | {e.seed} {e.section} | {e.dataset} | {e.metric} | "
                     f"{_fmt(e.reported, digits)} | {figure} | {keras_cell} | {verdict} | "
                     f"{run} | {wall} | {curves} |")
        if stats is not None:
            # one seed's story does not describe the spread: list every seed's figure instead
            each = ", ".join(f"{_fmt(float(v), digits)} (seed {r['seed']})"
                             for r, v in zip(runs, values))
            keras_each = ", ".join(f"{_fmt(float(v), digits)} (seed {r['seed']})"
                                   for r, v in zip(twins, theirs))
            notes.append(f"- `{e.name}`: " + "; ".join(filter(None, [
                e.note, f"{stats['n']} seeds: {each}; curves of seed {record['seed']}",
                f"Keras ({twins[0]['framework']}): {keras_each}" if keras_cell else ""])) + ".")
            for title, text in (m.get("samples") or {}).items():
                samples.append((e.name, f"{title} (seed {record['seed']})", text))
            continue
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
    with open(out_path + ".part", "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.replace(out_path + ".part", out_path)  # never a half-written table
    print(f"wrote {out_path} ({len(records)} of {len(registry.EXAMPLES)} examples have results)")
    return out_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run examples and keep their metrics")
    run.add_argument("specs", nargs="*", help="NAME[:EPOCHS[:key=value,...]]")
    run.add_argument("--all", action="store_true", help="every registered example")
    run.add_argument("--quick", action="store_true", help="quick mode (smoke runs)")
    run.add_argument("--seeds", type=int, default=None, metavar="N",
                     help="run each example N times, with seeds 0..N-1, each in its own process")
    run.add_argument("--seed-list", default=None, metavar="S,S,...",
                     help="run each example once per listed seed (like 3,7,11)")
    run.add_argument("--keras-python", default=None, metavar="PYTHON",
                     help="also run each seed in real Keras, with this Python (an environment "
                          "with keras and tensorflow)")
    run.add_argument("--keras-only", action="store_true",
                     help="with --keras-python: run only the Keras twins")
    run.add_argument("--keras-flavour", choices=["keras", "tf_keras"], default="keras",
                     help="the twins in Keras 3 (keras) or tf.keras 2 (tf_keras)")
    run.add_argument("--backup-root", default=None, metavar="DIR",
                     help="back up every run after each epoch in a folder of its own under DIR; "
                          "the same command run again resumes where a stopped run left off")
    progress = sub.add_parser("progress", help="snapshot how far resumable runs have got, "
                              "for the table (under examples/results/progress/)")
    progress.add_argument("specs", nargs="+", help="NAME[:EPOCHS[:key=value,...]], as run")
    progress.add_argument("--backup-root", required=True, metavar="DIR",
                          help="the --backup-root the runs were started with")
    sub.add_parser("table", help="write REPRODUCTION.md")
    kid = sub.add_parser("_child")
    kid.add_argument("name")
    kid.add_argument("--epochs", type=int, default=0)
    kid.add_argument("--kwargs", default="{}")
    kid.add_argument("--out", required=True)
    kid.add_argument("--quick", action="store_true")
    kid.add_argument("--seed", type=int, default=None)
    kid.add_argument("--backup-root", default=None)
    args = parser.parse_args(argv)
    if args.command == "_child":
        child(args.name, args.epochs or None, args.quick, args.kwargs, args.out, args.seed,
              args.backup_root)
        return 0
    if args.command == "table":
        make_table()
        return 0
    if args.command == "progress":
        try:
            for spec in args.specs:
                print("wrote", os.path.relpath(snapshot_progress(spec, args.backup_root), ROOT))
        except (ValueError, registry.UnknownExampleError) as error:
            parser.error(str(error))
        return 0
    specs = [e.name for e in registry.EXAMPLES] if args.all else args.specs
    try:
        seeds = parse_seeds(args.seeds, args.seed_list)
    except ValueError as error:
        parser.error(str(error))
    try:
        failures = run_specs(specs, quick=args.quick, seeds=seeds,
                             keras_python=args.keras_python, keras_only=args.keras_only,
                             keras_flavour=args.keras_flavour,
                             backup_root=args.backup_root)
    except (ValueError, registry.UnknownExampleError) as error:
        parser.error(str(error))
    if failures:
        print("failed:", ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
