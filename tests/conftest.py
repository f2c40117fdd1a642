import numpy as np
import pytest

import saessak


@pytest.fixture(autouse=True)
def _fresh_state():
    """Every test starts from the same seed and float policy."""
    saessak.backend.set_random_seed(0)
    saessak.backend.set_floatx("float32")
    yield
    saessak.backend.set_floatx("float32")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
