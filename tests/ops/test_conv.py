"""Convolution ops: values against a plain loop, gradients against finite differences.

The convolutions are linear in each input, so the central difference is exact up to
rounding; eps=1e-4 keeps that rounding far below the tolerance.
"""

import itertools

import numpy as np
import pytest

from saessak import Tensor, grad_check, ops
from saessak.ops.conv_utils import conv_output_length, conv_padding, deconv_output_length

R = np.random.default_rng(3)


def reference_conv(x, w, b=None, strides=1, padding="valid", dilation=1, groups=1):
    """A direct, loop-per-output-position convolution (TensorFlow's padding rules)."""
    nd = w.ndim - 2
    strides = (strides,) * nd if isinstance(strides, int) else strides
    dilation = (dilation,) * nd if isinstance(dilation, int) else dilation
    pads = [conv_padding(n, k, s, padding, d)
            for n, k, s, d in zip(x.shape[1:-1], w.shape[:nd], strides, dilation)]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out = [conv_output_length(n + lo + hi, k, s, "valid", d)
           for n, (lo, hi), k, s, d in zip(x.shape[1:-1], pads, w.shape[:nd], strides, dilation)]
    cg, f = w.shape[-2], w.shape[-1]
    fg = f // groups
    y = np.zeros((x.shape[0], *out, f))
    for pos in np.ndindex(*out):
        for k in np.ndindex(*w.shape[:nd]):
            src = tuple(p * s + kk * d for p, s, kk, d in zip(pos, strides, k, dilation))
            pixel = xp[(slice(None),) + src]  # (batch, C)
            for g in range(groups):
                y[(slice(None),) + pos + (slice(g * fg, (g + 1) * fg),)] += (
                    pixel[:, g * cg:(g + 1) * cg] @ w[k][:, g * fg:(g + 1) * fg])
    return y if b is None else y + b


# --- sizes --------------------------------------------------------------------------------------


def test_output_lengths_follow_keras():
    assert conv_output_length(28, 3, 2, "valid") == 13  # the seed's Conv2D, example 6.1
    assert conv_output_length(28, 3, 1, "same") == 28
    assert conv_output_length(500, 7) == 494  # seed 002's Conv1D(32, 7)
    assert conv_output_length(13, 3, 1, "valid", 2) == 9  # (13 - 5) // 1 + 1
    assert conv_output_length(5, 2, 2, "same") == 3
    assert conv_output_length(None, 3) is None
    assert conv_padding(28, 3, 1, "same") == (1, 1)
    assert conv_padding(6, 2, 2, "same") == (0, 0)
    assert conv_padding(5, 4, 1, "same") == (1, 2)  # the odd one goes after
    assert conv_padding(9, 3, 1, "causal", 2) == (4, 0)
    assert deconv_output_length(7, 3, 2, "same") == 14
    assert deconv_output_length(7, 3, 2, "valid") == 15
    assert deconv_output_length(7, 1, 2, "valid") == 14


# --- values -------------------------------------------------------------------------------------


def test_edge_filter_by_hand():
    """A vertical-edge (Sobel-like) filter on a 4x4 image whose right half is bright.

    Image rows are [0 0 1 1]; kernel rows are [-1 0 1]. Each 3x3 patch sums
    (right column - left column) over three rows: patch at column 0 sees columns 0..2,
    3 * (1 - 0) = 3; at column 1 it sees columns 1..3, 3 * (1 - 0) = 3. With 'same'
    padding the border patches see zeros beyond the edge: rows 0 and 3 sum only two rows;
    at column 3 the patch's left column is column 2 (bright) and its right column is
    padding, so it sees (0 - 1) per row: -3, or -2 in the top and bottom rows.
    """
    image = np.array([[0, 0, 1, 1]] * 4, dtype=np.float64)[None, :, :, None]
    kernel = np.array([[-1, 0, 1]] * 3, dtype=np.float64)[:, :, None, None]
    valid = ops.conv2d(Tensor(image), Tensor(kernel)).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(valid, [[3, 3], [3, 3]])
    same = ops.conv2d(Tensor(image), Tensor(kernel), padding="same").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(same, [[0, 2, 2, -2],
                                         [0, 3, 3, -3],
                                         [0, 3, 3, -3],
                                         [0, 2, 2, -2]])
    # A flat image has no edges.
    flat = ops.conv2d(Tensor(np.ones((1, 4, 4, 1))), Tensor(kernel)).numpy()
    np.testing.assert_array_equal(flat, np.zeros((1, 2, 2, 1)))


@pytest.mark.parametrize("padding,strides,dilation,groups", list(itertools.product(
    ["valid", "same"], [1, 2, (2, 1)], [1, 2], [1, 2])))
def test_conv2d_matches_loop(padding, strides, dilation, groups):
    x = R.standard_normal((2, 7, 6, 4))
    w = R.standard_normal((3, 2, 4 // groups, 6))
    b = R.standard_normal(6)
    y = ops.conv2d(Tensor(x), Tensor(w), Tensor(b), strides, padding, dilation, groups)
    np.testing.assert_allclose(y.numpy(), reference_conv(x, w, b, strides, padding,
                                                         dilation, groups), atol=1e-12)


@pytest.mark.parametrize("padding,strides,dilation,groups", list(itertools.product(
    ["valid", "same", "causal"], [1, 2], [1, 3], [1, 2])))
def test_conv1d_matches_loop(padding, strides, dilation, groups):
    x = R.standard_normal((2, 11, 4))
    w = R.standard_normal((3, 4 // groups, 6))
    y = ops.conv1d(Tensor(x), Tensor(w), None, strides, padding, dilation, groups)
    np.testing.assert_allclose(y.numpy(), reference_conv(x, w, None, strides, padding,
                                                         dilation, groups), atol=1e-12)


def test_causal_output_ignores_the_future():
    x = R.standard_normal((1, 10, 2))
    w = R.standard_normal((3, 2, 1))
    y1 = ops.conv1d(Tensor(x), Tensor(w), padding="causal", dilation_rate=2).numpy()
    x2 = x.copy()
    x2[:, 6:] = 100.0  # change only steps >= 6
    y2 = ops.conv1d(Tensor(x2), Tensor(w), padding="causal", dilation_rate=2).numpy()
    assert y1.shape == (1, 10, 1)
    np.testing.assert_array_equal(y1[:, :6], y2[:, :6])
    assert not np.allclose(y1[:, 6:], y2[:, 6:])


def test_depthwise_is_per_channel():
    x = R.standard_normal((2, 6, 5, 3))
    w = R.standard_normal((3, 3, 3, 2))  # depth_multiplier 2
    y = ops.depthwise_conv2d(Tensor(x), Tensor(w), padding="same").numpy()
    for c in range(3):
        for m in range(2):
            ref = reference_conv(x[..., c:c + 1], w[:, :, c:c + 1, m:m + 1], padding="same")
            np.testing.assert_allclose(y[..., c * 2 + m], ref[..., 0], atol=1e-12)


@pytest.mark.parametrize("padding,strides,k", list(itertools.product(["valid", "same"], [1, 2, 3],
                                                                      [1, 2, 3])))
def test_conv_transpose_is_the_adjoint_of_conv(padding, strides, k):
    """<conv(z, w), x> = <z, conv_transpose(x, w)> for every z and x of matching shapes."""
    x = R.standard_normal((2, 4, 5, 3))
    w = R.standard_normal((k, k, 2, 3))
    y = ops.conv2d_transpose(Tensor(x), Tensor(w), None, strides, padding).numpy()
    assert y.shape[1:3] == tuple(deconv_output_length(n, k, strides, padding) for n in (4, 5))
    z = R.standard_normal(y.shape)
    cz = ops.conv2d(Tensor(z), Tensor(w), None, strides, padding).numpy()
    assert cz.shape == x.shape
    np.testing.assert_allclose((cz * x).sum(), (z * y).sum(), rtol=1e-10)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="channels"):
        ops.conv2d(Tensor(np.zeros((1, 5, 5, 3))), Tensor(np.zeros((3, 3, 2, 4))))
    with pytest.raises(ValueError, match="padding"):
        ops.conv2d(Tensor(np.zeros((1, 5, 5, 1))), Tensor(np.zeros((3, 3, 1, 1))),
                   padding="causal")
    with pytest.raises(ValueError, match="smaller than the kernel"):
        ops.conv2d(Tensor(np.zeros((1, 2, 2, 1))), Tensor(np.zeros((3, 3, 1, 1))))


def test_input_gradient_is_skipped_when_not_needed():
    x = Tensor(R.standard_normal((2, 5, 5, 1)))  # data: no gradient wanted
    w = Tensor(R.standard_normal((3, 3, 1, 2)), requires_grad=True)
    ops.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 3, 1, 2)


# --- gradients ----------------------------------------------------------------------------------


@pytest.mark.parametrize("padding,strides,dilation", list(itertools.product(
    ["valid", "same"], [1, 2], [1, 2])))
def test_conv2d_gradients(padding, strides, dilation):
    x = R.standard_normal((2, 6, 5, 3))
    w = R.standard_normal((3, 2, 3, 4))
    b = R.standard_normal(4)
    result = grad_check(lambda x, w, b: ops.conv2d(x, w, b, strides, padding, dilation),
                        x, w, b, eps=1e-4)
    assert result.ok, str(result)


def test_conv2d_grouped_gradients():
    x, w = R.standard_normal((2, 5, 5, 4)), R.standard_normal((3, 3, 2, 6))
    result = grad_check(lambda x, w: ops.conv2d(x, w, padding="same", groups=2), x, w,
                        eps=1e-4)
    assert result.ok, str(result)


@pytest.mark.parametrize("padding,strides,dilation,groups", list(itertools.product(
    ["valid", "same", "causal"], [1, 2], [1, 2], [1, 2])))
def test_conv1d_gradients(padding, strides, dilation, groups):
    x = R.standard_normal((2, 9, 4))
    w = R.standard_normal((3, 4 // groups, 4))
    b = R.standard_normal(4)
    result = grad_check(
        lambda x, w, b: ops.conv1d(x, w, b, strides, padding, dilation, groups), x, w, b,
        eps=1e-4)
    assert result.ok, str(result)


@pytest.mark.parametrize("padding,strides", list(itertools.product(["valid", "same"], [1, 2])))
def test_conv2d_transpose_gradients(padding, strides):
    x, w, b = R.standard_normal((2, 3, 4, 3)), R.standard_normal((3, 3, 2, 3)), \
        R.standard_normal(2)
    result = grad_check(lambda x, w, b: ops.conv2d_transpose(x, w, b, strides, padding),
                        x, w, b, eps=1e-4)
    assert result.ok, str(result)


def test_depthwise_gradients():
    x, w = R.standard_normal((2, 5, 5, 3)), R.standard_normal((3, 3, 3, 2))
    result = grad_check(lambda x, w: ops.depthwise_conv2d(x, w, padding="same"), x, w,
                        eps=1e-4)
    assert result.ok, str(result)


@pytest.mark.parametrize("channels", [1, 3, 4, 8])
@pytest.mark.parametrize("ones_column", [False, True])
@pytest.mark.parametrize("shape, kernel, strides, dilation", [
    ((2, 7, 6), (3, 2), (1, 2), (1, 1)),
    ((2, 9, 9), (3, 3), (2, 1), (2, 1)),
    ((3, 11), (4,), (1,), (2,)),
])
def test_im2col_layouts_hold_every_patch(channels, ones_column, shape, kernel, strides,
                                         dilation):
    """Few channels: the transposed gather; more: the row copy. Both give the same matrix:
    row r = the patch of output position r, flattened (kernel offset, channel), then 1."""
    from saessak.ops.im2col import im2col

    x = R.standard_normal(shape + (channels,)).astype(np.float32)
    out = tuple(conv_output_length(n, k, s, "valid", d)
                for n, k, s, d in zip(shape[1:], kernel, strides, dilation))
    cols = im2col(x, out, kernel, strides, dilation, ones_column=ones_column)
    expected = []
    for n in range(shape[0]):
        for pos in itertools.product(*(range(o) for o in out)):
            patch = [x[(n,) + tuple(p * s + k * d for p, s, k, d in
                                    zip(pos, strides, offset, dilation))]
                     for offset in itertools.product(*(range(k) for k in kernel))]
            row = np.concatenate(patch)
            expected.append(np.append(row, 1.0) if ones_column else row)
    np.testing.assert_array_equal(cols, np.array(expected, np.float32))


@pytest.mark.parametrize("padding, dilation, bias", [
    ("valid", 1, True), ("same", 1, False), ("causal", 2, True), ("same", 3, True),
])
def test_shifted_products_convolution(padding, dilation, bias):
    """SequenceConv (1-d, stride 1, as k shifted products) against the loop reference,
    and its gradients against finite differences; several sequences lie end to end, so
    the straddling rows it drops are exercised."""
    from saessak.ops.convolution import SequenceConv

    x = Tensor(R.standard_normal((3, 11, 4)), requires_grad=True)
    w = Tensor(R.standard_normal((3, 4, 5)), requires_grad=True)
    params = [x, w] + ([Tensor(R.standard_normal(5), requires_grad=True)] if bias else [])
    y = SequenceConv(padding, dilation)(*params)
    b = params[2].numpy() if bias else None
    np.testing.assert_allclose(y.numpy(), reference_conv(x.numpy(), w.numpy(), b, 1, padding,
                                                         dilation), rtol=1e-12, atol=1e-12)
    result = grad_check(lambda: (SequenceConv(padding, dilation)(*params) ** 2).sum(),
                        wrt=params)
    assert result.ok, str(result)


def test_conv_picks_shifted_products_for_wide_sequence_patches():
    """IMDB's Conv1D(64, 5) on 100 channels goes through SequenceConv; a stride, a narrow
    patch or a short sequence stays with im2col. Both give the same numbers."""
    from saessak.ops import conv as conv_fn
    from saessak.ops.convolution import Conv, SequenceConv

    x = Tensor(R.standard_normal((2, 60, 100)).astype(np.float32), requires_grad=True)
    w = Tensor((R.standard_normal((5, 100, 8)) * 0.1).astype(np.float32), requires_grad=True)
    y = conv_fn(x, w, padding="same")
    assert isinstance(y._node, SequenceConv)
    assert isinstance(conv_fn(x, w, strides=2)._node, Conv)
    assert isinstance(conv_fn(x, w[:3])._node, Conv)  # 3 x 100 < 320 values per patch
    assert isinstance(conv_fn(x[:, :20], w)._node, Conv)  # 4 of 20 rows would straddle
    reference = Conv((1,), "same", (1,))(x.numpy(), w.numpy())
    np.testing.assert_allclose(y.numpy(), reference.numpy(), rtol=1e-5, atol=1e-5)
