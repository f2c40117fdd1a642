"""Where the training loop meets the strategy: a few calls that ``compile``, ``fit``,
``evaluate`` and ``predict`` make, each returning its arguments unchanged when the model
was not compiled under a strategy with more than one replica.

- ``on_compile``: remember the strategy; make the optimizer average gradients first.
- ``on_fit`` / ``on_evaluate``: shard the data; on ranks other than 0 drop the progress
  bar and the callbacks that write files; add the callbacks that keep the ranks in step.
- ``gather``: ``predict``'s per-batch outputs of every rank, put back in order.
"""

from __future__ import annotations

from ..autograd.tensor import Tensor
from ..layers.batch_normalization import BatchNormalization
from .callbacks import EpochSync, ReduceLogs, chief_only
from .sharding import ShardedAdapter
from .strategy import get_strategy, has_strategy


def _strategy_of(model):
    strategy = getattr(model, "_distribute_strategy", None)
    return strategy if strategy is not None and strategy.num_replicas_in_sync > 1 else None


def on_compile(model, optimizer):
    """Called by ``compile``: under a strategy's scope, bind the model to it and return the
    optimizer made to average the gradients over the replicas before each update."""
    model._distribute_strategy = get_strategy() if has_strategy() else None
    strategy = _strategy_of(model)
    if strategy is None:
        return optimizer
    if not isinstance(getattr(optimizer, "_apply", None), AllreduceThenApply):
        optimizer._apply = AllreduceThenApply(strategy, model, optimizer._apply)
    return optimizer


def on_fit(model, train, val, callbacks, verbose):
    """Called by ``fit`` once its data adapters exist."""
    strategy = _strategy_of(model)
    if strategy is None:
        return train, val, callbacks, verbose
    train = ShardedAdapter(train, strategy, model, training=True)
    if val is not None:
        val = ShardedAdapter(val, strategy, model)
    callbacks = _rank_callbacks(strategy, callbacks)
    callbacks = [ReduceLogs(strategy, train, val)] + callbacks + [EpochSync(strategy)]
    return train, val, callbacks, verbose if strategy.world.rank == 0 else 0


def on_evaluate(model, data, callbacks, verbose):
    """Called by ``evaluate`` and ``predict`` once the data adapter exists."""
    strategy = _strategy_of(model)
    if strategy is None:
        return data, callbacks, verbose
    data = ShardedAdapter(data, strategy, model)
    callbacks = [ReduceLogs(strategy, None, data)] + _rank_callbacks(strategy, callbacks)
    return data, callbacks, verbose if strategy.world.rank == 0 else 0


def gather(model, data, chunks):
    """``predict``'s outputs (per output, a list of per-batch arrays) from every rank,
    interleaved batch by batch in rank order: the outputs of the whole data, in order."""
    strategy = _strategy_of(model)
    if strategy is None or not isinstance(data, ShardedAdapter) or chunks is None:
        return chunks
    mine = [[c[:n] for c, n in zip(output, data.local_sizes)] for output in chunks]
    every = strategy.world.allgather(mine, "predict gather")
    return [[part[o][b] for b in range(len(data.local_sizes)) for part in every]
            for o in range(len(chunks))]


def _rank_callbacks(strategy, callbacks):
    callbacks = list(callbacks or [])
    if strategy.world.rank == 0:
        return callbacks
    return [c for c in callbacks if not chief_only(c)]


class AllreduceThenApply:
    """Stands in for an optimizer's ``_apply(grads, variables)``: average the gradients
    over the replicas (weighted by each one's share of the global batch), average the
    moving statistics of per-replica BatchNormalization layers, give every rank rank 0's
    optimizer state at the first update of a ``fit``, then update as before."""

    def __init__(self, strategy, model, apply):
        self.strategy, self.model, self.apply = strategy, model, apply

    def __call__(self, grads, variables):
        strategy = self.strategy
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not pairs:
            return self.apply(grads, variables)
        arrays = [g.data if isinstance(g, Tensor) else g for g, _ in pairs]
        variables = [v for _, v in pairs]
        size = strategy.num_replicas_in_sync
        fraction = strategy._local_fraction
        fraction = 1.0 / size if fraction is None else fraction
        stats = _moving_statistics(self.model)
        reduced = strategy._reducer.reduce(arrays + [s.data for s in stats],
                                           [fraction] * len(arrays) + [1.0 / size] * len(stats))
        for s, r in zip(stats, reduced[len(arrays):]):
            s.data[...] = r
        if strategy._sync_optimizer:
            strategy._sync_optimizer = False
            _broadcast_optimizer(strategy.world, self.apply.__self__, variables)
        return self.apply(reduced[:len(arrays)], variables)


def _moving_statistics(model):
    """The moving mean and variance of every trainable, per-replica BatchNormalization."""
    return [w for layer in model._training_lists()[2]
            if isinstance(layer, BatchNormalization) and layer.trainable and layer.built
            and not layer.synchronized
            for w in (layer.moving_mean, layer.moving_variance)]


def _broadcast_optimizer(world, optimizer, variables):
    """Rank 0's optimizer state (iterations, slots) on every rank."""
    optimizer.build(variables)
    state = world.bcast(optimizer.get_state() if world.rank == 0 else None,
                        "optimizer state broadcast")
    if world.rank != 0:
        optimizer.set_state(state)

