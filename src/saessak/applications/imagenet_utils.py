"""What ImageNet models share: input scaling, the class index, padding, fetching weights."""

from __future__ import annotations

import json

import numpy as np

from .. import ops
from ..autograd import Tensor
from ..layers.input_layer import is_symbolic
from ..utils.data_utils import DownloadError, get_file, saessak_home

CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"  # Keras's checksum of that file
_class_index = None


def fetch(file_name, url, file_hash=None, what="file"):
    """``get_file`` into the ``models`` cache; offline, an error that says where to put the
    file by hand."""
    try:
        return get_file(file_name, url, cache_subdir="models", file_hash=file_hash)
    except (DownloadError, OSError) as err:
        raise OSError(f"cannot fetch the {what} {file_name!r} from {url} ({err}). Offline, "
                      f"download it elsewhere and copy it to "
                      f"{saessak_home()}/models/{file_name}") from err


def fetch_weights(file_name, url):
    # Keras publishes no checksum for these files; get_file still writes them atomically
    return fetch(file_name, url, what="pre-trained weights")


def preprocess_input(x, data_format=None, mode="tf"):
    """Keras's ImageNet preprocessing. ``mode='tf'``: [0, 255] -> [-1, 1];
    ``'torch'``: [0, 1] then per-channel mean/std; ``'caffe'``: RGB->BGR, minus the mean.
    Arrays give arrays; a Tensor, or a ``keras.Input`` placeholder (keras.io's DeepLabV3+
    preprocesses inside its model), goes through saessak's ops."""
    if data_format not in (None, "channels_last", "channels_first"):
        raise ValueError(f"preprocess_input: data_format must be 'channels_last' or "
                         f"'channels_first'; received {data_format!r}")
    if mode not in ("tf", "torch", "caffe"):
        raise ValueError(f"preprocess_input: mode must be 'tf', 'torch' or 'caffe'; "
                         f"received {mode!r}")
    symbolic = isinstance(x, Tensor) or is_symbolic(x)
    if not symbolic:
        x = np.asarray(x)
        x = x.astype("float32") if not np.issubdtype(x.dtype, np.floating) else x.copy()
    axis = 1 if data_format == "channels_first" else -1
    shape = [1] * len(x.shape)
    shape[axis] = 3
    dtype = "float32" if symbolic else x.dtype
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        mean = np.array([0.485, 0.456, 0.406], dtype).reshape(shape)
        std = np.array([0.229, 0.224, 0.225], dtype).reshape(shape)
        return (x / 255.0 - mean) / std
    bgr_mean = np.array([103.939, 116.779, 123.68], dtype).reshape(shape)
    return (ops.flip(x, axis=axis) if symbolic else np.flip(x, axis=axis)) - bgr_mean


def decode_predictions(preds, top=5):
    """``[[(class_id, class_name, score), ...] per row]``, best first."""
    global _class_index
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("decode_predictions expects a batch of ImageNet predictions of "
                         f"shape (samples, 1000); received {preds.shape}")
    if _class_index is None:
        path = fetch("imagenet_class_index.json", CLASS_INDEX_PATH, CLASS_INDEX_MD5,
                     what="ImageNet class index")
        with open(path, encoding="utf-8") as f:
            _class_index = json.load(f)
    results = []
    for row in preds:
        best = row.argsort()[-top:][::-1]
        results.append([tuple(_class_index[str(i)]) + (float(row[i]),) for i in best])
    return results


def correct_pad(inputs, kernel_size):
    """Zero padding before a stride-2 'valid' convolution, so that it matches TensorFlow's
    'same' (which puts the extra row and column at the end)."""
    size = inputs.shape[1:3]
    kernel_size = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))
