"""``LambdaCallback``: a callback made of plain functions."""

from __future__ import annotations

from .callback import HOOKS, Callback


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``.
    Accepts every hook name, plus ``on_batch_begin``/``on_batch_end`` for training batches."""

    def __init__(self, **hooks):
        super().__init__()
        allowed = set(HOOKS) | {"on_batch_begin", "on_batch_end"}
        unknown = set(hooks) - allowed
        if unknown:
            raise ValueError(f"LambdaCallback: unknown hook(s) {sorted(unknown)}; allowed: "
                             f"{sorted(allowed)}")
        if "on_batch_begin" in hooks:
            hooks.setdefault("on_train_batch_begin", hooks.pop("on_batch_begin"))
        if "on_batch_end" in hooks:
            hooks.setdefault("on_train_batch_end", hooks.pop("on_batch_end"))
        self.given = set(hooks)
        for name, fn in hooks.items():
            setattr(self, name, fn)
