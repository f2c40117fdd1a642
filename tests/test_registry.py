"""The one registry (saessak._registry): lookup order, scopes, global registration, hooks."""

import pytest

import saessak as keras
from saessak._registry import Registry


class Thing:
    def __init__(self, size=1):
        self.size = size

    def get_config(self):
        return {"size": self.size}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Widget(Thing):
    pass


def test_public_names_are_the_same_objects():
    assert keras.saving.register_keras_serializable is keras.utils.register_keras_serializable
    assert keras.saving.get_custom_objects is keras.utils.get_custom_objects
    assert keras.utils.custom_object_scope is keras.utils.CustomObjectScope
    assert keras.keras.saving.custom_object_scope is keras.utils.custom_object_scope
    assert keras.saving.load_model is keras.models.load_model


def test_register_keras_serializable_names_package_and_class():
    decorated = keras.saving.register_keras_serializable(package="my_pkg")(Widget)
    assert decorated is Widget
    assert keras.saving.get_custom_objects()["my_pkg>Widget"] is Widget
    assert keras.saving.get_registered_name(Widget) == "my_pkg>Widget"
    assert keras.saving.get_registered_name(Thing) == "Thing"
    assert keras.saving.get_registered_object("my_pkg>Widget") is Widget

    @keras.saving.register_keras_serializable(name="twice")
    def double(x):
        return 2 * x
    assert keras.saving.get_registered_name(double) == "Custom>twice"


def test_register_keras_serializable_refuses_clashes_and_classes_without_config():
    keras.saving.register_keras_serializable("p")(Widget)
    with pytest.raises(ValueError, match="'p>Widget' is already registered"):
        keras.saving.register_keras_serializable("p", name="Widget")(Thing)

    class NoConfig:
        pass
    with pytest.raises(ValueError, match="NoConfig: a class needs a get_config"):
        keras.saving.register_keras_serializable()(NoConfig)


def test_scopes_nest_innermost_first_and_close_on_error():
    things = Registry("thing", Thing)
    with keras.utils.custom_object_scope({"X": Thing}):
        assert things.lookup("X") is Thing
        with keras.utils.CustomObjectScope({"X": Widget}, {"Y": Thing}):
            assert things.lookup("X") is Widget and things.lookup("Y") is Thing
        assert things.lookup("X") is Thing and things.lookup("Y") is None
        with pytest.raises(RuntimeError):
            with keras.utils.custom_object_scope({"X": Widget}):
                raise RuntimeError("boom")
        assert things.lookup("X") is Thing
    assert things.lookup("X") is None
    with pytest.raises(TypeError, match="custom_object_scope: expected dicts"):
        keras.utils.custom_object_scope(["X"])


def test_lookup_order_explicit_then_scope_then_global_then_own():
    things = Registry("thing", Thing, {"Thing": Thing})
    assert things.lookup("Thing") is Thing
    keras.saving.get_custom_objects()["Thing"] = Widget  # a global entry by its bare name
    assert things.lookup("Thing") is Widget
    with keras.utils.custom_object_scope({"Thing": Thing}):
        assert things.lookup("Thing") is Thing
        assert things.lookup("Thing", custom_objects={"Thing": Widget}) is Widget


def test_a_registered_class_does_not_shadow_a_builtin_of_the_same_name():
    builtin = Registry("thing", Thing, {"Thing": Thing})

    class Thing2(Thing):  # the user's own "Thing"
        pass
    keras.saving.register_keras_serializable("user", name="Thing")(Thing2)
    assert builtin.lookup("Thing") is Thing           # what everyone else means
    assert builtin.lookup("user>Thing") is Thing2     # what the user's files say
    spec = builtin.serialize(Thing2(3))
    assert spec == {"class_name": "Thing2", "config": {"size": 3},
                    "registered_name": "user>Thing"}
    again = builtin.deserialize(spec)
    assert type(again) is Thing2 and again.size == 3
    # a registered class no built-in is named like is found by its bare name too
    keras.saving.register_keras_serializable("user")(Widget)
    assert builtin.lookup("Widget") is Widget


def test_unknown_name_is_one_clear_error():
    things = Registry("thing", Thing, {"Thing": Thing}, noun="thing class")
    with pytest.raises(ValueError) as err:
        things.deserialize({"class_name": "Gizmo", "config": {}})
    message = str(err.value)
    assert "things.deserialize: unknown thing class 'Gizmo'" in message
    assert "custom_objects={'Gizmo': ...}" in message
    assert "custom_object_scope" in message and "register_keras_serializable" in message
    with pytest.raises(ValueError, match="expected a name or a dict with 'class_name'"):
        things.deserialize({"config": {}})


def test_deserialize_enters_the_scope_for_nested_from_config():
    seen = {}

    class Outer(Thing):
        @classmethod
        def from_config(cls, config):
            seen["inner"] = Registry("thing", Thing).lookup("Inner")
            return cls(**config)
    Registry("thing", Thing).deserialize({"class_name": "Outer", "config": {"size": 2}},
                                         custom_objects={"Outer": Outer, "Inner": Widget})
    assert seen["inner"] is Widget


def test_from_config_that_takes_custom_objects_gets_the_scoped_ones():
    seen = {}

    class Holder(Thing):
        @classmethod
        def from_config(cls, config, custom_objects=None):
            seen.update(custom_objects)
            return cls(**config)
    with keras.utils.custom_object_scope({"outer": 1}):
        Registry("thing").deserialize({"class_name": "Holder", "config": {}},
                                      custom_objects={"Holder": Holder})
    assert seen == {"outer": 1, "Holder": Holder}


def test_hooks_fold_names_and_make_objects():
    optimizers = Registry("thing", Thing, {"Thing": Thing}, fold=str.lower)
    assert type(optimizers.get("THING")) is Thing
    assert type(optimizers.deserialize({"class_name": "thing", "config": {"size": 4}})) is Thing
    named = Registry("thing", Thing, {"big": Thing}, make=lambda cls, name: cls(size=len(name)))
    assert named.get("big").size == 3

    def relu(x):
        return x
    functions = Registry("activation", None, {"relu": relu}, make=lambda fn, name: fn)
    assert functions.get("relu") is relu
    assert functions.serialize(relu) == "relu"
    assert functions.deserialize({"class_name": "function", "config": "relu"}) is relu


def test_two_builtins_under_one_name_is_a_bug():
    things = Registry("thing", Thing, {"Thing": Thing})
    with pytest.raises(ValueError, match="'Thing' is already"):
        things.register(Widget, "Thing")
    things.register(Thing, "thing")  # an alias of the same object is fine
    assert things.serialize(Thing()) == {"class_name": "Thing", "config": {"size": 1}}


def test_layer_aliases_load_and_save_under_the_class_name():
    """tf.keras 1/2 configs may name MaxPool2D or Convolution2D; they load as the class,
    which still writes its own name."""
    from saessak import layers

    for alias, cls in (("MaxPool2D", layers.MaxPooling2D), ("Convolution2D", layers.Conv2D),
                       ("GlobalAvgPool1D", layers.GlobalAveragePooling1D)):
        original = cls(3, 2) if cls is layers.Conv2D else cls()
        spec = layers.serialize(original)
        assert spec["class_name"] == cls.__name__
        rebuilt = layers.deserialize({"class_name": alias, "config": spec["config"]})
        assert type(rebuilt) is cls and rebuilt.get_config() == original.get_config()
