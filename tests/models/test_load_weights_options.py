"""load_weights(by_name=, skip_mismatch=) on saessak's own weight files (they were ignored)."""

import numpy as np
import pytest

from saessak import backend
from saessak.layers import Dense
from saessak.models import Sequential


def model(*units, names=("one", "two", "three")):
    backend.clear_session()
    return Sequential([Dense(units[0], input_shape=(3,), name=names[0])] +
                      [Dense(n, name=name) for n, name in zip(units[1:], names[1:])])


@pytest.fixture
def saved(tmp_path):
    source = model(4, 2)
    path = str(tmp_path / "w.weights")
    source.save_weights(path)
    return source, path


def test_skip_mismatch_keeps_the_differing_weights_and_loads_the_rest(saved):
    source, path = saved
    target = model(4, 5)  # layer "two" is wider
    before = [w.numpy().copy() for w in target.weights]
    with pytest.warns(UserWarning, match="skip_mismatch=True") as record:
        target.load_weights(path, skip_mismatch=True)
    messages = [str(w.message) for w in record]
    assert len(messages) == 2 and "'two/kernel' has shape (4, 2)" in messages[0]
    assert record[0].filename == __file__  # points at the caller
    after = [w.numpy() for w in target.weights]
    np.testing.assert_array_equal(after[0], source.weights[0].numpy())  # one/kernel loaded
    np.testing.assert_array_equal(after[1], source.weights[1].numpy())  # one/bias loaded
    np.testing.assert_array_equal(after[2], before[2])  # two/kernel kept
    np.testing.assert_array_equal(after[3], before[3])  # two/bias kept


def test_without_skip_mismatch_a_shape_mismatch_is_an_error_and_nothing_is_loaded(saved):
    _, path = saved
    target = model(4, 5)
    before = [w.numpy().copy() for w in target.weights]
    with pytest.raises(ValueError, match="'two/kernel' has shape"):
        target.load_weights(path)
    for w, b in zip(target.weights, before):
        np.testing.assert_array_equal(w.numpy(), b)


def test_by_name_matches_weights_by_path_whatever_their_order(saved):
    source, path = saved
    # a deeper model whose first two layers carry the saved names
    target = model(4, 2, 6)
    third_before = [w.numpy().copy() for w in target.weights[4:]]
    with pytest.raises(ValueError, match="by_name=True loads the weights whose paths match"):
        target.load_weights(path)  # 6 weights against 4: not the same architecture
    target.load_weights(path, by_name=True)
    for w, s in zip(target.weights[:4], source.weights):
        np.testing.assert_array_equal(w.numpy(), s.numpy())
    for w, b in zip(target.weights[4:], third_before):
        np.testing.assert_array_equal(w.numpy(), b)


def test_save_weights_warns_for_the_keras_arguments_it_ignores(tmp_path):
    source = model(4, 2)
    path = str(tmp_path / "w.weights")
    with pytest.warns(UserWarning, match="Model.save_weights: save_format= is ignored; the "
                                         "format follows the file name"):
        source.save_weights(path, save_format="h5")
    with pytest.warns(UserWarning, match="max_shard_size= is ignored; the weights go into one"):
        source.save_weights(path, max_shard_size=1)
    source.save_weights(path, options=None)  # tf.keras 2's options: nothing to set, no warning
    target = model(4, 2)
    target.load_weights(path, options=None)
    for w, s in zip(target.weights, source.weights):
        np.testing.assert_array_equal(w.numpy(), s.numpy())


@pytest.mark.parametrize("method, error", [("save_weights", TypeError),
                                           ("load_weights", ValueError)])  # as in Keras 3
def test_an_unknown_argument_is_an_error(saved, method, error):
    source, path = saved
    with pytest.raises(error, match=f"Model.{method}: unexpected argument.*'bogus'"):
        getattr(source, method)(path, bogus=1)
