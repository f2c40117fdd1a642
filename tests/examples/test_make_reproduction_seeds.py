"""Issue 19, item 1: ``make_reproduction.py run NAME --seeds N`` and the table's spread.

No training here: the child runs are faked (a stand-in ``registry.run``, or JSON files
written straight into a temporary results folder)."""

import json
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import make_reproduction as mr  # noqa: E402

LSTM = "s000_multiplication_lstm"  # the seed's figure: correctness 0.9477


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setattr(mr, "RESULTS", str(tmp_path))
    return tmp_path


def write_seeded(folder, name, seed, value, epochs_cap=None, kwargs=None, quick=False,
                 wall=60.0, metric="correctness", keras=False):
    record = {"name": name, "quick": quick, "epochs_cap": epochs_cap, "kwargs": kwargs or {},
              "seed": seed, "wall_seconds": wall, "finished": "2026-12-05 13:00",
              "machine": "test box", "metrics": {metric: value, "epochs": epochs_cap or 100}}
    if keras:
        record["framework"] = "Keras 3.15.1 (TensorFlow 2.21.0)"
    path = mr.result_path(name, quick, seed, epochs_cap, kwargs,
                          framework="keras" if keras else "saessak")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(record))


def row_of(text, name):
    return next(line for line in text.splitlines() if f"`{name}`" in line)


def test_seeds_and_seed_list_are_parsed_and_bad_ones_refused():
    assert mr.parse_seeds(4) == [0, 1, 2, 3]
    assert mr.parse_seeds(None, "3,7,11") == [3, 7, 11]
    assert mr.parse_seeds() is None
    for count, listed, words in [(0, None, "at least 1"), (2, "1,2", "not both"),
                                 (None, "3,x", "'3,x'"), (None, "3,3", "distinct")]:
        with pytest.raises(ValueError, match=words):
            mr.parse_seeds(count, listed)


def test_spread_against_hand_computed_numbers():
    # mean (0.74 + 0.58 + 0.90) / 3 = 0.74; deviations 0, -0.16, 0.16;
    # sample variance (0 + 0.0256 + 0.0256) / (3 - 1) = 0.0256, so std 0.16
    stats = mr.spread([0.74, 0.58, 0.90])
    assert stats["mean"] == pytest.approx(0.74) and stats["std"] == pytest.approx(0.16)
    assert (stats["min"], stats["max"], stats["n"]) == (0.58, 0.90, 3)
    # two runs: std = |a - b| / sqrt(2)
    assert mr.spread([1.0, 2.0])["std"] == pytest.approx(0.5 ** 0.5)


def test_each_seed_runs_in_its_own_process_with_its_seed(results, monkeypatch):
    commands = []
    monkeypatch.setattr(mr.subprocess, "call", lambda command, **kw: commands.append(command) or 0)
    assert mr.main(["run", f"{LSTM}:100", "--seed-list", "3,7"]) == 0
    assert [c[c.index("--seed") + 1] for c in commands] == ["3", "7"]
    outs = [c[c.index("--out") + 1] for c in commands]
    assert outs == [str(results / "seeds" / f"{LSTM}.e100.seed{s}.json") for s in (3, 7)]
    assert all(c[c.index("--epochs") + 1] == "100" for c in commands)
    assert (results / "seeds" / f"{LSTM}.e100.seed7.log").exists()
    # another protocol writes other files: it never overwrites these runs
    assert mr.result_path(LSTM, seed=3, epochs=10) != outs[0]
    assert mr.result_path(LSTM, seed=3, epochs=100, kwargs={"kind": "GRU"}) != outs[0]
    # without --seeds: one run, as before, with no --seed (the example's own default)
    commands.clear()
    assert mr.main(["run", LSTM]) == 0
    assert "--seed" not in commands[0] and commands[0][-1] == str(results / f"{LSTM}.json")
    with pytest.raises(ValueError, match="seed="):
        mr.run_specs([f"{LSTM}:1:seed=5"], seeds=[0, 1])


def test_the_child_passes_the_seed_to_main_and_records_it(results, monkeypatch):
    calls = []

    def fake_run(name, **arguments):
        calls.append(arguments)
        return {"correctness": 0.5 + arguments["seed"] / 10}

    monkeypatch.setattr(mr.registry, "run", fake_run)
    out = results / "seeds" / "x.json"
    out.parent.mkdir()
    assert mr.main(["_child", LSTM, "--epochs", "5", "--kwargs", '{"kind": "LSTM"}',
                    "--out", str(out), "--seed", "2"]) == 0
    assert calls[0]["seed"] == 2 and calls[0]["kind"] == "LSTM" and calls[0]["epochs"] == 5
    assert calls[0]["out_dir"] == str(results / "seeds" / "seed2")  # seeds never overwrite
    record = json.loads(out.read_text())
    assert record["seed"] == 2 and record["kwargs"] == {"kind": "LSTM"}
    assert record["metrics"]["correctness"] == pytest.approx(0.7)


def test_runs_group_by_protocol_and_quick_runs_stay_out(results):
    for seed, value in enumerate([0.74, 0.58, 0.90]):
        write_seeded(results, LSTM, seed, value, epochs_cap=None)
    for seed, value in enumerate([0.10, 0.20]):  # another protocol: fewer runs, not shown
        write_seeded(results, LSTM, seed, value, epochs_cap=10)
    for seed in range(4):
        write_seeded(results, LSTM, seed, 0.0, quick=True)
    groups = mr.load_seed_groups()
    assert [r["seed"] for r in groups[LSTM]] == [0, 1, 2]
    assert {r["epochs_cap"] for r in groups[LSTM]} == {None}
    assert [r["metrics"]["correctness"] for r in mr.load_seed_groups(quick=True)[LSTM]] == [0.0] * 4
    # same epochs but other arguments: another protocol
    a = {"name": LSTM, "epochs_cap": 5, "kwargs": {"kind": "GRU"}}
    assert mr.protocol(a) != mr.protocol(dict(a, kwargs={}))
    assert mr.protocol(a) == mr.protocol(dict(a, seed=9, metrics={}))


def test_table_shows_mean_std_min_max_and_n(results):
    for seed, value in enumerate([0.74, 0.58, 0.90]):
        write_seeded(results, LSTM, seed, value, wall=30.0 + 60 * seed)
    text = open(mr.make_table(str(results / "R.md")), encoding="utf-8").read()
    row = row_of(text, LSTM)
    assert "| 0.9477 | 0.7400 ± 0.1600 (0.5800 to 0.9000, N=3) |  | -20.8 points |" in row
    assert "1.5 min per run" in row  # mean of 30, 90 and 150 s
    note = row_of(text.split("## Notes")[1], LSTM)
    assert "3 seeds: 0.7400 (seed 0), 0.5800 (seed 1), 0.9000 (seed 2)" in note


def test_single_run_rows_are_unchanged(results):
    single = {"name": LSTM, "quick": False, "epochs_cap": None, "kwargs": {},
              "wall_seconds": 60.0, "machine": "box",
              "metrics": {"correctness": 0.7386, "epochs": 100, "why": "it spiked"}}
    (results / f"{LSTM}.json").write_text(json.dumps(single))
    before = open(mr.make_table(str(results / "A.md")), encoding="utf-8").read()
    assert "| 0.9477 | 0.7386 |  | -20.9 points |" in row_of(before, LSTM)
    # one seeded run does not replace the single run: the whole table stays the same
    write_seeded(results, LSTM, 4, 0.95)
    assert open(mr.make_table(str(results / "B.md")), encoding="utf-8").read() == before
    # several do
    write_seeded(results, LSTM, 5, 0.97)
    after = open(mr.make_table(str(results / "C.md")), encoding="utf-8").read()
    assert "0.9600 ± " in row_of(after, LSTM) and "N=2" in row_of(after, LSTM)
    assert "it spiked" not in after  # the single run's story no longer describes the row
    # a lone seeded run with no single run is shown as a plain figure
    write_seeded(results, "s001_reuters_lstm", 0, 0.7262, metric="accuracy")
    lone = row_of(open(mr.make_table(str(results / "D.md")), encoding="utf-8").read(),
                  "s001_reuters_lstm")
    assert "| 0.7177 | 0.7262 |  | better (+0.8 points) |" in lone and "±" not in lone


def test_seeded_figures_link_into_their_seed_folder():
    path = "/elsewhere/examples/results/seeds/seed3/s000_multiplication_lstm.png"
    assert mr._figure_link(path) == "examples/results/seeds/seed3/s000_multiplication_lstm.png"


# -- issue 19, item 2: Keras side by side ---------------------------------------------------
def test_permutation_test_against_hand_counted_splits():
    # pooled 1, 2, 3, 4 split 2 + 2 six ways; the differences of means are 2, 1, 0, 0, 1, 2,
    # and the observed split (1, 2 | 3, 4) differs by 2: two of six splits are as extreme
    assert mr.permutation_test([1, 2], [3, 4]) == pytest.approx(1 / 3)
    assert mr.permutation_test([3, 4], [1, 2]) == pytest.approx(1 / 3)  # two-sided
    assert mr.permutation_test([1, 1], [1, 1]) == 1.0  # no difference at all
    # 5 against 5 with no overlap: only the observed split and its mirror, 2 of C(10, 5) = 252
    assert mr.permutation_test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(2 / 252)
    with pytest.raises(ValueError, match="at least 2 runs a side"):
        mr.permutation_test([1], [2, 3])


def test_sampled_permutation_test_is_close_to_the_exact_one():
    a, b = [0.1, 0.5, 0.3, 0.7, 0.2, 0.4], [0.6, 0.9, 0.8, 0.5, 0.7, 1.0]
    exact = mr.permutation_test(a, b)
    sampled = mr.permutation_test(a, b, samples=200)  # C(12, 6) = 924 > 200: sampled
    assert sampled == mr.permutation_test(a, b, samples=200)  # seeded, so reproducible
    assert abs(sampled - exact) < 0.05


def test_keras_twins_have_their_own_files_and_groups(results):
    assert mr.result_path(LSTM, seed=3, framework="keras").endswith(
        os.path.join("seeds", f"{LSTM}.seed3.keras.json"))
    for seed, (ours, theirs) in enumerate([(0.74, 0.95), (0.58, 0.97), (0.90, 0.96)]):
        write_seeded(results, LSTM, seed, ours)
        write_seeded(results, LSTM, seed, theirs, keras=True)
    assert [r["metrics"]["correctness"] for r in mr.load_seed_groups()[LSTM]] == [0.74, 0.58, 0.90]
    keras = mr.load_seed_groups(framework="keras")[LSTM]
    assert [r["metrics"]["correctness"] for r in keras] == [0.95, 0.97, 0.96]


def test_table_puts_keras_beside_saessak_with_the_test(results):
    for seed, (ours, theirs) in enumerate([(0.74, 0.95), (0.58, 0.97), (0.90, 0.96)]):
        write_seeded(results, LSTM, seed, ours, wall=60.0)
        write_seeded(results, LSTM, seed, theirs, wall=120.0, keras=True)
    row = row_of(open(mr.make_table(str(results / "K.md")), encoding="utf-8").read(), LSTM)
    assert "| 0.9600 ± 0.0100 (0.9500 to 0.9700, N=3) |" in row
    # 3 against 3 with no overlap: 2 of C(6, 3) = 20 splits, p = 0.10, not below 0.05
    assert "Keras: no difference (exact permutation test, p=0.10)" in row
    assert "1.0 min per run; Keras 2.0 min per run" in row
    # a Keras twin under another protocol is not compared
    for seed in range(3):
        write_seeded(results, "s000_multiplication_gru", seed, 0.98, epochs_cap=10, keras=True)
        write_seeded(results, "s000_multiplication_gru", seed, 0.5 + seed / 10)
    gru = row_of(open(mr.make_table(str(results / "G.md")), encoding="utf-8").read(),
                 "s000_multiplication_gru")
    assert "Keras" not in gru


def test_a_clear_difference_is_called(results):
    for seed in range(5):
        write_seeded(results, LSTM, seed, 0.50 + seed / 100)
        write_seeded(results, LSTM, seed, 0.90 + seed / 100, keras=True)
    row = row_of(open(mr.make_table(str(results / "D.md")), encoding="utf-8").read(), LSTM)
    assert "below Keras (exact permutation test, p=0.008)" in row  # 2 / 252


def test_keras_runs_need_seeds_and_run_after_each_saessak_seed(results, monkeypatch):
    calls = []
    monkeypatch.setattr(mr.subprocess, "call", lambda command, **_: calls.append(command) or 0)
    assert mr.run_specs([LSTM], seeds=[0, 1], keras_python="/keras/python") == []
    assert [c[0] for c in calls] == [sys.executable, "/keras/python"] * 2
    assert calls[1][1] == mr.KERAS_TWIN and calls[1][2:5] == [LSTM, "--seed", "0"]
    assert calls[1][calls[1].index("--out") + 1] == mr.result_path(LSTM, seed=0,
                                                                    framework="keras")
    calls.clear()
    mr.run_specs([LSTM], seeds=[2], keras_python="/keras/python", keras_only=True)
    assert [c[0] for c in calls] == ["/keras/python"]
    with pytest.raises(ValueError, match="give --seeds or --seed-list"):
        mr.run_specs([LSTM], keras_python="/keras/python")
    with pytest.raises(ValueError, match="--keras-only needs --keras-python"):
        mr.run_specs([LSTM], seeds=[0], keras_only=True)


def test_tf_keras_twins_are_preferred_for_the_keras_column(results):
    for seed in range(3):
        write_seeded(results, LSTM, seed, 0.80 + seed / 100)
        write_seeded(results, LSTM, seed, 0.50, keras=True)  # Keras 3
        path = mr.result_path(LSTM, seed=seed, framework="tf_keras")
        record = json.loads(open(mr.result_path(LSTM, seed=seed, framework="keras")).read())
        record.update(framework="tf.keras 2.21.0 (TensorFlow 2.21.0)",
                      metrics={"correctness": 0.81 + seed / 100, "epochs": 100})
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(record))
    assert path.endswith(f"{LSTM}.seed2.tf_keras.json")
    text = open(mr.make_table(str(results / "T.md")), encoding="utf-8").read()
    assert "| 0.8200 ± 0.0100 (0.8100 to 0.8300, N=3) |" in row_of(text, LSTM)
    assert "tf.keras 2.21.0" in row_of(text.split("## Notes")[1], LSTM)
