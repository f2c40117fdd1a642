"""Differentiable functions on Tensors. Each is a small Function with forward and backward."""

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
from .attention import (
    attention_dropout,
    basic_self_attention,
    causal_mask,
    masked_softmax,
    scaled_dot_product_attention,
)
from .convolution import (
    conv,
    conv1d,
    conv1d_transpose,
    conv2d,
    conv2d_transpose,
    conv_transpose,
    depthwise_conv,
    depthwise_conv2d,
)
from .embedding import embedding_lookup
from .gru import gru
from .image import affine_matrix, resize, warp
from .linalg import dot, linear, matmul
from .lstm import lstm
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
from .normalization import batch_norm_train, batch_normalization
from .normalization_layer import layer_norm, rms_norm
from .pooling import avg_pool, avg_pool1d, avg_pool2d, max_pool, max_pool1d, max_pool2d
from .reduction import argmax, argmin, logsumexp, max, mean, min, norm, std, sum, var
from .rnn_simple import simple_rnn
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
