"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 uint8.

Reads Keras's ``mnist.npz`` or the four original IDX files
(``train-images-idx3-ubyte.gz`` ...); downloads ``mnist.npz`` when neither is found.

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
"""

from ..utils.safe_npz import load_npz as read_npz
from ._files import fetch, find_local, split_path_arg
from ._idx import load_four

DATASET = "mnist"
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def load_npz(path):
    """The four arrays of Keras's ``mnist.npz``, every header checked against its size
    (:mod:`saessak.utils.safe_npz`), never unpickled."""
    f = read_npz(path)
    missing = {"x_train", "y_train", "x_test", "y_test"} - set(f)
    if missing:
        raise ValueError(f"{path}: missing arrays {sorted(missing)}")
    if any(f[k].dtype == object for k in f):
        raise ValueError(f"{path}: holds object arrays; mnist.npz holds only uint8 arrays")
    return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_data(path="mnist.npz"):
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (n, 28, 28), uint8 labels.

    ``path``: ``mnist.npz`` or a folder with it or with the four IDX files.
    """
    location, fname = split_path_arg(path, "mnist.npz")
    found = find_local(DATASET, fname, location, SHA256)
    if found:
        return load_npz(found)
    idx = [find_local(DATASET, name, location) for name in IDX_FILES]
    if all(idx):
        return load_four(idx)
    return load_npz(fetch(DATASET, fname, URL, SHA256, location, extra_names=IDX_FILES))
