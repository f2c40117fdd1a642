"""MelSpectrogram and STFTSpectrogram (saessak.layers.preprocessing.audio) against Keras 3.15:
outputs, kernels, gradients and configs from ``tests/fixtures/keras/audio.npz`` and a model
Keras saved (``audio_spectrograms.keras``), both made by ``scripts/make_audio_fixture.py``;
shapes, saving, training and errors."""

import json
import os
import warnings

import numpy as np
import pytest

import saessak as keras
from saessak import Tensor, layers
from saessak.layers.preprocessing.audio import get_window

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
DATA = dict(np.load(os.path.join(FIXTURES, "audio.npz")))
CASES = sorted(k[:-len("__layer")] for k in DATA if k.endswith("__layer"))
KERAS_CONFIGS = json.loads(str(DATA["keras_configs"]))
R = np.random.default_rng(5)


def _close(got, expected, rel=2e-5):
    """float32 against float32, within ``rel`` of the largest magnitude: TensorFlow's STFT
    (a float32 FFT or convolution) is off by a few ulps of that magnitude, and a log or dB
    output carries that error to the smallest bins (measured: at most 3.6e-6)."""
    got = np.asarray(got)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    scale = max(np.abs(expected).max(), 1.0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=rel * scale)


def _layer(case):
    spec = json.loads(str(DATA[f"{case}__layer"]))
    kwargs = dict(spec["kwargs"])
    if kwargs.get("window") == "array":
        kwargs["window"] = DATA[f"{case}__window"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fft_length=100 is not a power of two
        return getattr(layers, spec["class"])(**kwargs)


# --- Keras 3.15's numbers -------------------------------------------------------------------
def test_fixture_covers_the_settings():
    assert str(DATA["keras_version"]).startswith("3.15")
    kwargs = [json.loads(str(DATA[f"{c}__layer"]))["kwargs"] for c in CASES]
    stft = [k for c, k in zip(CASES, kwargs) if c.startswith("stft")]
    assert {k.get("mode", "log") for k in stft} == {"log", "magnitude", "psd", "real", "imag",
                                                    "angle", "stft"}
    assert {k.get("window", "hann") for k in stft} >= {"hann", "hamming", "blackman",
                                                       "bartlett", "boxcar", None, "array"}
    assert {k.get("data_format") for k in stft} >= {None, "channels_first"}
    assert {k.get("padding", "valid") for k in stft} == {"valid", "same"}
    assert {k.get("scaling", "density") for k in stft} == {"density", "spectrum", None}
    assert any(k.get("expand_dims") for k in stft) and any(k.get("periodic") for k in stft)
    assert {} in kwargs  # both layers' defaults


@pytest.mark.parametrize("case", CASES)
def test_output_matches_keras(case):
    layer = _layer(case)
    _close(layer(DATA[f"{case}__x"]), DATA[f"{case}__out"])


@pytest.mark.parametrize("case", CASES)
def test_config_matches_keras(case):
    config = _layer(case).get_config()
    for key in ("name", "dtype"):
        config.pop(key)
    if isinstance(config["window"], list):
        config["window"] = "array"
    assert config == KERAS_CONFIGS[case]


@pytest.mark.parametrize("case", [c for c in CASES if f"{c}__kernels" in DATA])
def test_stft_kernels_match_keras(case):
    layer = _layer(case)
    layer.build(DATA[f"{case}__x"].shape)
    names = {"real": ["real_kernel"], "imag": ["imag_kernel"]}.get(
        layer.mode, ["real_kernel", "imag_kernel"])
    assert [w.path.split("/")[-1] for w in layer.weights] == names
    assert all(w.trainable for w in layer.weights)  # trainable, as in Keras
    np.testing.assert_allclose(np.stack(layer.get_weights()), DATA[f"{case}__kernels"],
                               rtol=0, atol=1e-7)


@pytest.mark.parametrize("case", [c for c in CASES if f"{c}__dx" in DATA])
def test_stft_gradients_match_keras(case):
    """d sum(output * r) / d(input, real_kernel, imag_kernel), as TensorFlow's tape gives
    them."""
    layer = _layer(case)
    x = Tensor(DATA[f"{case}__x"], requires_grad=True)
    (layer(x) * Tensor(DATA[f"{case}__r"])).sum().backward()
    _close(x.grad, DATA[f"{case}__dx"], rel=1e-4)
    _close(np.stack([w.grad for w in layer.trainable_weights]), DATA[f"{case}__dkernels"],
           rel=1e-4)


def test_mel_weight_matrix_matches_keras():
    args = json.loads(str(DATA["mel_matrix__args"]))
    matrix = layers.MelSpectrogram().linear_to_mel_weight_matrix(**args).numpy()
    assert matrix.dtype == np.float32 and matrix.shape == (129, 20)
    np.testing.assert_allclose(matrix, DATA["mel_matrix"], rtol=0, atol=1e-5)
    assert not matrix[0].any()  # the DC bin is in no band
    assert matrix.max() <= 1.0 and (matrix.max(axis=0) > 0.5).all()  # triangles up to 1


def test_model_saved_by_keras_loads_and_predicts():
    pytest.importorskip("h5py")
    model = keras.models.load_model(os.path.join(FIXTURES, "audio_spectrograms.keras"))
    mel, stft = model.predict(DATA["model__x"], verbose=0)
    _close(mel, DATA["model__mel"])
    _close(stft, DATA["model__stft"])
    assert isinstance(model.get_layer("mel"), layers.MelSpectrogram)
    assert model.get_layer("stft").count_params() == 2 * 32 * 17


# --- shapes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("samples", [100, 111, 127, 128, 129])
def test_mel_frames_and_symbolic_shape(samples):
    """1 + samples // stride frames for an even fft_length (reflect-padded by half of it on
    each side). Keras's compute_output_shape says 1 + (samples + 1) // stride, one more
    when samples + 1 is a multiple of the stride; saessak reports what the call returns."""
    layer = layers.MelSpectrogram(fft_length=64, sequence_stride=16, num_mel_bins=8)
    out = layer(R.standard_normal((2, samples)).astype("float32"))
    assert out.shape == (2, 8, 1 + samples // 16)
    assert layer.compute_output_shape((None, samples)) == (None, 8, 1 + samples // 16)
    assert layer.compute_output_shape((samples,)) == (8, 1 + samples // 16)
    assert layer.compute_output_shape((None, None)) == (None, 8, None)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("expand_dims", [False, True])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mode", ["log", "stft", "psd"])
def test_stft_shapes(data_format, expand_dims, padding, mode):
    layer = layers.STFTSpectrogram(mode=mode, frame_length=30, frame_step=7, padding=padding,
                                   expand_dims=expand_dims, data_format=data_format)
    shape = (2, 101, 3) if data_format == "channels_last" else (2, 3, 101)
    out = layer(R.standard_normal(shape).astype("float32"))
    frames = (101 - 30) // 7 + 1 if padding == "valid" else -(-101 // 7)
    bins = 17 * (2 if mode == "stft" else 1)  # fft_length: 32, the power of 2 >= 30
    expected = {("channels_last", False): (2, frames, 3 * bins),
                ("channels_last", True): (2, frames, bins, 3),
                ("channels_first", False): (2, 3 * bins, frames),
                ("channels_first", True): (2, 3, frames, bins)}[data_format, expand_dims]
    assert out.shape == expected
    assert layer.compute_output_shape(shape) == expected
    symbolic = layer.compute_output_shape((None,) + shape[1:])
    assert symbolic == (None,) + expected[1:]


def test_stft_channels_are_independent_and_channel_major():
    """Channels last, the features are channel 0's bins, then channel 1's ..."""
    x = R.standard_normal((2, 80, 2)).astype("float32")
    both = layers.STFTSpectrogram(mode="real", frame_length=16)(x).numpy()
    single = layers.STFTSpectrogram(mode="real", frame_length=16)
    np.testing.assert_allclose(both[..., :9], single(x[..., :1]).numpy(), atol=1e-6)
    np.testing.assert_allclose(both[..., 9:], single(x[..., 1:]).numpy(), atol=1e-6)


def test_stft_real_and_imag_are_a_windowed_dft():
    frame = R.standard_normal(16)
    layer = layers.STFTSpectrogram(mode="stft", frame_length=16, frame_step=16,
                                   window="hann", scaling=None, dtype="float64")
    out = layer(frame.reshape(1, 16, 1)).numpy()[0, 0]
    win = get_window("hann", 16)
    spectrum = np.fft.rfft(frame * win)
    np.testing.assert_allclose(out[:9], spectrum.real, atol=1e-12)
    np.testing.assert_allclose(out[9:], spectrum.imag, atol=1e-12)


def test_windows_match_numpy_and_scipy_conventions():
    np.testing.assert_allclose(get_window("hann", 9), np.hanning(9), atol=1e-15)
    np.testing.assert_allclose(get_window("hamming", 9), np.hamming(9), atol=1e-15)
    np.testing.assert_allclose(get_window("blackman", 9), np.blackman(9), atol=1e-15)
    np.testing.assert_allclose(get_window("bartlett", 9), np.bartlett(9), atol=1e-15)
    np.testing.assert_allclose(get_window("hann", 8, periodic=True), np.hanning(9)[:8],
                               atol=1e-15)
    assert get_window("hann", 1).tolist() == [1.0]
    scipy_signal = pytest.importorskip("scipy.signal")
    for name in ("hann", "hamming", "blackman", "bartlett", "boxcar"):
        for periodic in (False, True):
            np.testing.assert_allclose(get_window(name, 11, periodic),
                                       scipy_signal.get_window(name, 11, fftbins=periodic),
                                       atol=1e-15)
    np.testing.assert_allclose(get_window(("kaiser", 4.0), 10),  # other names: SciPy's
                               scipy_signal.get_window(("kaiser", 4.0), 10, fftbins=False))


def test_mel_db_floor_is_relative_to_the_whole_batch():
    loud = R.standard_normal(600).astype("float32") * 100
    quiet = R.standard_normal(600).astype("float32") * 1e-3
    layer = layers.MelSpectrogram(fft_length=128, sequence_stride=64, num_mel_bins=10,
                                  top_db=40.0)
    out = layer(np.stack([loud, quiet])).numpy()
    assert out.max() - out.min() == pytest.approx(40.0, abs=1e-4)
    np.testing.assert_allclose(out[1], out.max() - 40.0)  # all of the quiet one is floored
    alone = layer(quiet).numpy()  # unbatched: floored below its own maximum
    assert alone.shape == (10, 10) and alone.max() < out[1].min()
    assert alone.max() - alone.min() <= 40.0 + 1e-4


def test_mel_dtypes():
    x = R.standard_normal((1, 500))
    out64 = layers.MelSpectrogram(fft_length=128, sequence_stride=64, dtype="float64")(x)
    assert out64.dtype == np.float64  # Keras's TensorFlow backend fails on float64
    out32 = layers.MelSpectrogram(fft_length=128, sequence_stride=64)(x.astype("float32"))
    # float32 mel filters differ from float64 ones in the last digits, most in the narrow
    # low bands: a few thousandths of a dB
    np.testing.assert_allclose(out32.numpy(), out64.numpy(), atol=5e-3)
    ints = layers.MelSpectrogram(fft_length=128, sequence_stride=64)(
        (x * 100).astype("int32"))
    assert ints.dtype == np.float32


# --- gradients and training -----------------------------------------------------------------
def test_mel_passes_gradients_to_its_input():
    x = Tensor(R.standard_normal((2, 300)).astype("float64"), requires_grad=True)
    layer = layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=6,
                                  power_to_db=False, dtype="float64")
    layer(x).sum().backward()
    assert x.grad.shape == (2, 300) and np.isfinite(x.grad).all() and x.grad.any()


def test_stft_kernels_train_and_can_be_frozen():
    x = R.standard_normal((8, 64, 1)).astype("float32")
    model = keras.Sequential([keras.Input((64, 1)),
                              layers.STFTSpectrogram(mode="magnitude", frame_length=16),
                              layers.GlobalAveragePooling1D(), layers.Dense(1)])
    stft = model.layers[0]
    before = stft.get_weights()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.ones((8, 1)), epochs=2, verbose=0)
    assert not np.allclose(stft.get_weights()[0], before[0])
    frozen = layers.STFTSpectrogram(frame_length=16, trainable=False)
    frozen.build((None, 64, 1))
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2


def test_stft_real_and_imag_modes_have_one_kernel():
    for mode, name in (("real", "real_kernel"), ("imag", "imag_kernel")):
        layer = layers.STFTSpectrogram(mode=mode, frame_length=16)
        layer.build((None, 64, 1))
        assert [w.path.split("/")[-1] for w in layer.weights] == [name]


# --- configs and saving ---------------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs", [
    (layers.MelSpectrogram, {"fft_length": 256, "sequence_stride": 100, "num_mel_bins": 20,
                             "window": None, "min_freq": 50.0, "max_freq": 4000,
                             "power_to_db": False}),
    (layers.STFTSpectrogram, {"mode": "angle", "frame_length": 20, "frame_step": 5,
                              "window": "hamming", "periodic": True, "scaling": None,
                              "padding": "same", "expand_dims": True}),
])
def test_get_config_round_trip(cls, kwargs):
    layer = cls(**kwargs)
    again = cls.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    rebuilt = layers.deserialize(layers.serialize(layer))
    assert type(rebuilt) is cls and rebuilt.get_config() == layer.get_config()


def test_model_saved_as_keras_file_loads_back(tmp_path):
    pytest.importorskip("h5py")
    signal = keras.Input((400,))
    mel = layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8)(signal)
    stft = layers.STFTSpectrogram(frame_length=32, mode="psd")(layers.Reshape((400, 1))(signal))
    model = keras.Model(signal, [mel, stft])
    kernel = model.layers[-1].get_weights()
    model.layers[-1].set_weights([k * 1.5 for k in kernel])  # not the initial kernels
    x = R.standard_normal((2, 400)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "audio.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    for got, want in zip(loaded.predict(x, verbose=0), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


# --- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs,match", [
    (layers.MelSpectrogram, {"fft_length": 100, "sequence_length": 200},
     "fft_length must be at least sequence_length"),
    (layers.MelSpectrogram, {"window": "blackman"}, "window must be 'hann', 'hamming'"),
    (layers.MelSpectrogram, {"sequence_stride": 0}, "sequence_stride must be a positive"),
    (layers.STFTSpectrogram, {"mode": "power"}, "mode must be one of log, magnitude"),
    (layers.STFTSpectrogram, {"frame_step": 300}, "frame_step must be a positive integer"),
    (layers.STFTSpectrogram, {"fft_length": 128}, "fft_length must be at least"),
    (layers.STFTSpectrogram, {"scaling": "l2"}, "scaling must be None, 'density'"),
    (layers.STFTSpectrogram, {"padding": "causal"}, "padding must be 'valid' or 'same'"),
    (layers.STFTSpectrogram, {"data_format": "NCW"}, "data_format"),
])
def test_bad_arguments_are_clear_errors(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_bad_window_name_is_a_clear_error():
    with pytest.raises(ValueError, match="window"):
        layers.STFTSpectrogram(window="no_such_window")


def test_fft_length_not_a_power_of_two_warns():
    with pytest.warns(UserWarning, match="power of two"):
        layers.STFTSpectrogram(frame_length=60, fft_length=100)


def test_stft_input_errors():
    layer = layers.STFTSpectrogram(frame_length=16)
    with pytest.raises(ValueError, match="ndim"):
        layer(np.zeros((2, 64), "float32"))
    with pytest.raises(TypeError, match="float16, float32 or float64"):
        layer(np.zeros((2, 64, 1), "int32"))
