"""Make ``tests/fixtures/keras/audio.npz`` and ``audio_spectrograms.keras`` with real Keras 3
(TensorFlow backend).

Run in an environment that has TensorFlow, Keras 3 and SciPy (Keras's STFTSpectrogram
needs ``scipy.signal``)::

    /work/tfvenv/bin/python scripts/make_audio_fixture.py

Fixed float32 signals (each case draws from its own seed) go through
``keras.layers.MelSpectrogram`` and ``keras.layers.STFTSpectrogram`` in the settings of
CASES. Each case ``<case>`` stores
``<case>__x`` (the input), ``<case>__out`` (Keras's output), ``<case>__layer`` (JSON: the
class name and the keyword arguments, a window array written as ``"array"``) and, for a
window array, ``<case>__window``. KERNEL_CASES also store ``<case>__kernels`` (the
layer's weights, stacked) and those in GRADIENT_CASES the gradients of sum(output * r) for a fixed
random ``r`` (``<case>__r``) with respect to the input (``<case>__dx``) and to each kernel
(``<case>__dkernels``). ``mel_matrix`` is Keras's ``linear_to_mel_weight_matrix`` for the
arguments in ``mel_matrix__args``; ``keras_configs`` holds ``get_config()`` of each case's
layer (JSON, less the name and dtype policy). ``audio_spectrograms.keras`` is a small
functional model (MelSpectrogram and STFTSpectrogram on one signal) saved by Keras, with
its input and outputs in ``model__x``, ``model__mel`` and ``model__stft``.
The channels-first STFT cases run on Keras's torch backend (TensorFlow's CPU convolution
has no channels-first layout) and have no gradients stored.
``tests/layers/test_audio_spectrograms.py`` reads them with NumPy (and h5py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# TensorFlow's CPU convolution has no channels-first layout, so the channels-first cases run
# in a second process on Keras's torch backend (``--torch OUT.npz``)
TORCH = len(sys.argv) == 3 and sys.argv[1] == "--torch"
os.environ["KERAS_BACKEND"] = "torch" if TORCH else "tensorflow"

import numpy as np  # noqa: E402

HERE = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras")
OUT = os.path.join(HERE, "audio.npz")
MODEL = os.path.join(HERE, "audio_spectrograms.keras")
SEED = 41

# (case, layer class, keyword arguments, input shape)
CASES = [
    ("mel_defaults", "MelSpectrogram", {}, (2, 2100)),
    ("mel_unbatched", "MelSpectrogram", {"fft_length": 256, "sequence_stride": 64,
                                         "num_mel_bins": 32}, (700,)),
    ("mel_args", "MelSpectrogram",
     {"fft_length": 512, "sequence_stride": 160, "sequence_length": 400,
      "window": "hamming", "sampling_rate": 8000, "num_mel_bins": 40, "min_freq": 100.0,
      "max_freq": 3000.0, "mag_exp": 1.0, "min_power": 1e-6, "ref_power": 2.5,
      "top_db": 30.0}, (2, 1201)),
    ("mel_no_db_no_window", "MelSpectrogram",
     {"fft_length": 128, "sequence_stride": 50, "window": None, "num_mel_bins": 16,
      "power_to_db": False, "sampling_rate": 22050}, (2, 999)),
    ("mel_array_window_odd_fft", "MelSpectrogram",
     {"fft_length": 101, "sequence_stride": 33, "sequence_length": 80, "window": "array",
      "num_mel_bins": 12, "top_db": 20.0}, (2, 500)),
    ("stft_log", "STFTSpectrogram", {"frame_length": 32, "frame_step": 8}, (2, 160, 2)),
    ("stft_magnitude", "STFTSpectrogram",
     {"mode": "magnitude", "frame_length": 32, "frame_step": 8}, (2, 160, 2)),
    ("stft_psd", "STFTSpectrogram", {"mode": "psd", "frame_length": 32, "frame_step": 8},
     (2, 160, 2)),
    ("stft_real", "STFTSpectrogram", {"mode": "real", "frame_length": 32, "frame_step": 8},
     (2, 160, 2)),
    ("stft_imag", "STFTSpectrogram", {"mode": "imag", "frame_length": 32, "frame_step": 8},
     (2, 160, 2)),
    ("stft_angle", "STFTSpectrogram",
     {"mode": "angle", "frame_length": 32, "frame_step": 8}, (2, 160, 2)),
    ("stft_stft", "STFTSpectrogram", {"mode": "stft", "frame_length": 32, "frame_step": 8},
     (2, 160, 2)),
    ("stft_defaults", "STFTSpectrogram", {}, (2, 1000, 1)),
    ("stft_expand_same", "STFTSpectrogram",
     {"frame_length": 50, "frame_step": 20, "fft_length": 64, "padding": "same",
      "expand_dims": True, "window": "hamming"}, (2, 213, 2)),
    ("stft_channels_first", "STFTSpectrogram",
     {"mode": "magnitude", "frame_length": 20, "frame_step": 10, "data_format":
      "channels_first", "scaling": "spectrum", "window": "blackman", "periodic": True},
     (2, 2, 150)),
    ("stft_channels_first_expand", "STFTSpectrogram",
     {"mode": "stft", "frame_length": 32, "data_format": "channels_first",
      "expand_dims": True, "padding": "same", "scaling": None, "window": "bartlett"},
     (2, 2, 200)),
    ("stft_no_window_fft_100", "STFTSpectrogram",
     {"mode": "psd", "frame_length": 60, "frame_step": 25, "fft_length": 100,
      "window": None}, (1, 260, 2)),
    ("stft_boxcar", "STFTSpectrogram",
     {"mode": "real", "frame_length": 20, "frame_step": 20, "window": "boxcar"}, (1, 90, 2)),
    ("stft_periodic_hann_unscaled", "STFTSpectrogram",
     {"mode": "log", "frame_length": 24, "frame_step": 12, "window": "hann",
      "periodic": True, "scaling": None}, (2, 200, 1)),
    ("stft_array_window", "STFTSpectrogram",
     {"mode": "magnitude", "frame_length": 30, "frame_step": 10, "window": "array"},
     (2, 150, 1)),
]
GRADIENT_CASES = ("stft_log", "stft_psd", "stft_angle", "stft_expand_same")
# the cases whose kernels are stored (one per distinct window setting, to keep the file small)
KERNEL_CASES = ("stft_log", "stft_expand_same", "stft_channels_first",
                "stft_channels_first_expand", "stft_boxcar",
                "stft_periodic_hann_unscaled", "stft_array_window")
MEL_MATRIX = {"num_mel_bins": 20, "num_spectrogram_bins": 129, "sampling_rate": 8000,
              "lower_edge_hertz": 125.0, "upper_edge_hertz": 3800.0}


def _layer(keras, cls, kwargs, window):
    kwargs = dict(kwargs)
    if kwargs.get("window") == "array":
        kwargs["window"] = window
    return getattr(keras.layers, cls)(**kwargs)


def _config(layer):
    config = layer.get_config()
    for key in ("name", "dtype"):
        config.pop(key)
    if not isinstance(config.get("window"), (str, type(None))):
        config["window"] = "array"
    return config


def _on_torch(kwargs):
    return kwargs.get("data_format") == "channels_first"


def run_cases(keras, store, configs):
    """The CASES this process's backend runs, into ``store`` and ``configs``."""
    for index, (case, cls, kwargs, shape) in enumerate(CASES):
        if _on_torch(kwargs) != TORCH:
            continue
        rng = np.random.default_rng([SEED, index])
        x = rng.standard_normal(shape).astype("float32")
        window = None
        if kwargs.get("window") == "array":
            length = kwargs.get("sequence_length") or kwargs.get("frame_length")
            window = rng.uniform(0.2, 1.0, length).astype("float32")
            store[f"{case}__window"] = window
        layer = _layer(keras, cls, kwargs, window)
        store[f"{case}__layer"] = np.array(json.dumps({"class": cls, "kwargs": kwargs}))
        store[f"{case}__x"] = x
        if cls == "STFTSpectrogram" and case in GRADIENT_CASES:
            import tensorflow as tf

            xt = tf.constant(x)
            layer.build(x.shape)
            r = rng.standard_normal(layer.compute_output_shape(x.shape)).astype("float32")
            with tf.GradientTape() as tape:
                tape.watch(xt)
                out = layer(xt)
                loss = tf.reduce_sum(out * r)
            grads = tape.gradient(loss, [xt] + [w.value for w in layer.trainable_weights])
            store[f"{case}__r"] = r
            store[f"{case}__dx"] = grads[0].numpy()
            store[f"{case}__dkernels"] = np.stack([g.numpy() for g in grads[1:]])
        else:
            out = layer(x)
        store[f"{case}__out"] = keras.ops.convert_to_numpy(out)
        if case in KERNEL_CASES:
            store[f"{case}__kernels"] = np.stack(layer.get_weights())
        configs[case] = _config(layer)


def main():
    import keras

    if TORCH:
        store, configs = {}, {}
        run_cases(keras, store, configs)
        store["keras_configs"] = np.array(json.dumps(configs))
        np.savez(sys.argv[2], **store)
        return
    store = {"keras_version": np.array(keras.__version__)}
    configs = {}
    run_cases(keras, store, configs)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "torch_cases.npz")
        subprocess.run([sys.executable, __file__, "--torch", path], check=True)
        with np.load(path) as torch_cases:
            for key in torch_cases.files:
                if key == "keras_configs":
                    configs.update(json.loads(str(torch_cases[key])))
                else:
                    store[key] = torch_cases[key]
    rng = np.random.default_rng(SEED)
    store["keras_configs"] = np.array(json.dumps(configs))
    mel = keras.layers.MelSpectrogram()
    store["mel_matrix"] = keras.ops.convert_to_numpy(
        mel.linear_to_mel_weight_matrix(**MEL_MATRIX))
    store["mel_matrix__args"] = np.array(json.dumps(MEL_MATRIX))

    # a model saved by Keras, for saessak's loader
    signal = keras.Input((400,), name="signal")
    mel_out = keras.layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8,
                                          name="mel")(signal)
    channel = keras.layers.Reshape((400, 1))(signal)
    stft_out = keras.layers.STFTSpectrogram(frame_length=32, frame_step=16, mode="magnitude",
                                            name="stft")(channel)
    model = keras.Model(signal, [mel_out, stft_out], name="audio")
    stft_layer = model.get_layer("stft")  # trained kernels: make them differ from the init
    stft_layer.set_weights([w + rng.normal(0, 0.01, w.shape).astype("float32")
                            for w in stft_layer.get_weights()])
    x = rng.standard_normal((2, 400)).astype("float32")
    mel_y, stft_y = model.predict(x, verbose=0)
    model.save(MODEL)
    store.update({"model__x": x, "model__mel": mel_y, "model__stft": stft_y})
    np.savez_compressed(OUT, **store)
    print(f"wrote {len(CASES)} cases to {os.path.normpath(OUT)} and "
          f"{os.path.normpath(MODEL)}, Keras {keras.__version__}")


if __name__ == "__main__":
    main()
