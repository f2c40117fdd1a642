"""The TensorFlow eager core in saessak.compat: GradientTape, Variable, function, the
tf.math/nn/random/strings namespaces, config stubs, and the error for unknown names."""

import numpy as np
import pytest

import saessak
import saessak.compat as tf
from saessak import backend


@pytest.fixture
def f64():
    with backend.floatx_scope("float64"):
        yield


def test_tape_gradient_of_a_variable_matches_the_formula():
    w = tf.Variable([[1.0], [2.0]])
    x = tf.constant([[3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.matmul(x, w)          # 11
        loss = tf.reduce_sum(y ** 2)  # d/dw = 2 * 11 * x^T
    g = tape.gradient(loss, w)
    np.testing.assert_allclose(g.numpy(), [[66.0], [88.0]])
    assert w.grad is None  # the tape hands gradients back; it never writes .grad


def test_watch_a_constant_and_structures_of_sources(f64):
    x = tf.constant(3.0)
    b = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x * b
    grads = tape.gradient(y, {"x": x, "pair": [b, (x,)]})
    assert grads["x"].numpy() == pytest.approx(12.0)      # 2 x b
    assert grads["pair"][0].numpy() == pytest.approx(9.0)  # x^2
    assert isinstance(grads["pair"][1], tuple)
    assert not x.requires_grad  # watching ends with the tape


def test_unwatched_constant_gets_none_or_zeros():
    x, c = tf.Variable(1.0), tf.constant(5.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * 2.0
    assert tape.gradient(y, c) is None
    assert tape.gradient(y, c, unconnected_gradients="zero").numpy() == 0.0


def test_list_of_targets_and_non_scalar_target_are_summed(f64):
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        a, b = x * 3.0, tf.reduce_sum(x * x)
    np.testing.assert_allclose(tape.gradient([a, b], x).numpy(), [3 + 2, 3 + 4])


def test_persistent_tape_gives_several_gradients_and_plain_one_refuses_twice():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * y
    assert tape.gradient(z, x).numpy() == pytest.approx(108.0)  # 4 x^3
    assert tape.gradient(y, x).numpy() == pytest.approx(6.0)
    with tf.GradientTape() as once:
        y = x * x
    once.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent"):
        once.gradient(y, x)


def test_gradient_to_an_intermediate_tensor(f64):
    x = tf.Variable([1.0, -2.0])
    with tf.GradientTape() as tape:
        h = x * 3.0
        out = tf.reduce_sum(tf.nn.relu(h) * h)
    gh, gx = tape.gradient(out, [h, x])
    np.testing.assert_allclose(gh.numpy(), [6.0, 0.0])  # d(relu(h) h)/dh = 2h for h > 0
    np.testing.assert_allclose(gx.numpy(), [18.0, 0.0])


def test_stop_recording_and_stop_gradient():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            z = x * 10.0
        total = y + z + tf.stop_gradient(x * 7.0)
    assert tape.gradient(total, x).numpy() == pytest.approx(4.0)


def test_nested_tape_gives_the_second_derivative():
    x = tf.Variable(1.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x * x * x
        dy_dx = inner.gradient(y, x)
        assert dy_dx.numpy() == pytest.approx(3.0)
        scaled = dy_dx * 2.0
    assert outer.gradient(scaled, x).numpy() == pytest.approx(12.0)  # 2 * 6x


def test_hessian_by_jacobian_of_an_inner_gradient():
    # f(x) = x0^2 x1 + sin(x1): H = [[2 x1, 2 x0], [2 x0, -sin(x1)]]
    x = tf.Variable(np.array([0.5, -1.2]))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            f = x[0] ** 2 * x[1] + tf.sin(x[1])
        g = inner.gradient(f, x)
    hessian = outer.jacobian(g, x).numpy()
    np.testing.assert_allclose(hessian, [[-2.4, 1.0], [1.0, -np.sin(-1.2)]], rtol=1e-6)


def test_an_inner_gradient_outside_any_outer_tape_is_a_plain_constant():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    g = tape.gradient(y, x)
    assert g.numpy() == pytest.approx(4.0) and not g.requires_grad


def test_nested_tapes_on_separate_computations_work():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            a = x * x
        b = x * 5.0
    assert inner.gradient(a, x).numpy() == pytest.approx(4.0)
    assert outer.gradient(b, x).numpy() == pytest.approx(5.0)


def test_jacobian(f64):
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = x * x
    np.testing.assert_allclose(tape.jacobian(y, x).numpy(), [[2.0, 0.0], [0.0, 4.0]])


def test_watch_rejects_non_tensors_and_integer_tensors():
    with tf.GradientTape() as tape:
        with pytest.raises(ValueError, match="expected a Tensor"):
            tape.watch(np.ones(2))
        with pytest.raises(ValueError, match="float"):
            tape.watch(tf.constant([1, 2]))


def test_variable_assign_and_dtype():
    v = tf.Variable([1.0, 2.0], name="v")
    assert v.dtype == np.float32 and v.trainable
    v.assign([5.0, 6.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub(tf.constant([2.0, 2.0]))
    np.testing.assert_array_equal(v.numpy(), [4.0, 5.0])
    with pytest.raises(ValueError, match="shape"):
        v.assign([1.0, 2.0, 3.0])
    frozen = tf.Variable(np.zeros(3), trainable=False)
    assert not frozen.trainable and frozen.dtype == np.float64
    assert not tf.Variable(3).trainable  # integers never require gradients
    source = np.ones(2)
    copy = tf.Variable(source)
    copy.assign_add(np.ones(2))
    assert source[0] == 1.0  # the variable holds its own copy


def test_variable_as_a_layer_weight_trains_with_fit():
    class Scale(saessak.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.ones((1,), "float32"), name="w")
            self.b = tf.Variable(np.zeros((1,), "float32"), trainable=False)

        def call(self, inputs):
            return inputs * self.w + self.b

    layer = Scale()
    assert [w.path for w in layer.trainable_weights] == [f"{layer.name}/w"]
    assert len(layer.non_trainable_weights) == 1
    model = saessak.Sequential([saessak.Input((1,)), layer])
    model.compile(optimizer=saessak.optimizers.SGD(0.1), loss="mse")
    x = np.linspace(-1, 1, 32).reshape(-1, 1).astype("float32")
    model.fit(x, 3 * x, epochs=100, verbose=0)
    assert layer.w.numpy()[0] == pytest.approx(3.0, abs=0.05)
    assert layer.b.numpy()[0] == 0.0


def test_function_decorator_forms():
    calls = []

    @tf.function
    def f(x):
        calls.append(x)
        return x * 2

    @tf.function(jit_compile=True, reduce_retracing=True)
    def g(x):
        return x + 1

    assert f(3) == 6 and g(3) == 4 and calls == [3]
    assert f.python_function(5) == 10 and f.__name__ == "f"


def test_runtime_stubs():
    with tf.device("/GPU:0"):
        assert tf.constant([1.0]).shape == (1,)
    cpus = tf.config.list_physical_devices("CPU")
    assert cpus[0].device_type == "CPU"
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
    tf.config.set_visible_devices([], "GPU")
    assert tf.version.VERSION.startswith("2.") and tf.executing_eagerly()
    s = tf.TensorShape([None, 3])
    assert s.rank == 2 and s.as_list() == [None, 3] and s == (None, 3)
    assert not s.is_fully_defined() and tf.TensorShape([2, 3]).num_elements() == 6
    assert s[1] == 3 and s[1:] == tf.TensorShape([3])


def test_unknown_names_say_what_is_missing():
    for expr in ("tf.foo_bar", "tf.math.foo_bar", "tf.nn.foo_bar", "tf.strings.foo_bar",
                 "tf.random.foo_bar", "tf.config.foo_bar"):
        with pytest.raises(AttributeError) as info:
            eval(expr, {"tf": tf})
        assert f"saessak does not provide {expr}" in str(info.value)
        assert "docs/compatibility.md" in str(info.value)
    with pytest.raises(AttributeError, match="saessak does not provide tf.foo_bar"):
        saessak.foo_bar  # noqa: B018 - import saessak as tf, too
    assert not hasattr(tf, "RaggedTensor")
    assert tf.keras is saessak and tf.data.Dataset is saessak.data.Dataset


def test_array_and_math_names(f64):
    x = tf.constant([[1.0, -2.0], [3.0, 4.0]])
    assert [t.numpy().tolist() for t in tf.unstack(x)] == [[1.0, -2.0], [3.0, 4.0]]
    assert tf.rank(x).numpy() == 2 and tf.size(x).numpy() == 4
    assert tf.shape(x).numpy().tolist() == [2, 2]
    assert tf.range(3).numpy().tolist() == [0, 1, 2] and tf.range(3).dtype == np.int32
    assert tf.range(1, 2, 0.5).numpy().tolist() == [1.0, 1.5]
    assert tf.where(tf.greater(x, 0), x, tf.zeros_like(x)).numpy().tolist() == \
        [[1.0, 0.0], [3.0, 4.0]]
    assert tf.where([True, False, True]).numpy().tolist() == [[0], [2]]
    assert tf.gather(x, [1, 0]).numpy()[0].tolist() == [3.0, 4.0]
    assert tf.tile([[1, 2]], [2, 1]).numpy().tolist() == [[1, 2], [1, 2]]
    assert tf.clip_by_value(x, -1.0, 2.0).numpy().tolist() == [[1.0, -1.0], [2.0, 2.0]]
    assert tf.math.reduce_std([1.0, 3.0]).numpy() == pytest.approx(1.0)
    assert tf.math.top_k([1.0, 9.0, 5.0], k=2)[1].numpy().tolist() == [1, 2]
    assert tf.math.reduce_prod([2.0, 3.0]).numpy() == 6.0
    assert tf.math.divide_no_nan([1.0, 1.0], [0.0, 2.0]).numpy().tolist() == [0.0, 0.5]
    assert tf.math.in_top_k([1, 0], [[0.1, 0.9], [0.2, 0.8]], 1).numpy().tolist() == \
        [True, False]
    assert tf.reverse([[1, 2, 3]], [1]).numpy().tolist() == [[3, 2, 1]]
    assert tf.boolean_mask([1, 2, 3], [True, False, True]).numpy().tolist() == [1, 3]
    assert tf.map_fn(lambda r: tf.reduce_sum(r), x).numpy().tolist() == [-1.0, 7.0]
    assert tf.cond(tf.constant(True), lambda: 1, lambda: 2) == 1
    assert tf.while_loop(lambda i: i < 5, lambda i: i + 2, [0]) == [6]
    init = tf.random_normal_initializer(stddev=0.02, seed=1)
    assert init((200, 50)).std() == pytest.approx(0.02, rel=0.1)
    assert tf.zeros_initializer()((2,)).tolist() == [0.0, 0.0]


def test_compat_ops_are_differentiable(f64):
    rng = np.random.default_rng(0)
    x = saessak.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    w = saessak.tensor(rng.normal(size=(4, 2)), requires_grad=True)

    def f(x, w):
        h = tf.matmul(x, w, transpose_b=False)
        parts = tf.unstack(h, axis=1)
        y = tf.stack([tf.math.maximum(parts[0], parts[1]), tf.math.square(parts[1])], axis=1)
        return (tf.reduce_mean(tf.math.tanh(y)) + tf.reduce_sum(tf.gather(x, [2, 0]) ** 2)
                + tf.math.reduce_logsumexp(x) + tf.reduce_sum(tf.tile(w, [2, 1]))
                + tf.math.reduce_variance(tf.transpose(x)))

    assert saessak.grad_check(f, x, w, wrt=[x, w]).ok


def test_nn_functions_against_their_definitions(f64):
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(4, 3))
    labels = np.array([0, 2, 1, 2])
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(sparse.numpy(), -np.log(p[np.arange(4), labels]))
    dense = tf.nn.softmax_cross_entropy_with_logits(np.eye(3)[labels], logits)
    np.testing.assert_allclose(dense.numpy(), sparse.numpy())
    z = rng.integers(0, 2, size=(4, 3)).astype(float)
    s = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=logits).numpy(),
        -(z * np.log(s) + (1 - z) * np.log(1 - s)))
    big = tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0], logits=[-1000.0]).numpy()
    assert np.isfinite(big).all() and big[0] == pytest.approx(1000.0)
    np.testing.assert_allclose(tf.nn.log_softmax(logits).numpy(), np.log(p))
    table = rng.normal(size=(5, 2))
    assert tf.nn.embedding_lookup(table, [4, 4]).numpy().tolist() == [table[4].tolist()] * 2
    with pytest.raises(ValueError, match="labels must lie"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[3, 0, 0, 0], logits=logits)

    lg = saessak.tensor(logits, requires_grad=True)
    tb = saessak.tensor(table, requires_grad=True)
    check = saessak.grad_check(
        lambda a, t: tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, a))
        + tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(z, a))
        + tf.reduce_sum(tf.nn.embedding_lookup(t, [1, 1, 3]) ** 2), lg, tb, wrt=[lg, tb])
    assert check.ok


def test_nn_dropout_keeps_the_expectation():
    tf.random.set_seed(3)
    out = tf.nn.dropout(np.ones((200, 200), "float32"), rate=0.25).numpy()
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}
    assert out.mean() == pytest.approx(1.0, abs=0.02)
    with pytest.raises(ValueError, match="rate"):
        tf.nn.dropout(np.ones(3), rate=1.0)


def test_random_functions_follow_the_seed():
    tf.random.set_seed(5)
    a = tf.random.normal((1000,), mean=2.0, stddev=0.5).numpy()
    tf.random.set_seed(5)
    assert np.array_equal(a, tf.random.normal((1000,), mean=2.0, stddev=0.5).numpy())
    assert a.dtype == np.float32 and abs(a.mean() - 2.0) < 0.06
    u = tf.random.uniform((1000,), minval=-1, maxval=1).numpy()
    assert u.min() >= -1 and u.max() < 1
    ints = tf.random.uniform((50,), 0, 4, dtype=tf.int32).numpy()
    assert ints.dtype == np.int32 and set(ints) <= {0, 1, 2, 3}
    t = tf.random.truncated_normal((2000,), stddev=1.0).numpy()
    assert np.abs(t).max() <= 2.0
    rows = tf.random.shuffle(np.arange(10)).numpy()
    assert sorted(rows.tolist()) == list(range(10))
    assert not np.array_equal(tf.random.shuffle(np.arange(10), seed=1).numpy(), np.arange(10))


def test_strings_on_python_values_and_arrays():
    s = tf.strings
    assert s.lower("Hello <br />World!") == "hello <br />world!"
    assert s.lower(b"ABC") == b"abc"
    assert s.lower("ÄB") == "Äb"  # ASCII only by default, as TensorFlow
    assert s.lower("ÄB", encoding="utf-8") == "äb"
    arr = s.upper(np.array(["ab", "cd"]))
    assert arr.numpy().tolist() == [b"AB", b"CD"]  # arrays give bytes, as tf tensors do
    assert s.regex_replace("a1b22c", r"[0-9]+", "#") == "a#b#c"
    assert s.regex_replace("a1b22c", r"([0-9])", r"<\1>", replace_global=False) == "a<1>b22c"
    assert tf.strings.strip("  x y \n") == "x y"  # noqa: B005 - tf.strings.strip
    assert s.length(["abc", "한글"]).numpy().tolist() == [3, 6]
    assert s.length("한글", unit="UTF8_CHAR").numpy() == 2
    assert s.substr("hello", 1, 3) == "ell"
    assert s.substr("한글날", 1, 1, unit="UTF8_CHAR") == "글"
    assert s.as_string([1.5, 2.0], precision=2).numpy().tolist() == [b"1.50", b"2.00"]
    assert s.as_string(np.array([3, 4])).numpy().tolist() == [b"3", b"4"]
    nums = s.to_number(["1.5", " 2 "])
    assert nums.numpy().tolist() == [1.5, 2.0] and nums.dtype == np.float32
    assert s.to_number(["7"], out_type=tf.int32).numpy().tolist() == [7]
    with pytest.raises(ValueError, match="cannot read"):
        s.to_number(["x"])
    assert s.join(["a", "b"], separator="-") == "a-b"
    assert s.join([np.array(["a", "b"]), "!"]).numpy().tolist() == [b"a!", b"b!"]
    grid = np.array([["a", "b"], ["c", "d"]])
    assert s.reduce_join(grid, axis=-1).numpy().tolist() == [b"ab", b"cd"]
    assert s.reduce_join(grid, axis=0, separator=" ").numpy().tolist() == [b"a c", b"b d"]
    assert s.reduce_join(grid).numpy() == b"abcd"
    assert s.split("the cat  sat") == ["the", "cat", "sat"]
    assert s.split(np.array(["a b", "c d"])).numpy().tolist() == [[b"a", b"b"], [b"c", b"d"]]
    ragged = s.split(np.array(["a b c", "d"])).numpy()
    assert [r.tolist() for r in ragged] == [[b"a", b"b", b"c"], [b"d"]]
    assert s.unicode_split("한a", "UTF-8") == ["한", "a"]
    assert s.unicode_split(["ab"], "UTF-8").numpy().tolist() == [[b"a", b"b"]]
    with pytest.raises(ValueError, match="UTF-8"):
        s.unicode_split("x", "latin-1")
    with pytest.raises(TypeError, match="expected strings"):
        s.lower(np.array([1, 2]))


def test_strings_in_dataset_map_and_text_vectorization():
    texts = np.array(["Good <br />MOVIE!", "bad, bad film."])

    def standardize(x):
        x = tf.strings.lower(x)
        x = tf.strings.regex_replace(x, "<br />", " ")
        return tf.strings.regex_replace(x, r"[^\w\s]", "")

    ds = saessak.data.Dataset.from_tensor_slices(texts).map(standardize)
    assert [t.numpy() for t in ds] == [b"good  movie", b"bad bad film"]
    batched = saessak.data.Dataset.from_tensor_slices(texts).batch(2).map(standardize)
    assert next(iter(batched)).numpy().tolist() == [b"good  movie", b"bad bad film"]
    vectorize = saessak.layers.TextVectorization(standardize=standardize, output_mode="int")
    vectorize.adapt(texts)
    assert vectorize.get_vocabulary()[2] == "bad"
    assert "movie" in vectorize.get_vocabulary() and "MOVIE!" not in vectorize.get_vocabulary()


def test_module_finds_its_variables():
    class Dense(tf.Module):
        def __init__(self, n_in, n_out, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.random.normal([n_in, n_out]), name="w")
            self.b = tf.Variable(tf.zeros([n_out]), name="b")

    class Seq(tf.Module):
        def __init__(self):
            super().__init__()
            self.layers = [Dense(3, 2), Dense(2, 1)]
            self.frozen = tf.Variable(1.0, trainable=False)
            self.keras_layer = saessak.layers.Dense(2)
            self.keras_layer.build((None, 4))

    model = Seq()
    assert len(model.variables) == 7 and len(model.trainable_variables) == 6
    assert model.layers[0].variables[0] is model.layers[0].w


def test_every_provided_name_is_listed_in_the_compatibility_table():
    import pathlib
    import re

    doc = (pathlib.Path(__file__).parents[1] / "docs" / "compatibility.md").read_text()
    listed = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", doc))
    names = list(tf.__all__)
    for space in (tf.math, tf.nn, tf.strings, tf.random, tf.config):
        names += dir(space)
    assert sorted(n for n in names if n not in listed) == []


def test_keras3_variable_form_and_get_shape():
    v = saessak.Variable(initializer="ones", shape=(2, 3), name="kv")
    assert v.numpy().tolist() == [[1.0] * 3] * 2 and v.dtype == np.float32
    w = tf.Variable(initializer=saessak.initializers.RandomNormal(seed=1), shape=(4,),
                    dtype="float64")
    assert w.shape == (4,) and w.dtype == np.float64
    with pytest.raises(TypeError, match="unexpected keyword"):
        tf.Variable(1.0, bogus=2)
    assert tf.constant(np.zeros((2, 5))).get_shape().as_list() == [2, 5]


def test_a_python_number_takes_the_dtype_of_the_tensor_beside_it():
    x = tf.constant(np.array([[0.3, -2.0]], np.float32))
    for result in (tf.maximum(x, 0), tf.math.maximum(1 - x, 0), tf.add(1, x), tf.minimum(x, 1),
                   tf.math.squared_difference(x, 2), tf.where(x > 0, x, 0),
                   tf.math.divide_no_nan(x, 3), tf.math.floormod(x, 2)):
        assert result.dtype == np.float32
    assert tf.add(tf.constant(1), 2).dtype == np.int32
    assert tf.add(tf.constant(1), 2.5).numpy() == pytest.approx(3.5)  # not truncated
