"""Keras files in: models and weights saved by real tf.keras 2 and Keras 3 (made by
scripts/make_keras_fixtures.py) load into saessak and predict what Keras predicted."""

import os
import warnings

import numpy as np
import pytest

import saessak as keras
from saessak import layers

pytest.importorskip("h5py", reason="Keras .h5/.keras files need h5py (saessak[h5])")

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
FAMILIES = ["mlp", "conv2d", "conv1d", "rnn", "rnn_v1", "bidirectional", "attention",
            "nested", "video", "norms", "conv_lstm"]


def fixture(name):
    return os.path.join(FIXTURES, name)


def reference(name):
    with np.load(fixture(f"{name}.npz"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("suffix,key", [(".keras", "keras3"), ("_tk2.h5", "tk2")])
def test_load_model_predicts_as_keras(family, suffix, key):
    ref = reference(family)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing Keras stored may be silently ignored
        model = keras.models.load_model(fixture(family + suffix))
    y = model.predict(ref["x"], verbose=0)
    np.testing.assert_allclose(y, ref[key], rtol=0, atol=1e-5)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("weights", [".weights.h5", "_tk2w.h5"])
def test_load_weights_into_the_same_architecture(family, weights):
    ref = reference(family)
    model = keras.models.load_model(fixture(family + ".keras"))
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(fixture(family + weights))
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["keras3"], atol=1e-5)


def test_weight_layout_matches_keras_names():
    model = keras.models.load_model(fixture("bidirectional_tk2.h5"))
    names = [layer.name for layer in model.layers]
    assert names[1:] == [n for n in names[1:] if not n.startswith("input")]
    bi = [layer for layer in model.layers if isinstance(layer, layers.Bidirectional)]
    assert [b.merge_mode for b in bi] == ["concat", "sum"]
    assert bi[0].backward_layer.go_backwards and not bi[0].forward_layer.go_backwards


def _mlp_like(second_units):
    return keras.Sequential([keras.Input((8,)), layers.Dense(6, activation="relu", name="hidden"),
                             layers.Dense(second_units, name="probs"),
                             layers.Dense(2, name="extra")])


def test_by_name_loads_matching_layers_only():
    model = _mlp_like(3)
    extra_before = model.get_layer("extra").get_weights()
    model.load_weights(fixture("mlp_tk2w.h5"), by_name=True)
    k3 = keras.models.load_model(fixture("mlp.keras"))
    for name in ("hidden", "probs"):
        for a, b in zip(model.get_layer(name).get_weights(), k3.get_layer(name).get_weights()):
            np.testing.assert_array_equal(a, b)
    for a, b in zip(model.get_layer("extra").get_weights(), extra_before):
        np.testing.assert_array_equal(a, b)


def test_by_name_shape_mismatch_raises_or_skips():
    model = _mlp_like(4)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"probs.*shape \(6, 3\)"):
        model.load_weights(fixture("mlp_tk2w.h5"), by_name=True)
    for a, b in zip(model.get_weights(), before):  # a failed load changes nothing
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="skip_mismatch"):
        model.load_weights(fixture("mlp_tk2w.h5"), by_name=True, skip_mismatch=True)
    assert not np.array_equal(model.get_layer("hidden").get_weights()[0], before[0])
    np.testing.assert_array_equal(model.get_layer("probs").get_weights()[0], before[2])


def test_wrong_architecture_by_order_is_a_clear_error():
    model = keras.Sequential([keras.Input((8,)), layers.Dense(6)])
    with pytest.raises(ValueError, match="same architecture"):
        model.load_weights(fixture("mlp_tk2w.h5"))


def test_keras3_weights_by_name_is_refused():
    model = keras.models.load_model(fixture("mlp.keras"))
    with pytest.raises(ValueError, match="by_name=True needs a tf.keras 2"):
        model.load_weights(fixture("mlp.weights.h5"), by_name=True)


def test_layer_saessak_lacks_is_named():
    with pytest.raises(ValueError, match=r"'rand_augment'.*'RandAugment'.*"
                                         "saessak does not have"):
        keras.models.load_model(fixture("unsupported_rand_augment.keras"))


def test_weights_only_h5_is_not_a_model():
    with pytest.raises(ValueError, match="holds only weights"):
        keras.models.load_model(fixture("mlp_tk2w.h5"))


def test_saessak_weights_h5_still_uses_saessak_format(tmp_path):
    model = _mlp_like(3)
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    other = _mlp_like(3)
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


class GroupNormalization(layers.Layer):
    """A stand-in for Keras's GroupNormalization, passed through custom_objects (which come
    before saessak's own GroupNormalization)."""

    def __init__(self, groups, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.groups, self.epsilon = groups, epsilon

    def build(self, input_shape):
        self.gamma = self.add_weight("gamma", (input_shape[-1],), "ones")
        self.beta = self.add_weight("beta", (input_shape[-1],), "zeros")
        self.built = True

    def call(self, inputs):
        return inputs * self.gamma + self.beta

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "epsilon": self.epsilon}


def test_custom_objects_supply_a_layer_of_ones_own():
    import io
    import zipfile

    import h5py
    path = fixture("custom_groupnorm.keras")
    with pytest.warns(UserWarning, match="saessak ignores"):  # center=True, scale=True ...
        model = keras.models.load_model(
            path, custom_objects={"GroupNormalization": GroupNormalization})
    layer = model.layers[-1]
    assert isinstance(layer, GroupNormalization) and layer.groups == 2
    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    with h5py.File(io.BytesIO(data), "r") as f:
        np.testing.assert_array_equal(layer.get_weights()[0],
                                      f["layers/group_normalization/vars/0"][()])


@pytest.mark.parametrize("name", ["mlp.keras", "mlp_tk2.h5"])
def test_compile_settings_come_along(name):
    model = keras.models.load_model(fixture(name))
    assert model.compiled
    assert type(model.optimizer).__name__ == "Adam"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    ref = reference("mlp")
    logs = model.evaluate(ref["x"], np.array([0, 1, 2]), verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    uncompiled = keras.models.load_model(fixture(name), compile=False)
    assert not uncompiled.compiled


def test_tf_keras2_hard_sigmoid_keeps_its_own_definition(tmp_path):
    # tf.keras 2 names clip(0.2 x + 0.5) 'hard_sigmoid'; Keras 3 (and saessak) clip(x/6 + 0.5)
    # the conv_lstm family's tf.keras 2 file (ConvLSTM2D's default recurrent activation
    # there) predicts as tf.keras 2 did above; a saessak model using tf.keras 2's goes to a
    # tf.keras 2 file under Keras 2's name and comes back as it was
    model = keras.Sequential([keras.Input((3, 2)),
                              layers.LSTM(2, recurrent_activation="hard_sigmoid_keras2")])
    path = str(tmp_path / "m.h5")
    model.save(path)
    restored = keras.models.load_model(path)
    assert restored.layers[0].recurrent_activation.__name__ == "hard_sigmoid_keras2"
    x = np.random.default_rng(0).random((2, 3, 2)).astype("float32")
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
