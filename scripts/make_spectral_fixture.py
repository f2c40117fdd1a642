"""Make ``tests/fixtures/keras/spectral.npz`` with real Keras 3 (TensorFlow backend).

Run in an environment that has TensorFlow and Keras 3::

    /work/tfvenv/bin/python scripts/make_spectral_fixture.py

It draws fixed float32 inputs and stores them with Keras's outputs of ``keras.ops.fft``,
``fft2``, ``ifft2``, ``rfft``, ``irfft``, ``stft`` and ``istft`` (the CASES below). Each
entry is named ``<case>__<what>``: ``x`` or ``real``/``imag`` for the inputs, ``out`` or
``out_real``/``out_imag`` for the outputs, ``window`` for a window given as a tensor, and
``call`` (JSON: the function's name and keyword arguments, the window tensor written as
``"tensor"``). ``tests/ops/test_spectral.py`` reads it with
NumPy alone.
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERAS_BACKEND"] = "tensorflow"

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras",
                   "spectral.npz")
SEED = 23

# (case, function, input kind and shape, keyword arguments)
CASES = [
    ("fft", "fft", ("pair", (3, 8)), {}),
    ("fft_odd", "fft", ("pair", (2, 2, 7)), {}),
    ("fft2", "fft2", ("pair", (2, 4, 6)), {}),
    ("ifft2", "ifft2", ("pair", (2, 5, 4)), {}),
    ("rfft", "rfft", ("real", (3, 10)), {}),
    ("rfft_crop", "rfft", ("real", (2, 9)), {"fft_length": 6}),
    ("rfft_pad_odd", "rfft", ("real", (2, 6)), {"fft_length": 11}),
    ("irfft", "irfft", ("pair", (3, 6)), {}),
    ("irfft_odd", "irfft", ("pair", (2, 5)), {"fft_length": 9}),
    ("irfft_crop", "irfft", ("pair", (2, 7)), {"fft_length": 8}),
    ("irfft_pad", "irfft", ("pair", (2, 3)), {"fft_length": 10}),
    ("stft_hann_center", "stft", ("real", (2, 40)),
     {"sequence_length": 8, "sequence_stride": 4, "fft_length": 8}),
    ("stft_hamming_nocenter", "stft", ("real", (2, 37)),
     {"sequence_length": 8, "sequence_stride": 3, "fft_length": 8, "window": "hamming",
      "center": False}),
    ("stft_long_fft", "stft", ("real", (3, 33)),
     {"sequence_length": 6, "sequence_stride": 2, "fft_length": 11}),
    ("stft_none_nocenter", "stft", ("real", (30,)),
     {"sequence_length": 5, "sequence_stride": 2, "fft_length": 8, "window": None,
      "center": False}),
    ("stft_tensor_window", "stft", ("real", (2, 25)),
     {"sequence_length": 7, "sequence_stride": 3, "fft_length": 10, "window": "tensor"}),
    ("istft_hann_center", "istft", ("pair", (2, 11, 5)),
     {"sequence_length": 8, "sequence_stride": 4, "fft_length": 8}),
    ("istft_hamming_nocenter", "istft", ("pair", (2, 9, 5)),
     {"sequence_length": 8, "sequence_stride": 3, "fft_length": 8, "window": "hamming",
      "center": False}),
    ("istft_long_fft_length", "istft", ("pair", (3, 7, 6)),
     {"sequence_length": 6, "sequence_stride": 2, "fft_length": 11, "length": 12}),
    ("istft_none", "istft", ("pair", (6, 5)),
     {"sequence_length": 8, "sequence_stride": 4, "fft_length": 8, "window": None}),
    ("istft_tensor_window", "istft", ("pair", (2, 6, 6)),
     {"sequence_length": 7, "sequence_stride": 3, "fft_length": 10, "window": "tensor",
      "center": False}),
    # the periodic hann window is 0 at its first sample, and without overlap nothing else
    # covers that sample: TensorFlow's synthesis window is 0 there (0 / 0 taken as 0)
    ("istft_hann_no_overlap", "istft", ("pair", (5, 3)),
     {"sequence_length": 4, "sequence_stride": 4, "fft_length": 4}),
]


def main():
    import keras
    from keras import ops

    rng = np.random.default_rng(SEED)
    data = {"keras_version": np.array(keras.__version__)}
    for case, fn, (kind, shape), kwargs in CASES:
        data[f"{case}__call"] = np.array(json.dumps({"fn": fn, "kwargs": kwargs}))
        kwargs = dict(kwargs)
        if kwargs.get("window") == "tensor":
            window = rng.uniform(0.2, 1.0, kwargs["sequence_length"]).astype(np.float32)
            data[f"{case}__window"] = window
            kwargs["window"] = window
        if kind == "pair":
            real = rng.standard_normal(shape).astype(np.float32)
            imag = rng.standard_normal(shape).astype(np.float32)
            data[f"{case}__real"], data[f"{case}__imag"] = real, imag
            out = getattr(ops, fn)((real, imag), **kwargs)
        else:
            x = rng.standard_normal(shape).astype(np.float32)
            data[f"{case}__x"] = x
            out = getattr(ops, fn)(x, **kwargs)
        if isinstance(out, tuple):
            data[f"{case}__out_real"] = ops.convert_to_numpy(out[0])
            data[f"{case}__out_imag"] = ops.convert_to_numpy(out[1])
        else:
            data[f"{case}__out"] = ops.convert_to_numpy(out)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez(OUT, **data)
    print(f"wrote {os.path.normpath(OUT)}: {len(CASES)} cases, Keras {keras.__version__}")


if __name__ == "__main__":
    main()
