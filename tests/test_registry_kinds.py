"""Every kind of object goes through the one registry: a user's activation, initializer,
regularizer, constraint, optimizer and schedule are found by name through
``custom_objects``, ``custom_object_scope`` and ``register_keras_serializable``."""

import numpy as np
import pytest

import saessak as keras
from saessak import activations, constraints, initializers, optimizers, regularizers
from saessak.optimizers import schedules


def cube(x):
    return x * x * x


class Halves(initializers.Initializer):
    """Every weight 0.5 (times ``scale``)."""

    def __init__(self, scale=1.0):
        self.scale = scale

    def __call__(self, shape, dtype=None):
        return np.full(shape, 0.5 * self.scale, dtype=dtype or "float32")

    def get_config(self):
        return {"scale": self.scale}


class Steps(schedules.LearningRateSchedule):
    """The rate halves every ``every`` steps."""

    def __init__(self, rate, every):
        self.rate, self.every = rate, every

    def __call__(self, step):
        return self.rate * 0.5 ** (float(step) // self.every)

    def get_config(self):
        return {"rate": self.rate, "every": self.every}


class Slow(optimizers.SGD):
    """SGD by another name, as a user's optimizer."""


def schedule_of(optimizer):
    """The config of the optimizer's schedule, checked to be a Steps."""
    spec = optimizers.serialize(optimizer)["config"]["learning_rate"]
    assert spec["class_name"] == "Steps", spec
    return spec["config"]


def dense_model(**kwargs):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, **kwargs)])
    return model


def test_activation_by_name_through_scope_and_registration(tmp_path):
    x = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    with pytest.raises(ValueError, match="unknown activation 'cube'"):
        activations.get("cube")
    with keras.utils.custom_object_scope({"cube": cube}):
        assert activations.get("cube") is cube
        model = dense_model(activation="cube")
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "m.saessak")
    with keras.utils.custom_object_scope({"cube": cube}):
        loaded = keras.models.load_model(tmp_path / "m.saessak")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)

    keras.saving.register_keras_serializable(package="math")(cube)
    assert activations.serialize(cube) == "math>cube"
    assert activations.get("math>cube") is cube and activations.get("cube") is cube
    registered = dense_model(activation=cube)
    registered.save(tmp_path / "r.saessak")
    again = keras.models.load_model(tmp_path / "r.saessak")
    assert again.layers[0].activation is cube
    assert activations.serialize(activations.swish) == "silu"  # saessak's names unchanged


def test_initializer_regularizer_constraint_by_name_in_a_scope():
    def tiny_l1(w):
        return 1e-3 * np.abs(w).sum()

    def clip(w):
        return np.clip(w, -0.1, 0.1)

    scope = {"Halves": Halves, "tiny_l1": tiny_l1, "clip": clip}
    with keras.utils.custom_object_scope(scope):
        assert type(initializers.get("Halves")) is Halves
        assert regularizers.get("tiny_l1") is tiny_l1
        assert constraints.get("clip") is clip
        spec = initializers.serialize(Halves(3.0))
        assert type(initializers.deserialize(spec)) is Halves
    assert spec == {"class_name": "Halves", "config": {"scale": 3.0}}
    with pytest.raises(ValueError, match="unknown initializer 'Halves'"):
        initializers.deserialize(spec)
    assert initializers.deserialize(spec, custom_objects={"Halves": Halves}).scale == 3.0


def test_a_registered_initializer_reloads_inside_a_layer_config():
    keras.saving.register_keras_serializable("tests")(Halves)
    layer = keras.layers.Dense(2, kernel_initializer=Halves(2.0))
    spec = keras.layers.serialize(layer)
    assert spec["config"]["kernel_initializer"]["registered_name"] == "tests>Halves"
    rebuilt = keras.layers.deserialize(spec)
    rebuilt.build((None, 3))
    np.testing.assert_array_equal(rebuilt.kernel.data, np.ones((3, 2), "float32"))


def test_optimizer_names_any_case_and_a_users_optimizer_with_schedule():
    assert type(optimizers.get("ADAM")) is optimizers.Adam
    assert type(optimizers.deserialize({"class_name": "rmsprop", "config": {}})) \
        is optimizers.RMSprop
    spec = optimizers.serialize(Slow(learning_rate=Steps(0.1, 2)))
    assert spec["class_name"] == "Slow"
    with pytest.raises(ValueError, match="unknown optimizer 'Slow'"):
        optimizers.deserialize(spec)
    # the schedule nested in the optimizer's config sees the same custom objects
    again = optimizers.deserialize(spec, custom_objects={"Slow": Slow, "Steps": Steps})
    assert type(again) is Slow and schedule_of(again) == {"rate": 0.1, "every": 2}
    with keras.utils.custom_object_scope({"Slow": Slow, "Steps": Steps}):
        assert schedule_of(optimizers.deserialize(spec)) == {"rate": 0.1, "every": 2}
    keras.saving.register_keras_serializable("tests")(Slow)
    keras.saving.register_keras_serializable("tests")(Steps)
    assert schedule_of(optimizers.deserialize(optimizers.serialize(again))) == \
        {"rate": 0.1, "every": 2}


def test_a_users_optimizer_reloads_with_the_compiled_model(tmp_path):
    model = dense_model()
    model.compile(optimizer=Slow(learning_rate=Steps(0.1, 2)), loss="mse")
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.saessak")
    loaded = keras.models.load_model(tmp_path / "m.saessak",
                                     custom_objects={"Slow": Slow, "Steps": Steps})
    assert type(loaded.optimizer) is Slow
    assert schedule_of(loaded.optimizer) == {"rate": 0.1, "every": 2}
