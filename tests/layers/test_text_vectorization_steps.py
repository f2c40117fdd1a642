"""TextVectorization.adapt(steps=): only the first ``steps`` batches of a Dataset are read
(it was accepted and ignored)."""

import numpy as np

from saessak import data
from saessak.layers import TextVectorization

TEXTS = np.array(["red red red", "green", "blue blue", "blue"], dtype=object)


def vocabulary(steps, **kwargs):
    layer = TextVectorization(**kwargs)
    layer.adapt(data.Dataset.from_tensor_slices(TEXTS).batch(2), steps=steps)
    return layer


def test_steps_reads_only_the_first_batches_of_a_dataset():
    assert vocabulary(None).get_vocabulary() == ["", "[UNK]", "red", "blue", "green"]
    assert vocabulary(1).get_vocabulary() == ["", "[UNK]", "red", "green"]


def test_tf_idf_counts_the_documents_of_those_batches_only():
    layer = vocabulary(1, output_mode="tf_idf")
    assert layer.get_vocabulary() == ["[UNK]", "red", "green"]
    out = np.asarray(layer(np.array(["red red green"], dtype=object)))
    # idf = ln(1 + documents / (1 + document frequency)): 2 documents read, each word in 1
    np.testing.assert_allclose(out[0, 1:], [2 * np.log(2.0), np.log(2.0)], rtol=1e-6)


def test_an_array_is_one_batch_and_an_infinite_dataset_stops_at_steps():
    layer = TextVectorization()
    layer.adapt(TEXTS, steps=1)
    assert layer.get_vocabulary()[2:] == ["red", "blue", "green"]
    endless = data.Dataset.from_tensor_slices(TEXTS[:2]).batch(1).repeat()
    layer.adapt(endless, steps=3)  # would never end without steps
    assert layer.get_vocabulary()[2:] == ["red", "green"]
