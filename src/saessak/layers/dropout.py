"""Dropout: during training, zero a random fraction of the inputs and rescale the rest."""

from __future__ import annotations

from .. import backend
from .layer import Layer


class Dropout(Layer):
    """Each input is set to 0 with probability ``rate`` while training; the survivors are
    multiplied by ``1 / (1 - rate)`` so that the expected sum stays the same. At inference
    (``predict``, ``evaluate``) the layer passes its input through unchanged.

    ``noise_shape`` shares one draw along some axes: for inputs ``(batch, time, features)``,
    ``noise_shape=(None, 1, None)`` drops the same features at every time step (``None``
    takes the input's size). ``seed`` makes the draws repeat from run to run.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Dropout: rate must be a number in [0, 1], received {rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = backend.make_rng(seed)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(shape):
                raise ValueError(f"Dropout {self.name!r}: noise_shape {self.noise_shape} must "
                                 f"have one entry per input axis; the input has shape {shape}")
            shape = tuple(n if m is None else m for n, m in zip(shape, self.noise_shape))
        if self.rate == 1:
            return inputs * 0.0
        # inverted dropout: survivors are scaled by 1/(1 - rate), the rest are zeroed
        mask = backend.dropout_mask(self._rng, shape, self.rate, inputs.dtype)
        return inputs * backend.asarray(mask)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
                "seed": self.seed}
