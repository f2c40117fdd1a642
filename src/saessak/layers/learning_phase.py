"""The learning phase: whether layers run as in training (dropout on) or in inference."""

from __future__ import annotations

_training_stack: list[bool] = []


class learning_phase:
    """``with learning_phase(True):`` runs layers as in training (dropout on) unless a call
    passes ``training=`` itself. ``fit`` enters it; ``predict`` and ``evaluate`` do not."""

    def __init__(self, training: bool):
        self.training = bool(training)

    def __enter__(self):
        _training_stack.append(self.training)

    def __exit__(self, *exc):
        _training_stack.pop()


def in_training(training=None) -> bool:
    """Resolve a layer's ``training`` argument: explicit value, else the enclosing phase."""
    if training is not None:
        if getattr(training, "size", 1) != 1:  # not a flag: bool() would be ambiguous
            raise ValueError(f"training must be True, False or None, received an array of "
                             f"shape {training.shape} (the argument after the inputs of a "
                             f"layer or model call is `training`)")
        return bool(training)
    return _training_stack[-1] if _training_stack else False
