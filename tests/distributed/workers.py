"""What the distributed tests run on each rank (``python -m mpi4py workers.py JOB ...``).

The same functions also run in the test process itself, with no strategy, to give the
single-process reference. Jobs:

- ``equivalence OUT``: train the three models (Dense, masked LSTM, CNN with synchronised
  BatchNormalization) for 20 Adam steps at global batch 64 in float64, then evaluate and
  predict; also the Dense model on 1,261 rows (an uneven last batch) from arrays, a
  ``Dataset`` and a generator; rank r writes ``OUT.r.npz``.
- ``per_replica_bn OUT``: the CNN with per-replica BatchNormalization; writes the weights.
- ``memory OUT``: a Reuters-sized LSTM for 10 steps; writes the peak RSS to ``OUT.r``.
- ``die`` / ``hang``: rank 1 dies (or stops answering) in the middle of ``fit``.
- ``backup DIR OUT [KILL_EPOCH]``: ``fit`` with ``BackupAndRestore(DIR)``; with KILL_EPOCH,
  rank 1 is killed at the end of that epoch (after rank 0 has written the backup).
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

import saessak as keras
from saessak import layers

GLOBAL_BATCH, STEPS = 64, 20


def data(kind, n=GLOBAL_BATCH * STEPS, seed=7):
    """Inputs and labels for model ``kind`` (the same on every rank)."""
    r = np.random.default_rng(seed)
    if kind == "dense":
        x = r.normal(size=(n, 10))
        y = (x[:, :3].sum(axis=1) > 0).astype(np.int64) + (x[:, 3] > 1)
    elif kind == "lstm":
        x = r.integers(1, 30, size=(n, 12))
        lengths = r.integers(3, 13, size=n)
        x[np.arange(12)[None, :] >= lengths[:, None]] = 0  # padded tails: masked
        y = (x[:, 0] > 15).astype(np.float64)
    else:
        x = r.normal(size=(n, 8, 8, 1))
        y = (x[:, :4, :, 0].mean(axis=(1, 2)) > 0).astype(np.int64) * 2
    return x, y


def build(kind, synchronized=True):
    """A compiled model of ``kind`` (under whatever strategy scope is open)."""
    keras.backend.set_random_seed(3)
    if kind == "dense":
        model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=(10,)),
                                  layers.Dense(3, activation="softmax")])
        loss = "sparse_categorical_crossentropy"
    elif kind == "lstm":
        model = keras.Sequential([layers.Embedding(30, 8, mask_zero=True, input_shape=(12,)),
                                  layers.LSTM(8), layers.Dense(1, activation="sigmoid")])
        loss = "binary_crossentropy"
    else:
        model = keras.Sequential([
            layers.Conv2D(4, 3, input_shape=(8, 8, 1)),
            layers.BatchNormalization(momentum=0.9, synchronized=synchronized),
            layers.ReLU(), layers.Flatten(), layers.Dense(3, activation="softmax")])
        loss = "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss, metrics=["accuracy"])
    return model


def batches(x, y, source):
    """The training data as ``fit`` takes it: arrays, a ``Dataset`` of batches of 64, or a
    generator of such batches."""
    if source == "dataset":
        return keras.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH), None
    if source == "generator":
        return ((x[i:i + GLOBAL_BATCH], y[i:i + GLOBAL_BATCH])
                for i in range(0, len(x), GLOBAL_BATCH)), None
    return x, y


def train(kind, strategy=None, synchronized=True, n=GLOBAL_BATCH * STEPS, source="arrays"):
    """Train ``kind`` (20 steps of 64 by default) and return what the tests compare."""
    keras.backend.set_floatx("float64")
    x, y = batches(*data(kind, n), source)
    vx, vy = data(kind, 100, seed=8)
    if strategy is None:
        model = build(kind, synchronized)
    else:
        with strategy.scope():
            model = build(kind, synchronized)
    keras.backend.set_random_seed(11)  # the shuffling
    history = model.fit(x, y, batch_size=None if y is None else GLOBAL_BATCH, epochs=1,
                        shuffle=True, verbose=0, validation_data=(vx, vy))
    out = {f"{kind}/w{i}": w for i, w in enumerate(model.get_weights())}
    out.update({f"{kind}/history/{k}": np.array(v) for k, v in history.history.items()})
    out[f"{kind}/evaluate"] = np.array(model.evaluate(vx, vy, batch_size=30, verbose=0))
    out[f"{kind}/predict"] = model.predict(vx[:37], batch_size=16, verbose=0)
    out[f"{kind}/iterations"] = np.array(model.optimizer.iterations)
    return out


def _strategy():
    return keras.distribute.MultiWorkerMirroredStrategy()


def equivalence(path):
    strategy = _strategy()
    out = {}
    for kind in ("dense", "lstm", "cnn"):
        out.update(train(kind, strategy))
    out.update({f"uneven/{k}": v for k, v in train("dense", strategy, n=1261).items()})
    for source in ("dataset", "generator"):
        out.update({f"{source}/{k}": v
                    for k, v in train("dense", strategy, n=1261, source=source).items()})
    out["replicas"] = np.array(strategy.num_replicas_in_sync)
    np.savez(f"{path}.{strategy.cluster_resolver.task_id}.npz", **out)


def per_replica_bn(path):
    strategy = _strategy()
    out = train("cnn", strategy, synchronized=False)
    np.savez(f"{path}.{strategy.cluster_resolver.task_id}.npz", **out)


def fault(how):
    strategy = _strategy()
    rank = strategy.cluster_resolver.task_id

    class Fault(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if rank == 1 and batch == 3:
                if how == "die":
                    os._exit(17)
                time.sleep(3600)

    x, y = data("dense")
    with strategy.scope():
        model = build("dense")
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=3, verbose=0, callbacks=[Fault()])


def backup(backup_dir, path, kill_epoch=None):
    keras.backend.set_floatx("float64")
    strategy = _strategy()
    rank = strategy.cluster_resolver.task_id

    class Kill(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if kill_epoch is not None and epoch == kill_epoch and rank == 1:
                os._exit(9)

    x, y = data("dense")
    with strategy.scope():
        model = build("dense")
    keras.backend.set_random_seed(11)
    callbacks = [keras.callbacks.BackupAndRestore(backup_dir), Kill()]
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=4, shuffle=True, verbose=0,
              callbacks=callbacks)
    np.savez(f"{path}.{rank}.npz", *model.get_weights())


def memory(path):
    """Train a Reuters-sized LSTM for 10 steps of 40 (20 per rank on 2 ranks); write the
    peak resident memory of this process (MiB) to ``PATH.<rank>``."""
    import resource

    from saessak.distribute.comm import world

    r = np.random.default_rng(0)
    x, y = r.integers(1, 1000, (400, 100)), r.integers(0, 46, 400)
    strategy = _strategy()
    with strategy.scope():
        model = keras.Sequential([layers.Embedding(1000, 100, input_shape=(100,)),
                                  layers.LSTM(100), layers.Dense(46, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=40, verbose=0)
    with open(f"{path}.{world().rank}", "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    job, args = sys.argv[1], sys.argv[2:]
    if job == "equivalence":
        equivalence(args[0])
    elif job == "per_replica_bn":
        per_replica_bn(args[0])
    elif job == "memory":
        memory(args[0])
    elif job in ("die", "hang"):
        fault(job)
    elif job == "backup":
        backup(args[0], args[1], int(args[2]) if len(args) > 2 else None)
    else:
        raise SystemExit(f"workers.py: unknown job {job!r}")
