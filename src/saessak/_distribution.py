"""The seam between the training loop and a distribution strategy.

The loop (``training/``) and the layers sit below ``saessak.distribute``, so they never
import it. Instead, importing ``saessak.distribute`` installs its loop hooks here, and a
data-parallel ``fit`` announces its strategy while its batches run. Until then the loop
runs as one process: every hook hands its arguments back unchanged.

- ``loop_hooks``: what ``compile``, ``fit``, ``evaluate`` and ``predict`` call
  (``on_compile``, ``on_fit``, ``on_evaluate``, ``gather``);
- ``training_strategy()``: the strategy of the data-parallel ``fit`` that is running, if
  any, which synchronised layers (``BatchNormalization(synchronized=True)``) ask.
"""

from __future__ import annotations


class SingleProcess:
    """The loop hooks of one process: nothing to shard, reduce or gather."""

    @staticmethod
    def on_compile(model, optimizer):
        model._distribute_strategy = None
        return optimizer

    @staticmethod
    def on_fit(model, train, val, callbacks, verbose):
        return train, val, callbacks, verbose

    @staticmethod
    def on_evaluate(model, data, callbacks, verbose):
        return data, callbacks, verbose

    @staticmethod
    def gather(model, data, chunks):
        return chunks


loop_hooks = SingleProcess()
_training = None  # the strategy of the data-parallel fit that is running, if any


def install_loop_hooks(hooks) -> None:
    """Called once by ``saessak.distribute`` when it is imported."""
    global loop_hooks
    loop_hooks = hooks


def training_strategy():
    """The strategy of the data-parallel ``fit`` whose training batches are running (more
    than one replica), else None."""
    return _training


def set_training_strategy(strategy) -> None:
    global _training
    _training = strategy
