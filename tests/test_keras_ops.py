"""saessak.ops as Keras 3's keras.ops: the names answer as functions, follow Keras's
defaults, take lists and arrays, and stay differentiable where Keras's are."""

import importlib

import numpy as np
import pytest

import saessak as keras
from saessak import backend, ops

KERAS_OPS_NAMES = [
    "abs", "absolute", "add", "all", "any", "arange", "argmax", "argmin", "argsort",
    "average", "binary_crossentropy", "broadcast_to", "cast", "categorical_crossentropy",
    "ceil", "clip", "concatenate", "cond", "conv", "conv_transpose", "convert_to_numpy",
    "convert_to_tensor", "cos", "count_nonzero", "cumsum", "depthwise_conv", "divide",
    "dot", "dtype", "elu", "equal", "erf", "exp", "expand_dims", "eye", "flip", "floor",
    "fori_loop", "full", "full_like", "gelu", "greater", "greater_equal", "identity",
    "is_tensor", "isfinite", "isinf", "isnan", "leaky_relu", "less", "less_equal",
    "linspace", "log", "log1p", "log_softmax", "logical_and", "logical_not", "logical_or",
    "logsumexp", "matmul", "max", "max_pool", "maximum", "mean", "min", "minimum", "moments",
    "moveaxis", "multi_hot", "multiply", "ndim", "negative", "normalize", "not_equal",
    "one_hot", "ones", "ones_like", "pad", "power", "prod", "ravel", "reciprocal", "relu",
    "relu6", "repeat", "reshape", "round", "rsqrt", "selu", "shape", "sigmoid", "sign",
    "silu", "sin", "size", "softmax", "softplus", "softsign", "sort",
    "sparse_categorical_crossentropy", "split", "sqrt", "square", "squeeze", "stack", "std",
    "stop_gradient", "subtract", "sum",
    "swapaxes", "take", "take_along_axis", "tanh", "tile", "top_k", "transpose", "tril",
    "triu", "var", "vectorized_map", "where", "while_loop", "zeros", "zeros_like",
]


@pytest.mark.parametrize("name", KERAS_OPS_NAMES)
def test_every_keras_name_is_a_function(name):
    assert callable(getattr(ops, name)), name
    assert getattr(keras.keras.ops, name) is getattr(ops, name)


def test_no_ops_module_shadows_a_keras_ops_function():
    package = importlib.import_module("saessak.ops")
    import pkgutil
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    # Keras's own submodules (ops.image, ops.linalg, ops.nn, ops.numpy) may share a name
    assert not (modules & set(KERAS_OPS_NAMES)), modules & set(KERAS_OPS_NAMES)
    assert ops.shape(np.zeros((2, 3))) == (2, 3)  # was: 'module' object is not callable


def test_conversion_and_creation():
    t = ops.convert_to_tensor([1.0, 2.0])
    assert isinstance(t, keras.Tensor) and t.dtype == np.float32
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.convert_to_tensor(t) is t
    assert isinstance(ops.convert_to_numpy(t), np.ndarray)
    assert ops.shape([[1, 2, 3]]) == (1, 3) and ops.ndim(t) == 1 and ops.size(t) == 2
    assert ops.dtype(t) == "float32" and ops.is_tensor(t) and not ops.is_tensor([1])
    assert ops.arange(4).numpy().tolist() == [0, 1, 2, 3] and ops.arange(4).dtype == np.int32
    assert ops.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert ops.arange(1, 7, 2, dtype="float64").numpy().tolist() == [1.0, 3.0, 5.0]
    assert ops.cast([1.7, -1.2], "int32").numpy().tolist() == [1, -1]
    assert ops.zeros((2,)).dtype == np.float32 and ops.full((2,), 7.0).numpy().tolist() == [7, 7]
    assert ops.eye(2).numpy().tolist() == [[1, 0], [0, 1]]
    assert ops.tril(np.ones((2, 2))).numpy().tolist() == [[1, 0], [1, 1]]
    assert ops.linspace(0, 1, 3).numpy().tolist() == [0.0, 0.5, 1.0]


def test_keras_defaults():
    x = np.array([[1, 9], [7, 0]])
    assert ops.argmax(x).numpy() == 1  # axis=None flattens, as keras.ops.argmax
    assert ops.argmax(x, axis=-1).numpy().tolist() == [1, 0]
    assert ops.argmin(x, axis=0, keepdims=True).shape == (1, 2)
    parts = ops.split(keras.tensor(np.arange(6.0).reshape(2, 3)), 2)  # axis=0
    assert [p.shape for p in parts] == [(1, 3), (1, 3)]
    joined = ops.concatenate([np.ones((1, 2)), np.zeros((1, 2))])  # axis=0
    assert joined.shape == (2, 2)
    assert ops.one_hot([0, 2], num_classes=3).numpy().tolist() == [[1, 0, 0], [0, 0, 1]]
    assert ops.one_hot([1], 2, axis=0).shape == (2, 1)


def test_comparisons_sorting_and_logic():
    x = keras.tensor([3.0, -1.0, 2.0])
    assert (x > 0).numpy().tolist() == [True, False, True]
    assert (x <= 2.0).numpy().tolist() == [False, True, True]
    assert ops.logical_and(x > 0, x < 3).numpy().tolist() == [False, False, True]
    assert ops.sort(x).numpy().tolist() == [-1.0, 2.0, 3.0]
    assert ops.argsort(x).numpy().tolist() == [1, 2, 0]
    values, idx = ops.top_k(x, 2)
    assert values.numpy().tolist() == [3.0, 2.0] and idx.numpy().tolist() == [0, 2]
    assert ops.all([True, True]).numpy() and not ops.any([False]).numpy()
    assert ops.isnan([np.nan, 1.0]).numpy().tolist() == [True, False]
    assert ops.cumsum([1, 2, 3]).numpy().tolist() == [1, 3, 6]
    assert ops.prod([2, 3]).numpy() == 6
    assert ops.multi_hot([[0, 2]], 3).numpy().tolist() == [[1, 0, 1]]
    assert ops.flip([1, 2, 3]).numpy().tolist() == [3, 2, 1]
    assert ops.take([[5, 6], [7, 8]], [3, 0]).numpy().tolist() == [8, 5]
    assert ops.take_along_axis([[5, 6], [7, 8]], np.array([[1], [0]]), axis=1) \
        .numpy().tolist() == [[6], [7]]
    assert ops.cond(x[0] > 0, lambda: "yes", lambda: "no") == "yes"
    assert ops.fori_loop(0, 4, lambda i, v: v + i, 0) == 6
    assert ops.while_loop(lambda i: i < 10, lambda i: i * 2, 1) == 16


def test_crossentropies_against_their_definitions():
    with backend.floatx_scope("float64"):
        rng = np.random.default_rng(0)
        logits = rng.normal(size=(4, 3))
        p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        labels = np.array([0, 1, 2, 1])
        want = -np.log(p[np.arange(4), labels])
        np.testing.assert_allclose(
            ops.sparse_categorical_crossentropy(labels, logits, from_logits=True).numpy(), want)
        np.testing.assert_allclose(
            ops.categorical_crossentropy(np.eye(3)[labels], p).numpy(), want)
        s = 1 / (1 + np.exp(-logits))
        z = (logits > 0).astype(float)
        bce = -(z * np.log(s) + (1 - z) * np.log(1 - s))
        np.testing.assert_allclose(ops.binary_crossentropy(z, logits, from_logits=True).numpy(),
                                   bce)
        np.testing.assert_allclose(ops.binary_crossentropy(z, s).numpy(), bce, rtol=1e-6)


def test_keras_ops_are_differentiable():
    with backend.floatx_scope("float64"):
        rng = np.random.default_rng(1)
        x = keras.tensor(rng.normal(size=(3, 4)), requires_grad=True)

        def f(x):
            mean, variance = ops.moments(x, axes=[0])
            out = ops.sum(ops.normalize(x) * ops.flip(x, axis=1)) + ops.sum(mean * variance)
            out = out + ops.sum(ops.take_along_axis(x, np.array([[1], [0], [3]]), axis=1))
            target = np.full((3, 4), 0.25)
            out = out + ops.sum(ops.categorical_crossentropy(target, x, from_logits=True))
            out = out + ops.sum(ops.binary_crossentropy(target, x, from_logits=True))
            out = out + ops.sum(ops.tril(ops.matmul(ops.moveaxis(x, 0, 1), x)))
            out = out + ops.sum(ops.average(x, axis=1, weights=[1, 2, 3, 4]))
            return out + ops.sum(ops.rsqrt(ops.square(x) + 1.0))

        assert keras.grad_check(f, x).ok


def test_a_custom_layer_written_with_keras_ops():
    class RMSNorm(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(name="scale", shape=(input_shape[-1],),
                                         initializer="ones")

        def call(self, x):
            rms = ops.sqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + 1e-6)
            return x / rms * self.scale

    layer = RMSNorm()
    out = layer(np.array([[3.0, 4.0]], "float32")).numpy()
    np.testing.assert_allclose(out, [[3, 4] / np.sqrt(12.5)], rtol=1e-5)


def test_ops_take_python_numbers_and_tensor_reps_as_keras_does():
    # the English-Spanish transformer's causal mask: ops on ops.shape's ints
    batch = ops.shape(np.zeros((3, 4)))[0]
    assert ops.expand_dims(batch, -1).numpy().tolist() == [3]
    mult = ops.concatenate([ops.expand_dims(batch, -1), ops.convert_to_tensor([1, 1])], axis=0)
    tiled = ops.tile(np.ones((1, 2, 2), "int32"), mult)
    assert tiled.shape == (3, 2, 2)


def test_keras_sub_namespaces_hold_the_same_functions():
    assert ops.nn.relu is ops.relu and ops.nn.conv is ops.conv
    assert ops.numpy.tan is ops.tan and ops.numpy.arange is ops.arange
    np.testing.assert_allclose(ops.nn.log_softmax(np.array([0.0, 0.0])).numpy(),
                               np.log([0.5, 0.5]), rtol=1e-6)
    assert not hasattr(ops.nn, "tan")  # Keras's lists: tan is in ops.numpy, not ops.nn


def test_cast_takes_numbers_and_lists():
    """keras.io's Switch Transformer: ops.cast(num_experts ** 2, "float32")."""
    assert ops.cast(16, "float32").dtype == np.float32
    np.testing.assert_array_equal(ops.cast([1.5, 2.7], "int32").numpy(), [1, 2])
