"""``keras.utils.Sequence`` and ``keras.utils.PyDataset``: data generators written as
classes, the way Keras's guides and many user programs feed ``fit``."""

import numpy as np
import pytest

import saessak as keras

X = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
Y = (X.sum(axis=1) > 0).astype("float32")


class DataGenerator(keras.utils.Sequence):
    """The classic tf.keras 2 generator: batches by index, reshuffled after each epoch."""

    def __init__(self, x, y, batch_size=8, shuffle=False):
        self.x, self.y, self.batch_size, self.shuffle = x, y, batch_size, shuffle
        self.indexes = np.arange(len(x))
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, index):
        rows = self.indexes[index * self.batch_size:(index + 1) * self.batch_size]
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1
        if self.shuffle:
            np.random.shuffle(self.indexes)


class Batches(keras.utils.PyDataset):
    """Keras 3's form, with on_epoch_begin too."""

    def __init__(self, x, y, batch_size=8, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.begun = 0

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]

    def on_epoch_begin(self):
        self.begun += 1


def model():
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile("sgd", "binary_crossentropy")
    return m


@pytest.mark.parametrize("source", [DataGenerator, Batches])
def test_a_sequence_trains_as_the_same_batches_given_as_arrays(source):
    by_arrays = model()
    by_arrays.fit(X, Y, batch_size=8, shuffle=False, epochs=3, verbose=0)
    data = source(X, Y)
    by_sequence = model()
    history = by_sequence.fit(data, epochs=3, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 3
    for a, b in zip(by_arrays.get_weights(), by_sequence.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    if source is DataGenerator:
        assert data.epochs_ended == 3
    else:
        assert data.begun == 3


def test_fit_reads_a_sequences_batches_in_a_new_order_each_epoch():
    class Recorder(DataGenerator):
        def __getitem__(self, index):
            self.asked.append(index)
            return super().__getitem__(index)

    data = Recorder(X, Y, batch_size=4)  # 8 batches
    data.asked = []
    m = model()
    m.fit(data, epochs=3, verbose=0)  # shuffle=True, fit's default (as in Keras)
    epochs = [data.asked[i:i + 8] for i in range(0, 24, 8)]
    assert all(sorted(e) == list(range(8)) for e in epochs)  # every batch once an epoch
    assert len({tuple(e) for e in epochs}) > 1 and epochs[0] != list(range(8))
    data.asked = []
    m.evaluate(data, verbose=0)
    assert data.asked == list(range(8))  # evaluate and predict keep the order


def test_on_epoch_end_reshuffles_and_validation_takes_a_sequence():
    data = DataGenerator(X, Y, shuffle=True)
    m = model()
    m.fit(data, validation_data=DataGenerator(X, Y), epochs=2, verbose=0)
    assert data.epochs_ended == 2 and sorted(data.indexes) == list(range(32))
    assert m.predict(DataGenerator(X, Y), verbose=0).shape == (32, 1)


def test_pydataset_keeps_its_worker_arguments_and_a_missing_method_is_named():
    data = Batches(X, Y, workers=4, use_multiprocessing=True, max_queue_size=3)
    assert (data.workers, data.use_multiprocessing, data.max_queue_size) == (4, True, 3)
    assert data.num_batches == 4 and len(list(data)) == 4

    class NoLength(keras.utils.Sequence):
        def __getitem__(self, index):
            return X, Y

    with pytest.raises(NotImplementedError, match="NoLength must define __len__"):
        len(NoLength())
