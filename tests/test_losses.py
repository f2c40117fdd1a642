"""Losses: values worked out by hand, gradients against finite differences, reductions."""

import numpy as np
import pytest

import saessak
from saessak import losses, ops

EPS = 1e-7
rng = np.random.default_rng(0)


def value(t):
    return np.asarray(t.data, dtype=np.float64)


def check(fn, *inputs):
    result = saessak.grad_check(fn, *inputs)
    assert result.ok, result


def uniform(low, high, shape):
    return rng.uniform(low, high, shape)


# --- values worked out by hand ---------------------------------------------------------------


def test_regression_losses_by_hand():
    t = np.array([[1.0, 2.0], [3.0, -4.0]])
    p = np.array([[1.5, 1.0], [3.0, -2.0]])
    np.testing.assert_allclose(value(losses.mse(t, p)), [(0.25 + 1) / 2, (0 + 4) / 2])
    np.testing.assert_allclose(value(losses.mae(t, p)), [(0.5 + 1) / 2, (0 + 2) / 2])
    np.testing.assert_allclose(value(losses.mape(t, p)),
                               [100 * (0.5 / 1 + 1 / 2) / 2, 100 * (0 + 2 / 4) / 2])
    pos = np.abs(p)
    msle = (np.log1p(pos) - np.log1p(np.maximum(t, EPS))) ** 2
    np.testing.assert_allclose(value(losses.msle(t, pos)), msle.mean(-1))
    # Huber with delta 1: |e| = 0.5 -> 0.125; |e| = 1 -> 0.5; 0 -> 0; |e| = 2 -> 2 - 0.5
    np.testing.assert_allclose(value(losses.huber(t, p)), [(0.125 + 0.5) / 2, (0 + 1.5) / 2])
    np.testing.assert_allclose(value(losses.huber(t, p, delta=0.25)),
                               [(0.25 * 0.5 - 0.03125 + 0.25 * 1 - 0.03125) / 2,
                                (0 + 0.25 * 2 - 0.03125) / 2])
    np.testing.assert_allclose(value(losses.log_cosh(t, p)), np.log(np.cosh(p - t)).mean(-1))
    np.testing.assert_allclose(value(losses.poisson(t, pos)),
                               (pos - t * np.log(pos + EPS)).mean(-1))


def test_log_cosh_does_not_overflow():
    got = value(losses.log_cosh(np.zeros((1, 1)), np.array([[1000.0]])))
    np.testing.assert_allclose(got, [1000.0 - np.log(2.0)])


def test_probability_losses_by_hand():
    t = np.array([[0.2, 0.8], [0.5, 0.5]])
    p = np.array([[0.4, 0.6], [0.9, 0.1]])
    np.testing.assert_allclose(value(losses.kld(t, p)), (t * np.log(t / p)).sum(-1))
    cos = -(t * p).sum(-1) / (np.linalg.norm(t, axis=-1) * np.linalg.norm(p, axis=-1))
    np.testing.assert_allclose(value(losses.cosine_similarity(t, p)), cos)


def test_hinge_losses_convert_01_labels():
    t01 = np.array([[0.0, 1.0, 1.0]])
    p = np.array([[0.3, 0.4, 2.0]])
    # labels become -1, 1, 1: margins 1 + 0.3, 1 - 0.4, 1 - 2 -> 1.3, 0.6, 0
    np.testing.assert_allclose(value(losses.hinge(t01, p)), [(1.3 + 0.6) / 3])
    np.testing.assert_allclose(value(losses.squared_hinge(t01, p)), [(1.69 + 0.36) / 3])
    np.testing.assert_allclose(value(losses.hinge(2 * t01 - 1, p)), [(1.3 + 0.6) / 3])
    onehot = np.array([[0.0, 1.0, 0.0]])
    # right class 0.4, best wrong class 2.0: max(0, 2.0 - 0.4 + 1) = 2.6
    np.testing.assert_allclose(value(losses.categorical_hinge(onehot, p)), [2.6])


def test_binary_crossentropy_by_hand():
    t = np.array([[1.0, 0.0, 1.0]])
    p = np.array([[0.9, 0.2, 0.0]])  # the 0 is clipped to 1e-7
    expected = -(np.log(0.9) + np.log(0.8) + np.log(EPS)) / 3
    np.testing.assert_allclose(value(losses.binary_crossentropy(t, p)), [expected], rtol=1e-6)
    z = np.array([[2.0, -1.0, 30.0]])
    log_sig = -np.log1p(np.exp(-z))  # log sigmoid(z); log(1 - sigmoid(z)) = log_sig - z
    expected = -(t * log_sig + (1 - t) * (log_sig - z)).mean(-1)
    got = value(losses.binary_crossentropy(t, z, from_logits=True))
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    # label smoothing 0.2 moves targets to 0.9 / 0.1
    ts = t * 0.8 + 0.1
    expected = -(ts * log_sig + (1 - ts) * (log_sig - z)).mean(-1)
    got = value(losses.binary_crossentropy(t, z, from_logits=True, label_smoothing=0.2))
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_categorical_crossentropy_by_hand():
    t = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    p = np.array([[0.2, 0.7, 0.1], [1.0, 2.0, 1.0]])  # second row is not normalised
    np.testing.assert_allclose(value(losses.categorical_crossentropy(t, p)),
                               [-np.log(0.7), -np.log(0.25)], rtol=1e-10)
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    log_softmax = z - np.log(np.exp(z).sum(-1, keepdims=True))
    np.testing.assert_allclose(value(losses.categorical_crossentropy(t, z, from_logits=True)),
                               -(t * log_softmax).sum(-1), rtol=1e-10)
    ts = t * 0.7 + 0.1  # smoothing 0.3 over 3 classes
    got = losses.categorical_crossentropy(t, z, from_logits=True, label_smoothing=0.3)
    np.testing.assert_allclose(value(got), -(ts * log_softmax).sum(-1), rtol=1e-10)


def test_sparse_categorical_crossentropy_by_hand():
    p = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]])
    expected = [-np.log(0.7), -np.log(0.5)]
    for labels in (np.array([1, 0]), np.array([[1], [0]]), np.array([1.0, 0.0])):
        got = losses.sparse_categorical_crossentropy(labels, p)
        np.testing.assert_allclose(value(got), expected, rtol=1e-10)
    z = np.log(p) + 3.0  # logits of the same distribution
    got = losses.sparse_categorical_crossentropy(np.array([1, 0]), z, from_logits=True)
    np.testing.assert_allclose(value(got), expected, rtol=1e-10)


def test_sparse_crossentropy_of_sequences():
    z = rng.standard_normal((2, 3, 4))
    labels = np.array([[0, 3, 1], [2, 2, 0]])
    got = value(losses.sparse_categorical_crossentropy(labels, z, from_logits=True))
    log_softmax = z - np.log(np.exp(z).sum(-1, keepdims=True))
    expected = -np.take_along_axis(log_softmax, labels[..., None], -1)[..., 0]
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    dense = losses.categorical_crossentropy(np.eye(4)[labels], z, from_logits=True)
    np.testing.assert_allclose(got, value(dense), rtol=1e-10)


def test_crossentropies_from_logits_are_stable():
    z = saessak.tensor(np.array([[1000.0, -1000.0, 0.0]]), requires_grad=True)
    cases = [
        losses.categorical_crossentropy(np.array([[0.0, 1.0, 0.0]]), z, from_logits=True),
        losses.sparse_categorical_crossentropy(np.array([1]), z, from_logits=True),
        losses.binary_crossentropy(np.array([[0.0, 1.0, 1.0]]), z, from_logits=True),
    ]
    np.testing.assert_allclose(value(cases[0]), [2000.0])
    np.testing.assert_allclose(value(cases[1]), [2000.0])
    np.testing.assert_allclose(value(cases[2]), [(1000 + 1000 + np.log(2)) / 3])
    for loss in cases:
        z.grad = None
        loss.sum().backward()
        assert np.all(np.isfinite(z.grad))


def test_probabilities_are_clipped_at_epsilon():
    p = saessak.tensor(np.array([[0.0, 1.0]]), requires_grad=True)
    loss = losses.categorical_crossentropy(np.array([[1.0, 0.0]]), p)
    np.testing.assert_allclose(value(loss), [-np.log(EPS)], rtol=1e-6)
    loss = losses.binary_crossentropy(np.array([[1.0, 0.0]]), p)
    np.testing.assert_allclose(value(loss), [-np.log(EPS)], rtol=1e-6)
    loss.backward()
    np.testing.assert_array_equal(p.grad, [[0.0, 0.0]])  # clipping is flat


# --- gradients against finite differences ------------------------------------------------------

# (function, y_true, y_pred): shapes that broadcast, and targets one axis short
REGRESSION = [
    (losses.mse, uniform(-1, 1, (1, 4)), uniform(-1, 1, (3, 4))),
    (losses.mse, uniform(-1, 1, (3,)), uniform(-1, 1, (3, 1))),
    (losses.mae, uniform(-1, 1, (3, 1)), uniform(-1, 1, (3, 4))),
    (losses.mape, uniform(0.5, 2, (2, 3, 4)), uniform(-1, 1, (2, 3, 4))),
    (losses.msle, uniform(0.1, 2, (1, 4)), uniform(0.1, 2, (3, 4))),
    (losses.huber, uniform(-2, 2, (3, 4)), uniform(-2, 2, (1, 4))),
    (losses.log_cosh, uniform(-2, 2, (3, 1)), uniform(-2, 2, (3, 4))),
    (losses.poisson, uniform(0, 3, (3, 4)), uniform(0.2, 3, (3, 4))),
    (losses.kld, uniform(0.05, 0.95, (1, 4)), uniform(0.05, 0.95, (3, 4))),
    (losses.hinge, uniform(-1, 1, (3, 4)), uniform(-3, 3, (3, 4))),
    (losses.squared_hinge, uniform(-1, 1, (1, 4)), uniform(-3, 3, (3, 4))),
    (losses.categorical_hinge, np.eye(4)[[0, 2, 3]], uniform(-1, 1, (3, 4))),
    (losses.cosine_similarity, uniform(-1, 1, (1, 4)), uniform(-1, 1, (3, 4))),
]


@pytest.mark.parametrize("fn,t,p", REGRESSION, ids=[f[0].__name__ for f in REGRESSION])
def test_gradients_of_regression_losses(fn, t, p):
    check(fn, t, p)


CROSS_ENTROPY = [
    (losses.binary_crossentropy, {}, uniform(0, 1, (3, 1)), uniform(0.05, 0.95, (3, 4))),
    (losses.binary_crossentropy, {"from_logits": True}, uniform(0, 1, (1, 4)),
     uniform(-4, 4, (2, 3, 4))),
    (losses.binary_crossentropy, {"label_smoothing": 0.1}, uniform(0, 1, (3, 4)),
     uniform(0.05, 0.95, (3, 4))),
    (losses.categorical_crossentropy, {}, uniform(0, 1, (1, 4)), uniform(0.1, 1, (3, 4))),
    (losses.categorical_crossentropy, {"from_logits": True}, uniform(0, 1, (2, 3, 4)),
     uniform(-4, 4, (2, 3, 4))),
    (losses.categorical_crossentropy, {"from_logits": True, "label_smoothing": 0.2},
     uniform(0, 1, (3, 4)), uniform(-4, 4, (3, 4))),
    (losses.categorical_crossentropy, {"axis": 0}, uniform(0, 1, (3, 4)),
     uniform(0.1, 1, (3, 4))),
]


@pytest.mark.parametrize("fn,kwargs,t,p", CROSS_ENTROPY)
def test_gradients_of_crossentropies(fn, kwargs, t, p):
    check(lambda t, p: fn(t, p, **kwargs), t, p)  # with respect to targets and predictions


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("labels", [np.array([0, 3, 1]), np.array([[0], [3], [1]]),
                                    np.array([[0, 3], [2, 1], [1, 1]])])
def test_gradients_of_sparse_crossentropy(from_logits, labels):
    shape = labels.shape[:1] + ((2,) if labels.shape == (3, 2) else ()) + (4,)
    p = uniform(-3, 3, shape) if from_logits else uniform(0.1, 1, shape)
    check(lambda p: losses.sparse_categorical_crossentropy(labels, p, from_logits), p)


def test_gradient_of_ignored_entries_is_zero():
    labels = np.array([[1, -1], [2, 0]])
    for from_logits in (False, True):
        check(lambda p, fl=from_logits: losses.sparse_categorical_crossentropy(
            labels, p, fl, ignore_class=-1), uniform(0.1, 1, (2, 2, 3)))
    p = saessak.tensor(uniform(0.1, 1, (2, 2, 3)), requires_grad=True)
    losses.SparseCategoricalCrossentropy(ignore_class=-1)(labels, p).backward()
    np.testing.assert_array_equal(p.grad[0, 1], 0.0)
    assert np.all(p.grad[0, 0] != 0)


def test_gradient_through_weighted_reduction():
    sw = np.array([1.0, 0.5, 2.0])
    loss = losses.CategoricalCrossentropy(from_logits=True)
    check(lambda z: loss(np.eye(4)[[0, 1, 2]], z, sample_weight=sw), uniform(-2, 2, (3, 4)))


# --- the Keras objects: reduction and sample weights ----------------------------------------------


def test_default_reduction_is_mean_over_every_loss_value():
    t, p = np.array([[0.0], [1.0], [2.0]]), np.array([[1.0], [1.0], [4.0]])
    assert float(losses.MeanSquaredError()(t, p)) == pytest.approx((1 + 0 + 4) / 3)
    assert float(losses.MeanSquaredError(reduction="sum")(t, p)) == pytest.approx(5.0)
    none = losses.MeanSquaredError(reduction=None)(t, p)
    np.testing.assert_allclose(value(none), [1.0, 0.0, 4.0])
    sw = np.array([2.0, 1.0, 0.5])
    # sum_over_batch_size divides by the number of values, not by the sum of the weights
    assert float(losses.MeanSquaredError()(t, p, sample_weight=sw)) == pytest.approx(4 / 3)
    weighted = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    assert float(weighted(t, p, sample_weight=sw)) == pytest.approx(4 / 3.5)


def test_sample_weight_per_sample_on_sequence_losses():
    z = rng.standard_normal((2, 3, 4))
    labels = np.array([[0, 3, 1], [2, 2, 0]])
    per_step = value(losses.sparse_categorical_crossentropy(labels, z, from_logits=True))
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    got = float(loss(labels, z, sample_weight=np.array([1.0, 0.0])))
    assert got == pytest.approx(per_step[0].sum() / 6)


def test_ignore_class_averages_over_the_others():
    z = rng.standard_normal((2, 3, 4))
    labels = np.array([[0, 3, -1], [2, -1, -1]])
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    per_step = value(losses.sparse_categorical_crossentropy(np.maximum(labels, 0), z, True))
    kept = labels != -1
    assert float(loss(labels, z)) == pytest.approx(per_step[kept].mean())


def test_float32_predictions_stay_float32():
    p = saessak.tensor(np.array([[0.3, 0.7]], dtype=np.float32))
    for fn in (losses.mse, losses.binary_crossentropy, losses.categorical_crossentropy,
               losses.kld, losses.huber):
        assert fn(np.array([[0.0, 1.0]]), p).dtype == np.float32
    assert losses.SparseCategoricalCrossentropy()(np.array([1]), p).dtype == np.float32


def test_targets_one_axis_short_do_not_broadcast_to_a_square():
    t, p = np.array([1.0, 2.0, 3.0]), np.array([[1.0], [2.0], [5.0]])
    np.testing.assert_allclose(value(losses.mse(t, p)), [0.0, 0.0, 4.0])
    t, p = np.array([[1.0], [0.0]]), np.array([0.8, 0.3])
    np.testing.assert_allclose(value(losses.binary_crossentropy(t, p)),
                               [-np.log(0.8), -np.log(0.7)], rtol=1e-10)


# --- lookup, configs and errors ---------------------------------------------------------------


def test_get_resolves_names():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    obj = losses.Huber(2.0)
    assert losses.get(obj) is obj
    assert losses.get(None) is None


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError, match="'mean_sqared_error'.*mean_squared_error"):
        losses.get("mean_sqared_error")
    with pytest.raises(ValueError, match="label_smoothing.*1.5"):
        losses.BinaryCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction.*'average'"):
        losses.MeanSquaredError(reduction="average")


def test_bad_sparse_labels_are_reported():
    p = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"\[0, 3\).*from 0 to 3"):
        losses.sparse_categorical_crossentropy(np.array([0, 3]), p)
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(2, 2\)"):
        losses.sparse_categorical_crossentropy(np.zeros((2, 2), int), p)
    with pytest.raises(ValueError, match="same number of classes"):
        losses.categorical_crossentropy(np.array([0, 2]), p)


def test_serialize_round_trip():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    config = losses.serialize(loss)
    assert config["class_name"] == "SparseCategoricalCrossentropy"
    assert config["config"]["from_logits"] is True
    again = losses.deserialize(config)
    assert (again.from_logits, again.ignore_class, again.name) == (True, 0, loss.name)
    assert losses.serialize(losses.mae) == "mean_absolute_error"
    assert losses.deserialize("mae") is losses.mean_absolute_error
    huber = losses.deserialize(losses.serialize(losses.Huber(delta=0.5)))
    assert huber.get_config()["delta"] == 0.5


def test_custom_loss_subclass_gets_the_reduction():
    class Cube(losses.Loss):
        def call(self, y_true, y_pred):
            d = y_pred - y_true
            return saessak.ops.mean(d * d * d, axis=-1)

    got = Cube()(np.zeros((2, 1)), saessak.tensor(np.array([[1.0], [2.0]])))
    assert float(got) == pytest.approx(4.5)
    assert Cube().name == "cube"


def test_backward_twice_through_a_retained_graph_gives_the_same_gradient():
    z = saessak.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    labels, onehot = np.array([0, 3, 1]), np.eye(4)[[0, 3, 1]]
    for fn in (lambda: losses.sparse_categorical_crossentropy(labels, z, from_logits=True),
               lambda: losses.sparse_categorical_crossentropy(labels, ops.softmax(z)),
               lambda: losses.categorical_crossentropy(onehot, z, from_logits=True),
               lambda: losses.binary_crossentropy(onehot, ops.sigmoid(z))):
        loss = fn().sum()
        z.grad = None
        loss.backward(retain_graph=True)
        first = z.grad.copy()
        z.grad = None
        loss.backward()
        np.testing.assert_array_equal(z.grad, first)


def test_mean_squared_error_of_scalars_and_rows():
    """Scalars give the squared difference; rows give the mean over the last axis."""
    assert float(losses.mean_squared_error(np.float32(1.0), np.float32(3.0)).data) == 4.0
    rng = np.random.default_rng(5)
    t, p = rng.standard_normal((2, 3, 7)), rng.standard_normal((2, 3, 7))
    np.testing.assert_allclose(losses.mean_squared_error(t, p).numpy(),
                               ((p - t) ** 2).mean(axis=-1), rtol=1e-12)
