"""``CallbackList``: what ``fit``, ``evaluate`` and ``predict`` call, one hook at a time, on
every callback (adding the ``History`` and the progress bar they always have).
"""

from __future__ import annotations

from .callback import HOOKS, Callback
from .history import History
from .lambda_callback import LambdaCallback
from .progbar_logger import ProgbarLogger


def _overrides(callback, hook):
    """Whether ``callback`` does something in ``hook`` (so the loop can skip the rest)."""
    if isinstance(callback, LambdaCallback):
        return hook in callback.given
    cls = type(callback)
    if getattr(cls, hook) is not getattr(Callback, hook):
        return True
    if hook == "on_train_batch_begin":
        return cls.on_batch_begin is not Callback.on_batch_begin
    if hook == "on_train_batch_end":
        return cls.on_batch_end is not Callback.on_batch_end
    return False


class CallbackList:
    """Calls one hook on every callback. Batch hooks go only to the callbacks that override
    them, so a plain ``fit`` pays almost nothing per batch for this."""

    def __init__(self, callbacks=None, model=None, params=None, add_history=False,
                 add_progbar=False, verbose=1):
        self.callbacks = list(callbacks or [])
        if add_progbar and verbose and not any(isinstance(c, ProgbarLogger)
                                               for c in self.callbacks):
            self.callbacks.append(ProgbarLogger(verbose=verbose))
        self.history = None
        if add_history:
            self.history = next((c for c in self.callbacks if isinstance(c, History)), None)
            if self.history is None:
                self.history = History()
                self.callbacks.append(self.history)
        for c in self.callbacks:
            if model is not None:
                c.set_model(model)
            c.set_params(dict(params or {}))
        self._listeners = {hook: [getattr(c, hook) for c in self.callbacks
                                  if _overrides(c, hook)] for hook in HOOKS}

    def wants(self, hook) -> bool:
        return bool(self._listeners[hook])

    def call(self, hook, *args):
        for fn in self._listeners[hook]:
            fn(*args)

    def __iter__(self):
        return iter(self.callbacks)
