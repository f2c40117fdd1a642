"""saessak.ops.spectral: Keras 3's fft, fft2, ifft2, rfft, irfft, stft and istft.

Values are checked against real Keras 3 (TensorFlow backend) through
``tests/fixtures/keras/spectral.npz`` (``scripts/make_spectral_fixture.py``), gradients
against central finite differences in float64.
"""

import json
import os

import numpy as np
import pytest

from saessak import Tensor, grad_check
from saessak.ops.spectral import fft, fft2, ifft2, irfft, istft, rfft, stft

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras", "spectral.npz")
FUNCTIONS = {"fft": fft, "fft2": fft2, "ifft2": ifft2, "rfft": rfft, "irfft": irfft,
             "stft": stft, "istft": istft}
R = np.random.default_rng(11)


def _fixture():
    data = np.load(FIXTURE)
    return {k: data[k] for k in data.files}


DATA = _fixture()
CASES = sorted(k[:-len("__call")] for k in DATA if k.endswith("__call"))


def _close(got, expected, rel=1e-5):
    """float32 against float32: TensorFlow transforms in single precision, each output
    summing n products, so its error is a few float32 ulps (1.2e-7) of the largest
    magnitude times log2(n); 1e-5 of that magnitude leaves room for that and no more."""
    got = np.asarray(got)
    assert got.shape == expected.shape
    assert got.dtype == np.float32
    scale = max(np.abs(expected).max(), 1.0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=rel * scale)


# --- against Keras ---------------------------------------------------------------------------
def test_fixture_covers_every_function():
    called = {json.loads(str(DATA[f"{c}__call"]))["fn"] for c in CASES}
    assert called == set(FUNCTIONS)
    assert str(DATA["keras_version"]).startswith("3.")


@pytest.mark.parametrize("case", CASES)
def test_matches_keras(case):
    call = json.loads(str(DATA[f"{case}__call"]))
    kwargs = call["kwargs"]
    if kwargs.get("window") == "tensor":
        kwargs["window"] = DATA[f"{case}__window"]
    if f"{case}__x" in DATA:
        arg = DATA[f"{case}__x"]
    else:
        arg = (DATA[f"{case}__real"], DATA[f"{case}__imag"])
    out = FUNCTIONS[call["fn"]](arg, **kwargs)
    if f"{case}__out" in DATA:
        assert isinstance(out, Tensor)
        _close(out.numpy(), DATA[f"{case}__out"])
    else:
        assert isinstance(out, tuple) and len(out) == 2
        _close(out[0].numpy(), DATA[f"{case}__out_real"])
        _close(out[1].numpy(), DATA[f"{case}__out_imag"])


def test_istft_where_no_window_covers_a_sample():
    real, imag = (DATA[f"istft_hann_no_overlap__{p}"] for p in ("real", "imag"))
    out = istft((real, imag), 4, 4, 4).numpy()
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[2::4], 0)  # w[0] = 0 and no other frame reaches it
    assert np.all(out[np.arange(out.size) % 4 != 2] != 0)


def test_keras_docstring_examples():
    re, im = fft((np.array([1.0, 2.0], np.float32), np.array([0.0, 1.0], np.float32)))
    np.testing.assert_allclose(re.numpy(), [3, -1])
    np.testing.assert_allclose(im.numpy(), [1, -1])
    x2 = (np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]]))
    re, im = fft2(x2)
    np.testing.assert_allclose(re.numpy(), [[6, 0], [0, -2]], atol=1e-12)
    np.testing.assert_allclose(im.numpy(), [[2, 0], [0, -2]], atol=1e-12)
    x = np.arange(5, dtype=np.float32)
    re, im = rfft(x)
    np.testing.assert_allclose(re.numpy(), [10, -2.5, -2.5], rtol=1e-6)
    np.testing.assert_allclose(im.numpy(), [0, 3.4409548, 0.81229924], rtol=1e-6)
    re, im = rfft(x, 3)
    np.testing.assert_allclose(re.numpy(), [3, -1.5], rtol=1e-6)
    np.testing.assert_allclose(im.numpy(), [0, 0.8660254], rtol=1e-6)
    # (Keras's irfft example prints 3 values; 5 bins give 2 * (5 - 1) = 8, as TF's does)
    np.testing.assert_allclose(irfft((x, x)).numpy(), np.fft.irfft(x + 1j * x), rtol=1e-6)
    np.testing.assert_allclose(irfft(rfft(x, 5), 5).numpy(), x, atol=1e-6)
    re, im = stft(x, 3, 2, 3)
    np.testing.assert_allclose(re.numpy(), [[0.75, -0.375], [3.75, -1.875], [5.25, -2.625]],
                               rtol=1e-6)
    np.testing.assert_allclose(im.numpy(), [[0, 0.64951905], [0, 0.64951905],
                                            [0, -0.64951905]], rtol=1e-6, atol=1e-7)
    # Keras documents x back here; its own slice [0:-0] returns nothing (fft_length // 2 = 0)
    np.testing.assert_allclose(istft(stft(x, 1, 1, 1), 1, 1, 1).numpy(), x)


def test_ifft2_inverts_fft2_and_matches_numpy():
    z = R.standard_normal((2, 3, 5)) + 1j * R.standard_normal((2, 3, 5))
    re, im = ifft2((z.real, z.imag))
    np.testing.assert_allclose(re.numpy() + 1j * im.numpy(), np.fft.ifft2(z), atol=1e-14)
    re, im = ifft2(fft2((z.real, z.imag)))
    np.testing.assert_allclose(re.numpy() + 1j * im.numpy(), z, atol=1e-14)


# --- round trips -----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [16, 15])
def test_irfft_inverts_rfft(n):
    x = R.standard_normal((3, n)).astype(np.float32)
    back = irfft(rfft(x), fft_length=n).numpy()  # an odd n cannot be inferred from the bins
    assert back.dtype == np.float32 and back.shape == x.shape
    np.testing.assert_allclose(back, x, rtol=0, atol=1e-5 * np.abs(x).max())
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(irfft(rfft(x64), n).numpy(), x64, rtol=0, atol=1e-13)


# stride 4: every sample of x meets all the frames that overlap it (at j and j + 4 of the
# 8-sample window); stride 2: the first 2 and last sample miss a frame at window offset 6
# (it would start before the padded signal), where the steady-state synthesis window
# w / sum w^2 does not hold; TensorFlow's inverse_stft gives the same there
@pytest.mark.parametrize("stride, exact", [(4, slice(None)), (2, slice(2, 47))])
def test_istft_inverts_stft_with_hann_and_center(stride, exact):
    # 48 samples: the frames, every stride from the start of the padded signal, end at its end
    x = R.standard_normal((2, 48)).astype(np.float32)
    spectrum = stft(x, 8, stride, 8)
    assert spectrum[0].shape == (2, 1 + 48 // stride, 5)
    back = istft(spectrum, 8, stride, 8, length=48).numpy()
    assert back.dtype == np.float32 and back.shape == x.shape
    np.testing.assert_allclose(back[:, exact], x[:, exact], rtol=0,
                               atol=1e-5 * np.abs(x).max())
    x64 = x.astype(np.float64)
    back64 = istft(stft(x64, 8, stride, 8), 8, stride, 8, length=48).numpy()
    np.testing.assert_allclose(back64[:, exact], x64[:, exact], rtol=0, atol=1e-12)


def test_istft_inverts_stft_with_fft_length_beyond_the_window():
    x = R.standard_normal(41)
    spectrum = stft(x, 6, 2, 11, window="hamming")
    back = istft(spectrum, 6, 2, 11, window="hamming").numpy()
    # without length: the center padding is cut off both ends of every frame's span
    assert back.shape == ((spectrum[0].shape[0] - 1) * 2 + 11 - 2 * 5,)
    # the synthesis window assumes every overlapping frame is there: the samples within
    # 2 of the ends (window offset 2 of 11, stride 2) miss one, the rest come back exactly
    np.testing.assert_allclose(back[2:39], x[2:39], rtol=0, atol=1e-12)


# --- shapes and dtypes -----------------------------------------------------------------------
def test_dtypes_follow_the_input():
    for dtype in (np.float32, np.float64):
        z = (R.standard_normal((4, 6)).astype(dtype), R.standard_normal((4, 6)).astype(dtype))
        for out in (*fft(z), *fft2(z), *ifft2(z), *rfft(z[0]), irfft(z),
                    *stft(z[0], 4, 2, 4), istft(z, 4, 2, 10)):
            assert out.dtype == dtype
    assert rfft(np.arange(4))[0].dtype == np.float32  # integers become floatx
    assert rfft([0.0, 1.0, 2.0])[0].dtype == np.float32
    mixed = fft((np.ones(3, np.float32), np.ones(3, np.float64)))
    assert mixed[0].dtype == mixed[1].dtype == np.float64  # the wider float wins


def test_stft_and_istft_shapes():
    x = np.zeros((2, 3, 40), np.float32)
    re, im = stft(x, 10, 5, 16)  # padded to 56: 1 + (56 - 16) // 5 frames
    assert re.shape == im.shape == (2, 3, 9, 9)
    re, im = stft(x, 10, 5, 16, center=False)
    assert re.shape == (2, 3, 5, 9)
    assert istft((re, im), 10, 5, 16, center=False).shape == (2, 3, 36)
    assert istft((re, im), 10, 5, 16, center=False, length=30).shape == (2, 3, 30)
    assert stft(x, 10, 5, None)[0].shape == (2, 3, 9, 9)  # fft_length: 16, the next power of 2


# --- gradients -------------------------------------------------------------------------------
def rand(*shape):
    return R.uniform(-2.0, 2.0, shape)


def pair(fn, **kwargs):
    return lambda re, im: fn((re, im), **kwargs)


GRADIENTS = {
    "fft": (pair(fft), rand(2, 6), rand(2, 6)),
    "fft_odd": (pair(fft), rand(5), rand(5)),
    "fft2": (pair(fft2), rand(2, 3, 4), rand(2, 3, 4)),
    "ifft2": (pair(ifft2), rand(3, 5), rand(3, 5)),
    "rfft_even": (rfft, rand(2, 8)),
    "rfft_odd": (rfft, rand(2, 7)),
    "rfft_crop": (lambda x: rfft(x, 5), rand(2, 9)),
    "rfft_pad": (lambda x: rfft(x, 10), rand(2, 6)),
    "irfft_even": (pair(irfft), rand(2, 5), rand(2, 5)),  # Im of DC and Nyquist: gradient 0
    "irfft_odd": (pair(irfft, fft_length=9), rand(2, 5), rand(2, 5)),
    "irfft_crop": (pair(irfft, fft_length=6), rand(2, 7), rand(2, 7)),
    "irfft_pad": (pair(irfft, fft_length=11), rand(3), rand(3)),
    "stft_hann_center": (lambda x: stft(x, 8, 3, 8), rand(2, 20)),
    "stft_hamming_no_center": (lambda x: stft(x, 6, 4, 6, window="hamming", center=False),
                               rand(23)),  # the last 1 sample is in no frame
    "stft_long_fft_pad_at_limit": (lambda x: stft(x, 5, 2, 9), rand(2, 5)),  # pads 4 of 5
    "stft_no_window": (lambda x: stft(x, 4, 3, 6, window=None), rand(17)),
    "stft_tensor_window": (lambda x: stft(x, 5, 2, 5, window=np.linspace(0.2, 1, 5)),
                           rand(14)),
    "istft_hann_center": (pair(istft, sequence_length=8, sequence_stride=2, fft_length=8),
                          rand(2, 7, 5), rand(2, 7, 5)),
    "istft_hamming_length": (pair(istft, sequence_length=6, sequence_stride=3, fft_length=9,
                                  window="hamming", center=False, length=13),
                             rand(5, 5), rand(5, 5)),
    "istft_no_window": (pair(istft, sequence_length=4, sequence_stride=2, fft_length=4,
                             window=None), rand(6, 3), rand(6, 3)),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients_match_finite_differences(name):
    fn, *inputs = GRADIENTS[name]
    result = grad_check(fn, *inputs)
    assert result.ok, result
    assert result.checked == sum(a.size for a in inputs)


def test_gradient_of_one_output_alone():
    # sum_k Re X_k = sum_t x_t sum_k cos(2 pi kt/n) = n x_0: only x_0 gets a gradient
    re = Tensor(R.standard_normal(6).astype(np.float32), requires_grad=True)
    im = Tensor(R.standard_normal(6).astype(np.float32), requires_grad=True)
    fft((re, im))[0].sum().backward()
    assert re.grad.dtype == np.float32
    np.testing.assert_allclose(re.grad, [6, 0, 0, 0, 0, 0], atol=1e-5)
    # and sum_k Re X_k = sum_t (x_t sum_k cos + y_t sum_k sin) = n x_0 + 0
    np.testing.assert_allclose(im.grad, np.zeros(6), atol=1e-5)


def test_float32_signal_gets_a_float32_gradient():
    x = Tensor(R.standard_normal(30).astype(np.float32), requires_grad=True)
    re, im = stft(x, 8, 4, 8)
    power = (re * re + im * im).sum()
    power.backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == (30,)
    # the power is a quadratic form in x, so x . grad = 2 power (Euler's theorem)
    np.testing.assert_allclose(float((x.grad * x.data).sum()), 2 * float(power), rtol=1e-5)


# --- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [fft, fft2, ifft2, irfft])
def test_complex_input_must_be_a_real_imag_pair(fn):
    a = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match=r"tuple \(real, imag\).*ndarray"):
        fn(a)
    with pytest.raises(ValueError, match="length 3"):
        fn((a, a, a))
    with pytest.raises(ValueError, match=r"one shape.*\(3, 4\) and \(3, 5\)"):
        fn((a, np.ones((3, 5), np.float32)))
    with pytest.raises(ValueError, match="real part of x must be a float tensor.*int"):
        fn((np.ones((3, 4), np.int32), a))
    with pytest.raises(ValueError, match="imaginary part of x must be a float tensor"):
        fn((a, np.ones((3, 4), bool)))


def test_istft_checks_its_input():
    a = np.ones((3, 5), np.float32)
    with pytest.raises(ValueError, match="tuple"):
        istft(a, 8, 2, 8)
    with pytest.raises(ValueError, match="imaginary part"):
        istft((a, a.astype(np.int64)), 8, 2, 8)
    with pytest.raises(ValueError, match="rank >= 2"):
        istft((a[0], a[0]), 8, 2, 8)


def test_rank_and_length_errors():
    with pytest.raises(ValueError, match="rank >= 2"):
        fft2((np.ones(4), np.ones(4)))
    with pytest.raises(ValueError, match="rank >= 1"):
        fft((np.float64(1.0) * np.ones(()), np.ones(())))
    with pytest.raises(ValueError, match="rank >= 1"):
        rfft(np.ones((), np.float32))
    with pytest.raises(ValueError, match="cannot infer fft_length"):
        irfft((np.ones((2, 1)), np.ones((2, 1))))
    with pytest.raises(ValueError, match="fft_length must be a positive integer"):
        rfft(np.ones(4), fft_length=0)


def test_real_input_errors():
    with pytest.raises(TypeError, match="stft: x must be a float tensor.*int32"):
        stft(np.arange(20, dtype=np.int32), 4, 2, 4)
    with pytest.raises(TypeError, match="complex"):
        rfft(np.ones(4, np.complex64))
    with pytest.raises(TypeError, match="complex"):
        stft(np.ones(20, np.complex128), 4, 2, 4)


def test_stft_argument_errors():
    x = np.ones(20, np.float32)
    with pytest.raises(ValueError, match="sequence_stride must be a positive integer"):
        stft(x, 4, 0, 4)
    with pytest.raises(ValueError, match="sequence_stride must be a positive integer"):
        istft((np.ones((3, 3)), np.ones((3, 3))), 4, 1.5, 4)
    with pytest.raises(ValueError, match=r"fft_length \(4\) must be at least sequence_length"):
        stft(x, 6, 2, 4)
    with pytest.raises(ValueError, match="'hann', 'hamming'.*'blackman'"):
        stft(x, 4, 2, 4, window="blackman")
    with pytest.raises(ValueError, match=r"window must have shape \(4,\).*\(5,\)"):
        stft(x, 4, 2, 4, window=np.ones(5))
    with pytest.raises(ValueError, match=r"window must have shape \(4,\)"):
        istft((np.ones((3, 3)), np.ones((3, 3))), 4, 2, 4, window=np.ones((2, 2)))
    with pytest.raises(ValueError, match="reflect-pads fft_length // 2 = 8"):
        stft(np.ones(8), 16, 4, 16)
    with pytest.raises(ValueError, match="shorter than one frame"):
        stft(np.ones(8), 8, 4, 10, center=False)
