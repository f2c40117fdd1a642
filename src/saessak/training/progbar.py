"""The progress line of ``fit``, in tf.keras's format::

    450/450 [==============================] - 5s 11ms/step - loss: 0.1234 - accuracy: 0.9500

On a terminal (or in Jupyter) the line is redrawn in place with a carriage return, at most
every ``interval`` seconds; elsewhere (a log file, a pipe) only the finished line is
written. ``verbose=2`` writes one line per epoch and no bar.
"""

from __future__ import annotations

import sys
import time


def format_value(value) -> str:
    """Four decimals, or scientific notation for tiny values (``6.6581e-04``), as Keras."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"


def format_logs(logs) -> str:
    return "".join(f" - {k}: {format_value(v)}" for k, v in (logs or {}).items())


def format_time_per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _interactive(stream) -> bool:
    if "ipykernel" in sys.modules:
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progbar:
    """A progress bar for ``target`` steps (None when unknown, e.g. a generator)."""

    def __init__(self, target, width=30, verbose=1, interval=0.05, stream=None):
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.stream = stream or sys.stdout
        self.dynamic = _interactive(self.stream)
        self.start = time.perf_counter()
        self.last_draw = 0.0
        self.current = 0
        self.last_width = 0

    def _bar(self, current) -> str:
        target = self.target
        if target is None:
            return f"{current:>7}/Unknown"
        digits = len(str(target))
        filled = int(self.width * min(current / target, 1.0)) if target else self.width
        bar = ""
        if filled > 0:
            bar = "=" * (filled - 1) + (">" if current < target else "=")
        return f"{current:>{digits}}/{target} [{bar}{'.' * (self.width - filled)}]"

    def update(self, current, logs=None):
        """Redraw after step ``current`` (1-based), at most every ``interval`` seconds."""
        self.current = current
        if self.verbose != 1 or not self.dynamic:
            return
        now = time.perf_counter()
        if now - self.last_draw < self.interval and current != self.target:
            return
        self.last_draw = now
        elapsed = now - self.start
        line = self._bar(current)
        if self.target is not None and current < self.target:
            eta = elapsed / max(current, 1) * (self.target - current)
            line += f" - ETA: {_format_eta(eta)}"
        else:
            line += f" - {elapsed:.0f}s"
        line += format_logs(logs)
        self._write("\r" + line + " " * max(self.last_width - len(line), 0))
        self.last_width = len(line)

    def finish(self, logs=None):
        """Write the final line of this epoch (or evaluation)."""
        if not self.verbose:
            return
        elapsed = time.perf_counter() - self.start
        steps = self.target if self.target is not None else max(self.current, 1)
        per_step = format_time_per_step(elapsed / max(steps, 1))
        if self.verbose == 2:
            line = (f"{steps}/{steps} - {elapsed:.0f}s{format_logs(logs)} - "
                    f"{elapsed:.0f}s/epoch - {per_step}")
        else:
            if self.target is None:
                self.target = steps
            line = f"{self._bar(steps)} - {elapsed:.0f}s {per_step}{format_logs(logs)}"
        prefix = "\r" if self.dynamic and self.verbose == 1 else ""
        pad = " " * max(self.last_width - len(line), 0) if prefix else ""
        self._write(prefix + line + pad + "\n")

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()


def _format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"
