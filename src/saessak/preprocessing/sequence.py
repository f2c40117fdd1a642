"""Sequence helpers: ``pad_sequences``, ``skipgrams``, ``make_sampling_table`` and
``TimeseriesGenerator``, with the behaviour of ``keras.preprocessing.sequence``.

    >>> pad_sequences([[1, 2, 3], [3, 4, 5, 6], [7, 8]], maxlen=3)
    array([[1, 2, 3],
           [4, 5, 6],
           [0, 7, 8]], dtype=int32)
"""

import random

import numpy as np


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {choices}; received {value!r}")


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Stack variable-length sequences into one array of shape ``(n, maxlen, ...)``.

    Sequences longer than ``maxlen`` lose values at the start (``truncating='pre'``) or the
    end (``'post'``); shorter ones get ``value`` added before (``padding='pre'``) or after
    (``'post'``). ``maxlen=None`` uses the longest sequence. Empty sequences become rows of
    ``value``. Elements may themselves be arrays (all of the same shape).
    """
    _check_choice("padding", padding, ("pre", "post"))
    _check_choice("truncating", truncating, ("pre", "post"))
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise ValueError(
            f"`sequences` must be a list of sequences; received {type(sequences).__name__}"
        )
    if maxlen is not None and (
        isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0
    ):
        raise ValueError(f"`maxlen` must be None or an int >= 0; received {maxlen!r}")

    lengths = []
    sample_shape = ()
    found_shape = False
    for pos, s in enumerate(sequences):
        if isinstance(s, (str, bytes, dict, set, frozenset)) or not hasattr(s, "__len__"):
            raise ValueError(
                "`sequences` must be a list of iterables; element "
                f"{pos} is {type(s).__name__}: {s!r:.80}"
            )
        lengths.append(len(s))
        if not found_shape and len(s):
            try:
                sample_shape = np.asarray(s).shape[1:]
            except ValueError:  # ragged elements: the check below names the position
                sample_shape = ()
            found_shape = True
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0

    is_str_dtype = np.issubdtype(np.dtype(dtype), np.str_)
    if isinstance(value, str) and np.dtype(dtype) != object and not is_str_dtype:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type {type(value).__name__}; "
            "set `dtype=object` for variable-length strings."
        )

    shape = (len(lengths), maxlen) + tuple(sample_shape)
    try:
        with _exact_casts():
            x = np.full(shape, value, dtype=dtype)
    except (OverflowError, TypeError, ValueError, FloatingPointError) as e:  # 2**40 or NaN
        # into int32, -1 into uint8 ...
        raise ValueError(f"pad_sequences: `value` {value!r} cannot be stored in dtype "
                         f"{dtype!r} ({e}); pass a value that fits, or another dtype") from None
    except MemoryError:
        raise ValueError(f"pad_sequences: the padded array of shape {shape} and dtype "
                         f"{dtype!r} does not fit in memory; pass a smaller `maxlen`") from None
    if maxlen == 0:
        return x
    for pos, s in enumerate(sequences):
        if not len(s):
            continue
        try:
            kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
            with _exact_casts():
                kept = np.asarray(kept, dtype=dtype)
        except (TypeError, ValueError, OverflowError, FloatingPointError) as e:
            hint = "; pass dtype='int64' for larger ids" if isinstance(e, OverflowError) else ""
            raise ValueError(
                f"pad_sequences: sequence {pos} cannot be converted to dtype {dtype!r}: "
                f"{e}{hint}"
            ) from None
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {pos} is "
                f"different from expected shape {tuple(sample_shape)}"
            )
        if padding == "post":
            x[pos, : len(kept)] = kept
        else:
            x[pos, -len(kept):] = kept
    return x


def _exact_casts():
    """Make a float that does not fit an integer dtype (1e300 or NaN into int32) an error
    (FloatingPointError) rather than NumPy's warning and a garbage value."""
    return np.errstate(invalid="raise", over="raise")


def make_sampling_table(size, sampling_factor=1e-5):
    """Probability of keeping the word of rank ``i`` (0-based, most frequent first) when
    drawing skip-gram pairs, assuming a Zipf distribution of word frequencies (word2vec's
    sub-sampling): ``min(1, sqrt(sampling_factor / freq_i))``."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"`size` must be an int >= 1; received {size!r}")
    gamma = 0.577  # Euler-Mascheroni constant
    rank = np.arange(size)
    rank[0] = 1
    # 1 / freq(rank) under Zipf's law, via the harmonic-number approximation
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """Word2vec training pairs from one index sequence.

    Returns ``(couples, labels)``: ``[word, context]`` pairs labelled 1 for words within
    ``window_size`` of each other, and ``negative_samples`` times as many random pairs
    labelled 0. Index 0 is treated as padding and skipped. ``categorical`` gives labels as
    ``[0, 1]`` / ``[1, 0]``. ``sampling_table[i]`` is the chance of keeping word ``i``.
    """
    if vocabulary_size < 2:
        raise ValueError(f"`vocabulary_size` must be >= 2; received {vocabulary_size!r}")
    if window_size < 0:
        raise ValueError(f"`window_size` must be >= 0; received {window_size!r}")
    rng = random.Random(seed)
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < rng.random():
            continue
        lo, hi = max(0, i - window_size), min(len(sequence), i + window_size + 1)
        for j in range(lo, hi):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append([0, 1] if categorical else 1)

    if negative_samples > 0 and couples:
        n_neg = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        rng.shuffle(words)
        couples += [[words[i % len(words)], rng.randint(1, vocabulary_size - 1)]
                    for i in range(n_neg)]
        labels += [[1, 0] if categorical else 0] * n_neg

    if shuffle:
        # shuffle pairs and labels with the same permutation
        order = list(range(len(couples)))
        rng.shuffle(order)
        couples = [couples[k] for k in order]
        labels = [labels[k] for k in order]
    return couples, labels


class TimeseriesGenerator:
    """Batches of sliding windows over a time series (Keras's ``TimeseriesGenerator``).

    Batch ``b`` holds windows ending just before rows ``r`` (``r`` from ``start_index +
    length`` to ``end_index``, every ``stride``); window ``r`` is
    ``data[r - length:r:sampling_rate]`` and its target is ``targets[r]``.
    Indexing gives ``(samples, targets)``; ``len()`` is the number of batches.
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0,
                 end_index=None, shuffle=False, reverse=False, batch_size=128, seed=None):
        if len(data) != len(targets):
            raise ValueError(
                "Data and targets have to be of same length. "
                f"Data length is {len(data)} while target length is {len(targets)}"
            )
        for name, v in (("length", length), ("sampling_rate", sampling_rate),
                        ("stride", stride), ("batch_size", batch_size)):
            if v < 1:
                raise ValueError(f"`{name}` must be >= 1; received {v!r}")
        self.data, self.targets = data, targets
        self.length, self.sampling_rate, self.stride = length, sampling_rate, stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle, self.reverse, self.batch_size = shuffle, reverse, batch_size
        self._rng = np.random.RandomState(seed)
        if self.start_index > self.end_index:
            raise ValueError(
                f"`start_index+length={self.start_index} > end_index={self.end_index}` is "
                "disallowed, as no part of the sequence would be left to be used as current step."
            )

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches")
        if self.shuffle:
            rows = self._rng.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            i = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(i, min(i + self.batch_size * self.stride, self.end_index + 1),
                             self.stride)
        samples = np.array([self.data[r - self.length:r:self.sampling_rate] for r in rows])
        targets = np.array([self.targets[r] for r in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


__all__ = ["pad_sequences", "skipgrams", "make_sampling_table", "TimeseriesGenerator"]
