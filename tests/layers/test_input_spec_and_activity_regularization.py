"""InputSpec (custom layers declare what they accept; calls are checked) and the
ActivityRegularization layer."""

import numpy as np
import pytest

import saessak as keras
from saessak import layers


class Pairwise(layers.Layer):
    """A custom layer in the style of Keras's guides: it declares its input."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = layers.InputSpec(ndim=3, axes={-1: 4})

    def call(self, inputs):
        return inputs * 2


def test_a_declared_input_spec_is_checked_eagerly_and_symbolically():
    layer = Pairwise(name="pairwise")
    assert layer(np.ones((2, 3, 4), "float32")).shape == (2, 3, 4)
    with pytest.raises(ValueError, match=r"Input 0 of layer 'pairwise' is incompatible with "
                                         r"the layer: expected ndim=3, found ndim=2\. Full "
                                         r"shape received: \(2, 4\)"):
        layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of size 4, found size 5"):
        Pairwise()(keras.Input((3, 5)))
    assert Pairwise()(keras.Input((None, 4))).shape == (None, None, 4)  # unknown sizes pass


def test_input_spec_rules():
    from saessak.layers.input_spec import assert_input_compatibility as check
    x = np.zeros((2, 3, 1), "float32")
    check(layers.InputSpec(min_ndim=2, max_ndim=3), x, "l")
    check(layers.InputSpec(ndim=2, allow_last_axis_squeeze=True), x, "l")
    check(layers.InputSpec(shape=(None, 3, 1), dtype="float32"), x, "l")
    for spec, message in ((layers.InputSpec(min_ndim=4), "min_ndim=4"),
                          (layers.InputSpec(max_ndim=2), "max_ndim=2"),
                          (layers.InputSpec(dtype="int32"), "dtype=int32"),
                          (layers.InputSpec(shape=(None, 4, 1)), r"shape=\(None, 4, 1\)")):
        with pytest.raises(ValueError, match=message):
            check(spec, x, "l")
    with pytest.raises(ValueError, match="expects 2 input"):
        check([layers.InputSpec(), layers.InputSpec()], x, "l")
    assert repr(layers.InputSpec(ndim=3)) == "InputSpec(ndim=3)"


def test_activity_regularization_adds_its_penalty_per_sample():
    x = np.array([[1.0, -2.0], [3.0, 0.0]], "float32")
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    penalty = (0.1 * np.abs(x).sum() + 0.01 * (x ** 2).sum()) / 2  # batch of 2
    np.testing.assert_allclose(float(layer.losses[0].numpy()), penalty, rtol=1e-6)
    model = keras.Sequential([keras.Input((2,)), layers.ActivityRegularization(l2=1.0)])
    model.compile("sgd", "mse")
    loss = model.evaluate(x, x, verbose=0)  # mse 0, plus the penalty
    np.testing.assert_allclose(loss, (x ** 2).sum() / 2, rtol=1e-5)
    assert layers.ActivityRegularization.from_config(layer.get_config()).l1 == 0.1
    with pytest.raises(ValueError, match="l1 must be a number >= 0"):
        layers.ActivityRegularization(l1=-1)
