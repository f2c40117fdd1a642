"""Make ``tests/fixtures/keras/ctc.npz`` with real Keras 3 (TensorFlow backend) and tf.keras 2.

Run in an environment that has TensorFlow, Keras 3 and tf-keras::

    /work/tfvenv/bin/python scripts/make_ctc_fixture.py

It draws fixed inputs and stores them with what the reference gives back:

- ``loss_<case>__*``: ``keras.ops.ctc_loss`` (``target``, ``logits``, ``target_length``,
  ``output_length``, ``mask_index``), its value ``loss`` and ``grad``, the gradient of
  sum(loss * ``weights``) with respect to the logits (``tf.GradientTape``);
- ``batch_<case>__*``: tf.keras 2's ``keras.backend.ctc_batch_cost`` on softmax outputs
  ``y_pred`` (with ``y_true``, ``input_length``, ``label_length``, all ``(batch, 1)``),
  its ``loss`` (``(batch, 1)``) and ``grad`` with respect to ``y_pred``;
- ``decode_<case>__*``: ``keras.ops.ctc_decode`` on ``inputs``/``lengths`` with the
  keyword arguments in ``call`` (JSON), its ``decoded`` and ``scores``;
- ``k2decode_<case>__*``: tf.keras 2's ``keras.backend.ctc_decode`` on probabilities, its
  decoded paths stacked as ``decoded`` (``(top_paths, batch, time)``) and ``scores``.

``tests/ops/test_ctc.py`` reads it with NumPy alone.
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERAS_BACKEND"] = "tensorflow"

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras", "ctc.npz")
SEED = 31


def _targets(rng, lengths, width, low, high, pad):
    """Random labels in [low, high) of the given lengths, padded with ``pad``; every other
    row repeats a label (CTC then needs a blank between the two)."""
    out = np.full((len(lengths), width), pad, np.int32)
    for i, n in enumerate(lengths):
        row = rng.integers(low, high, n)
        if i % 2 and n >= 2:
            row[1] = row[0]
        out[i, :n] = row
    return out


# (case, batch, time, classes, target width, target lengths, output lengths, mask_index,
#  padding value): the last two cases cannot align (too short, or repeats that need a blank)
LOSS_CASES = [
    ("basic", 4, 12, 6, 4, [4, 2, 3, 1], [12, 9, 7, 5], 0, 0),
    ("long", 3, 30, 11, 7, [7, 5, 6], [30, 22, 17], 0, 0),
    ("mask_last", 3, 10, 5, 3, [3, 2, 1], [10, 8, 6], 4, 0),
    ("mask_mid", 3, 10, 6, 3, [3, 3, 2], [10, 7, 9], 2, -1),
    ("empty_target", 2, 6, 4, 2, [0, 2], [6, 4], 0, 0),
    ("impossible", 3, 6, 5, 5, [5, 4, 3], [3, 4, 6], 0, 0),
]

# (case, batch, time, classes, labels width, label lengths, input lengths): the blank is
# the last class; "inf" has a repeat that leaves no room for its blank; "null_padding"
# pads with 99 and with the blank and passes the full width as label_length, as keras.io's
# handwriting example does (those "null" labels end a row's labels)
BATCH_CASES = [
    ("basic", 4, 10, 6, 4, [4, 3, 2, 4], [10, 8, 6, 9]),
    ("inf", 2, 4, 5, 3, [3, 3], [4, 3]),
    ("null_padding", 3, 12, 6, 6, [3, 5, 1], [12, 10, 8]),
]

DECODE_CALLS = [
    ("greedy", {"strategy": "greedy"}),
    ("greedy_nomerge", {"strategy": "greedy", "merge_repeated": False}),
    ("greedy_mask2", {"strategy": "greedy", "mask_index": 2}),
    ("beam1", {"strategy": "beam_search", "beam_width": 1, "top_paths": 1}),
    ("beam3", {"strategy": "beam_search", "beam_width": 3, "top_paths": 2}),
    ("beam5", {"strategy": "beam_search", "beam_width": 5, "top_paths": 3}),
    ("beam10", {"strategy": "beam_search", "beam_width": 10, "top_paths": 4}),
    ("beam100", {"strategy": "beam_search", "top_paths": 2}),
    ("beam4_mask3", {"strategy": "beam_search", "beam_width": 4, "top_paths": 2,
                     "mask_index": 3}),
]

WIDE_BEAMS = [(2, 1), (4, 3), (8, 5), (16, 2)]  # (beam_width, top_paths)

K2_DECODE_CALLS = [
    ("greedy", {"greedy": True}),
    ("beam4", {"greedy": False, "beam_width": 4, "top_paths": 3}),
]


def main():
    import keras
    import tensorflow as tf
    import tf_keras

    rng = np.random.default_rng(SEED)
    data = {}

    for case, b, t, c, w, tl, ol, mask, pad in LOSS_CASES:
        low, high = (1, c) if mask == 0 else (0, c - 1)
        target = _targets(rng, tl, w, low, high, pad)
        if mask not in (0, c - 1):  # labels at or above the blank skip it
            target = np.where((target >= mask) & (target >= 0), target + 1, target)
        logits = (2.0 * rng.standard_normal((b, t, c))).astype(np.float32)
        weights = rng.uniform(0.5, 1.5, b).astype(np.float32)
        x = tf.Variable(logits)
        with tf.GradientTape() as tape:
            loss = keras.ops.ctc_loss(target, x, np.array(tl), np.array(ol), mask_index=mask)
            total = tf.reduce_sum(loss * weights)
        grad = tape.gradient(total, x)
        key = f"loss_{case}__"
        data.update({key + "target": target, key + "logits": logits,
                     key + "target_length": np.array(tl, np.int32),
                     key + "output_length": np.array(ol, np.int32),
                     key + "mask_index": np.array(mask), key + "weights": weights,
                     key + "loss": loss.numpy(), key + "grad": grad.numpy()})

    for case, b, t, c, w, ll, il in BATCH_CASES:
        y_true = _targets(rng, ll, w, 0, c - 1, 0)
        if case == "inf":  # the second row repeats its labels and has 3 steps for 3 labels
            y_true[1] = [2, 2, 1]
        if case == "null_padding":
            for i, n in enumerate(ll):
                y_true[i, n:] = 99 if i % 2 == 0 else c - 1
            ll = [w] * b
        logits = (2.0 * rng.standard_normal((b, t, c))).astype(np.float32)
        y_pred = tf.Variable(tf.nn.softmax(logits).numpy())
        weights = rng.uniform(0.5, 1.5, (b, 1)).astype(np.float32)
        input_length = np.array(il, np.int32)[:, None]
        label_length = np.array(ll, np.int32)[:, None]
        with tf.GradientTape() as tape:
            loss = tf_keras.backend.ctc_batch_cost(y_true.astype(np.float32), y_pred,
                                                   input_length, label_length)
            total = tf.reduce_sum(loss * weights)  # inf where a row cannot align
        grad = tape.gradient(total, y_pred)
        key = f"batch_{case}__"
        data.update({key + "y_true": y_true, key + "y_pred": y_pred.numpy(),
                     key + "input_length": input_length, key + "label_length": label_length,
                     key + "weights": weights, key + "loss": loss.numpy(),
                     key + "grad": grad.numpy()})

    # peaked logits: the decoders then disagree with each other in interesting ways
    inputs = (3.0 * rng.standard_normal((5, 9, 5))).astype(np.float32)
    inputs[0, 2:4] = inputs[0, 1]  # the same frame three times: repeats to merge
    lengths = np.array([9, 7, 9, 4, 1], np.int32)
    for case, kwargs in DECODE_CALLS:
        decoded, scores = keras.ops.ctc_decode(inputs, lengths, **kwargs)
        key = f"decode_{case}__"
        data.update({key + "inputs": inputs, key + "lengths": lengths,
                     key + "call": np.array(json.dumps(kwargs)),
                     key + "decoded": np.asarray(decoded), key + "scores": np.asarray(scores)})

    # a wider batch, where small beams prune often
    wide = (2.5 * rng.standard_normal((12, 16, 7))).astype(np.float32)
    wide_lengths = rng.integers(1, 17, 12).astype(np.int32)
    for width, top in WIDE_BEAMS:
        kwargs = {"strategy": "beam_search", "beam_width": width, "top_paths": top}
        decoded, scores = keras.ops.ctc_decode(wide, wide_lengths, **kwargs)
        key = f"decode_wide_beam{width}__"
        data.update({key + "inputs": wide, key + "lengths": wide_lengths,
                     key + "call": np.array(json.dumps(kwargs)),
                     key + "decoded": np.asarray(decoded), key + "scores": np.asarray(scores)})

    probs = tf.nn.softmax(2.0 * rng.standard_normal((4, 8, 5)).astype(np.float32)).numpy()
    k2_lengths = np.array([8, 6, 8, 3], np.int32)
    for case, kwargs in K2_DECODE_CALLS:
        decoded, scores = tf_keras.backend.ctc_decode(probs, k2_lengths, **kwargs)
        key = f"k2decode_{case}__"
        data.update({key + "y_pred": probs, key + "input_length": k2_lengths,
                     key + "call": np.array(json.dumps(kwargs)),
                     key + "decoded": np.stack([np.asarray(d) for d in decoded]),
                     key + "scores": np.asarray(scores)})

    # "a - a" is likely: the paths "a" and "a a" lead, and the merge prints both as "a"
    merge = np.array([[[0.25, 0.6, 0.15], [0.2, 0.2, 0.6], [0.25, 0.6, 0.15]]], np.float32)
    kwargs = {"greedy": False, "beam_width": 4, "top_paths": 3}
    decoded, scores = tf_keras.backend.ctc_decode(merge, np.array([3], np.int32), **kwargs)
    key = "k2decode_merge__"
    data.update({key + "y_pred": merge, key + "input_length": np.array([3], np.int32),
                 key + "call": np.array(json.dumps(kwargs)),
                 key + "decoded": np.stack([np.asarray(d) for d in decoded]),
                 key + "scores": np.asarray(scores)})

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez(OUT, **data)
    print(f"wrote {os.path.normpath(OUT)}: {len(data)} arrays")


if __name__ == "__main__":
    main()
