"""``plot_attention``: a heat map of attention weights, one row per output token and one
column per input token, so you can see which words each output looked at (figure 18-11 of
seed 001 draws exactly this for a translation).

Korean tokens need a font with Hangul glyphs. The first of NanumGothic, Noto Sans CJK
and a few other common ones that matplotlib can find is used; when there is none, the plot
is still drawn (Hangul shows as empty boxes) and a warning says which font to install.
matplotlib is an optional extra (``pip install saessak[plot]``).
"""

from __future__ import annotations

import warnings

import numpy as np

HANGUL_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR",
                "Noto Sans CJK JP", "Malgun Gothic", "AppleGothic", "UnDotum", "Baekmuk Gulim")


def _has_hangul(tokens) -> bool:
    # syllables U+AC00..U+D7A3, jamo U+1100..U+11FF, compatibility jamo U+3130..U+318F
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff"
               or "\u3130" <= ch <= "\u318f" for t in tokens for ch in str(t))


def find_hangul_font():
    """The name of the first font in ``HANGUL_FONTS`` that matplotlib knows, or None."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in HANGUL_FONTS if name in known), None)


def _as_matrix(weights):
    w = np.asarray(getattr(weights, "numpy", lambda: weights)(), dtype=np.float64)
    if w.ndim == 3 and w.shape[0] == 1:  # one sample of a batch: (1, Ty, Tx)
        w = w[0]
    if w.ndim == 1:  # one query, e.g. SequenceAttention's weights for one review
        w = w[None, :]
    if w.ndim != 2:
        raise ValueError(f"plot_attention: expected weights of shape (output_len, input_len) "
                         f"(or (input_len,) for one query), received shape {w.shape}")
    return w


def plot_attention(weights, x_tokens=None, y_tokens=None, path=None, title=None,
                   cmap="viridis", figsize=None):
    """Draw ``weights`` (output_len, input_len) as a heat map and return the Figure.

    ``x_tokens`` label the columns (the inputs attended to), ``y_tokens`` the rows (the
    outputs, or queries). With ``path`` the figure is saved there (no window opens);
    without it, it is shown with ``pyplot.show()``.

    >>> layer = SequenceAttention(); layer(h)                          # doctest: +SKIP
    >>> plot_attention(layer.last_attention_weights[0], words, path="a.png")  # doctest: +SKIP
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError("plot_attention needs matplotlib, an optional extra: "
                          "pip install matplotlib (or saessak[plot])") from None
    w = _as_matrix(weights)
    for what, tokens, n in (("x_tokens", x_tokens, w.shape[1]), ("y_tokens", y_tokens,
                                                                   w.shape[0])):
        if tokens is not None and len(tokens) != n:
            raise ValueError(f"plot_attention: {what} has {len(tokens)} labels for {n} "
                             f"{'columns' if what == 'x_tokens' else 'rows'} of weights")
    labels = list(x_tokens or []) + list(y_tokens or [])
    font = None
    if _has_hangul(labels):
        font = find_hangul_font()
        if font is None:
            warnings.warn("plot_attention: no font with Hangul glyphs was found, so Korean "
                          "labels will show as boxes; install one (e.g. fonts-nanum: "
                          "NanumGothic) and clear matplotlib's font cache", stacklevel=2)

    if path is not None:  # draw off-screen: no GUI backend needed
        from matplotlib.figure import Figure
        fig = Figure(figsize=figsize or _size(w))
    else:
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=figsize or _size(w))
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(w, cmap=cmap, aspect="auto", vmin=0.0, vmax=max(float(w.max()), 1e-12))
    fig.colorbar(image, ax=ax)
    text = {"fontfamily": font} if font else {}
    if x_tokens is not None:
        ax.set_xticks(range(w.shape[1]))
        ax.set_xticklabels([str(t) for t in x_tokens], rotation=90, **text)
    if y_tokens is not None:
        ax.set_yticks(range(w.shape[0]))
        ax.set_yticklabels([str(t) for t in y_tokens], **text)
    ax.set_xlabel("input")
    ax.set_ylabel("output")
    if title:
        ax.set_title(title, **text)
    with warnings.catch_warnings():
        if font is None:  # we warned once above; skip matplotlib's one per missing glyph
            warnings.filterwarnings("ignore", message="Glyph .* missing")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path)
        else:
            plt.show()
    return fig


def _size(w):
    rows, cols = w.shape
    return (min(2 + 0.4 * cols, 20), min(1.5 + 0.4 * rows, 20))
