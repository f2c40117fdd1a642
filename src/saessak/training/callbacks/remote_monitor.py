"""``RemoteMonitor``: accepted for compatibility; saessak sends nothing over the network."""

from __future__ import annotations

import warnings

from .callback import Callback


class RemoteMonitor(Callback):  # pragma: no cover - accepted for compatibility only
    def __init__(self, *args, **kwargs):
        super().__init__()
        warnings.warn("RemoteMonitor: saessak sends nothing over the network; ignored",
                      stacklevel=2)
