"""Optimizers: the first three updates on f(w) = 0.5 * sum(a * w^2), whose gradient is a * w,
against each update rule written out by hand; then clipping, state, configs and errors."""

import numpy as np
import pytest

import saessak
from saessak import optimizers
from saessak.autograd.variable import Variable
from saessak.constraints import NonNeg

A = np.array([1.0, 2.0, 0.5, 3.0])
W0 = np.array([1.0, -2.0, 3.0, 0.5])


def run(opt, steps=3, w0=W0):
    """Weights after each of ``steps`` updates of ``opt`` on the quadratic (autograd grads)."""
    w = saessak.tensor(w0.copy(), requires_grad=True)
    history = []
    for _ in range(steps):
        w.grad = None
        (0.5 * (A * w * w).sum()).backward()
        opt.step([w])
        history.append(w.numpy().copy())
    return history


def reference(rule, steps=3, w0=W0):
    """The same with the rule ``w = rule(w, g, t, state)`` written in plain NumPy."""
    w, state, history = w0.copy(), {}, []
    for t in range(1, steps + 1):
        w = rule(w, A * w, t, state)
        history.append(w.copy())
    return history


def assert_same(got, expected):
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-12, atol=1e-15)


# --- update rules --------------------------------------------------------------------------


def sgd(lr, momentum=0.0, nesterov=False):
    def rule(w, g, t, s):
        if not momentum:
            return w - lr * g
        s["v"] = momentum * s.get("v", 0.0) - lr * g
        return w + (momentum * s["v"] - lr * g if nesterov else s["v"])
    return rule


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd(momentum, nesterov):
    got = run(optimizers.SGD(0.1, momentum=momentum, nesterov=nesterov))
    assert_same(got, reference(sgd(0.1, momentum, nesterov)))


def test_sgd_default_learning_rate_is_001():
    assert_same(run(optimizers.SGD()), reference(sgd(0.01)))


def test_adagrad():
    def rule(w, g, t, s):
        s["acc"] = s.get("acc", 0.1) + g * g
        return w - 0.5 * g / np.sqrt(s["acc"] + 1e-7)
    assert_same(run(optimizers.Adagrad(0.5)), reference(rule))


def test_adadelta():
    rho, eps = 0.95, 1e-7

    def rule(w, g, t, s):
        s["G"] = rho * s.get("G", 0.0) + (1 - rho) * g * g
        d = -np.sqrt(s.get("D", 0.0) + eps) / np.sqrt(s["G"] + eps) * g
        s["D"] = rho * s.get("D", 0.0) + (1 - rho) * d * d
        return w + 2.0 * d
    assert_same(run(optimizers.Adadelta(2.0)), reference(rule))


def rmsprop(lr, rho, momentum, eps, centered):
    def rule(w, g, t, s):
        s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
        if centered:
            s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
            step = lr * g / np.sqrt(s["v"] - s["a"] ** 2 + eps)
        else:
            step = lr * g / np.sqrt(s["v"] + eps)
        if momentum:
            s["u"] = momentum * s.get("u", 0.0) + step
            return w - s["u"]
        return w - step
    return rule


@pytest.mark.parametrize("momentum,centered", [(0.0, False), (0.5, False), (0.0, True),
                                               (0.5, True)])
def test_rmsprop(momentum, centered):
    opt = optimizers.RMSprop(0.01, rho=0.8, momentum=momentum, epsilon=1e-3, centered=centered)
    assert_same(run(opt), reference(rmsprop(0.01, 0.8, momentum, 1e-3, centered)))


def adam(lr, b1, b2, eps, amsgrad=False, weight_decay=0.0):
    def rule(w, g, t, s):
        w = w - w * weight_decay * lr  # decoupled decay first (g was taken before it)
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        v = s["v"]
        if amsgrad:
            s["vhat"] = v = np.maximum(s.get("vhat", 0.0), v)
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)  # Keras: eps outside the correction
        return w - alpha * s["m"] / (np.sqrt(v) + eps)
    return rule


def test_adam():
    # a large epsilon makes the place where Keras adds it matter
    opt = optimizers.Adam(0.1, beta_1=0.8, beta_2=0.9, epsilon=0.1)
    assert_same(run(opt), reference(adam(0.1, 0.8, 0.9, 0.1)))
    assert_same(run(optimizers.Adam()), reference(adam(0.001, 0.9, 0.999, 1e-7)))


def test_adam_amsgrad():
    # beta_2 = 0.5 and a big step make the gradients, and so v, shrink: the max matters
    opt = optimizers.Adam(0.9, beta_2=0.5, amsgrad=True)
    got = run(opt, steps=4)
    assert_same(got, reference(adam(0.9, 0.9, 0.5, 1e-7, amsgrad=True), steps=4))
    plain = reference(adam(0.9, 0.9, 0.5, 1e-7), steps=4)
    assert not np.allclose(got[-1], plain[-1])


def test_adamw():
    opt = optimizers.AdamW(0.1, weight_decay=0.2)
    assert_same(run(opt), reference(adam(0.1, 0.9, 0.999, 1e-7, weight_decay=0.2)))
    assert optimizers.AdamW().weight_decay == 0.004


def test_weight_decay_can_exclude_variables_by_name():
    opt = optimizers.SGD(0.1, weight_decay=0.5)
    kernel = Variable(np.ones(2), name="kernel")
    bias = Variable(np.ones(2), name="bias")
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([np.zeros(2), np.zeros(2)], [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), 0.95)
    np.testing.assert_allclose(bias.numpy(), 1.0)


def test_adamax():
    b1, b2, eps, lr = 0.9, 0.999, 1e-7, 0.1

    def rule(w, g, t, s):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g))
        return w - lr * s["m"] / ((1 - b1**t) * (s["u"] + eps))
    assert_same(run(optimizers.Adamax(lr)), reference(rule))


def test_nadam():
    b1, b2, eps, lr = 0.9, 0.999, 1e-7, 0.1

    def rule(w, g, t, s):
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        s["prod"] = s.get("prod", 1.0) * u_t
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        m_hat = u_next * s["m"] / (1 - s["prod"] * u_next) + (1 - u_t) * g / (1 - s["prod"])
        v_hat = s["v"] / (1 - b2**t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)
    assert_same(run(optimizers.Nadam(lr)), reference(rule))


# --- learning rates: the lr alias, old-style decay, schedules -----------------------------------


def test_lr_alias_and_legacy_arguments():
    opt = optimizers.Adam(lr=0.01, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0,
                          amsgrad=False)
    assert opt.learning_rate == 0.01 and opt.lr == 0.01 and opt.epsilon == 1e-7
    assert_same(run(opt), reference(adam(0.01, 0.9, 0.999, 1e-7)))
    opt.lr = 0.5
    assert opt.learning_rate == 0.5


def test_legacy_decay_is_inverse_time_in_the_iterations():
    def rule(w, g, t, s):
        return w - 0.1 / (1 + 0.5 * (t - 1)) * g  # iterations = t - 1 before the update
    assert_same(run(optimizers.SGD(lr=0.1, decay=0.5)), reference(rule))


def test_schedule_is_evaluated_at_iterations():
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)

    def rule(w, g, t, s):
        return w - 0.1 * 0.5 ** (t - 1) * g
    opt = optimizers.SGD(schedule)
    assert_same(run(opt), reference(rule))
    assert opt.learning_rate == pytest.approx(0.1 * 0.5**3)
    with pytest.raises(TypeError, match="schedule"):
        opt.learning_rate = 0.01


# --- gradient clipping --------------------------------------------------------------------


def test_clipnorm_scales_each_gradient():
    def rule(w, g, t, s):
        norm = np.linalg.norm(g)
        return w - 0.1 * g * (1.0 / max(norm, 1.0))
    assert_same(run(optimizers.SGD(0.1, clipnorm=1.0)), reference(rule))


def test_clipvalue_clips_each_element():
    def rule(w, g, t, s):
        return w - 0.1 * np.clip(g, -0.5, 0.5)
    assert_same(run(optimizers.SGD(0.1, clipvalue=0.5)), reference(rule))


def test_global_clipnorm_uses_the_joint_norm():
    g1, g2 = np.array([3.0, 0.0]), np.array([[0.0], [4.0]])  # joint norm 5
    w1, w2 = saessak.tensor(np.zeros(2)), saessak.tensor(np.zeros((2, 1)))
    optimizers.SGD(1.0, global_clipnorm=2.5).apply_gradients([(g1, w1), (g2, w2)])
    np.testing.assert_allclose(w1.numpy(), -g1 / 2)
    np.testing.assert_allclose(w2.numpy(), -g2 / 2)
    # per-variable clipnorm would have clipped them differently
    w1, w2 = saessak.tensor(np.zeros(2)), saessak.tensor(np.zeros((2, 1)))
    optimizers.SGD(1.0, clipnorm=2.5).apply_gradients([(g1, w1), (g2, w2)])
    np.testing.assert_allclose(w1.numpy(), -g1 * 2.5 / 3)
    np.testing.assert_allclose(w2.numpy(), -g2 * 2.5 / 4)


def test_only_one_clipping_option():
    with pytest.raises(ValueError, match=r"\['clipnorm', 'clipvalue'\]"):
        optimizers.Adam(clipnorm=1.0, clipvalue=0.5)


# --- updates in place, constraints, dtypes ---------------------------------------------------


def test_updates_are_in_place_and_keep_float32():
    w = saessak.tensor(np.ones((3, 2), np.float32), requires_grad=True)
    data, view = w.data, w.data[0]
    opt = optimizers.Adam(0.1)
    for _ in range(2):
        opt.apply_gradients([(np.full((3, 2), 0.5), w)])  # float64 gradient
    assert w.data is data and w.dtype == np.float32
    np.testing.assert_allclose(view, w.numpy()[0])
    assert np.all(w.numpy() < 1)


def test_constraint_is_applied_after_the_update():
    w = Variable(np.array([0.5, 1.0]), constraint=NonNeg())
    optimizers.SGD(1.0).apply_gradients([(np.array([1.0, 0.5]), w)])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.5])


def test_missing_gradients_are_skipped():
    w1, w2 = saessak.tensor(np.ones(2)), saessak.tensor(np.ones(2))
    opt = optimizers.SGD(0.5)
    opt.apply_gradients([(np.ones(2), w1), (None, w2)])
    np.testing.assert_allclose(w1.numpy(), 0.5)
    np.testing.assert_allclose(w2.numpy(), 1.0)
    with pytest.raises(ValueError, match="no gradients"):
        opt.apply_gradients([(None, w2)])


def test_minimize():
    w = saessak.tensor(np.array([2.0]), requires_grad=True)
    opt = optimizers.SGD(0.25)
    for _ in range(2):
        opt.minimize(lambda: (w * w).sum(), [w])
    np.testing.assert_allclose(w.numpy(), [2.0 * 0.5 * 0.5])
    assert opt.iterations == 2


# --- state: save and resume exactly ----------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: optimizers.Adam(0.05, amsgrad=True),
    lambda: optimizers.Nadam(0.05),
    lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    lambda: optimizers.Adagrad(0.1),
    lambda: optimizers.Adadelta(1.0),
    lambda: optimizers.Adamax(0.05),
])
@pytest.mark.parametrize("build_first", [False, True])
def test_state_round_trip_resumes_identically(make, build_first):
    def grads(ws):
        return [A * ws[0].data, np.cos(ws[1].data)]

    ws = [saessak.tensor(W0.copy()), saessak.tensor(np.linspace(-1, 1, 6).reshape(2, 3))]
    opt = make()
    for _ in range(2):
        opt.apply(grads(ws), ws)
    state = opt.get_state()
    saved = [w.numpy().copy() for w in ws]
    assert state["iterations"] == 2
    assert all(isinstance(v, np.ndarray) for v in state.values())
    for _ in range(3):
        opt.apply(grads(ws), ws)

    ws2 = [saessak.tensor(s.copy()) for s in saved]
    opt2 = make()
    if build_first:
        opt2.build(ws2)
    opt2.set_state(state)
    for _ in range(3):
        opt2.apply(grads(ws2), ws2)
    for a, b in zip(ws, ws2):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert opt2.iterations == opt.iterations == 5


def test_state_keys_and_errors():
    opt = optimizers.Adam()
    ws = [saessak.tensor(np.ones(2)), saessak.tensor(np.ones((2, 2)))]
    opt.apply([np.ones(2), np.ones((2, 2))], ws)
    assert sorted(opt.get_state()) == ["iterations", "momentum_0", "momentum_1",
                                       "velocity_0", "velocity_1"]
    bad = opt.get_state()
    bad["velocity_1"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"'velocity_1'.*\(2, 2\).*\(3,\)"):
        opt.set_state(bad)
    with pytest.raises(ValueError, match="unexpected keys.*'rho_0'"):
        opt.set_state({**opt.get_state(), "rho_0": np.zeros(2)})


# --- configs, lookup and errors ------------------------------------------------------------------


def test_config_round_trip():
    schedule = optimizers.schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10)
    opt = optimizers.RMSprop(schedule, rho=0.8, momentum=0.1, centered=True, clipnorm=2.0)
    config = optimizers.serialize(opt)
    again = optimizers.deserialize(config)
    assert type(again) is optimizers.RMSprop
    assert again.get_config() == opt.get_config()
    assert again.learning_rate == pytest.approx(0.1)
    assert isinstance(again._learning_rate, optimizers.schedules.CosineDecay)


def test_get_by_name():
    assert type(optimizers.get("adam")) is optimizers.Adam
    assert type(optimizers.get("RMSprop")) is optimizers.RMSprop
    assert optimizers.get("sgd").learning_rate == 0.01
    opt = optimizers.Nadam()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="'adamm'.*'adam'"):
        optimizers.get("adamm")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="momentum.*1.5"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="learning_rate.*-0.1"):
        optimizers.Adam(-0.1)
    with pytest.raises(TypeError, match="momentun"):
        optimizers.SGD(momentun=0.9)
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(2,\)"):
        optimizers.SGD().apply_gradients([(np.ones(3), saessak.tensor(np.ones(2)))])


def test_keras_aliases():
    assert saessak.keras.optimizers.Adam is optimizers.Adam
    assert saessak.keras.optimizers.schedules.ExponentialDecay is \
        optimizers.schedules.ExponentialDecay


def test_numpy_scalars_are_accepted_as_numbers():
    opt = optimizers.SGD(np.float32(0.1), momentum=np.float32(0.5))
    opt.learning_rate = np.float32(0.25)
    assert opt.learning_rate == 0.25
    schedule = optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    assert schedule(np.int64(10)) == pytest.approx(0.05)
