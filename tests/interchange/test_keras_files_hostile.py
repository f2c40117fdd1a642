"""Keras-format files as hostile input (issue 14's rules for issue 15's reader): a truncated,
bit-flipped, edited or oversized ``.keras`` zip or ``.h5`` fails with one ValueError naming
the file (and the entry), and nothing is read whole from a size the file merely claims."""

import io
import random
import zipfile

import numpy as np
import pytest

import saessak as keras
from saessak import layers

h5py = pytest.importorskip("h5py", reason="Keras .h5/.keras files need h5py (saessak[h5])")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), verbose=0)
    folder = tmp_path_factory.mktemp("keras_files")
    model.save(folder / "good.keras")
    model.save(folder / "good.h5")
    return model, folder


def _entries(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(path, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_truncation_anywhere_is_one_clear_error(saved, tmp_path, ext):
    good = (saved[1] / f"good.{ext}").read_bytes()
    path = tmp_path / f"cut.{ext}"
    for k in range(1, 20):
        path.write_bytes(good[: len(good) * k // 20])
        with pytest.raises(ValueError, match=r"cut\." + ext):
            keras.models.load_model(path)


@pytest.mark.filterwarnings("ignore:.*saessak ignores")  # a flipped argument name, say
@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_bit_flips_give_a_clear_error_or_the_same_model(saved, tmp_path, ext):
    """The zip's CRC-32s catch every flip in an entry. HDF5 keeps no checksum of its data
    (most flips in an .h5 land in weights or padding and load), so there the checks on
    names, shapes and sizes are all there is: each outcome is a ValueError naming the file
    or a model of the saved architecture. (A flip in HDF5's own metadata can also hang
    the HDF5 library itself, about 1 in 600 here; these seeded positions do not.)"""
    model, folder = saved
    good = (folder / f"good.{ext}").read_bytes()
    path, rng = tmp_path / f"flipped.{ext}", random.Random(0)
    caught = 0
    for _ in range(60):
        data = bytearray(good)
        pos = rng.randrange(len(data))
        data[pos] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
        try:
            loaded = keras.models.load_model(path, compile=False)
        except ValueError as err:
            assert f"flipped.{ext}" in str(err)
            caught += 1
            continue
        if ext == "keras":  # every byte outside the zip's directory is under a CRC
            for a, b in zip(loaded.get_weights(), model.get_weights()):
                np.testing.assert_array_equal(a, b)
        else:  # the same architecture at least: names, shapes and sizes were checked
            assert [w.shape for w in loaded.weights] == [w.shape for w in model.weights]
    assert caught > (50 if ext == "keras" else 0)


def test_a_zip_bomb_is_refused_without_inflating(tmp_path, saved):
    entries = _entries(saved[1] / "good.keras")
    entries["model.weights.h5"] = b"\0" * (64 << 20)  # 64 MiB of zeros: ~64 KB deflated
    path = _zip(tmp_path / "bomb.keras", entries, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(ValueError, match=r"bomb\.keras: 'model\.weights\.h5'.*zip bomb"):
        keras.models.load_model(path)


def test_an_entry_larger_than_the_file_is_refused(tmp_path, saved):
    """The central directory claims 2 GiB for config.json: refused before reading it."""
    data = bytearray((saved[1] / "good.keras").read_bytes())
    record = data.find(b"PK\x01\x02")  # central directory records
    while record != -1:
        name_length = int.from_bytes(data[record + 28:record + 30], "little")
        if data[record + 46:record + 46 + name_length] == b"config.json":
            data[record + 20:record + 28] = (2**31).to_bytes(4, "little") * 2
        record = data.find(b"PK\x01\x02", record + 4)
    path = tmp_path / "huge.keras"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"huge\.keras: 'config\.json'.*more than"):
        keras.models.load_model(path)


@pytest.mark.parametrize("name", ["../evil.json", "/abs.json", "a/../../b"])
def test_unsafe_entry_names_are_refused(tmp_path, saved, name):
    entries = _entries(saved[1] / "good.keras")
    entries[name] = b"{}"
    with pytest.raises(ValueError, match=r"evil\.keras.*not a plain relative entry name"):
        keras.models.load_model(_zip(tmp_path / "evil.keras", entries))


def test_missing_entry_is_named(tmp_path, saved):
    entries = _entries(saved[1] / "good.keras")
    del entries["model.weights.h5"]
    entries["manifest.json"] = b"{}"  # not a saessak archive either
    with pytest.raises(ValueError, match=r"part\.keras"):
        keras.models.load_model(_zip(tmp_path / "part.keras", entries))
    del entries["manifest.json"]
    entries["other.txt"] = b""  # a zip with config.json only is not a Keras 3 archive
    with pytest.raises(ValueError, match=r"part2\.keras"):
        keras.models.load_model(_zip(tmp_path / "part2.keras", entries))


@pytest.mark.parametrize("config, message", [
    ("[1, 2]", "must be a JSON object"),
    ('{"class_name": "Sequential", "config": {"layers": 7}}', "cannot rebuild"),
    ('{"class_name": "Functional", "config": {"layers": [{"config": 3}]}}', "cannot rebuild"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"class_name": "Sequential"', "not valid JSON"),
    ('{"class_name": "Nope", "config": {}}', "'Nope'")])
def test_an_edited_config_is_one_error_naming_the_entry(tmp_path, saved, config, message):
    entries = _entries(saved[1] / "good.keras")
    entries["config.json"] = config.encode()
    with pytest.raises(ValueError, match=r"edited\.keras: config\.json.*" + message):
        keras.models.load_model(_zip(tmp_path / "edited.keras", entries))


def _rewrite_weights(tmp_path, saved, change):
    entries = _entries(saved[1] / "good.keras")
    buf = io.BytesIO(entries["model.weights.h5"])
    with h5py.File(buf, "a") as f:
        change(f)
    entries["model.weights.h5"] = buf.getvalue()
    return _zip(tmp_path / "w.keras", entries)


def test_weights_of_text_or_of_the_wrong_shape_are_refused(tmp_path, saved):
    def to_text(f):
        del f["layers/dense/vars/1"]
        f["layers/dense/vars"].create_dataset("1", data=np.array([b"x"] * 8))

    with pytest.raises(ValueError, match=r"w\.keras: model\.weights\.h5.*vars/1.*not numbers"):
        keras.models.load_model(_rewrite_weights(tmp_path, saved, to_text))

    def too_big(f):  # a huge declared shape (compressed zeros, so the file stays small)
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(50_000, 4_000), dtype="float32",
                                              compression="gzip")

    with pytest.raises(ValueError, match=r"w\.keras: model\.weights\.h5.*shape"):
        keras.models.load_model(_rewrite_weights(tmp_path, saved, too_big))


def test_a_failed_load_leaves_the_model_as_it_was(tmp_path, saved):
    model, folder = saved
    target = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                               layers.Dense(1)])
    before = [w.copy() for w in target.get_weights()]

    def break_last(f):
        del f["layers/dense_1/vars/1"]
        f["layers/dense_1/vars"].create_dataset("1", data=np.array([b"x"]))

    path = _rewrite_weights(tmp_path, saved, break_last)
    with pytest.raises(ValueError, match=r"w\.keras"):
        target.load_weights(path)
    for a, b in zip(target.get_weights(), before):
        np.testing.assert_array_equal(a, b)
