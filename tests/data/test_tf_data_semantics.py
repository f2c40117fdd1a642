"""tf.data's rules that the seeds' programs rely on: a list returned by map is a tuple of
components, and a single value taken out of an element keeps .numpy()."""

import numpy as np

import saessak as tf


def test_map_returning_a_list_gives_a_tuple_of_components():
    # seed 000, 7.38: 26 word ids -> ([25 ids], next id)
    text_as_int = np.arange(100, dtype=np.int64)
    chunks = tf.data.Dataset.from_tensor_slices(text_as_int).batch(26, drop_remainder=True)

    def split_input_target(chunk):
        return [chunk[:-1], chunk[-1]]

    train = chunks.map(split_input_target)
    firsts = [(x.numpy(), y.numpy()) for x, y in train.take(2)]
    np.testing.assert_array_equal(firsts[0][0], np.arange(25))
    assert firsts[0][1] == 25 and firsts[1][1] == 51
    batched = next(iter(train.batch(3)))
    assert isinstance(batched, tuple) and batched[0].shape == (3, 25)
    np.testing.assert_array_equal(batched[1], [25, 51, 77])


def test_py_function_with_a_list_of_outputs_inside_map():
    # seed 004: encode text with a Python function wrapped in tf.py_function
    texts = np.array([b"a good film", b"bad"], dtype=object)
    ds = tf.data.Dataset.from_tensor_slices((texts, np.array([1, 0])))

    def encode(text_tensor, label):
        return [len(w) for w in text_tensor.numpy().split()], label

    def encode_map_fn(text, label):
        return tf.py_function(encode, inp=[text, label], Tout=(tf.int64, tf.int64))

    out = [(t.numpy().tolist(), int(l.numpy())) for t, l in ds.map(encode_map_fn)]
    assert out == [([1, 4, 4], 1), ([3], 0)]
    padded = next(iter(ds.map(encode_map_fn).padded_batch(2, padded_shapes=([-1], []))))
    np.testing.assert_array_equal(padded[0], [[1, 4, 4], [3, 0, 0]])


def test_scalars_taken_out_of_a_batch_keep_numpy():
    # seed 004 part 2: for ex in ds.take(5): print(ex.numpy(), char_array[ex.numpy()])
    char_array = np.array(list("abcdef"))
    ds = tf.data.Dataset.from_tensor_slices(np.array([0, 3, 5], dtype=np.int32))
    assert [char_array[ex.numpy()] for ex in ds] == ["a", "d", "f"]
    batch = next(iter(ds.batch(3)))
    values = [label.numpy() for label in batch]
    assert values == [0, 3, 5] and all(isinstance(v, np.int32) for v in values)
    assert isinstance(batch[1].numpy(), np.int32) and batch[-1].numpy() == 5
    assert isinstance(batch[1:].numpy(), np.ndarray)


def test_string_elements_numpy_gives_bytes():
    ds = tf.data.Dataset.from_tensor_slices(np.array([b"first", b"second"], dtype=object))
    assert [s.numpy() for s in ds] == [b"first", b"second"]
    batch = next(iter(ds.batch(2)))
    assert batch[0].numpy() == b"first" and batch.numpy()[1] == b"second"


def test_an_in_place_operator_in_map_binds_a_new_array_as_tensorflow_does():
    # PointNet's augment: points += tf.random.uniform(...). TensorFlow's tensors are
    # immutable; an element here shares memory with the source arrays, so a true in-place
    # add would pile the noise onto the training data, once more each epoch.
    points = np.zeros((4, 3))
    labels = np.arange(4)

    def augment(p, label):
        p += 1.0
        p *= 2.0
        return p, label

    ds = tf.data.Dataset.from_tensor_slices((points, labels)).map(augment).batch(2)
    for _ in range(2):
        batches = [p.numpy() for p, _ in ds]
    np.testing.assert_array_equal(points, 0.0)
    np.testing.assert_array_equal(np.concatenate(batches), 2.0)


def test_a_tensor_added_in_place_to_an_element_gives_a_tensor():
    def augment(p, label):
        p += tf.random.uniform(p.shape, -0.005, 0.005, dtype=tf.float64)
        return tf.random.shuffle(p), label

    points = np.arange(12.0).reshape(2, 3, 2)
    ds = tf.data.Dataset.from_tensor_slices((points, np.arange(2))).map(augment).batch(2)
    (p, label), = list(ds)
    assert p.shape == (2, 3, 2) and p.dtype == np.float64
    # each cloud's points were jittered and reordered, not changed otherwise
    np.testing.assert_allclose(np.sort(p.numpy(), axis=1), points, atol=0.006)
    np.testing.assert_array_equal(points, np.arange(12.0).reshape(2, 3, 2))
