"""The side-by-side benchmark workloads: the seeds' models in saessak, PyTorch and Keras.

Each workload fixes what all three frameworks run: the network, the batch (its shapes, and
the same random numbers in every framework), the loss and the optimizer (Adam, lr 1e-3,
eps 1e-7: Keras's defaults, given to PyTorch explicitly), and the seed's epoch (how many
train steps one epoch has). It also counts the matrix-product FLOPs of one train step, layer
by layer, for the GEMM ceiling in ``run.py``.

A builder returns ``step(xb, yb)``: one train step (forward in training mode, loss, backward,
update) on one batch. saessak and PyTorch run hand-written steps (the helpers of
``bench_rnn.py``); Keras runs ``model.train_on_batch`` (its compiled train function).
The model builders of ``bench_rnn.py`` and ``bench_cnn.py`` are reused where they match the
seed; the rest are written here. Framework imports stay inside the builders, so this module
loads in an interpreter that has only NumPy and one of the frameworks.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# saessak trains through fit; saessak_step is the hand-written step on the same layers
FRAMEWORKS = ("saessak", "saessak_step", "pytorch", "keras")


def builder_of(workload, framework):
    """The builder a framework's worker uses (saessak_step shares saessak's)."""
    return workload.builders.get(framework.removesuffix("_step"))


# --- matmul FLOPs, per layer type ------------------------------------------------------------
# One multiply-add is 2 FLOPs. Only the matrix products are counted (the GEMM part of the
# work); elementwise gate math, softmax, pooling and the optimizer are left out. A train step
# costs about 3x the forward GEMMs: the forward product, then in backward one product for the
# input's gradient and one for the weight's.

def dense_flops(rows, n_in, n_out):
    """Dense on ``rows`` rows (batch x time for sequences): (rows, n_in) @ (n_in, n_out)."""
    return 2 * rows * n_in * n_out


def conv_flops(batch, out_positions, window, c_in, c_out):
    """Convolution as a GEMM: each output position multiplies its (window x c_in) patch by
    the (window x c_in, c_out) kernel. ``window``: kernel size (kh x kw for 2-D)."""
    return 2 * batch * out_positions * window * c_in * c_out


def recurrent_flops(batch, steps, n_in, units, gates):
    """LSTM (4 gates) or GRU (3): per step, x_t @ W (n_in, gates*u) and h @ U (u, gates*u)."""
    return 2 * batch * steps * (n_in + units) * gates * units


def lstm_flops(batch, steps, n_in, units):
    return recurrent_flops(batch, steps, n_in, units, 4)


def gru_flops(batch, steps, n_in, units):
    return recurrent_flops(batch, steps, n_in, units, 3)


def sequence_attention_flops(batch, steps, d, units):
    """SequenceAttention (Luong): keys W h_s, scores h_T . k_s, context sum_s a_s h_s, and
    the output tanh(W_c [c ; h_T])."""
    return (dense_flops(batch * steps, d, d) + 2 * batch * steps * d  # keys, scores
            + 2 * batch * steps * d + dense_flops(batch, 2 * d, units))  # context, output


def self_attention_flops(batch, length, d_model):
    """Multi-head self-attention: q, k, v and output projections (d x d each), the scores
    Q K^T and the weighted values A V (length x length x d_model per sequence, all heads)."""
    return (4 * dense_flops(batch * length, d_model, d_model)
            + 2 * (2 * batch * length * length * d_model))


def train_step_flops(forward):
    """Matmul FLOPs of one train step from the forward count: forward + backward ~ 3x."""
    return 3 * sum(f for _, f in forward)


# --- data ------------------------------------------------------------------------------------

def tokens(rng, batch, length, vocab):
    return rng.integers(1, vocab, (batch, length))  # int64: what PyTorch's Embedding wants


def binary_labels(rng, batch):
    return rng.integers(0, 2, (batch, 1)).astype(np.float32)


# --- the workloads ---------------------------------------------------------------------------

@dataclass
class Workload:
    name: str
    title: str
    source: str                       # where in the seeds it comes from
    batch: int
    steps_per_epoch: int | None       # None: reported per step (no epoch in the seed)
    make_batch: object                # (rng) -> (x, y), one batch of numpy arrays
    forward_flops: object             # () -> [(layer, FLOPs)] of one forward pass
    builders: dict                    # framework -> (params) -> step(xb, yb)
    notes: dict = field(default_factory=dict)  # framework -> what differs there
    params: dict = field(default_factory=dict)

    def batches(self, n, seed=0):
        """``n`` distinct batches, the same numbers in every framework (same seed)."""
        rng = np.random.default_rng(seed)
        return [self.make_batch(rng) for _ in range(n)]

    def step_flops(self):
        return train_step_flops(self.forward_flops())


def keras_step(model):
    """Keras's own train step on one batch (``train_on_batch``, a compiled function)."""
    def step(xb, yb):  # the loss, and the metrics' values after it when compiled with some
        return float(np.ravel(model.train_on_batch(xb, yb))[0])

    step.predict = lambda x, batch_size: model.predict(x, batch_size=batch_size, verbose=0)
    step.count_params = model.count_params
    return step


def _bench_rnn():
    import bench_rnn
    return bench_rnn


# saessak runs an LSTM fed by an Embedding from the projected table (ops.rnn.lookup_behind)
_TABLE_PROJECTED = ("the LSTM projects the Embedding's table ({rows} rows) instead of the "
                    "batch's {tokens} tokens: fewer products than counted here, so its % of "
                    "the GEMM peak can pass 100%")


# Reuters LSTM (seed 001, section 1) ----------------------------------------------------------

def _reuters_batch(rng):
    return tokens(rng, 20, 100, 1000), rng.integers(0, 46, 20)


REUTERS = Workload(
    name="reuters_lstm",
    title="Reuters LSTM: Embedding(1000,100) > LSTM(100) > Dense(46, softmax)",
    source="seed 001 s.1: batch 20, length 100, 8,982 rows",
    batch=20, steps_per_epoch=-(-8982 // 20), make_batch=_reuters_batch,
    forward_flops=lambda: [("LSTM(100)", lstm_flops(20, 100, 100, 100)),
                           ("Dense(46)", dense_flops(20, 100, 46))],
    builders={"saessak": lambda p: _bench_rnn().saessak_model("reuters"),
              "pytorch": lambda p: _bench_rnn().torch_model("reuters"),
              "keras": lambda p: _bench_rnn().keras_model("reuters")},
    notes={"pytorch": "softmax folded into CrossEntropyLoss",
           "saessak": _TABLE_PROJECTED.format(rows="1,000", tokens="2,000")},
)


# IMDB Conv1D + LSTM (seed 001, section 2) ----------------------------------------------------

def _imdb_batch(rng, batch=40):
    return tokens(rng, batch, 500, 5000), binary_labels(rng, batch)


IMDB_CONV_LSTM = Workload(
    name="imdb_conv_lstm",
    title="IMDB Conv1D+LSTM: Embedding(5000,100) > Dropout > Conv1D(64,5) > MaxPool1D(4) "
          "> LSTM(55) > Dense(1)",
    source="seed 001 s.2: batch 40, length 500, 18,750 training rows",
    batch=40, steps_per_epoch=-(-18750 // 40), make_batch=_imdb_batch,
    forward_flops=lambda: [("Conv1D(64, 5)", conv_flops(40, 496, 5, 100, 64)),
                           ("LSTM(55)", lstm_flops(40, 124, 64, 55)),
                           ("Dense(1)", dense_flops(40, 55, 1))],
    builders={"saessak": lambda p: _bench_rnn().saessak_model("imdb"),
              "pytorch": lambda p: _bench_rnn().torch_model("imdb"),
              "keras": lambda p: _bench_rnn().keras_model("imdb")},
    notes={"pytorch": "sigmoid folded into BCEWithLogitsLoss"},
)


# IMDB LSTM + attention (seed 001, section 3) -------------------------------------------------

def _saessak_attention(params):
    import saessak
    from saessak import layers, losses, ops

    saessak.backend.set_random_seed(0)
    stack = [layers.Embedding(5000, 500), layers.Dropout(0.5),
             layers.LSTM(64, return_sequences=True), layers.SequenceAttention(128),
             layers.Dropout(0.5), layers.Dense(1, activation="sigmoid")]
    return _bench_rnn().saessak_stack_step(
        stack, lambda y, p: ops.mean(losses.binary_crossentropy(y, p)),
        "binary_crossentropy", ["accuracy"])


def _torch_attention(params):
    import torch
    from torch import nn

    torch.manual_seed(0)

    class LuongAttention(nn.Module):
        """The seed's Attention(): query h_T, keys W h_s, softmax over s, then
        tanh(W_c [context ; h_T]); no biases."""

        def __init__(self, d, units):
            super().__init__()
            self.w = nn.Linear(d, d, bias=False)
            self.w_c = nn.Linear(2 * d, units, bias=False)

        def forward(self, h):
            last = h[:, -1, :]
            scores = torch.einsum("btd,bd->bt", self.w(h), last)
            alpha = torch.softmax(scores, dim=-1)
            context = torch.einsum("bt,btd->bd", alpha, h)
            return torch.tanh(self.w_c(torch.cat([context, last], dim=-1)))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(5000, 500)
            self.drop = nn.Dropout(0.5)
            self.lstm = nn.LSTM(500, 64, batch_first=True)
            self.attention = LuongAttention(64, 128)
            self.out = nn.Linear(128, 1)

        def forward(self, x):
            h, _ = self.lstm(self.drop(self.emb(x)))
            return self.out(self.drop(self.attention(h)))

    return _bench_rnn().torch_module_step(Model(), nn.BCEWithLogitsLoss())


def _keras_attention(params):
    import keras
    from keras import layers, ops

    keras.utils.set_random_seed(0)

    class LuongAttention(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, shape):
            d = shape[-1]
            self.w = self.add_weight(shape=(d, d), initializer="glorot_uniform", name="w")
            self.w_c = self.add_weight(shape=(2 * d, self.units), initializer="glorot_uniform",
                                       name="w_c")

        def call(self, h):
            last = h[:, -1, :]
            scores = ops.einsum("btd,bd->bt", ops.matmul(h, self.w), last)
            alpha = ops.softmax(scores, axis=-1)
            context = ops.einsum("bt,btd->bd", alpha, h)
            return ops.tanh(ops.matmul(ops.concatenate([context, last], axis=-1), self.w_c))

    model = keras.Sequential([layers.Embedding(5000, 500), layers.Dropout(0.5),
                              layers.LSTM(64, return_sequences=True), LuongAttention(128),
                              layers.Dropout(0.5), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return keras_step(model)


IMDB_ATTENTION = Workload(
    name="imdb_attention",
    title="IMDB LSTM+attention: Embedding(5000,500) > Dropout > LSTM(64, seq) "
          "> SequenceAttention(128) > Dropout > Dense(1)",
    source="seed 001 s.3: batch 40, length 500, 25,000 rows",
    batch=40, steps_per_epoch=25000 // 40, make_batch=_imdb_batch,
    forward_flops=lambda: [("LSTM(64, seq)", lstm_flops(40, 500, 500, 64)),
                           ("SequenceAttention(128)", sequence_attention_flops(40, 500, 64, 128)),
                           ("Dense(1)", dense_flops(40, 128, 1))],
    builders={"saessak": _saessak_attention, "pytorch": _torch_attention,
              "keras": _keras_attention},
    notes={"pytorch": "attention written by hand (no such layer)",
           "keras": "attention written by hand as a Layer"},
)


# Jena GRU with dropout (seed 002) ------------------------------------------------------------

JENA_GRU_OPTIONS = {"dropout": 0.2, "recurrent_dropout": 0.2}


def _jena_batch(rng):
    return (rng.standard_normal((128, 240, 14)).astype(np.float32),
            rng.standard_normal((128, 1)).astype(np.float32))


JENA = Workload(
    name="jena_gru",
    title="Jena GRU(32, dropout=0.2, recurrent_dropout=0.2) > Dense(1), mse",
    source="seed 002: batch 128, 240 steps (lookback 1440 / step 6) x 14, 500 steps/epoch",
    batch=128, steps_per_epoch=500, make_batch=_jena_batch,
    forward_flops=lambda: [("GRU(32)", gru_flops(128, 240, 14, 32)),
                           ("Dense(1)", dense_flops(128, 32, 1))],
    builders={"saessak": lambda p: _bench_rnn().saessak_model("jena", JENA_GRU_OPTIONS),
              "pytorch": lambda p: _bench_rnn().torch_model("jena", input_dropout=0.2),
              "keras": lambda p: _bench_rnn().keras_model("jena", JENA_GRU_OPTIONS)},
    notes={"pytorch": "nn.GRU has no recurrent dropout: plain GRU after an input Dropout(0.2)"},
)


def flush_to_zero(build):
    """The same PyTorch builder, run with subnormal floats flushed to zero (the FTZ/DAZ bits
    of the thread's MXCSR, set through ``torch.set_flush_denormal``). A gradient carried back
    through a few hundred recurrent steps shrinks into the subnormal range (below ~1e-38 in
    float32), where x86 arithmetic is many times slower. TensorFlow's threads flush them by
    default, and so does saessak's ``fit`` (its worker here runs every workload that way)."""
    def build_flushing(params):
        import torch
        if not torch.set_flush_denormal(True):
            raise ImportError("this CPU cannot flush denormals (no FTZ/DAZ)")
        return build(params)
    return build_flushing


JENA_FTZ = Workload(
    name="jena_gru_ftz",
    title="Jena GRU as above, subnormals flushed to zero in saessak and PyTorch",
    source="seed 002, as jena_gru",
    batch=128, steps_per_epoch=500, make_batch=_jena_batch, forward_flops=JENA.forward_flops,
    builders={"saessak": JENA.builders["saessak"],
              "pytorch": flush_to_zero(JENA.builders["pytorch"])},
    notes={"saessak": "the same run as jena_gru (saessak always runs flushed, as its fit does)",
           "pytorch": "FTZ/DAZ on via torch.set_flush_denormal(True); no recurrent dropout"},
)


# Character-level LSTM language model (seed 004) ----------------------------------------------

CHAR_VOCAB, CHAR_LENGTH, CHAR_BATCH = 80, 40, 64


def _char_batch(rng):
    return (tokens(rng, CHAR_BATCH, CHAR_LENGTH, CHAR_VOCAB),
            rng.integers(0, CHAR_VOCAB, (CHAR_BATCH, CHAR_LENGTH)))


def _saessak_char_lm(params):
    import saessak
    from saessak import layers, losses, ops

    saessak.backend.set_random_seed(0)
    stack = [layers.Embedding(CHAR_VOCAB, 256), layers.LSTM(512, return_sequences=True),
             layers.Dense(CHAR_VOCAB)]
    return _bench_rnn().saessak_stack_step(stack, lambda y, p: ops.mean(
        losses.sparse_categorical_crossentropy(y, p, from_logits=True)),
        losses.SparseCategoricalCrossentropy(from_logits=True))


def _torch_char_lm(params):
    import torch
    from torch import nn

    torch.manual_seed(0)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(CHAR_VOCAB, 256)
            self.lstm = nn.LSTM(256, 512, batch_first=True)
            self.out = nn.Linear(512, CHAR_VOCAB)

        def forward(self, x):
            h, _ = self.lstm(self.emb(x))
            return self.out(h).reshape(-1, CHAR_VOCAB)

    loss = nn.CrossEntropyLoss()
    return _bench_rnn().torch_module_step(Model(), lambda logits, y: loss(logits, y.reshape(-1)))


def _keras_char_lm(params):
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Embedding(CHAR_VOCAB, 256),
                              layers.LSTM(512, return_sequences=True), layers.Dense(CHAR_VOCAB)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return keras_step(model)


CHAR_LM = Workload(
    name="char_lstm_lm",
    title="char LSTM LM: Embedding(80,256) > LSTM(512, seq) > Dense(80) logits",
    source="seed 004: batch 64, length 40, 424 batches/epoch",
    batch=CHAR_BATCH, steps_per_epoch=424, make_batch=_char_batch,
    forward_flops=lambda: [
        ("LSTM(512, seq)", lstm_flops(CHAR_BATCH, CHAR_LENGTH, 256, 512)),
        ("Dense(80)", dense_flops(CHAR_BATCH * CHAR_LENGTH, 512, CHAR_VOCAB))],
    builders={"saessak": _saessak_char_lm, "pytorch": _torch_char_lm, "keras": _keras_char_lm},
    notes={"saessak": _TABLE_PROJECTED.format(rows="80", tokens="2,560")},
)


# Fashion-MNIST CNN (seed 000, example 6.10) --------------------------------------------------

def _cnn_batch(rng):
    return rng.random((32, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 32)


def _keras_cnn(params):
    import bench_cnn
    import keras

    keras.utils.set_random_seed(0)
    model = bench_cnn.keras_cnn(keras)
    return keras_step(model)


def _bench_cnn():
    import bench_cnn
    return bench_cnn


FASHION_CNN = Workload(
    name="fashion_cnn",
    title="Fashion-MNIST CNN 6.10: Conv2D(32) > Pool > Conv2D(64) > Pool > Conv2D(128) "
          "> Dense(128) > Dropout > Dense(10)",
    source="seed 000 ex. 6.10: batch 32, 60,000 images",
    batch=32, steps_per_epoch=60000 // 32, make_batch=_cnn_batch,
    forward_flops=lambda: [("Conv2D(32, 3x3)", conv_flops(32, 26 * 26, 9, 1, 32)),
                           ("Conv2D(64, 3x3)", conv_flops(32, 11 * 11, 9, 32, 64)),
                           ("Conv2D(128, 3x3)", conv_flops(32, 3 * 3, 9, 64, 128)),
                           ("Dense(128)", dense_flops(32, 1152, 128)),
                           ("Dense(10)", dense_flops(32, 128, 10))],
    builders={"saessak": lambda p: _bench_cnn().saessak_step_fn(),
              "pytorch": lambda p: _bench_cnn().torch_step_fn(__import__("torch")),
              "keras": _keras_cnn},
    notes={"pytorch": "softmax folded into CrossEntropyLoss; NCHW"},
)


# Transformer encoder block (seed 004) --------------------------------------------------------

TF_BATCH, TF_LENGTH, TF_DMODEL, TF_HEADS, TF_FFN = 32, 128, 128, 4, 512


def _transformer_batch(rng):
    shape = (TF_BATCH, TF_LENGTH, TF_DMODEL)
    return (rng.standard_normal(shape).astype(np.float32),
            rng.standard_normal(shape).astype(np.float32))


def _saessak_transformer(params):
    import saessak
    from saessak import layers, losses, ops

    saessak.backend.set_random_seed(0)
    block = layers.TransformerEncoder(num_heads=TF_HEADS, intermediate_dim=TF_FFN, dropout=0.0)
    return _bench_rnn().saessak_stack_step(
        [block], lambda y, p: ops.mean(losses.mean_squared_error(y, p)), "mse")


def _torch_transformer(params):
    import torch

    torch.manual_seed(0)
    block = torch.nn.TransformerEncoderLayer(d_model=TF_DMODEL, nhead=TF_HEADS,
                                             dim_feedforward=TF_FFN, batch_first=True,
                                             dropout=0.0)
    return _bench_rnn().torch_module_step(block, torch.nn.MSELoss())


def _keras_transformer(params):
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    x = keras.Input((TF_LENGTH, TF_DMODEL))
    attended = layers.MultiHeadAttention(TF_HEADS, TF_DMODEL // TF_HEADS)(x, x)
    h = layers.LayerNormalization(epsilon=1e-5)(x + attended)
    mlp = layers.Dense(TF_DMODEL)(layers.Dense(TF_FFN, activation="relu")(h))
    model = keras.Model(x, layers.LayerNormalization(epsilon=1e-5)(h + mlp))
    model.compile("adam", "mse")
    return keras_step(model)


TRANSFORMER = Workload(
    name="transformer_block",
    title="Transformer encoder block: d_model 128, 4 heads, MLP 512, post-norm, mse",
    source="seed 004 fig. 16-16: batch 32, length 128 (no epoch: per step)",
    batch=TF_BATCH, steps_per_epoch=None, make_batch=_transformer_batch,
    forward_flops=lambda: [
        ("self-attention", self_attention_flops(TF_BATCH, TF_LENGTH, TF_DMODEL)),
        ("MLP 128>512>128", dense_flops(TF_BATCH * TF_LENGTH, TF_DMODEL, TF_FFN)
         + dense_flops(TF_BATCH * TF_LENGTH, TF_FFN, TF_DMODEL))],
    builders={"saessak": _saessak_transformer, "pytorch": _torch_transformer,
              "keras": _keras_transformer},
    notes={"pytorch": "nn.TransformerEncoderLayer", "keras": "block built from "
           "MultiHeadAttention, LayerNormalization and Dense"},
)


# LSTM scaling (hidden size x sequence length) ------------------------------------------------

SCALING_BATCH, SCALING_FEATURES = 32, 64


def scaling_batch(rng, length):
    return (rng.standard_normal((SCALING_BATCH, length, SCALING_FEATURES)).astype(np.float32),
            rng.standard_normal((SCALING_BATCH, 1)).astype(np.float32))


def _saessak_scaling(params):
    import saessak
    from saessak import layers, losses, ops

    saessak.backend.set_random_seed(0)
    return _bench_rnn().saessak_stack_step(
        [layers.LSTM(params["hidden"]), layers.Dense(1)],
        lambda y, p: ops.mean(losses.mean_squared_error(y, p)), "mse")


def _torch_scaling(params):
    import torch
    from torch import nn

    torch.manual_seed(0)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(SCALING_FEATURES, params["hidden"], batch_first=True)
            self.out = nn.Linear(params["hidden"], 1)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.out(h[-1])

    return _bench_rnn().torch_module_step(Model(), nn.MSELoss())


def scaling_workload(hidden, length, flush=False):
    """LSTM(hidden) > Dense(1) on (32, length, 64) inputs, mse: how time grows with size;
    ``flush``: PyTorch with subnormal floats flushed to zero (see ``flush_to_zero``; saessak
    always runs flushed, as its ``fit`` does)."""
    builders = {"saessak": _saessak_scaling,
                "pytorch": flush_to_zero(_torch_scaling) if flush else _torch_scaling}
    return Workload(
        name=f"lstm_h{hidden}_t{length}" + ("_ftz" if flush else ""),
        title=f"LSTM({hidden}) > Dense(1), length {length}" + (", FTZ" if flush else ""),
        source="scaling study", batch=SCALING_BATCH, steps_per_epoch=None,
        make_batch=lambda rng: scaling_batch(rng, length),
        forward_flops=lambda: [
            (f"LSTM({hidden})", lstm_flops(SCALING_BATCH, length, SCALING_FEATURES, hidden)),
            ("Dense(1)", dense_flops(SCALING_BATCH, hidden, 1))],
        builders=builders, params={"hidden": hidden, "length": length, "ftz": flush},
    )


WORKLOADS = {w.name: w for w in (REUTERS, IMDB_CONV_LSTM, IMDB_ATTENTION, JENA, JENA_FTZ,
                                 CHAR_LM, FASHION_CNN, TRANSFORMER)}


def get_workload(name):
    """A named workload, or a scaling one spelled ``lstm_h<hidden>_t<length>[_ftz]``."""
    if name in WORKLOADS:
        return WORKLOADS[name]
    if name.startswith("lstm_h") and "_t" in name:
        flush = name.endswith("_ftz")
        hidden, length = name[len("lstm_h"):].removesuffix("_ftz").split("_t")
        return scaling_workload(int(hidden), int(length), flush)
    raise KeyError(f"unknown workload {name!r}; known: {', '.join(WORKLOADS)}")
