"""``InputSpec``: what a layer accepts (rank, sizes of some axes, dtype), checked on call.

A custom layer sets ``self.input_spec = InputSpec(ndim=3)`` (or a list, one per input) and
every call, eager or symbolic, is checked against it before the layer runs, so a wrong
input is named at the layer instead of failing deep inside its arithmetic.
"""

from __future__ import annotations

import numpy as np


class InputSpec:
    """``ndim`` / ``min_ndim`` / ``max_ndim``: the rank; ``axes``: ``{axis: size}``;
    ``shape``: every size (None for any); ``dtype``. Anything left None is not checked."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = None if dtype is None else np.dtype(dtype).name
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name, self.optional = name, optional

    def __repr__(self):
        fields = [f"{k}={v}" for k, v in (("dtype", self.dtype), ("shape", self.shape),
                                          ("ndim", self.ndim), ("max_ndim", self.max_ndim),
                                          ("min_ndim", self.min_ndim),
                                          ("axes", self.axes or None)) if v is not None]
        return f"InputSpec({', '.join(fields)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def assert_input_compatibility(specs, inputs, layer_name):
    """Raise a ValueError naming the layer, the input and the rule it breaks."""
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(inputs) != len(specs):
        raise ValueError(f"Layer {layer_name!r} expects {len(specs)} input(s), received "
                         f"{len(inputs)}")
    for i, (spec, x) in enumerate(zip(specs, inputs)):
        if spec is None or (x is None and spec.optional):
            continue
        shape = tuple(x.shape)
        where = (f"Input {i} of layer {layer_name!r} is incompatible with the layer: "
                 "expected {}, found {}. Full shape received: " + str(shape))
        rank = len(shape)
        if spec.ndim is not None and rank != spec.ndim and not (
                spec.allow_last_axis_squeeze and rank == spec.ndim + 1 and shape[-1] == 1):
            raise ValueError(where.format(f"ndim={spec.ndim}", f"ndim={rank}"))
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(where.format(f"min_ndim={spec.min_ndim}", f"ndim={rank}"))
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(where.format(f"max_ndim={spec.max_ndim}", f"ndim={rank}"))
        if spec.dtype is not None and np.dtype(x.dtype).name != spec.dtype:
            raise ValueError(where.format(f"dtype={spec.dtype}",
                                          f"dtype={np.dtype(x.dtype).name}"))
        for axis, size in spec.axes.items():
            if size is not None and -rank <= axis < rank and shape[axis] not in (size, None):
                raise ValueError(where.format(f"axis {axis} of size {size}",
                                              f"size {shape[axis]}"))
        if spec.shape is not None:
            for want, got in zip(spec.shape, shape):
                if want is not None and got is not None and want != got:
                    raise ValueError(where.format(f"shape={spec.shape}", f"shape={shape}"))
