"""text_dataset_from_directory on a small class/*.txt tree."""

import numpy as np
import pytest

from saessak.data import Dataset
from saessak.utils import text_dataset_from_directory


@pytest.fixture
def tree(tmp_path):
    for cls, texts in {"neg": ["bad", "awful", "meh"], "pos": ["good", "great 좋아요"]}.items():
        (tmp_path / cls).mkdir()
        for i, t in enumerate(texts):
            (tmp_path / cls / f"{i}.txt").write_text(t, encoding="utf-8")
    (tmp_path / "pos" / "notes.md").write_text("ignored")
    (tmp_path / "neg" / "broken.txt").write_bytes(b"\xff\xfe bad bytes")
    return tmp_path


def test_inferred_labels_unshuffled(tree):
    ds = text_dataset_from_directory(tree, batch_size=10, shuffle=False)
    assert isinstance(ds, Dataset) and ds.class_names == ["neg", "pos"]
    (texts, labels), = list(ds)
    # sorted paths within each class; undecodable bytes become U+FFFD
    assert texts.tolist() == ["bad", "awful", "meh", "\ufffd\ufffd bad bytes", "good",
                              "great 좋아요"]
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0, 0, 0, 1, 1]


def test_label_modes_split_and_seed(tree):
    ds = text_dataset_from_directory(tree, label_mode="categorical", batch_size=2, seed=1)
    x, y = next(iter(ds))
    assert y.shape == (2, 2) and y.dtype == np.float32
    b = text_dataset_from_directory(tree, label_mode="binary", batch_size=None, seed=1)
    assert next(iter(b))[1].shape == (1,)
    train, val = text_dataset_from_directory(tree, validation_split=0.5, subset="both", seed=3,
                                             batch_size=None)
    got = [t for t, _ in train] + [t for t, _ in val]
    assert len(got) == 6 and len(set(map(str, got))) == 6
    again = text_dataset_from_directory(tree, validation_split=0.5, subset="validation",
                                        seed=3, batch_size=None)
    assert sorted(str(t) for t, _ in again) == sorted(str(t) for t, _ in val)
    only = text_dataset_from_directory(tree, class_names=["pos"], batch_size=None,
                                       shuffle=False, max_length=4)
    assert [str(t) for t, _ in only] == ["good", "grea"]


def test_errors(tree, tmp_path):
    with pytest.raises(ValueError, match="directory"):
        text_dataset_from_directory(tmp_path / "missing")
    with pytest.raises(ValueError, match="label_mode"):
        text_dataset_from_directory(tree, label_mode="sparse")
    with pytest.raises(ValueError, match="subset"):
        text_dataset_from_directory(tree, validation_split=0.2)
    with pytest.raises(ValueError, match="class_names"):
        text_dataset_from_directory(tree, class_names=["cats"])
    with pytest.raises(ValueError, match="labels"):
        text_dataset_from_directory(tree, labels=[0, 1])
