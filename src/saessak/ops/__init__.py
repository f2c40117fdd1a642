"""Differentiable functions on Tensors. Each is a small Function with forward and backward.

This package is also Keras 3's ``keras.ops`` (``saessak.keras.ops``): its functions answer
to Keras's names (``ops.shape``, ``ops.arange``, ``ops.convert_to_numpy`` ...), and no
module in it is named like one of them."""

from ..autograd.tensor import Tensor
from .activations import (
    elu,
    exponential,
    gelu,
    hard_sigmoid,
    leaky_relu,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    step,
    swish,
    tanh,
)
from .arithmetic import add, divide, multiply, negative, power, subtract
from .arrays import (
    append,
    array_split,
    copy,
    cumprod,
    cumsum,
    diag,
    diagflat,
    diagonal,
    diff,
    dsplit,
    dstack,
    fliplr,
    flipud,
    get_item,
    hsplit,
    hstack,
    roll,
    rot90,
    slice,
    slice_update,
    trace,
    trapezoid,
    unstack,
    vsplit,
    vstack,
)
from .attention import (
    attention_dropout,
    basic_self_attention,
    causal_mask,
    masked_softmax,
    scaled_dot_product_attention,
)
from .batch_normalization import batch_norm_train, batch_normalization
from .control_flow import (
    associative_scan,
    cdist,
    custom_gradient,
    isin,
    map,
    scan,
    switch,
    vectorize,
)
from .convolution import conv1d, conv2d, depthwise_conv2d
from .creation import (
    array,
    empty,
    empty_like,
    geomspace,
    logspace,
    meshgrid,
    saturate_cast,
    tri,
    vander,
)
from .ctc import ctc_decode, ctc_loss
from .decompositions import (
    cholesky,
    cholesky_inverse,
    det,
    eig,
    eigh,
    inv,
    logdet,
    lstsq,
    lu_factor,
    matrix_rank,
    pinv,
    qr,
    slogdet,
    solve,
    solve_triangular,
    svd,
)
from .elementwise import (
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    cbrt,
    cosh,
    deg2rad,
    erfc,
    erfinv,
    exp2,
    expm1,
    fabs,
    i0,
    log2,
    log10,
    nan_to_num,
    rad2deg,
    sinc,
    sinh,
    tan,
    trunc,
)
from .elementwise_more import (
    allclose,
    angle,
    arctan2,
    bitwise_and,
    bitwise_invert,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    conj,
    conjugate,
    divide_no_nan,
    floor_divide,
    fmax,
    fmin,
    fmod,
    gcd,
    heaviside,
    hypot,
    imag,
    isclose,
    isneginf,
    isposinf,
    isreal,
    lcm,
    ldexp,
    left_shift,
    logaddexp,
    logaddexp2,
    mod,
    nextafter,
    real,
    right_shift,
    signbit,
    true_divide,
)
from .embedding import embedding_lookup
from .gru import gru
from .image import affine_matrix, resize, warp
from .keras_conv import (
    average_pool,
    conv,
    conv_transpose,
    depthwise_conv,
    max_pool,
    separable_conv,
)
from .keras_names import (
    absolute,
    all,
    any,
    arange,
    argsort,
    average,
    binary_crossentropy,
    categorical_crossentropy,
    ceil,
    cond,
    convert_to_numpy,
    convert_to_tensor,
    count_nonzero,
    dtype,
    equal,
    eye,
    flip,
    floor,
    fori_loop,
    full,
    full_like,
    greater,
    greater_equal,
    identity,
    is_tensor,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    linspace,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    moments,
    moveaxis,
    multi_hot,
    ndim,
    normalize,
    not_equal,
    ones,
    ones_like,
    ravel,
    reciprocal,
    round,
    rsqrt,
    shape,
    size,
    sort,
    sparse_categorical_crossentropy,
    stop_gradient,
    take,
    take_along_axis,
    top_k,
    tril,
    triu,
    vectorized_map,
    while_loop,
    zeros,
    zeros_like,
)
from .keras_nn import (
    celu,
    depth_to_space,
    dot_product_attention,
    glu,
    hard_shrink,
    hard_silu,
    hard_swish,
    hard_tanh,
    log_sigmoid,
    psnr,
    rms_normalization,
    soft_shrink,
    space_to_depth,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    tanh_shrink,
    threshold,
)
from .layer_normalization import layer_norm, rms_norm
from .linalg import dot, einsum, linear, matmul
from .lstm import lstm
from .manipulation import (
    broadcast_to,
    concat,
    concatenate,
    expand_dims,
    flatten,
    gather,
    getitem,
    one_hot,
    pad,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    swapaxes,
    tile,
    transpose,
    where,
)
from .math import (
    abs,
    cast,
    clip,
    cos,
    erf,
    exp,
    log,
    log1p,
    maximum,
    minimum,
    sign,
    sin,
    sqrt,
    square,
)
from .pooling import avg_pool, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .products import (
    correlate,
    cross,
    inner,
    kron,
    outer,
    tensordot,
    vdot,
)
from .rearrange import rearrange
from .reduction import argmax, argmin, logsumexp, max, mean, min, norm, std, sum, var
from .searching import (
    argpartition,
    bincount,
    digitize,
    in_top_k,
    nonzero,
    searchsorted,
    select,
    unique,
    unravel_index,
)
from .segments import (
    scatter,
    scatter_update,
    segment_max,
    segment_min,
    segment_prod,
    segment_sum,
)
from .simple_rnn import simple_rnn
from .spectral import fft, fft2, ifft2, irfft, istft, rfft, stft
from .statistics import (
    amax,
    amin,
    corrcoef,
    histogram,
    median,
    nanargmax,
    nanargmin,
    nancumprod,
    nancumsum,
    nanmax,
    nanmean,
    nanmedian,
    nanmin,
    nanpercentile,
    nanprod,
    nanquantile,
    nanstd,
    nansum,
    nanvar,
    percentile,
    prod,
    ptp,
    quantile,
)
from .transposed_convolution import conv1d_transpose, conv2d_transpose
from .windows import (
    adaptive_average_pool,
    adaptive_max_pool,
    bartlett,
    blackman,
    extract_sequences,
    fold,
    hamming,
    hanning,
    kaiser,
    unfold,
)


def _swapped(fn):
    """The reflected operator: ``2 - x`` calls ``x.__rsub__(2)``, which is ``subtract(2, x)``."""
    return lambda self, other: fn(other, self)


def _reshape_method(self, *dims):
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))``, as NumPy takes both."""
    return reshape(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)


def _reduction_method(reduce):
    """A reduction as a Tensor method, also as NumPy calls it: ``np.max(t)`` calls
    ``t.max(axis=None, out=None)``, ``np.sum(t)`` adds ``dtype=``."""

    def method(self, axis=None, keepdims=False, **numpy_args):
        if numpy_args.get("out") is not None:
            raise TypeError(f"{reduce.__name__}: a Tensor cannot reduce into out=; use the "
                            f"result it returns")
        into = numpy_args.get("dtype")
        return reduce(self if into is None else cast(self, into), axis, keepdims)

    method.__name__, method.__doc__ = reduce.__name__, reduce.__doc__
    return method


def _install_tensor_methods(cls):
    """Give ``cls`` (``Tensor``) Python's operators and a handful of NumPy's methods.

    They are installed here, once, rather than defined in ``autograd``: the engine stays free
    of any particular op (autograd never imports ops). Equality is left alone: ``==`` on
    Tensors stays identity, so they can sit in sets and dicts (``ops.equal`` compares values).
    """
    table = {
        # arithmetic, both ways round
        "__add__": add, "__radd__": _swapped(add),
        "__sub__": subtract, "__rsub__": _swapped(subtract),
        "__mul__": multiply, "__rmul__": _swapped(multiply),
        "__truediv__": divide, "__rtruediv__": _swapped(divide),
        "__pow__": power, "__rpow__": _swapped(power),
        "__matmul__": matmul, "__rmatmul__": _swapped(matmul),
        "__neg__": negative, "__pos__": lambda self: self, "__abs__": abs,
        # comparisons by operator, as Keras tensors have them
        "__lt__": less, "__le__": less_equal, "__gt__": greater, "__ge__": greater_equal,
        # indexing and shape
        "__getitem__": getitem,
        "reshape": _reshape_method,
        "transpose": lambda self, *axes: transpose(self, axes or None),
        "T": property(transpose),
        "flatten": lambda self: reshape(self, (-1,)),
        # element-wise math, dtype and reductions
        "astype": cast, "exp": exp, "log": log, "sqrt": sqrt,
        "sum": _reduction_method(sum), "mean": _reduction_method(mean),
        "max": _reduction_method(max), "min": _reduction_method(min),
    }
    for name, method in table.items():
        setattr(cls, name, method)


_install_tensor_methods(Tensor)


# keras.ops on functional-model placeholders: each public op records itself as a layer when
# a KerasTensor comes in (see .symbolic). Tensor's operators above keep the plain functions,
# and so do the fused ops the layers call every step, and the functions about placeholders
# themselves (shape, dtype ...) or taking Python callables.
from .symbolic import record_placeholders_in  # noqa: E402

record_placeholders_in(globals(), "saessak.ops", leave_out={
    "lstm", "gru", "simple_rnn", "linear", "layer_norm", "rms_norm", "batch_norm_train",
    "batch_normalization", "embedding_lookup", "affine_matrix", "warp", "shape", "dtype",
    "ndim", "size", "is_tensor", "convert_to_numpy", "convert_to_tensor", "cond",
    "while_loop", "fori_loop", "vectorized_map", "stop_gradient", "getitem", "get_item",
    "custom_gradient"}, public="ops")
from . import image  # noqa: E402 - keras.ops.image, a module of its own

record_placeholders_in(image, "saessak.ops", leave_out={
    "interpolation_matrix", "resize_axis", "affine_matrix", "sampling_plan", "warp",
    "warp_array", "check_fill"}, public="ops.image")

# Keras's sub-namespaces ops.nn and ops.numpy, over the (wrapped) functions above
from . import linalg  # noqa: E402 - keras.ops.linalg, a module of its own
from .namespaces import LINALG, NN, NUMPY, complete, keras_namespace  # noqa: E402

nn = keras_namespace("saessak.ops.nn", NN, globals())
numpy = keras_namespace("saessak.ops.numpy", NUMPY, globals())
complete(linalg, LINALG, globals())
