"""The restricted unpickler reads Keras-style object arrays and refuses anything else."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from saessak.utils.safe_npz import UnsafePickleError, load_npz


def _object_array(items):
    a = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        a[i] = item
    return a


def test_reads_object_arrays_of_int_lists(tmp_path):
    path = tmp_path / "ok.npz"
    x = _object_array([[1, 2, 3], [], [4]])
    np.savez(path, x=x, y=np.array([0, 1, 2]))
    data = load_npz(str(path))
    assert data["x"].dtype == object and data["x"].tolist() == [[1, 2, 3], [], [4]]
    assert data["y"].tolist() == [0, 1, 2]


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def _npz_with_payload(path, payload):
    """An npz whose x.npy claims an object array and carries ``payload`` as its pickle."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x.npy", header.getvalue() + payload)  # the header includes the magic


@pytest.mark.parametrize("make_payload", [
    lambda m: pickle.dumps(_Evil(m), protocol=2),
    lambda m: pickle.dumps(_object_array([_Evil(m)]), protocol=3),
    lambda m: pickle.dumps(_object_array([[1, 2], _Evil(m)]), protocol=4),
])
def test_hostile_npz_is_refused_and_nothing_runs(tmp_path, make_payload):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    _npz_with_payload(path, make_payload(marker))
    with pytest.raises(UnsafePickleError, match="refusing to unpickle .*system"):
        load_npz(str(path))
    assert not marker.exists()


def test_other_objects_are_refused(tmp_path):
    path = tmp_path / "strings.npz"
    np.savez(path, x=_object_array([["a", "b"]]))
    with pytest.raises(UnsafePickleError, match="list of ints"):
        load_npz(str(path))
    path2 = tmp_path / "dict.npz"
    _npz_with_payload(path2, pickle.dumps({"a": 1}))
    with pytest.raises(UnsafePickleError, match="object array"):
        load_npz(str(path2))


def test_garbage_gives_value_errors(tmp_path):
    path = tmp_path / "trunc.npz"
    _npz_with_payload(path, pickle.dumps(_object_array([[1, 2]]))[:-5])
    with pytest.raises(ValueError, match="cannot read"):
        load_npz(str(path))
    notzip = tmp_path / "plain.npz"
    notzip.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not an .npz"):
        load_npz(str(notzip))
