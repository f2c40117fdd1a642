"""SequenceAttention: pool a whole sequence into one vector by attention (seed 001, 18-3).

The seed puts ``Attention()`` from the ``attention`` package after
``LSTM(64, return_sequences=True)``. That layer reads the LSTM's outputs h_1 .. h_T:

1. the last hidden state h_T is the query (it has read the whole review);
2. each step gets a score against it, Luong's "general" form  score_s = h_T . (W h_s),
   with W (features x features, no bias);
3. a softmax over time turns the scores into weights alpha_s;
4. the context vector is the weighted sum  c = sum_s alpha_s h_s;
5. the output is  a = tanh(W_c [c ; h_T]),  W_c (2 features x units, no bias).

So an input (batch, time, 64) becomes (batch, 128) with 64*64 + 128*128 = 20,480
parameters. ``score="bahdanau"`` scores with v . tanh(W_1 h_T + W_2 h_s) instead.
The weights alpha of the last call are kept in ``last_attention_weights`` (batch, time)
for plotting (``saessak.utils.plot_attention``). Padded steps (a Keras mask on the input)
get no weight.
"""

from __future__ import annotations

from ... import backend
from ...ops import attention as attn
from ...ops import concatenate, matmul, reshape, tanh
from ..dense import Dense
from ..layer import Layer


class SequenceAttention(Layer):
    """Many-to-one attention: (batch, time, features) -> (batch, units).

    >>> layer = SequenceAttention(units=128)
    >>> layer(np.ones((2, 10, 64))).shape, layer.count_params()
    ((2, 128), 20480)
    """

    def __init__(self, units=128, score="luong", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"SequenceAttention: units must be a positive integer, "
                             f"received {units!r}")
        if score not in ("luong", "bahdanau"):
            raise ValueError(f"SequenceAttention: score must be 'luong' or 'bahdanau', "
                             f"received {score!r}")
        self.units, self.score = units, score
        self.last_attention_weights = None

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"SequenceAttention {self.name!r}: expected inputs (batch, time, "
                             f"features), received {tuple(input_shape)}")
        d = input_shape[-1]
        if self.score == "luong":
            self.luong_w = Dense(d, use_bias=False, name="luong_w", dtype=self.dtype)
            self.luong_w.build(input_shape)
        else:
            self.bahdanau_w1 = Dense(d, use_bias=False, name="bahdanau_w1", dtype=self.dtype)
            self.bahdanau_w2 = Dense(d, use_bias=False, name="bahdanau_w2", dtype=self.dtype)
            self.bahdanau_v = Dense(1, use_bias=False, name="bahdanau_v", dtype=self.dtype)
            self.bahdanau_w1.build((input_shape[0], d))
            self.bahdanau_w2.build(input_shape)
            self.bahdanau_v.build(input_shape)
        self.attention_vector = Dense(self.units, use_bias=False, activation="tanh",
                                      name="attention_vector", dtype=self.dtype)
        self.attention_vector.build((input_shape[0], 2 * d))
        self.built = True

    def call(self, inputs, mask=None, return_attention_scores=False):
        batch, time, d = inputs.shape
        h_t = inputs[:, -1, :]  # 1. the query: the last hidden state, (batch, d)
        allowed = None if mask is None else attn._as_array(mask)[:, None, :]  # (batch, 1, T)
        if self.score == "luong":
            # 2-4. score_s = h_T . (W h_s), softmax over s, c = sum_s alpha_s h_s: exactly
            # one-query attention with keys W h_s and values h_s, and no 1/sqrt(d) scale.
            context, weights = attn.scaled_dot_product_attention(
                reshape(h_t, (batch, 1, d)), self.luong_w(inputs), inputs, mask=allowed,
                scale=1.0)
        else:
            query = reshape(self.bahdanau_w1(h_t), (batch, 1, d))
            scores = self.bahdanau_v(tanh(query + self.bahdanau_w2(inputs)))  # (batch, T, 1)
            weights = attn.masked_softmax(reshape(scores, (batch, 1, time)), allowed)
            context = matmul(weights, inputs)
        context = reshape(context, (batch, d))
        weights = reshape(weights, (batch, time))
        self.last_attention_weights = backend.to_numpy(weights.data)
        # 5. a = tanh(W_c [c ; h_T])
        output = self.attention_vector(concatenate([context, h_t], axis=-1))
        if return_attention_scores:
            return output, weights
        return output

    def compute_mask(self, inputs, mask=None):
        return None  # the time axis is gone

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "score": self.score}


