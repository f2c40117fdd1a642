"""``tfds.load`` and ``tfds.builder`` for the datasets the seeds' authors load with
tensorflow_datasets: ``imdb_reviews``, ``mnist`` and ``fashion_mnist``.

The data come from saessak's own loaders (``saessak.datasets``), so they are found in
``$SAESSAK_DATA`` or the cache and otherwise downloaded from their canonical URLs with
``get_file``. Elements look like tfds's: a dict of features (``{'text': b'...', 'label':
1}``) or, with ``as_supervised=True``, a ``(input, label)`` pair; strings are ``bytes``,
labels int64, images uint8 ``(28, 28, 1)``; every value answers ``.numpy()``.

What is not tfds's: the order of the examples. tfds stores each split in its own
pseudo-random order; here each split is put once in a fixed pseudo-random order (seeded by
the dataset's name), so that an unshuffled pass does not see all negatives first.
``shuffle_files=True`` shuffles 16 contiguous blocks ("files") on every pass, as tfds
shuffles its shard files.
"""

from __future__ import annotations

import os
import re
import warnings
import zlib

import numpy as np

from .. import backend, datasets
from ..data.dataset import Dataset
from ..data.sources import TensorSlices
from ..datasets import imdb
from ..datasets._files import fetch

_N_SHARDS = 16


class DatasetNotFoundError(ValueError):
    """The dataset name is not one that ``saessak.tfds`` provides."""


# --- the description of a dataset ------------------------------------------------------------
class ClassLabel:
    """A label feature: integer classes with names (``int2str``/``str2int``)."""

    def __init__(self, names):
        self.names = list(names)
        self.num_classes = len(self.names)
        self.dtype = np.int64
        self.shape = ()

    def int2str(self, i) -> str:
        return self.names[int(i)]

    def str2int(self, name) -> int:
        return self.names.index(name)

    def __repr__(self):
        return f"ClassLabel(shape=(), dtype=int64, num_classes={self.num_classes})"


class Text:
    dtype, shape = np.object_, ()

    def __repr__(self):
        return "Text(shape=(), dtype=string)"


class Image:
    def __init__(self, shape):
        self.shape, self.dtype = tuple(shape), np.uint8

    def __repr__(self):
        return f"Image(shape={self.shape}, dtype=uint8)"


class SplitInfo:
    def __init__(self, name, num_examples):
        self.name, self.num_examples = name, int(num_examples)

    def __repr__(self):
        return f"<SplitInfo num_examples={self.num_examples}>"


class SplitDict(dict):
    """``info.splits``: ``{name: SplitInfo}``, with ``total_num_examples``."""

    @property
    def total_num_examples(self) -> int:
        return sum(s.num_examples for s in self.values())


class DatasetInfo:
    """``info``: name, features, splits (with ``num_examples``), supervised keys."""

    def __init__(self, name, description, homepage, features, splits, supervised_keys):
        self.name, self.description, self.homepage = name, description, homepage
        self.features = features
        self.splits = SplitDict({k: SplitInfo(k, n) for k, n in splits.items()})
        self.supervised_keys = supervised_keys
        self.full_name = f"{name}/1.0.0"
        self.version = "1.0.0"

    def __repr__(self):
        feats = ", ".join(f"{k!r}: {v!r}" for k, v in self.features.items())
        splits = ", ".join(f"{k!r}: {v!r}" for k, v in self.splits.items())
        return (f"tfds.core.DatasetInfo(\n    name={self.name!r},\n    homepage="
                f"{self.homepage!r},\n    features={{{feats}}},\n    supervised_keys="
                f"{self.supervised_keys!r},\n    splits={{{splits}}},\n    description="
                f"{self.description!r},\n)")


# --- reading the data ------------------------------------------------------------------------
def _imdb_splits(data_dir):
    try:
        (train_x, train_y), (test_x, test_y) = imdb.load_raw(data_dir)
    except FileNotFoundError:  # no local copy: download the original archive
        path = fetch(imdb.DATASET, "aclImdb_v1.tar.gz", imdb.RAW_URL, None, data_dir)
        (train_x, train_y), (test_x, test_y) = imdb.load_raw(path)

    def as_bytes(texts):
        out = np.empty(len(texts), dtype=object)
        out[:] = [t.encode("utf-8") for t in texts]
        return out

    return {"train": {"text": as_bytes(train_x), "label": train_y.astype(np.int64)},
            "test": {"text": as_bytes(test_x), "label": test_y.astype(np.int64)}}


def _image_splits(module_name):
    def read(data_dir):
        module = getattr(datasets, module_name)
        (x_train, y_train), (x_test, y_test) = (module.load_data(data_dir) if data_dir
                                                else module.load_data())
        return {"train": {"image": x_train[..., None], "label": y_train.astype(np.int64)},
                "test": {"image": x_test[..., None], "label": y_test.astype(np.int64)}}
    return read


_FASHION_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                  "Sneaker", "Bag", "Ankle boot"]

_REGISTRY = {
    "imdb_reviews": dict(
        read=_imdb_splits, supervised_keys=("text", "label"),
        features=lambda: {"text": Text(), "label": ClassLabel(["neg", "pos"])},
        splits={"train": 25000, "test": 25000},
        homepage="http://ai.stanford.edu/~amaas/data/sentiment/",
        description="Large Movie Review Dataset (Maas et al., 2011): 25,000 highly polar "
                    "movie reviews for training and 25,000 for testing."),
    "mnist": dict(
        read=_image_splits("mnist"), supervised_keys=("image", "label"),
        features=lambda: {"image": Image((28, 28, 1)),
                          "label": ClassLabel([str(i) for i in range(10)])},
        splits={"train": 60000, "test": 10000},
        homepage="http://yann.lecun.com/exdb/mnist/",
        description="The MNIST database of handwritten digits."),
    "fashion_mnist": dict(
        read=_image_splits("fashion_mnist"), supervised_keys=("image", "label"),
        features=lambda: {"image": Image((28, 28, 1)), "label": ClassLabel(_FASHION_NAMES)},
        splits={"train": 60000, "test": 10000},
        homepage="https://github.com/zalandoresearch/fashion-mnist",
        description="Fashion-MNIST: 28x28 grayscale images of 70,000 fashion products "
                    "from 10 categories."),
}

_cache: dict = {}  # (name, data_dir) -> the splits' arrays, read once per process


def list_builders() -> list[str]:
    """The dataset names ``saessak.tfds`` provides."""
    return sorted(_REGISTRY)


def _parse_name(name):
    if not isinstance(name, str):
        raise TypeError(f"tfds: the dataset name must be a string, received {name!r}")
    base, _, config = name.split(":")[0].partition("/")  # 'mnist:3.*.*', 'x/plain_text'
    if base in _REGISTRY and config not in ("", "plain_text"):
        raise DatasetNotFoundError(
            f"Dataset config {name!r} is not provided: saessak.tfds gives {base!r} only in "
            f"its plain form (raw text or images), not {config!r}")
    if base not in _REGISTRY:
        raise DatasetNotFoundError(
            f"Dataset {name!r} not found. saessak.tfds provides only {list_builders()} (the "
            "datasets of the seeds' books); load others with saessak.datasets or "
            "saessak.utils.text_dataset_from_directory")
    return base


class DatasetBuilder:
    """``tfds.builder(name)``: ``info``, ``download_and_prepare()`` and ``as_dataset()``."""

    def __init__(self, name, data_dir=None):
        self.name = _parse_name(name)
        self.data_dir = data_dir
        spec = _REGISTRY[self.name]
        self.info = DatasetInfo(self.name, spec["description"], spec["homepage"],
                                spec["features"](), spec["splits"], spec["supervised_keys"])

    def download_and_prepare(self, download_dir=None, download_config=None):
        """Find (or download) the files and read them; later calls reuse what was read."""
        self._arrays()

    def _arrays(self):
        key = (self.name, self.data_dir)
        if key not in _cache:
            splits = _REGISTRY[self.name]["read"](self.data_dir)
            for split, columns in splits.items():  # a fixed pseudo-random order (docstring)
                n = len(next(iter(columns.values())))
                order = np.random.default_rng(zlib.crc32(f"{self.name}/{split}".encode())
                                              ).permutation(n)
                splits[split] = {k: v[order] for k, v in columns.items()}
            _cache[key] = splits
        for split, columns in _cache[key].items():  # the counts of the files actually read
            self.info.splits[split] = SplitInfo(split, len(_first(columns)))
        return _cache[key]

    def as_dataset(self, split=None, batch_size=None, shuffle_files=False,
                   as_supervised=False, decoders=None, read_config=None):
        """A Dataset per split (a dict when ``split`` is None, a list for a list).
        ``decoders`` and ``read_config`` are not supported: features come decoded, and files
        are read in order (``shuffle_files`` shuffles them); either one given warns."""
        for argument, value, instead in (
                ("decoders", decoders, "every feature comes decoded"),
                ("read_config", read_config, "shuffle_files alone sets the reading order")):
            if value is not None:
                warnings.warn(f"tfds as_dataset: {argument}= is ignored; {instead}",
                              stacklevel=2)
        if split is None:
            split = list(self.info.splits)
            return dict(zip(split, self.as_dataset(split, batch_size, shuffle_files,
                                                   as_supervised)))
        if isinstance(split, (list, tuple)):
            return type(split)(self.as_dataset(s, batch_size, shuffle_files, as_supervised)
                               for s in split)
        columns = self._select(split)
        if as_supervised:
            keys = self.info.supervised_keys
            columns = (columns[keys[0]], columns[keys[1]])
        if batch_size == -1:  # the whole split as arrays
            return next(iter(Dataset.from_tensor_slices(columns).batch(
                max(len(_first(columns)), 1))))
        ds = _ShuffledShards(columns) if shuffle_files else Dataset.from_tensor_slices(columns)
        return ds.batch(batch_size) if batch_size else ds

    def _select(self, split):
        """The rows of a split expression: ``'train'``, ``'train[:80%]'``,
        ``'test[1000:]'``, ``'train+test'``."""
        arrays = self._arrays()
        parts = []
        for term in str(split).split("+"):
            m = re.fullmatch(r"\s*(\w+)\s*(?:\[\s*([-\d]*%?)\s*:\s*([-\d]*%?)\s*\])?\s*", term)
            if not m or m.group(1) not in arrays:
                raise ValueError(f"tfds {self.name!r}: unknown split {term.strip()!r}; the "
                                 f"splits are {sorted(arrays)} (slices like 'train[:80%]' "
                                 "or 'test[1000:]' are accepted)")
            columns = arrays[m.group(1)]
            n = len(_first(columns))
            start, stop = _bound(m.group(2), n, 0), _bound(m.group(3), n, n)
            parts.append({k: v[start:stop] for k, v in columns.items()})
        if len(parts) == 1:
            return parts[0]
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def __repr__(self):
        return f"<DatasetBuilder {self.name!r}>"


def _first(columns):
    return columns[0] if isinstance(columns, tuple) else next(iter(columns.values()))


def _bound(text, n, default):
    if not text:
        return default
    if text.endswith("%"):
        return int(round(float(text[:-1]) * n / 100))
    return int(text)


class _ShuffledShards(TensorSlices):
    """Slices read in 16 contiguous blocks whose order is drawn anew on every pass."""

    def _order(self):
        blocks = np.array_split(np.arange(self.n), min(_N_SHARDS, max(self.n, 1)))
        return np.concatenate([blocks[i] for i in backend.rng().permutation(len(blocks))])

    def _elements(self):
        tensors = self.tensors
        for i in self._order():
            yield _map_rows(tensors, i)


def _map_rows(tensors, i):
    if isinstance(tensors, dict):
        return {k: v[i] for k, v in tensors.items()}
    return tuple(v[i] for v in tensors)


def builder(name, data_dir=None, **kwargs) -> DatasetBuilder:
    """``tfds.builder``. saessak keeps one version of each dataset, so the arguments that
    choose among tfds's (``config``, ``version`` ...) warn; ``try_gcs`` changes nothing."""
    kwargs.pop("try_gcs", None)
    if kwargs:
        warnings.warn(f"tfds.builder: {sorted(kwargs)} ignored; saessak keeps one version of "
                      f"each dataset ({name!r})", stacklevel=2)
    return DatasetBuilder(name, data_dir=data_dir)


def load(name, split=None, data_dir=None, batch_size=None, shuffle_files=False,
         download=True, as_supervised=False, decoders=None, read_config=None,
         with_info=False, builder_kwargs=None, download_and_prepare_kwargs=None,
         as_dataset_kwargs=None, try_gcs=False):
    """``tfds.load``: the split(s) of a dataset as Datasets (and its info when
    ``with_info=True``). ``download=False`` uses only local copies. As in tfds,
    ``builder_kwargs`` go to :func:`builder` and ``as_dataset_kwargs`` to ``as_dataset``
    (where they win over the arguments of the same names)."""
    b = builder(name, data_dir=data_dir, **(builder_kwargs or {}))
    if download:
        b.download_and_prepare(**(download_and_prepare_kwargs or {}))
    else:
        _without_download(b)
    ds = b.as_dataset(**{"split": split, "batch_size": batch_size,
                         "shuffle_files": shuffle_files, "as_supervised": as_supervised,
                         "decoders": decoders, "read_config": read_config,
                         **(as_dataset_kwargs or {})})
    return (ds, b.info) if with_info else ds


def _without_download(b):
    saved = os.environ.get("SAESSAK_OFFLINE")
    os.environ["SAESSAK_OFFLINE"] = "1"
    try:
        b.download_and_prepare()
    finally:
        if saved is None:
            os.environ.pop("SAESSAK_OFFLINE", None)
        else:
            os.environ["SAESSAK_OFFLINE"] = saved


def as_numpy(dataset):
    """Plain NumPy: an iterator of NumPy elements for a Dataset, arrays for arrays."""
    if isinstance(dataset, Dataset):
        return dataset.as_numpy_iterator()
    if isinstance(dataset, (tuple, list)):
        return type(dataset)(as_numpy(d) for d in dataset)
    if isinstance(dataset, dict):
        return {k: as_numpy(v) for k, v in dataset.items()}
    return np.asarray(dataset)
