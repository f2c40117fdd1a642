"""Discretization: numbers in, the index of the range (bin) each falls in out.

With ``bin_boundaries=[b1, ..., bk]`` the bins are ``(-inf, b1), [b1, b2), ..., [bk, inf)``,
numbered 0..k. With ``num_bins=n`` the boundaries are learned by ``adapt`` as approximate
quantiles, so each bin holds about 1/n of the data.

The quantiles come from a small weighted summary of the data, the method Keras uses, so
the learned boundaries are Keras's: each batch is sorted and cut into about ``1/epsilon``
evenly spaced (value, weight) points; summaries are merged by sorting their points
together and re-cut to ``1/epsilon`` points by interpolating the cumulative weight; the
boundaries are the summary re-cut to ``num_bins`` points, less the last one.

>>> Discretization(bin_boundaries=[0.0, 1.0, 2.0])([[-1.5, 1.0, 3.4, 0.5]]).numpy()
array([[0, 2, 3, 1]], dtype=int32)
"""

from __future__ import annotations

import numpy as np

from .category_encoding import MODES, encode_categorical, encoded_shape
from .data_layer import DataLayer, adapt_batches, as_array, to_output


def _summary(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Rows (points, weights): every ``step``-th sorted value, each standing for ``step``."""
    values = np.sort(values.astype(np.float32).ravel())
    step = max(values.size * epsilon, 1)
    points = values[int(step - 1)::int(step)]
    return np.stack([points, np.full_like(points, step)])


def _recut(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """The summary at ``1/epsilon`` points, found by interpolating cumulative weights."""
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = np.arange(0.0, 1.0, epsilon) + epsilon
    cumulative = summary[1].cumsum()
    fraction = cumulative / cumulative[-1]
    points = np.interp(targets, fraction, summary[0])
    cut = np.interp(targets, fraction, cumulative)
    return np.stack([points, np.diff(cut, prepend=0.0)]).astype(np.float32)


class Discretization(DataLayer):
    """Bucket numbers by boundaries, given or learned (see the module docstring)."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode not in ("int",) + MODES[:3]:
            raise ValueError(f"Discretization: output_mode must be 'int', 'one_hot', "
                             f"'multi_hot' or 'count', received {output_mode!r}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"Discretization: num_bins must be >= 0, received {num_bins}")
        if (num_bins is None) == (bin_boundaries is None):
            raise ValueError("Discretization: give exactly one of bin_boundaries and num_bins, "
                             f"received bin_boundaries={bin_boundaries!r}, num_bins={num_bins!r}")
        if sparse:
            raise ValueError("Discretization: sparse=True is not supported by saessak")
        if bin_boundaries is not None and np.any(np.diff(bin_boundaries) < 0):
            raise ValueError(f"Discretization: bin_boundaries must be sorted, received "
                             f"{list(bin_boundaries)}")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins, self.epsilon = num_bins, float(epsilon)
        self.output_mode, self.sparse = output_mode, False

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn ``num_bins - 1`` boundaries as approximate quantiles of ``data``."""
        if self.num_bins is None:
            raise ValueError(f"Discretization {self.name!r}: built with bin_boundaries, so "
                             "it cannot adapt; pass num_bins instead")
        summary = np.zeros((2, 0), dtype=np.float32)
        for step, batch in enumerate(adapt_batches(data)):
            if steps is not None and step >= steps:
                break
            merged = np.concatenate([_summary(np.asarray(batch), self.epsilon), summary], 1)
            summary = _recut(merged[:, np.argsort(merged[0])], self.epsilon)
        if summary.shape[1] == 0:
            raise ValueError(f"Discretization {self.name!r}: adapt received no data")
        self.bin_boundaries = _recut(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization {self.name!r}: no bin boundaries yet; pass "
                             "bin_boundaries= or call adapt(data)")
        values = as_array(inputs).astype(np.float64)
        ids = np.searchsorted(np.asarray(self.bin_boundaries, np.float64), values,
                              side="right").astype(np.int32)
        if self.output_mode == "int":
            return to_output(ids)
        return to_output(encode_categorical(ids, len(self.bin_boundaries) + 1,
                                            self.output_mode, self.dtype,
                                            caller=f"Discretization {self.name!r}"))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = (len(self.bin_boundaries) + 1 if self.bin_boundaries is not None
                 else self.num_bins)
        return encoded_shape(input_shape, depth, self.output_mode)

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None)
        if config.get("num_bins") is None:
            return cls(bin_boundaries=boundaries, **config)
        layer = cls(**config)  # adapted: keep both the bin count and what was learned
        layer.bin_boundaries = boundaries
        return layer
