import numpy as np
import pytest

import saessak
from saessak import _registry


@pytest.fixture(autouse=True)
def _fresh_state():
    """Every test starts from the same seed and float policy, and what it registers with
    ``register_keras_serializable`` is forgotten after it."""
    saessak.backend.set_random_seed(0)
    saessak.backend.set_floatx("float32")
    objects, names = dict(_registry._GLOBAL_OBJECTS), dict(_registry._GLOBAL_NAMES)
    yield
    saessak.backend.set_floatx("float32")
    _registry._GLOBAL_OBJECTS.clear()
    _registry._GLOBAL_OBJECTS.update(objects)
    _registry._GLOBAL_NAMES.clear()
    _registry._GLOBAL_NAMES.update(names)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
