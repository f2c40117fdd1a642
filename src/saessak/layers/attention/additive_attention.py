"""AdditiveAttention: Bahdanau-style attention, scores from a sum instead of a product.

    scores_ij = sum_d scale_d * tanh(q_id + k_jd)

``scale`` (one weight per feature) is learned when ``use_scale=True`` (the default).
Everything else (masks, softmax, dropout, the weighted sum) is as in ``Attention``.
"""

from __future__ import annotations

from ...ops import reshape, tanh
from ...ops import sum as reduce_sum
from .attention import Attention


class AdditiveAttention(Attention):
    """Additive (Bahdanau) attention of ``[query, value(, key)]``.

    >>> q, v = np.ones((2, 3, 4)), np.ones((2, 5, 4))
    >>> layer = AdditiveAttention()
    >>> layer([q, v]).shape, layer.scale.shape
    ((2, 3, 4), (4,))
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight("scale", (input_shape[0][-1],), "glorot_uniform")
        self.built = True

    def _fused_dot_product(self):
        return False

    def _scores(self, query, key):
        q = reshape(query, query.shape[:-1] + (1, query.shape[-1]))  # (B, Tq, 1, dim)
        k = reshape(key, key.shape[:-2] + (1,) + key.shape[-2:])  # (B, 1, Tv, dim)
        features = tanh(q + k)  # (B, Tq, Tv, dim)
        if self.scale is not None:
            features = features * self.scale
        return reduce_sum(features, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
