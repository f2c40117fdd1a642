"""Hostile and damaged files: a zip bomb, lying .npy headers, path escapes, links, schema
violations, seeded bit flips and truncation. Every one gives a model or a ValueError that
names the file; none runs code, writes outside its folder or allocates more than twice the
file's size (measured with tracemalloc)."""

import hashlib
import io
import json
import random
import stat
import tracemalloc
import zipfile

import numpy as np
import pytest

import saessak
from saessak.layers import Dense
from saessak.models import Sequential, load_model
from saessak.utils.safe_npz import UnsafePickleError, load_npz


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A compiled model of ~100 KB (so that 2x its size is a meaningful memory bound)."""
    saessak.utils.set_random_seed(0)
    model = Sequential([Dense(96, activation="relu", input_shape=(256,)), Dense(3)])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(8, 256)).astype("float32")
    model.fit(x, np.zeros((8, 3)), epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("saved") / "m.saessak"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist() if n != "manifest.json"}
    return path.read_bytes(), entries


def build(entries, compress=(), manifest=None, infos=None):
    """Zip bytes of ``entries`` with a correct manifest (unless one is given)."""
    if manifest is None:
        manifest = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                    for n, d in entries.items()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            info = (infos or {}).get(name) or zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED if name in compress else zipfile.ZIP_STORED
            z.writestr(info, data)
        z.writestr("manifest.json", json.dumps(manifest))
    return buf.getvalue()


def refused(path, *fragments):
    """load_model(path) raises one ValueError naming the file and each fragment, within
    2x the file's size of memory."""
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    assert peak < 2 * size, f"peak {peak:,} bytes loading a {size:,}-byte file"
    return peak


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def huge_header(declared_shape="(100000000000,)"):
    """A 150-byte .npy whose header declares 10^11 float32 values."""
    raw = npy(np.zeros(4, np.float32))
    return raw.replace(b"(4,)", declared_shape.encode())


# --- the review's two failures, and their relatives ----------------------------------------


def test_zip_bomb_is_refused_before_inflating(tmp_path, saved):
    _, entries = saved
    bomb_size = 64 << 20  # 64 MB of zeros deflate to ~64 KB
    payload = {**entries, "weights/0000.npy": bytes(bomb_size)}
    manifest = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                for n, d in payload.items()}  # the manifest even vouches for it
    del payload
    path = tmp_path / "bomb.saessak"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            if name != "weights/0000.npy":
                z.writestr(name, data)
        info = zipfile.ZipInfo("weights/0000.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            for _ in range(bomb_size >> 20):
                f.write(bytes(1 << 20))
        z.writestr("manifest.json", json.dumps(manifest))
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < bomb_size / 100
    refused(path, "weights/0000.npy", "compressed")


def test_compressed_entries_and_size_lies_are_refused(tmp_path, saved):
    _, entries = saved
    path = tmp_path / "deflated.saessak"
    path.write_bytes(build(entries, compress={"config.json"}))
    refused(path, "config.json", "compressed")
    manifest = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                for n, d in entries.items()}
    manifest["config.json"]["size"] -= 1  # the entry is larger than the manifest promises
    path.write_bytes(build(entries, manifest=manifest))
    refused(path, "config.json", "manifest promises")


def test_huge_npy_header_in_a_model_file(tmp_path, saved):
    _, entries = saved
    path = tmp_path / "huge.saessak"
    path.write_bytes(build({**entries, "weights/0000.npy": huge_header()}))
    refused(path, "weights/0000.npy", "declares shape (100000000000,)")
    for shape in ("(-5,)", "(2.5,)", "('a',)", "(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) + ()"):
        path.write_bytes(build({**entries, "weights/0000.npy": huge_header(shape)}))
        refused(path, "weights/0000.npy")


def test_huge_npy_header_in_a_tampered_dataset_npz(tmp_path):
    """reuters.npz in Keras's layout (an object array of int lists, deflated) with a label
    array whose header declares 10^11 values."""
    r = np.random.default_rng(0)
    x = np.empty(3000, dtype=object)
    for i in range(len(x)):
        x[i] = r.integers(1, 30000, size=40).tolist()
    buf = io.BytesIO()
    np.save(buf, x, allow_pickle=True)
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        path = tmp_path / "reuters.npz"
        with zipfile.ZipFile(path, "w", compression=compression) as z:
            z.writestr("y.npy", huge_header())
            z.writestr("x.npy", buf.getvalue())
        tracemalloc.start()
        with pytest.raises(ValueError, match=r"reuters\.npz:y\.npy.*declares"):
            load_npz(str(path))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 2 * path.stat().st_size, (peak, path.stat().st_size)


def test_pickled_array_claiming_a_huge_shape_is_refused(tmp_path):
    """A pickle may ask NumPy's _reconstruct / __setstate__ for any shape: both allocate."""
    good = np.empty(1, dtype=object)
    good[0] = [1, 2]
    payload = io.BytesIO()
    np.save(payload, good, allow_pickle=True)
    raw = payload.getvalue().replace(b"(1,)", b"(1,)")
    header_end = raw.index(b"\n") + 1
    pickled = raw[header_end:]
    # the array's state names shape (1,) as a pickled tuple: make it 10^11
    tampered = pickled.replace(b"K\x01\x85", b"\x8a\x05\x00\xe8vH\x17\x85", 1)
    assert tampered != pickled
    path = tmp_path / "imdb.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", raw[:header_end] + tampered)
    with pytest.raises(ValueError, match="imdb.npz"):
        load_npz(str(path))


# --- names: path escapes, links, duplicates --------------------------------------------------


@pytest.mark.parametrize("name", ["../escape.npy", "/etc/passwd", "weights/../../x.npy",
                                  "C:\\evil.npy", "weights//0000.npy", "./weights/x.npy"])
def test_path_escapes_are_refused_and_nothing_is_written(tmp_path, saved, name):
    _, entries = saved
    folder = tmp_path / "inner"
    folder.mkdir()
    path = folder / "m.saessak"
    path.write_bytes(build({**entries, name: b"x"}))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    refused(path, "not a plain relative entry name")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_symlink_entries_and_duplicates_are_refused(tmp_path, saved):
    _, entries = saved
    link = zipfile.ZipInfo("weights/0001.npy")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = tmp_path / "link.saessak"
    path.write_bytes(build({**entries, "weights/0001.npy": b"/etc/passwd"},
                           infos={"weights/0001.npy": link}))
    refused(path, "link")
    with pytest.warns(UserWarning, match="Duplicate"):
        data = build({**entries, "weights/0001.npy": b""},
                     infos={"weights/0001.npy": zipfile.ZipInfo("config.json")})
    path.write_bytes(data)
    refused(path, "appears twice")


# --- schema violations: one ValueError naming file and field ---------------------------------


def edit(entries, name, change):
    data = json.loads(entries[name])
    data = change(data)
    return {**entries, name: data if isinstance(data, bytes) else json.dumps(data).encode()}


SCHEMA_CASES = [
    ("metadata.json", lambda m: [m], "(metadata)"),
    ("metadata.json", lambda m: {**m, "version": None}, "version"),
    ("metadata.json", lambda m: {**m, "version": "abc"}, "version"),
    ("metadata.json", lambda m: {**m, "version": 99}, "newer saessak"),
    ("metadata.json", lambda m: {**m, "kind": ["model"]}, "kind"),
    ("metadata.json", lambda m: {**m, "build_input_shape": "x"}, "build_input_shape"),
    ("weights.json", lambda t: 7, "weight table"),
    ("weights.json", lambda t: [7] + t[1:], "[0]"),
    ("weights.json", lambda t: {"0": t}, "weight table"),
    ("weights.json", lambda t: [{**t[0], "entry": "../../etc/passwd"}] + t[1:], "[0].entry"),
    ("weights.json", lambda t: [{**t[0], "shape": [None, "x"]}] + t[1:], "[0].shape"),
    ("config.json", lambda c: [c], "(the model)"),
    ("config.json", lambda c: {**c, "class_name": 5}, "class_name"),
    ("config.json", lambda c: {**c, "config": [1, 2]}, "(the model).config"),
    ("config.json", lambda c: {**c, "config": {**c["config"], "layers": 3}}, "layers"),
    ("config.json", lambda c: {**c, "config": {**c["config"], "layers": [1]}},
     "layers[0]"),
    ("config.json", lambda c: b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("config.json", lambda c: b"{\"a\": " * 50_000 + b"1" + b"}" * 50_000,
     "nested too deeply"),
    ("config.json", lambda c: {"class_name": "Sequential", "config": nest(200)},
     "nested more than"),
    ("config.json", lambda c: {**c, "class_name": "Dense", "config": {"units": "many"}},
     "cannot rebuild"),
    ("config.json", lambda c: {**c, "config": {**c["config"], "layers": [
        {"class_name": "Dense", "config": {"units": None}}]}}, "cannot rebuild"),
    ("config.json", lambda c: {**c, "config": {**c["config"], "layers": [
        {"class_name": "Dense", "config": {"units": 4, "bogus": 1}}]}}, "cannot rebuild"),
    ("config.json", lambda c: {**c, "class_name": "os.system"}, "unknown layer class"),
    ("compile.json", lambda c: [c], "(compile settings)"),
    ("compile.json", lambda c: {**c, "optimizer": ["adam"]}, "optimizer"),
    ("compile.json", lambda c: {**c, "optimizer": {"class_name": "Adam",
                                                   "config": {"learning_rate": "x"}}},
     "compile.json"),
    ("compile.json", lambda c: {**c, "loss": {"class_name": 3}}, "compile.json"),
]


def nest(depth):
    config = {"layers": []}
    for _ in range(depth):
        config = {"layers": [{"class_name": "Sequential", "config": config}]}
    return config


@pytest.mark.parametrize(("entry", "change", "fragment"), SCHEMA_CASES)
def test_schema_violations_name_the_file_and_field(tmp_path, saved, entry, change, fragment):
    _, entries = saved
    path = tmp_path / "edited.saessak"
    path.write_bytes(build(edit(entries, entry, change)))
    refused(path, fragment)


def test_manifest_violations(tmp_path, saved):
    _, entries = saved
    path = tmp_path / "manifest.saessak"
    for manifest, fragment in (([1, 2], "manifest"), ({"config.json": 5}, "config.json"),
                               ({n: {"sha256": "x" * 64, "size": 1} for n in entries},
                                "sha256"),
                               ({n: {"sha256": hashlib.sha256(d).hexdigest(), "size": "big"}
                                 for n, d in entries.items()}, "size")):
        path.write_bytes(build(entries, manifest=manifest))
        refused(path, "manifest.json", fragment)


# --- damage: seeded bit flips and truncation ---------------------------------------------------


def outcome(path):
    """'loaded' or 'refused'; anything else (another exception) fails the test."""
    try:
        load_model(path)
    except ValueError as err:
        assert str(path) in str(err), err
        return "refused"
    return "loaded"


def test_100_seeded_bit_flips_are_detected_or_harmless(tmp_path, saved):
    good, _ = saved
    r = random.Random(14)
    path = tmp_path / "flipped.saessak"
    seen = {"loaded": 0, "refused": 0}
    reference = load_model(_write(tmp_path / "good.saessak", good)).get_weights()
    for _ in range(100):
        damaged = bytearray(good)
        bit = r.randrange(len(damaged) * 8)
        damaged[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(damaged))
        result = outcome(path)
        seen[result] += 1
        if result == "loaded":  # a flip in a byte nothing reads: the weights are intact
            for a, b in zip(load_model(path).get_weights(), reference):
                np.testing.assert_array_equal(a, b)
    assert seen["refused"] > 0


def test_truncation_at_every_twentieth_of_the_file(tmp_path, saved):
    good, _ = saved
    path = tmp_path / "cut.saessak"
    for k in range(20):
        path.write_bytes(good[: len(good) * k // 20])
        assert outcome(path) == "refused"


def _write(path, data):
    path.write_bytes(data)
    return path


def test_no_pickle_runs_from_a_weight_entry(tmp_path, saved):
    _, entries = saved
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            import os
            return os.system, (f"touch {marker}",)

    buf = io.BytesIO()
    np.save(buf, np.array([Evil()], dtype=object), allow_pickle=True)
    path = tmp_path / "evil.saessak"
    path.write_bytes(build({**entries, "weights/0000.npy": buf.getvalue()}))
    refused(path, "not a plain NumPy array")
    assert not marker.exists()
    with pytest.raises(UnsafePickleError):  # and the dataset reader refuses it too
        _npz = tmp_path / "evil.npz"
        with zipfile.ZipFile(_npz, "w") as z:
            z.writestr("x.npy", buf.getvalue())
        load_npz(str(_npz))
    assert not marker.exists()
