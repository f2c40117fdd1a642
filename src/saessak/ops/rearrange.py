"""``keras.ops.rearrange``: einops-style axis patterns, ``"b (h w) c -> b h w c"``.

Each side names the axes; parentheses group several into one (``(h w)`` is one axis of
h * w elements, h the slower). The work is three differentiable steps:

1. split the input's grouped axes into their parts (a reshape, with the sizes given as
   keyword arguments or worked out: at most one unknown part per group);
2. put the parts in the output's order (a transpose);
3. merge the output's groups (a reshape).
"""

from __future__ import annotations

import math
import re

from .keras_names import convert_to_tensor
from .manipulation import reshape, transpose

_TOKEN = re.compile(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|\S")


def _groups(side, pattern):
    """``"b (h w) c"`` -> ``[["b"], ["h", "w"], ["c"]]``."""
    groups, current = [], None
    for token in _TOKEN.findall(side):
        if token == "(":
            if current is not None:
                raise ValueError(f"rearrange: nested parentheses in {pattern!r}")
            current = []
        elif token == ")":
            if current is None:
                raise ValueError(f"rearrange: unbalanced ')' in {pattern!r}")
            groups.append(current)
            current = None
        elif not token.isidentifier():
            raise ValueError(f"rearrange: unexpected {token!r} in {pattern!r} (axis names, "
                             "spaces and parentheses only)")
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    if current is not None:
        raise ValueError(f"rearrange: unbalanced '(' in {pattern!r}")
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """Rearrange the axes of ``tensor`` as ``pattern`` says (see the module docstring)."""
    if pattern.count("->") != 1:
        raise ValueError(f"rearrange: the pattern needs one '->', received {pattern!r}")
    x = convert_to_tensor(tensor)
    left, right = (_groups(side, pattern) for side in pattern.split("->"))
    names = [n for g in left for n in g]
    if len(set(names)) != len(names) or sorted(names) != sorted(n for g in right for n in g):
        raise ValueError(f"rearrange: both sides must name the same axes, each once; "
                         f"received {pattern!r}")
    if len(left) != x.ndim:
        raise ValueError(f"rearrange: {pattern!r} names {len(left)} axes, the tensor has "
                         f"{x.ndim} (shape {tuple(x.shape)})")
    sizes = {}
    for group, n in zip(left, x.shape):
        unknown = [a for a in group if a not in axes_lengths]
        known = math.prod(int(axes_lengths[a]) for a in group if a in axes_lengths)
        if len(unknown) > 1 or (not unknown and known != n) or (unknown and n % known):
            raise ValueError(f"rearrange: cannot split an axis of {n} into {group} with "
                             f"the sizes given {axes_lengths}")
        for a in group:
            sizes[a] = int(axes_lengths[a]) if a in axes_lengths else n // known
    parts = reshape(x, tuple(sizes[a] for a in names))
    order = [names.index(a) for g in right for a in g]
    moved = transpose(parts, order) if order != sorted(order) else parts
    return reshape(moved, tuple(math.prod(sizes[a] for a in g) for g in right))
