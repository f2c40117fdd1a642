"""The new layers are reachable by every path Keras programs use."""

import importlib

import saessak
from saessak import layers

NAMES = ["Normalization", "StringLookup", "IntegerLookup", "CategoryEncoding", "Hashing",
         "Discretization", "TextVectorization", "Rescaling"]


def test_keras_paths_give_the_same_classes():
    for name in NAMES + ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"]:
        assert getattr(saessak.keras.layers, name) is getattr(layers, name)
    experimental = importlib.import_module("saessak.keras.layers.experimental.preprocessing")
    for name in NAMES:
        assert getattr(experimental, name) is getattr(layers, name)
    module = importlib.import_module("saessak.keras.layers.preprocessing.string_lookup")
    assert module.StringLookup is layers.StringLookup


def test_saved_model_and_plot_model_paths():
    assert saessak.saved_model is importlib.import_module("saessak.keras.saved_model")
    from saessak.keras.utils import model_to_dot, plot_model  # noqa: F401
