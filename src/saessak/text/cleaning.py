"""``clean_str``: the regular-expression text cleaner the seeds use before tokenising.

It descends from Yoon Kim's CNN sentence-classification code and comes in three flavours:

``mode='english'`` (Kim's original)
    Keep ``A-Za-z0-9(),!?'` ``, split off English contractions (``'s``, ``n't``, ...) and
    punctuation as their own tokens, squeeze spaces, strip and lower-case. As in Kim's code,
    brackets and ``?`` come out escaped: ``"(a)"`` -> ``"\\( a \\)"``.
``mode='korean'`` (seed 000, section 7.3, for the NSMC reviews)
    As above but Hangul syllables (가-힣) are kept too, apostrophes are then dropped, and the
    result is lower-cased without stripping.
``mode='annals'`` (seed 000, section 7.4, for the Joseon annals)
    Keeps Hangul, drops brackets (which hold the Hanja there), separates ``, ! ?``, squeezes
    spaces; no lower-casing.

    >>> clean_str("아 더빙.. 진짜 짜증나네요 목소리", mode="korean")
    '아 더빙 진짜 짜증나네요 목소리'
"""

import re

_MODES = ("english", "korean", "annals")

_CONTRACTIONS = [(r"\'s", " 's"), (r"\'ve", " 've"), (r"n\'t", " n't"), (r"\'re", " 're"),
                 (r"\'d", " 'd"), (r"\'ll", " 'll")]

# Separate punctuation; the replacement " \( " is Kim's, whose backslash re.sub keeps.
_PUNCTUATION = [(r",", " , "), (r"!", " ! "), (r"\(", r" \( "), (r"\)", r" \) "),
                (r"\?", r" \? ")]


def _apply(rules, string):
    for pattern, replacement in rules:
        string = re.sub(pattern, replacement, string)
    return string


def clean_str(string, mode="english"):
    """Clean one sentence for word tokenisation; see the module docstring for ``mode``."""
    if not isinstance(string, str):
        raise ValueError(f"`string` must be a str; received {type(string).__name__}")
    if mode not in _MODES:
        raise ValueError(f"`mode` must be one of {_MODES}; received {mode!r}")

    if mode == "english":
        string = re.sub(r"[^A-Za-z0-9(),!?\'\`]", " ", string)
        string = _apply(_CONTRACTIONS + _PUNCTUATION, string)
        string = re.sub(r"\s{2,}", " ", string)
        return string.strip().lower()

    string = re.sub(r"[^가-힣A-Za-z0-9(),!?\'\`]", " ", string)
    if mode == "korean":
        string = _apply(_CONTRACTIONS + _PUNCTUATION, string)
        string = re.sub(r"\s{2,}", " ", string)
        string = re.sub(r"\'{2,}", "'", string)
        string = re.sub(r"\'", "", string)
        return string.lower()

    # annals: brackets vanish instead of becoming tokens
    string = _apply([(r"\'ll", " 'll"), (r",", " , "), (r"!", " ! "), (r"\(", " "),
                     (r"\)", " "), (r"\?", r" \? ")], string)
    string = re.sub(r"\s{2,}", " ", string)
    return re.sub(r"\'{2,}", "'", string)


__all__ = ["clean_str"]
