"""Callbacks: EarlyStopping against Keras 3's rules on scripted values, and the others."""

import csv

import numpy as np
import pytest

import saessak
from saessak import callbacks
from saessak.layers import Dense
from saessak.models import Sequential

X = np.linspace(-1, 1, 32, dtype="float32")[:, None]
Y = 2 * X


def linear_model(lr=0.01):
    model = Sequential([Dense(1, input_shape=(1,))])
    model.compile(saessak.optimizers.SGD(lr), "mse")
    return model


class Script(callbacks.Callback):
    """Replaces ``val_loss`` with a scripted value and keeps each epoch's weights."""

    def __init__(self, values):
        super().__init__()
        self.values = values
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]
        self.weights.append(self.model.get_weights())


def run_scripted(values, **early_stopping):
    model = linear_model()
    script = Script(values)
    stopper = callbacks.EarlyStopping(**early_stopping)
    history = model.fit(X, Y, epochs=len(values), verbose=0, callbacks=[script, stopper])
    return model, script, stopper, history


def test_early_stopping_patience_5_stops_where_keras_does():
    # best 0.9 at epoch 1; epochs 2..6 do not improve: wait reaches 5 at epoch 6 -> stop.
    values = [1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.94, 0.5, 0.4, 0.3]
    _, _, stopper, history = run_scripted(values, patience=5)
    assert len(history.epoch) == 7 and stopper.stopped_epoch == 6
    assert stopper.best == 0.9 and stopper.best_epoch == 1


def test_min_delta_and_baseline():
    # min_delta 0.05: 0.9 -> 0.86 is not an improvement; patience 2 stops at epoch 2
    _, _, stopper, history = run_scripted([0.9, 0.86, 0.87, 0.1], patience=2, min_delta=0.05)
    assert len(history.epoch) == 3
    # baseline 0.5: improving epochs that do not beat the baseline still count as waiting
    # (wait 1, 2, then 3 at the worse epoch 2 -> stop); without a baseline it goes on
    _, _, stopper, history = run_scripted([0.9, 0.8, 0.85, 0.6], patience=3, baseline=0.5)
    assert len(history.epoch) == 3 and stopper.best == 0.8
    _, _, stopper, history = run_scripted([0.9, 0.8, 0.85, 0.6], patience=3)
    assert len(history.epoch) == 4
    # start_from_epoch: the first two epochs are ignored
    _, _, _, history = run_scripted([0.1, 0.2, 0.9, 0.95, 0.96, 0.97], patience=1,
                                    start_from_epoch=2)
    assert len(history.epoch) == 4


def test_patience_0_never_stops_on_epoch_0_and_max_mode():
    _, _, _, history = run_scripted([1.0, 2.0, 3.0], patience=0)
    assert len(history.epoch) == 2  # epoch 1 is worse: stop there (never at epoch 0)
    _, _, _, history = run_scripted([0.1, 0.3, 0.2, 0.25], patience=1, mode="max",
                                    monitor="val_loss")
    assert len(history.epoch) == 3


def test_restore_best_weights_puts_back_the_best_epoch():
    values = [1.0, 0.5, 0.7, 0.8, 0.9]
    model, script, stopper, _ = run_scripted(values, patience=2, restore_best_weights=True)
    assert stopper.stopped_epoch == 3
    for got, best in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(got, best)


def test_auto_mode_needs_a_known_direction():
    model = linear_model()
    stopper = callbacks.EarlyStopping(monitor="mystery", mode="auto")
    with pytest.raises(ValueError, match="mode='max'"):
        model.fit(X, Y, epochs=2, verbose=0, callbacks=[stopper])


def test_auto_mode_reads_the_direction_of_a_compiled_metric_by_its_name():
    """keras.io's ViT: ModelCheckpoint(monitor="val_accuracy") with
    SparseCategoricalAccuracy(name="accuracy") among the compiled metrics keeps the
    highest; a metric whose direction is down (a crossentropy) the lowest."""
    model = Sequential([saessak.Input((3,)), Dense(2)])
    model.compile("sgd", saessak.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[saessak.metrics.SparseCategoricalAccuracy(name="accuracy"),
                           saessak.metrics.SparseCategoricalCrossentropy(
                               from_logits=True, name="xent")])
    x = np.random.default_rng(0).normal(size=(8, 3))
    model.fit(x, np.arange(8) % 2, epochs=1, verbose=0)  # builds the compiled metrics
    from saessak.training.callbacks.monitor import resolve_mode
    assert resolve_mode("ModelCheckpoint", "auto", "val_accuracy", model) == "max"
    assert resolve_mode("ModelCheckpoint", "auto", "xent", model) == "min"


def test_model_checkpoint_templates_and_save_best_only(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    model = linear_model()
    script = Script([0.5, 0.4, 0.6])
    path = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.keras")
    checkpoint = callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    model.fit(X, Y, epochs=3, verbose=0, callbacks=[script, checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-01-0.50.keras",
                                                          "ckpt-02-0.40.keras"]
    weights = callbacks.ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_weights_only=True,
                                        monitor="loss")
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[weights])
    assert (tmp_path / "w.weights.h5").exists()


def test_schedulers_change_the_learning_rate():
    model = linear_model(lr=0.1)
    seen = []
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    spy = callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs: seen.append(model.optimizer.learning_rate))
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[scheduler, spy])
    assert seen == pytest.approx([0.05, 0.025, 0.0125])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])
    model = linear_model(lr=0.1)
    plateau = callbacks.ReduceLROnPlateau(monitor="val_loss", patience=1, factor=0.5,
                                          min_lr=0.03)
    model.fit(X, Y, epochs=4, verbose=0, callbacks=[Script([1.0, 1.0, 1.0, 1.0]), plateau])
    # epoch 1: no improvement -> 0.05; epoch 2 -> 0.03 (floor); epoch 3 stays
    assert model.optimizer.learning_rate == pytest.approx(0.03)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the point
def test_csv_logger_terminate_on_nan_and_lambda(tmp_path):
    model = linear_model()
    path = tmp_path / "log.csv"
    ends = []
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[
        callbacks.CSVLogger(path), callbacks.LambdaCallback(on_train_end=ends.append)])
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1"] and "loss" in rows[0]
    assert len(ends) == 1
    model = linear_model(lr=1e30)  # diverges to inf/nan within a few batches
    history = model.fit(X * 1e10, Y * 1e10, epochs=5, batch_size=4, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 1


def test_every_hook_is_called_in_order():
    calls = []

    class Recorder(callbacks.Callback):
        pass

    for hook in ("on_train_begin", "on_epoch_begin", "on_train_batch_begin",
                 "on_train_batch_end", "on_epoch_end", "on_train_end", "on_test_begin",
                 "on_test_end"):
        setattr(Recorder, hook, lambda self, *a, _h=hook: calls.append(_h))
    model = linear_model()
    model.fit(X, Y, epochs=1, batch_size=32, verbose=0, validation_data=(X, Y),
              callbacks=[Recorder()])
    assert calls[:5] == ["on_train_begin", "on_epoch_begin", "on_train_batch_begin",
                         "on_train_batch_end", "on_epoch_end"]
    assert calls[-1] == "on_train_end"


def test_stop_training_from_a_batch_hook():
    model = linear_model()
    stopper = callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: setattr(model, "stop_training", b >= 1))
    history = model.fit(X, Y, epochs=3, batch_size=4, verbose=0, callbacks=[stopper])
    assert len(history.epoch) == 1


def test_backup_and_restore_resumes_after_an_interruption(tmp_path):
    model = linear_model()
    backup = callbacks.BackupAndRestore(tmp_path / "backup")

    class Crash(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        model.fit(X, Y, epochs=4, verbose=0, callbacks=[Crash(), backup])
    history = model.fit(X, Y, epochs=4, verbose=0, callbacks=[backup])
    assert history.epoch == [1, 2, 3]  # epoch 0 was backed up; training went on from 1
