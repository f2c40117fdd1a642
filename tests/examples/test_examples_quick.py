"""Every registered example runs end to end in quick mode, on tiny data written here in the
real file formats (so CI needs neither ../shared/data nor the network)."""

import gzip
import io
import json
import math
import os
import pickle
import struct
import subprocess
import sys
import tarfile

import numpy as np
import pytest

from saessak.apps import examples as registry

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORDS = ("good bad great awful movie film plot actor story boring fun love hate best worst "
         "the a and of to is was it this that not very really").split()
KOREAN = ("재미있는 영화 정말 최고 별로 지루한 배우 연기 "
          "스토리 감동 시간 아까운 너무 좋았다 싫다").split()


def _review(rng, positive, n):
    good, bad = ["good", "great", "love", "best", "fun"], ["bad", "awful", "hate", "worst"]
    tilt = good if positive else bad
    words = list(rng.choice(WORDS, n)) + list(rng.choice(tilt, n // 3))
    rng.shuffle(words)
    return " ".join(words).capitalize() + ".<br /><br />The end."


def _write_imdb(folder, rng, per_class=40):
    folder.mkdir(parents=True)
    with tarfile.open(folder / "aclImdb_labeled.tar.gz", "w:gz") as tar:
        for split in ("train", "test"):
            for label in ("pos", "neg"):
                for i in range(per_class):
                    body = _review(rng, label == "pos", int(rng.integers(8, 40))).encode()
                    rating = 7 if label == "pos" else 2
                    info = tarfile.TarInfo(f"aclImdb/{split}/{label}/{i}_{rating}.txt")
                    info.size = len(body)
                    tar.addfile(info, io.BytesIO(body))
    ranks = {w: i + 1 for i, w in enumerate(["the", "br", "end"] + WORDS)}
    (folder / "imdb_word_index.json").write_text(json.dumps(ranks))


def _write_reuters(folder, rng, n=120):
    folder.mkdir(parents=True)
    x = np.empty(n, dtype=object)
    x[:] = [[int(v) for v in rng.integers(1, 1500, int(rng.integers(5, 60)))] for _ in range(n)]
    y = rng.integers(0, 46, n)
    with open(folder / "reuters.npz", "wb") as f:
        np.savez(f, x=x, y=y)


def _idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                      *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _write_fashion(folder, rng, n_train=48, n_test=16):
    folder.mkdir(parents=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        _idx(folder / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        _idx(folder / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, n))


def _write_nsmc(folder, rng, n_train=120, n_test=40):
    folder.mkdir(parents=True)
    for name, n in (("ratings_train.txt", n_train), ("ratings_test.txt", n_test)):
        rows = ["id\tdocument\tlabel"]
        for i in range(n):
            words = " ".join(rng.choice(KOREAN, int(rng.integers(2, 9))))
            rows.append(f"{1000 + i}\t{words}.\t{int(rng.integers(0, 2))}")
        (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def _write_book(folder, rng):
    folder.mkdir(parents=True)
    letters = list("abcdefghij ,.\n")
    body = "".join(rng.choice(letters, 3000))
    text = ("\ufeffProject Gutenberg header\nTHE MYSTERIOUS ISLAND\n" + body +
            "\nEnd of the Project Gutenberg EBook")
    (folder / "mysterious_island_2016.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """A $SAESSAK_DATA folder holding every dataset the examples read, a few KB each."""
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    _write_imdb(root / "imdb", rng)
    _write_reuters(root / "reuters", rng)
    _write_fashion(root / "fashion_mnist", rng)
    _write_nsmc(root / "nsmc", rng)
    _write_book(root / "texts", rng)
    return root


@pytest.fixture(autouse=True)
def _isolated(tiny_data, tmp_path, monkeypatch):
    monkeypatch.setenv("SAESSAK_DATA", str(tiny_data))
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path / "home"))  # parsed-IMDB cache
    monkeypatch.setenv("MPLBACKEND", "Agg")


def _number(value):
    return isinstance(value, (int, float)) and math.isfinite(value)


# these two need data in other formats (raw images, GloVe); they run quick on their own tiny
# data in tests/interchange/test_interchange_examples.py
ELSEWHERE = {"s000_transfer_learning", "s002_glove_embedding"}


@pytest.mark.parametrize("name", [e.name for e in registry.EXAMPLES if e.name not in ELSEWHERE])
def test_example_runs_quick(name, tiny_data, tmp_path):
    example = registry.get(name)
    metrics = registry.run(name, quick=True, data_dir=str(tiny_data), out_dir=str(tmp_path))
    assert isinstance(metrics, dict)
    assert _number(metrics[example.metric]), metrics
    json.dumps(metrics, default=float)  # the reproduction script stores it as JSON
    curves = metrics.get("curves")
    if curves:
        assert os.path.isfile(curves) and curves.startswith(str(tmp_path))


def test_exact_examples_give_the_seeds_numbers(tiny_data, tmp_path):
    backprop = registry.run("s003_backprop", out_dir=str(tmp_path))
    assert round(backprop["w5_updated"], 8) == 0.43703857
    assert round(backprop["w1_updated"], 8) == 0.29959556
    assert round(backprop["E_total"], 8) == 0.02397190
    assert backprop["autodiff_difference"] < 1e-12
    assert registry.run("s003_numpy_rnn", out_dir=str(tmp_path))["max_abs_diff"] < 1e-12
    assert registry.run("s004_self_attention", out_dir=str(tmp_path))["max_abs_diff"] < 1e-10
    api = registry.run("s003_functional_api", quick=True, out_dir=str(tmp_path))
    assert (api["params_ffnn"], api["params_simple_rnn"]) == (49, 42)
    assert (api["params_functional_ffnn"], api["params_multi_input"]) == (4929, 11813)
    gates = registry.run("s003_perceptron", quick=True, out_dir=str(tmp_path))
    assert gates["gates_solved"] == 4 and gates["xor_single_unit"] == 0
    lm = registry.run("s003_rnn_language_model", out_dir=str(tmp_path))
    assert lm["sentences_reproduced"] == 3   # the seed's three sentences, greedily
    # seed 000 section 8.1's TF-Hub classifier: MobileNetV2 with 1,001 classes
    mobilenet = registry.run("s000_mobilenet_v2", out_dir=str(tmp_path))
    assert mobilenet["params_seed_classifier"] == 3540265


def test_registry_entries_are_complete():
    names = [e.name for e in registry.EXAMPLES]
    assert len(names) == len(set(names))
    for e in registry.EXAMPLES:
        path = os.path.join(registry.examples_dir(), e.script + ".py")
        assert os.path.isfile(path), path
        assert e.seed in {"000", "001", "002", "003", "004"}
    with pytest.raises(KeyError, match="examples list"):
        registry.get("no_such_example")
    table = registry.format_table()
    assert all(name in table for name in names)


def test_cli_examples_list_and_run(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    listed = subprocess.run([sys.executable, "-m", "saessak.apps.cli", "examples", "list"],
                            capture_output=True, text=True, env=env, check=True).stdout
    assert "s001_reuters_lstm" in listed and "0.7177" in listed
    ran = subprocess.run([sys.executable, "-m", "saessak.apps.cli", "examples", "run",
                          "s003_backprop", "--out-dir", str(tmp_path)],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert "0.43703857" in ran


def test_reproduction_table_is_generated(tmp_path, monkeypatch):
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import make_reproduction as mr

    monkeypatch.setattr(mr, "RESULTS", str(tmp_path))
    record = {"name": "s001_reuters_lstm", "wall_seconds": 125.0, "machine": "test box",
              "metrics": {"accuracy": 0.7262, "epochs": 16,
                          "samples": {"demo": "some text"}}}
    (tmp_path / "s001_reuters_lstm.json").write_text(json.dumps(record))
    out = mr.make_table(str(tmp_path / "REPRODUCTION.md"))
    text = open(out, encoding="utf-8").read()
    row = next(line for line in text.splitlines() if "`s001_reuters_lstm`" in line)
    assert "0.7177" in row and "0.7262" in row and "better (+0.8 points)" in row
    assert "2.1 min" in row
    assert "not run" in next(line for line in text.splitlines() if "`s001_imdb_conv_lstm`" in line)
    assert "some text" in text
    assert mr.parse_spec("s004_char_lm:2:max_chars=300,rnn_units=64") == (
        "s004_char_lm", 2, {"max_chars": 300, "rnn_units": 64})
    with pytest.raises(KeyError):
        mr.parse_spec("nope:1")


def test_pickled_reuters_fixture_is_object_array(tiny_data):
    # the fixture must hold real object arrays, as Keras's file does
    with np.load(tiny_data / "reuters" / "reuters.npz", allow_pickle=True) as f:
        assert f["x"].dtype == object and isinstance(pickle.dumps(f["x"][0]), bytes)


def test_cli_generate_streams_from_a_saved_model(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    import saessak as keras

    keras.utils.set_random_seed(0)
    vocab = list("abcd")
    ids = np.array([i % 4 for i in range(200)])
    x = np.stack([ids[i:i + 6] for i in range(190)])
    model = keras.Sequential([keras.layers.Embedding(4, 8), keras.layers.LSTM(16),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    model.fit(x, ids[6:196], epochs=15, verbose=0)
    model.save(str(tmp_path / "lm.keras"))
    (tmp_path / "vocab.json").write_text(json.dumps({"tokens": vocab, "level": "char"}))
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    base = [sys.executable, "-m", "saessak.apps.cli", "generate", "--model",
            str(tmp_path / "lm.keras"), "--vocab", str(tmp_path / "vocab.json"),
            "--seed-text", "abcdab", "--length", "7", "--seq-length", "6"]
    greedy = subprocess.run(base + ["--greedy"], capture_output=True, text=True, env=env,
                            check=True).stdout
    assert greedy.strip() == "cdabcda"       # streamed continuation of "abcdab"
    sampled = [subprocess.run(base + ["--temperature", "2", "--seed", "3"], capture_output=True,
                              text=True, env=env, check=True).stdout for _ in range(2)]
    assert sampled[0] == sampled[1] and len(sampled[0].strip()) == 7
