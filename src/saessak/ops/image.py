"""Image geometry: resizing by interpolation matrices, and affine warps (rotate, shift,
shear, zoom, flip) with nearest or bilinear sampling. Pure NumPy, batched, channels last.

An affine warp fills every output pixel ``p = (row, col)`` from the input at ``M p + t``
(the matrix maps output coordinates to input coordinates, as ``scipy.ndimage`` does).
Points that fall between pixels are interpolated; points outside the image are filled by
``fill_mode``:

    constant  k k k k | a b c d | k k k k      (k = the fill value)
    nearest   a a a a | a b c d | d d d d
    reflect   d c b a | a b c d | d c b a
    mirror    d c b | a b c d | c b a          (the edge pixel is not repeated)
    wrap      a b c d | a b c d | a b c d

``warp`` is differentiable in the image (it is linear in it), so augmentation layers can
sit anywhere in a model.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Function
from .data_format import check_data_format, from_channels_last, to_channels_last
from .gradients import adjoint_op
from .keras_names import convert_to_tensor
from .linalg import matmul
from .manipulation import reshape, transpose

FILL_MODES = ("constant", "nearest", "reflect", "mirror", "wrap")
LAYER_FILL_MODES = ("constant", "nearest", "reflect", "wrap")  # Keras's layers take these
INTERPOLATIONS = ("nearest", "bilinear")


# --- resizing --------------------------------------------------------------------------------


def interpolation_matrix(n_in, n_out, method="bilinear"):
    """The (n_out, n_in) matrix that resizes a signal along one axis, with half-pixel
    centers as ``tf.image.resize``: output j samples input position (j + 0.5) n_in/n_out
    - 0.5, from its two neighbours ('bilinear') or the one whose cell holds it
    ('nearest')."""
    scale = n_in / n_out
    rows = np.arange(n_out)
    a = np.zeros((n_out, n_in))
    if method == "nearest":
        a[rows, np.minimum(np.floor((rows + 0.5) * scale), n_in - 1).astype(int)] = 1.0
        return a
    centers = np.clip((rows + 0.5) * scale - 0.5, 0, n_in - 1)
    low = np.floor(centers).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    frac = centers - low
    np.add.at(a, (rows, low), 1 - frac)
    np.add.at(a, (rows, high), frac)
    return a


def resize_axis(x, axis, n_out, method="bilinear"):
    """Resize the Tensor ``x`` along ``axis`` to ``n_out`` points: one matrix product, so
    the gradient is the matrix transposed."""
    a = interpolation_matrix(x.shape[axis], n_out, method).astype(x.dtype)
    order = [i for i in range(x.ndim) if i != axis] + [axis]
    resized = matmul(transpose(x, order), a.T)  # the axis last, then (.., n_in) @ (n_in, n_out)
    return transpose(resized, tuple(int(i) for i in np.argsort(order)))


def resize(images, size, width=None, method="bilinear", interpolation=None, antialias=False,
           **options):
    """Resize images (batch, h, w, channels), or one image (h, w, channels), to ``size`` =
    (height, width): ``keras.ops.image.resize(images, size, interpolation=...)`` and
    ``tf.image.resize(images, size, method=...)``; ``resize(images, height, width)`` too.
    Differentiable in the images (each axis is one matrix product)."""
    method = interpolation or method
    if method not in INTERPOLATIONS:
        raise ValueError(f"resize: interpolation must be one of {INTERPOLATIONS}, received "
                         f"{method!r}")
    if antialias or any(options.get(k) for k in ("crop_to_aspect_ratio", "pad_to_aspect_ratio",
                                                 "preserve_aspect_ratio")):
        raise ValueError("resize: antialias and the aspect-ratio options are not supported")
    height, width = (size, width) if width is not None else tuple(int(n) for n in size)
    if images.ndim not in (3, 4):
        raise ValueError(f"resize: expected images of shape (batch, height, width, channels) "
                         f"or (height, width, channels), received shape {images.shape}")
    y = images[None] if images.ndim == 3 else images
    if y.shape[1] != height:
        y = resize_axis(y, 1, height, method)
    if y.shape[2] != width:
        y = resize_axis(y, 2, width, method)
    return y[0] if images.ndim == 3 else y


# --- affine warps ------------------------------------------------------------------------------


def affine_matrix(theta=0.0, tx=0.0, ty=0.0, shear=0.0, zx=1.0, zy=1.0, height=None,
                  width=None):
    """The 3x3 matrix (output -> input coordinates, rows then columns) of a rotation by
    ``theta`` degrees, a shift of ``tx`` rows and ``ty`` columns, a shear of ``shear``
    degrees and a zoom of ``zx`` (rows) and ``zy`` (columns), in that order, about the
    image centre when ``height`` and ``width`` are given. A positive shift moves the
    content up/left (the output at p reads the input at p + t), as Keras's
    ``apply_affine_transform`` does."""
    t, s = np.deg2rad(theta), np.deg2rad(shear)
    rotate = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=float)
    slant = np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
    zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]], dtype=float)
    m = rotate @ shift @ slant @ zoom
    if height is not None:
        cr, cc = height / 2 - 0.5, width / 2 - 0.5  # the centre, in pixel coordinates
        to_centre = np.array([[1, 0, cr], [0, 1, cc], [0, 0, 1]])
        from_centre = np.array([[1, 0, -cr], [0, 1, -cc], [0, 0, 1]])
        m = to_centre @ m @ from_centre
    return m


def _fold(index, n, fill_mode):
    """Integer coordinates outside [0, n) brought inside as ``fill_mode`` says; for
    'constant' they are clipped and reported in the returned mask."""
    inside = (index >= 0) & (index < n)
    if fill_mode == "nearest" or fill_mode == "constant":
        folded = np.clip(index, 0, n - 1)
    elif fill_mode == "wrap":
        folded = np.mod(index, n)
    elif fill_mode == "mirror":  # period 2n - 2: the edges are not repeated
        period = max(2 * n - 2, 1)
        folded = np.mod(index, period)
        folded = np.where(folded >= n, period - folded, folded)
    else:  # reflect about the edges: period 2n, the second half mirrored
        folded = np.mod(index, 2 * n)
        folded = np.where(folded >= n, 2 * n - 1 - folded, folded)
    return folded, inside


def sampling_plan(matrices, height, width, interpolation="bilinear", fill_mode="nearest"):
    """For each image's 3x3 matrix, the input pixels and weights every output pixel reads.

    Returns ``(rows, cols, weights)``, each (batch, corners, height * width): the output
    pixel is sum over corners of weight * input[row, col] (+ the fill value times the
    weight that fell outside, for 'constant')."""
    grid = np.stack(np.meshgrid(np.arange(height), np.arange(width), indexing="ij"),
                    0).reshape(2, -1).astype(float)
    src = matrices[:, :2, :2] @ grid + matrices[:, :2, 2:]  # (batch, 2, h*w)
    r, c = src[:, 0], src[:, 1]
    if interpolation == "nearest":
        # the nearest pixel, halves rounded away from zero (as TensorFlow's kernel)
        corners = [(np.sign(r) * np.floor(np.abs(r) + 0.5), np.sign(c) * np.floor(np.abs(c) + 0.5),
                    np.ones_like(r))]
    else:
        r0, c0 = np.floor(r), np.floor(c)
        fr, fc = r - r0, c - c0
        corners = [(r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
                   (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)]
    rows, cols, weights = [], [], []
    for rr, cc, w in corners:
        rr, in_r = _fold(rr.astype(np.int64), height, fill_mode)
        cc, in_c = _fold(cc.astype(np.int64), width, fill_mode)
        if fill_mode == "constant":
            w = w * (in_r & in_c)
        rows.append(rr)
        cols.append(cc)
        weights.append(w)
    return np.stack(rows, 1), np.stack(cols, 1), np.stack(weights, 1)


class Warp(Function):
    """Resample images (batch, h, w, channels) by a sampling plan: a fixed linear map, so
    the backward pass scatters the gradient back with the same weights."""

    def __init__(self, plan, fill_value=0.0):
        self.rows, self.cols, self.weights = plan
        self.fill_value = fill_value

    def forward(self, images):
        n, h, w, c = images.shape
        flat = images.reshape(n, h * w, c)
        index = self.rows * w + self.cols  # (batch, corners, h*w) flat input positions
        batch = np.arange(n)[:, None, None]
        weights = self.weights.astype(images.dtype)
        out = (flat[batch, index] * weights[..., None]).sum(axis=1)  # (batch, h*w, c)
        missing = 1 - weights.sum(axis=1)  # the weight that fell outside ('constant' only)
        if self.fill_value:
            out += self.fill_value * missing[..., None]
        self.shape, self.index, self.w = images.shape, index, weights
        return out.reshape(n, h, w, c)

    def backward(self, g):
        n, h, w, c = self.shape
        contributions = g.reshape(n, 1, h * w, c) * self.w[..., None]
        dx = np.zeros((n, h * w, c), dtype=g.dtype)
        batch = np.broadcast_to(np.arange(n)[:, None, None], self.index.shape)
        np.add.at(dx, (batch, self.index), contributions)
        return dx.reshape(self.shape)

    def backward_ops(self, g):  # linear in the images; the fill adds a constant, not in A
        return adjoint_op(self, fill_value=0.0)(g)


def check_fill(fill_mode, interpolation, owner, modes=FILL_MODES):
    if fill_mode not in modes:
        raise ValueError(f"{owner}: fill_mode must be one of {modes}, received "
                         f"{fill_mode!r}")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{owner}: interpolation must be one of {INTERPOLATIONS}, "
                         f"received {interpolation!r}")


def warp(images, matrices, interpolation="bilinear", fill_mode="nearest", fill_value=0.0):
    """Apply one 3x3 output->input matrix per image to images (batch, h, w, channels);
    a Tensor in, a Tensor out (differentiable in the images)."""
    check_fill(fill_mode, interpolation, "warp")
    n, h, w = images.shape[:3]
    matrices = np.broadcast_to(np.asarray(matrices, dtype=float), (n, 3, 3))
    plan = sampling_plan(matrices, h, w, interpolation, fill_mode)
    return Warp(plan, fill_value if fill_mode == "constant" else 0.0)(images)


def warp_array(images, matrices, interpolation="bilinear", fill_mode="nearest",
               fill_value=0.0):
    """``warp`` on plain NumPy arrays, for data pipelines (no graph recorded)."""
    check_fill(fill_mode, interpolation, "warp")
    n, h, w = images.shape[:3]
    matrices = np.broadcast_to(np.asarray(matrices, dtype=float), (n, 3, 3))
    plan = sampling_plan(matrices, h, w, interpolation, fill_mode)
    return Warp(plan, fill_value if fill_mode == "constant" else 0.0).forward(images)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """``keras.ops.image.affine_transform``: ``transform`` is Keras's 8 numbers
    ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (one row per image, or one for all), which read
    output pixel (x = column, y = row) from input (a0 x + a1 y + a2, b0 x + b1 y + b2).
    Projective transforms (c0, c1 not 0) are not supported."""
    data_format = check_data_format(data_format, "affine_transform")
    x = convert_to_tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError(f"affine_transform: expected an image (rank 3) or a batch of images "
                         f"(rank 4), received shape {tuple(x.shape)}")
    single = x.ndim == 3
    x = to_channels_last(reshape(x, (1,) + tuple(x.shape)) if single else x, data_format)
    t = np.asarray(transform.numpy() if hasattr(transform, "numpy") else transform, float)
    t = t.reshape(-1, 8) if t.ndim == 1 else t
    if t.shape[-1] != 8 or t.shape[0] not in (1, x.shape[0]):
        raise ValueError(f"affine_transform: transform must be 8 numbers per image, received "
                         f"shape {t.shape} for {x.shape[0]} images")
    if np.any(t[:, 6:] != 0):
        raise ValueError("affine_transform: projective transforms (c0, c1 not 0) are not "
                         "supported by saessak")
    a0, a1, a2, b0, b1, b2 = (t[:, i] for i in range(6))
    zeros, ones = np.zeros_like(a0), np.ones_like(a0)
    # saessak's matrices map (row, column): row_in = b1 row + b0 col + b2, col_in likewise
    matrices = np.stack([np.stack([b1, b0, b2], -1), np.stack([a1, a0, a2], -1),
                         np.stack([zeros, zeros, ones], -1)], 1)
    y = from_channels_last(warp(x, matrices, interpolation, fill_mode, fill_value),
                           data_format)
    return reshape(y, tuple(y.shape[1:])) if single else y


# the rest of Keras's ``keras.ops.image`` namespace
from .image_colors import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv  # noqa: E402, F401
from .image_filters import gaussian_blur, sobel_edges  # noqa: E402, F401
from .image_windows import crop_images, extract_patches, pad_images  # noqa: E402, F401
