"""``tfds.deprecated.text``: ``Tokenizer`` and ``TokenTextEncoder``, as tensorflow_datasets
defines them (seed 004 builds its IMDB vocabulary with them).

``Tokenizer().tokenize(s)`` splits a text at every run of non-word characters (Unicode
``\\W+``; the underscore is a word character) and drops empty pieces; case is kept.
``TokenTextEncoder(vocab)`` maps token ``i`` of the vocabulary to id ``i + 1``: 0 is left
for padding, and a token outside the vocabulary gets ``len(vocab) + 1`` (one OOV bucket).
"""

from __future__ import annotations

import hashlib
import re

_ALPHANUM = re.compile(r"\W+", flags=re.UNICODE)
_ALL = re.compile(r"(\W+)", flags=re.UNICODE)


def _text(s) -> str:
    """A str from str, bytes, a NumPy scalar or an eager element (``.numpy()``)."""
    if hasattr(s, "numpy") and callable(s.numpy):
        s = s.numpy()
    if hasattr(s, "item") and not isinstance(s, (str, bytes)):
        s = s.item()
    if isinstance(s, bytes):
        return s.decode("utf-8")
    if not isinstance(s, str):
        raise TypeError(f"Tokenizer: expected a string (str or bytes), received "
                        f"{type(s).__name__}")
    return s


class Tokenizer:
    """Split text into word tokens (``alphanum_only=True``) or into words and the runs of
    punctuation and spaces between them (``False``). ``reserved_tokens`` are kept whole."""

    def __init__(self, alphanum_only=True, reserved_tokens=None):
        self._alphanum_only = bool(alphanum_only)
        self._reserved = sorted({_text(t) for t in reserved_tokens or []}, key=len,
                                reverse=True)
        self._reserved_re = re.compile("(" + "|".join(re.escape(t) for t in self._reserved)
                                       + ")") if self._reserved else None

    @property
    def alphanum_only(self) -> bool:
        return self._alphanum_only

    @property
    def reserved_tokens(self) -> list:
        return list(self._reserved)

    def tokenize(self, s) -> list[str]:
        s = _text(s)
        pieces = self._reserved_re.split(s) if self._reserved_re else [s]
        splitter = _ALPHANUM if self._alphanum_only else _ALL
        tokens = []
        for piece in pieces:
            if piece in self._reserved:
                tokens.append(piece)
            else:
                tokens.extend(splitter.split(piece))
        return [t for t in tokens if t]

    def join(self, tokens) -> str:
        """Tokens back to text: a space between two word tokens."""
        out = []
        for i, token in enumerate(tokens):
            if i and self._alphanum_only:
                out.append(" ")
            out.append(token)
        return "".join(out)


class TokenTextEncoder:
    """Encode text as the ids of its tokens in ``vocab_list`` (see the module docstring)."""

    def __init__(self, vocab_list, oov_buckets=1, oov_token="UNK", lowercase=False,
                 tokenizer=None, strip_vocab=True, decode_token_separator=" "):
        vocab = [_text(t) for t in vocab_list]
        if strip_vocab:
            vocab = [t.strip() for t in vocab]
        if lowercase:
            vocab = [t.lower() for t in vocab]
        self._vocab = vocab
        self._token_to_id = {t: i for i, t in enumerate(vocab)}
        self._oov_buckets = int(oov_buckets)
        self._oov_token = _text(oov_token)
        self._lowercase = bool(lowercase)
        self._tokenizer = tokenizer or Tokenizer()
        self._separator = decode_token_separator

    @property
    def tokens(self) -> list[str]:
        return list(self._vocab)

    @property
    def vocab_size(self) -> int:
        """Ids run from 0 (padding) to the last OOV bucket."""
        return len(self._vocab) + 1 + self._oov_buckets

    @property
    def oov_token(self) -> str:
        return self._oov_token

    @property
    def lowercase(self) -> bool:
        return self._lowercase

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokenizer

    def _oov_bucket(self, token):
        if self._oov_buckets <= 0:
            raise ValueError(f"TokenTextEncoder: out-of-vocabulary token {token!r} and "
                             "oov_buckets=0")
        if self._oov_buckets == 1:
            return len(self._vocab)
        digest = int(hashlib.md5(token.encode("utf-8")).hexdigest(), 16)
        return len(self._vocab) + digest % self._oov_buckets

    def encode(self, s) -> list[int]:
        s = _text(s)
        if self._lowercase:
            s = s.lower()
        ids = []
        for token in self._tokenizer.tokenize(s):
            i = self._token_to_id.get(token)
            ids.append((self._oov_bucket(token) if i is None else i) + 1)
        return ids

    def decode(self, ids) -> str:
        tokens = []
        for i in ids:
            i = int(i)
            if i == 0:
                continue  # padding
            tokens.append(self._vocab[i - 1] if i <= len(self._vocab) else self._oov_token)
        return self._separator.join(tokens)
