"""Keras layers. Each public class lives in a module of its own concept."""

from .dense import Dense
from .input_layer import is_symbolic
from .layer import Layer, clear_session, in_training, learning_phase
