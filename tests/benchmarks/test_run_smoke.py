"""The benchmark harness's logic on made-up timings: FLOP counts, medians and ratios, the
GEMM ceiling, the generated tables and report. Nothing here is timed."""

import cProfile
import importlib.util
import json
import os
import pstats
import sys

import pytest

BENCHMARKS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))


def _load(name):
    """A benchmark script as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}",
                                                  os.path.join(BENCHMARKS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


run = _load("run")  # puts benchmarks/ on sys.path for its own imports
_worker = _load("_worker")
wl = _load("workloads")


# --- FLOP counting ---------------------------------------------------------------------------

def test_layer_flops_follow_their_matrix_products():
    assert wl.dense_flops(rows=2, n_in=3, n_out=4) == 2 * 2 * 3 * 4
    # LSTM: per step [x_t, h] (n_in + u) times (n_in + u, 4u)
    assert wl.lstm_flops(batch=1, steps=1, n_in=2, units=3) == 2 * (2 + 3) * 12
    assert wl.gru_flops(batch=5, steps=7, n_in=2, units=3) == 2 * 5 * 7 * (2 + 3) * 9
    # a 3x3 kernel over 1 input channel into 32, at 26 x 26 output positions, batch 32
    assert wl.conv_flops(32, 26 * 26, 9, 1, 32) == 2 * 32 * 676 * 9 * 32
    # attention: 4 projections of (B L, d) by (d, d), plus Q K^T and A V
    b, length, d = 2, 3, 4
    assert wl.self_attention_flops(b, length, d) == (4 * 2 * b * length * d * d
                                                     + 2 * 2 * b * length * length * d)
    assert wl.train_step_flops([("a", 10), ("b", 5)]) == 45


def test_workload_counts_use_the_seed_shapes():
    # Reuters: batch 20, 100 steps, LSTM(100) on 100-d embeddings, Dense(46)
    forward = dict(wl.REUTERS.forward_flops())
    assert forward["LSTM(100)"] == 2 * 20 * 100 * 200 * 400
    assert forward["Dense(46)"] == 2 * 20 * 100 * 46
    assert wl.REUTERS.steps_per_epoch == 450  # ceil(8982 / 20)
    # IMDB conv: 500 -> conv k=5 'valid' -> 496 -> pool 4 -> 124 steps into LSTM(55)
    forward = dict(wl.IMDB_CONV_LSTM.forward_flops())
    assert forward["LSTM(55)"] == wl.lstm_flops(40, 124, 64, 55)
    assert forward["Conv1D(64, 5)"] == 2 * 40 * 496 * 5 * 100 * 64
    assert wl.CHAR_LM.step_flops() == 3 * (wl.lstm_flops(64, 40, 256, 512)
                                           + wl.dense_flops(64 * 40, 512, 80))


def test_batches_are_the_same_numbers_for_every_framework():
    first, again = wl.JENA.batches(2, seed=0), wl.JENA.batches(2, seed=0)
    assert first[0][0].shape == (128, 240, 14) and first[0][0].dtype.name == "float32"
    assert (first[1][0] == again[1][0]).all() and not (first[0][0] == first[1][0]).all()
    x, y = wl.REUTERS.batches(1)[0]
    assert x.shape == (20, 100) and x.dtype.name == "int64" and x.min() >= 1 and x.max() < 1000


def test_scaling_workloads_by_name():
    w = wl.get_workload("lstm_h128_t200")
    assert w.params == {"hidden": 128, "length": 200, "ftz": False}
    assert w.batches(1)[0][0].shape == (32, 200, 64)
    with pytest.raises(KeyError):
        wl.get_workload("no_such_thing")


# --- medians, ratios, ceiling ----------------------------------------------------------------

def fake_record(steps_per_epoch=100, saessak=(0.02, 0.03, 0.025), pytorch=(0.05, 0.04, 0.045),
                keras=None):
    frameworks = {"saessak": {"status": "ok", "step_seconds": list(saessak), "max_rss_mb": 150.0,
                              "note": ""},
                  "pytorch": {"status": "ok", "step_seconds": list(pytorch),
                              "max_rss_mb": 300.0, "note": "logits"}}
    frameworks["keras"] = ({"status": "skipped", "why": "not installed"} if keras is None else
                           {"status": "ok", "step_seconds": list(keras), "note": ""})
    return {"name": "toy", "title": "Toy > Dense", "source": "made up", "batch": 4,
            "steps_per_epoch": steps_per_epoch, "steps_per_round": 3, "rounds": 3,
            "step_flops": 6e9, "forward_flops": [("Dense", 2e9)], "frameworks": frameworks}


def test_summary_medians_spread_and_ratios():
    rec = run.summarize(fake_record())
    ours, theirs = rec["frameworks"]["saessak"], rec["frameworks"]["pytorch"]
    assert ours["median"] == pytest.approx(0.025 * 100)   # per step, times 100 steps
    assert (ours["min"], ours["max"]) == pytest.approx((2.0, 3.0))
    assert theirs["median"] == pytest.approx(4.5)
    assert rec["ratios"]["pytorch"] == pytest.approx(2.5 / 4.5)  # below 1: saessak faster
    assert "keras" not in rec["ratios"]


def test_ceiling_is_flops_over_peak():
    rec = run.apply_ceiling(run.summarize(fake_record()), peak_flops=100e9)
    assert rec["gemm_floor"] == pytest.approx(6e9 * 100 / 100e9)   # 6 s per epoch
    assert rec["frameworks"]["saessak"]["gemm_share"] == pytest.approx(6.0 / 2.5)
    per_step = run.apply_ceiling(run.summarize(fake_record(steps_per_epoch=None)), 100e9)
    assert per_step["gemm_floor"] == pytest.approx(0.06)


def test_turns_rotate_so_each_framework_takes_each_place():
    order = [run.rotate(["a", "b", "c"], r) for r in range(3)]
    assert order == [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    assert all(sorted(column) == ["a", "b", "c"] for column in zip(*order))


# --- tables and report -----------------------------------------------------------------------

def test_tables_show_medians_ratios_ceiling_and_skipped_peers():
    rec = run.apply_ceiling(run.summarize(fake_record()), 100e9)
    rec["frameworks"]["saessak"]["params"] = 1234
    table = run.main_table([rec]).splitlines()
    assert len(table) == 3 and table[0].count("|") == table[2].count("|")
    row = table[2]
    assert "2.5 s [2.0 s-3.0 s]" in row and "4.5 s" in row and "skipped" in row
    assert "| 0.56 |" in row
    assert "x100" in row  # says the epoch is extrapolated from the timed steps
    row = run.ceiling_table([rec]).splitlines()[2]
    assert "240.0% / 133.3% / -" in row and "150 / 300 / -" in row and "1,234 / - / -" in row


def test_summary_counts_wins_and_takes_the_geometric_mean():
    fast = run.summarize(fake_record())                                   # 2.5 vs 4.5 s
    slow = run.summarize(fake_record(saessak=(0.09, 0.09, 0.09)))         # 9 vs 4.5 s
    line = run.summary_line([fast, slow])
    assert "faster on 1 of 2 workloads" in line
    assert f"{((2.5 / 4.5) * 2.0) ** 0.5:.2f}" in line and "Keras" not in line


def test_notes_say_once_when_a_peer_is_missing_everywhere():
    records = [run.summarize(fake_record()), run.summarize(fake_record())]
    notes = run.notes_table(records)
    assert notes.count("not installed") == 1 and notes.count("logits") == 2


def test_report_is_generated_from_the_run():
    rec = run.apply_ceiling(run.summarize(fake_record(keras=(0.01, 0.01, 0.02))), 50e9)
    rec["profile"] = {"steps": 2, "seconds": 0.1, "rows": [
        {"function": "forward (saessak/ops/x.py:1)", "own": 0.4, "cumulative": 0.5,
         "calls": 2}], "files": [{"file": "saessak/ops/x.py", "own": 0.7}]}
    scaling = run.summarize(fake_record(steps_per_epoch=None))
    scaling["params"] = {"hidden": 32, "length": 50, "ftz": False}
    run.apply_ceiling(scaling, 50e9)
    report = run.render_report({
        "command": "python benchmarks/run.py", "date": "today", "seconds": 60.0,
        "quick": False, "machine": {"cpu": "Toy CPU", "cores": 2, "threads": 1, "blas": "x",
                                    "load_start": (1, 1, 1), "load_end": (2, 2, 2),
                                    "versions": "numpy 2"},
        "gemm": {"start": {"512": 40e9}, "end": {"512": 50e9}, "peak": 50e9},
        "workloads": [rec], "scaling": [scaling], "scaling_target_s": 1.0})
    for text in ("Toy CPU", "threads per framework: 1", "50.0 GFLOP/s", "## Results",
                 "## Scaling", "forward (saessak/ops/x.py:1)", "40.0%",
                 "by file: `saessak/ops/x.py` 70%", "extrapolated",
                 "| 0.56 |", "| 32 | 50 |"):
        assert text in report, text
    assert rec["ratios"]["keras"] == pytest.approx(2.5 / 1.0)


def test_render_rewrites_the_report_from_a_saved_run_with_fresh_notes(tmp_path):
    rec = run.apply_ceiling(run.summarize(fake_record()), 50e9)
    rec["name"] = "reuters_lstm"  # a real workload, whose notes are read afresh
    rec["frameworks"]["saessak"]["note"] = "an old note"
    saved = {"command": "python benchmarks/run.py", "date": "today", "seconds": 60.0,
             "quick": False, "machine": {"cpu": "Toy CPU", "cores": 2, "threads": 1,
                                         "blas": "x", "load_start": (1, 1, 1),
                                         "load_end": (2, 2, 2), "versions": "numpy 2"},
             "gemm": {"start": {"512": 40e9}, "end": {"512": 50e9}, "peak": 50e9},
             "workloads": [rec], "scaling": [], "scaling_target_s": 1.0}
    path, out = tmp_path / "full.json", tmp_path / "RESULTS.md"
    path.write_text(json.dumps(saved))
    run.render_saved(str(out), str(path))
    report = out.read_text()
    assert "Toy CPU" in report and "an old note" not in report
    assert wl.get_workload("reuters_lstm").notes["saessak"] in report


def test_scaling_table_pairs_each_point_with_its_flushed_twin():
    plain = run.summarize(fake_record(steps_per_epoch=None))
    plain["params"] = {"hidden": 32, "length": 50, "ftz": False}
    flushed = run.summarize(fake_record(steps_per_epoch=None, saessak=(0.01, 0.01, 0.01)))
    flushed["params"] = {"hidden": 32, "length": 50, "ftz": True}
    lines = run.scaling_table([flushed, plain]).splitlines()
    assert len(lines) == 3  # one row for the point
    cells = [c.strip() for c in lines[2].strip("|").split("|")]
    assert cells[:2] == ["32", "50"]
    assert cells[4] == "0.56" and cells[7] == "0.22"  # 25 / 45 ms, then 10 / 45 ms
    assert wl.get_workload("lstm_h32_t50_ftz").params["ftz"] is True


def test_hot_spots_rank_functions_by_their_own_time():
    def busy():
        return sum(i * i for i in range(20000))

    profiler = cProfile.Profile()
    profiler.runcall(busy)
    rows = _worker.hot_spots(pstats.Stats(profiler), top=3)
    assert 1 <= len(rows) <= 3
    assert rows == sorted(rows, key=lambda r: r["own"], reverse=True)
    assert all(0 <= r["own"] <= r["cumulative"] + 1e-9 for r in rows)
    assert any("genexpr" in r["function"] or "sum" in r["function"] for r in rows)
    files = _worker.time_by_file(pstats.Stats(profiler), top=5)
    assert sum(f["own"] for f in files) == pytest.approx(1.0, abs=1e-6)
    assert {f["file"] for f in files} >= {"built-ins"}


# --- issue 18: fit, predict and thread counts ------------------------------------------------

def test_predict_table_gives_rates_and_time_ratios():
    rec = fake_record()
    rec["frameworks"]["saessak"]["predict"] = {"1": [100.0, 120.0, 110.0], "256": [900.0]}
    rec["frameworks"]["pytorch"]["predict"] = {"1": [55.0], "256": [1800.0]}
    run.summarize(rec)
    assert rec["frameworks"]["saessak"]["predict_median"] == {"1": 110.0, "256": 900.0}
    row = next(line for line in run.predict_table([rec]).splitlines() if "toy" in line)
    # time per sample, saessak's over PyTorch's: (1 / 110) / (1 / 55) = 0.5 and 1800 / 900 = 2
    assert "| 110 / 55 / - | 0.50, - | 900 / 1,800 / - | 2.00, - |" in row


def test_main_table_shows_fit_and_the_hand_step():
    rec = fake_record()
    rec["frameworks"]["saessak_step"] = {"status": "ok", "step_seconds": [0.01, 0.01, 0.01]}
    table = run.main_table([run.summarize(rec)])
    assert "saessak (fit)" in table and "saessak (hand step)" in table
    row = next(line for line in table.splitlines() if "toy" in line)
    assert "| 2.5 s [2.0 s-3.0 s] | 1.0 s [1.0 s-1.0 s] |" in row  # fit first, then hand step


def test_thread_counts_parse_all_as_every_core():
    assert run.thread_counts("1") == [1]
    assert run.thread_counts("1,all") == [1, os.cpu_count() or 1]
    with pytest.raises(Exception, match="at least 1"):
        run.thread_counts("0")


def test_the_hand_step_shares_saessak_builders():
    reuters = wl.get_workload("reuters_lstm")
    assert wl.builder_of(reuters, "saessak_step") is reuters.builders["saessak"]
    assert wl.builder_of(reuters, "jax") is None


def test_a_worker_runs_at_the_thread_count_it_was_given(monkeypatch):
    """Not the count of the run that started it: the second pass of --threads 1,all
    once timed saessak at one thread (NumPy had read OMP_NUM_THREADS=1 first)."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    worker = run.Worker("saessak", "lstm_h8_t5", sys.executable, threads=2, warmup=1,
                        timeout=300)
    try:
        ready = worker.read()
        assert ready["ok"], ready
        assert ready["threads"] == 2
    finally:
        worker.close()


@pytest.mark.parametrize("framework, fit", [("saessak", True), ("saessak_step", False)])
def test_the_worker_trains_through_fit_or_the_hand_step(framework, fit):
    worker = run.Worker(framework, "lstm_h8_t5", sys.executable, threads=1, warmup=1,
                        timeout=300)
    try:
        ready = worker.read()
        assert ready["ok"], ready
        assert ready["params"] == 4 * (64 + 8 + 1) * 8 + 9  # LSTM(8) on 64 features, Dense(1)
        timed = worker.call(op="time", steps=3)
        assert timed["ok"] and timed["seconds"] > 0
        predicted = worker.call(op="predict", batch=4, samples=10)
        assert predicted["ok"] == fit and (predicted["seconds"] > 0 if fit else True)
        worker.log.flush()
        with open(worker.log.name) as f:
            log = f.read()
        assert ("3/3" in log) == fit  # fit's progress bar over the 3 batches of the round
    finally:
        worker.close()
