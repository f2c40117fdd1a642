"""Layer names as Keras gives them: ``Conv2D -> conv2d``, then ``dense``, ``dense_1``, ..."""

from __future__ import annotations

import re

from .. import backend


def snake_case(name: str) -> str:
    """``'SimpleRNN' -> 'simple_rnn'``, ``'Conv2D' -> 'conv2d'``, as Keras names layers."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def unique_name(base: str, zero_based: bool = True) -> str:
    """``dense``, then ``dense_1``, ``dense_2`` ... for the whole session, as in Keras.
    Inputs count from one instead (``input_1``, ``input_2``), as tf.keras names them."""
    n = backend.get_uid(base) - 1
    if not zero_based:
        return f"{base}_{n + 1}"
    return base if n == 0 else f"{base}_{n}"


clear_session = backend.clear_session  # forget the names handed out so far
