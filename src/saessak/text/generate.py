"""Text generation from a trained language model: feed the text so far, pick the next
token from the model's prediction, append it, repeat (auto-regression).

Works for word, character and jamo vocabularies (seeds 000, 003 and 004):

    >>> text = generate(model, "The island", length=200, vocab=chars, level="char",
    ...                 temperature=0.5, seed=1)                      # doctest: +SKIP
    >>> for piece in generate(model, "태조 이성계", 50, vocab=words, level="word",
    ...                       stream=True):                           # doctest: +SKIP
    ...     print(piece, end="", flush=True)

How the next token is picked, from the model's last prediction ``p`` over the vocabulary:

* ``greedy=True``: the most likely token (``argmax p``), as ``predict_classes`` did;
* otherwise a random draw from ``softmax(log p / temperature)``; a temperature below 1
  sharpens the distribution (safer text), above 1 flattens it (more surprising text).
  Seed 004's ``scale_factor`` is ``1 / temperature``;
* ``top_k``: draw only among the ``k`` most likely tokens;
* ``top_p``: draw only among the smallest set of most likely tokens whose probabilities
  add up to ``p`` (nucleus sampling).

The model may output probabilities (a softmax last layer) or logits; a 2-D output
``(1, vocab)`` is the next-token prediction, a 3-D output ``(1, time, vocab)`` holds one
prediction per input step and the last is used.
"""

from __future__ import annotations

import numpy as np

from .korean import join_jamos, split_syllables

LEVELS = ("word", "char", "jamo")


# -- picking the next token ---------------------------------------------------------------
def _as_logits(prediction, from_logits):
    """Log-probabilities (up to a constant) from one prediction vector."""
    p = np.asarray(prediction, dtype=np.float64)
    if from_logits is None:  # a softmax output is non-negative and sums to one
        from_logits = not (p.min() >= 0 and abs(p.sum() - 1) < 1e-3)
    if from_logits:
        return p
    return np.log(np.maximum(p, 1e-30))


def sample_next(prediction, temperature=1.0, top_k=None, top_p=None, greedy=False, rng=None,
                from_logits=None, avoid=()):
    """Pick one token index from a prediction vector (probabilities or logits); indices in
    ``avoid`` are never picked."""
    logits = _as_logits(prediction, from_logits)
    if len(avoid):
        logits = logits.copy()
        logits[list(avoid)] = -np.inf
    if greedy or temperature == 0:
        return int(np.argmax(logits))
    if temperature < 0:
        raise ValueError(f"generate: temperature must be >= 0, received {temperature}")
    logits = logits / temperature
    if top_k is not None:
        if top_k < 1:
            raise ValueError(f"generate: top_k must be >= 1, received {top_k}")
        if top_k < logits.size:
            kth = np.partition(logits, -top_k)[-top_k]
            logits = np.where(logits >= kth, logits, -np.inf)
    probs = np.exp(logits - logits.max())          # softmax, shifted for stability
    probs /= probs.sum()
    if top_p is not None:
        if not 0 < top_p <= 1:
            raise ValueError(f"generate: top_p must be in (0, 1], received {top_p}")
        order = np.argsort(-probs, kind="stable")
        before = np.cumsum(probs[order]) - probs[order]  # mass of the more likely tokens
        keep = order[before < top_p]                   # always keeps the most likely one
        kept = np.zeros_like(probs)
        kept[keep] = probs[keep]
        probs = kept / kept.sum()
    rng = rng if rng is not None else np.random.default_rng()
    return int(rng.choice(probs.size, p=probs))


# -- vocabularies ---------------------------------------------------------------------------
class _Vocabulary:
    """Encode text to indices and decode indices to text at one of the three levels."""

    def __init__(self, vocab=None, tokenizer=None, level=None, unknown=None):
        self.tokenizer = tokenizer
        if tokenizer is not None:
            self.level = level or "word"
            self.token_to_index = dict(tokenizer.word_index)
            self.index_to_token = {i: w for w, i in self.token_to_index.items()}
        elif vocab is not None:
            if isinstance(vocab, dict):
                self.token_to_index = dict(vocab)
            else:
                self.token_to_index = {t: i for i, t in enumerate(list(vocab))}
            self.index_to_token = {i: t for t, i in self.token_to_index.items()}
            self.level = level or ("char" if all(isinstance(t, str) and len(t) == 1
                                                 for t in self.token_to_index) else "word")
        else:
            raise ValueError("generate: pass vocab= (tokens, or a token -> index dict) or "
                             "tokenizer= (a fitted Tokenizer)")
        if self.level not in LEVELS:
            raise ValueError(f"generate: level must be one of {LEVELS}, received {level!r}")
        if unknown is not None and unknown not in self.token_to_index:
            raise ValueError(f"generate: unknown token {unknown!r} is not in the vocabulary")
        self.unknown = unknown
        self.separator = " " if self.level == "word" else ""

    def tokens(self, text):
        if self.level == "word":
            return text.split()
        if self.level == "jamo":
            return list(split_syllables(text))
        return list(text)

    def encode(self, text):
        if self.tokenizer is not None and self.level == "word":
            # the tokenizer's own lower-casing and filters, as in training
            return list(self.tokenizer.texts_to_sequences([text])[0])
        ids = []
        for token in self.tokens(text):
            if token in self.token_to_index:
                ids.append(self.token_to_index[token])
            elif self.unknown is not None:
                ids.append(self.token_to_index[self.unknown])
            # unknown tokens without an UNK entry are dropped, as Tokenizer does
        return ids

    def token(self, index):
        return self.index_to_token.get(index, "" if self.unknown is None else self.unknown)

    def render(self, tokens):
        text = self.separator.join(tokens)
        return join_jamos(text) if self.level == "jamo" else text


# -- the model's view of the text so far ------------------------------------------------------
def _window(model, seq_length):
    """The input length: ``seq_length``, else the model's fixed input length, else None."""
    if seq_length is not None:
        return seq_length
    shape = getattr(model, "input_shape", None)
    if isinstance(shape, tuple) and len(shape) >= 2 and isinstance(shape[1], int):
        return shape[1]
    return None


def _predict(model, ids, window, pad_value, padding):
    x = list(ids)
    if window is not None:
        x = x[-window:]
        missing = window - len(x)
        if missing > 0:  # pad a short beginning up to the model's input length
            pad = [pad_value] * missing
            x = pad + x if padding == "pre" else x + pad
    if not x:
        raise ValueError("generate: the seed text has no token in the vocabulary")
    batch = np.asarray([x], dtype=np.int64)
    if hasattr(model, "predict_on_batch"):
        out = model.predict_on_batch(batch)
    else:
        out = np.asarray(model(batch))
    out = np.asarray(out)
    if out.ndim == 3:
        if window is not None and padding == "post" and len(ids) < window:
            return out[0, len(ids) - 1]  # the prediction after the last real token
        return out[0, -1]
    return out[0]


def _stream_tokens(model, seed_text, length, vocabulary, window, pad_value, padding,
                   sampling):
    ids = vocabulary.encode(seed_text)
    for _ in range(length):
        index = sample_next(_predict(model, ids, window, pad_value, padding), **sampling)
        ids.append(index)
        yield vocabulary.token(index)


def _pieces(seed_text, tokens, vocabulary):
    """The text as it grows, in pieces that never change afterwards."""
    if vocabulary.level != "jamo":
        for token in tokens:
            yield (vocabulary.separator + token) if vocabulary.separator else token
        return
    # jamo: a syllable may still change when the next jamo arrives, so a piece is written
    # only once a later syllable has started
    letters = list(split_syllables(seed_text))
    shown = len(join_jamos("".join(letters)))
    for token in tokens:
        letters.append(token)
        text = join_jamos("".join(letters))
        if len(text) - 1 > shown:
            yield text[shown:len(text) - 1]
            shown = len(text) - 1
    text = join_jamos("".join(letters))
    if len(text) > shown:
        yield text[shown:]


def generate(model, seed_text, length=100, temperature=1.0, top_k=None, top_p=None,
             greedy=False, vocab=None, tokenizer=None, level=None, seq_length=None,
             pad_value=0, padding="pre", unknown=None, seed=None, stream=None,
             from_logits=None, avoid=()):
    """Continue ``seed_text`` by ``length`` tokens drawn from ``model``'s predictions.

    Args:
        model: a model mapping a batch of token indices ``(1, time)`` to next-token
            probabilities or logits, ``(1, vocab)`` or ``(1, time, vocab)``.
        seed_text: the beginning of the text.
        length: how many tokens to add (words, characters or jamo).
        temperature, top_k, top_p, greedy: how to pick each token (see the module doc).
        vocab: the tokens in index order (a list or array), or a token -> index dict.
        tokenizer: instead of ``vocab``, a fitted ``Tokenizer`` (word level).
        level: ``'word'`` (split on spaces), ``'char'`` or ``'jamo'`` (Hangul split into
            letters, joined back for the output); guessed from ``vocab`` when omitted.
        seq_length: how many of the last tokens the model sees (default: the model's
            input length if fixed, else all of them).
        pad_value, padding: what fills a short input up to ``seq_length`` (``'pre'`` or
            ``'post'``), as ``pad_sequences`` does.
        unknown: the vocabulary's unknown token (``'UNK'``); unknown seed tokens map to it,
            otherwise they are dropped.
        seed: a seed for the random draws (the same seed gives the same text).
        stream: ``True`` to return a generator of text pieces as they are produced, or a
            callable called with each piece; the full text is returned in the latter case.
        from_logits: whether the model outputs logits; ``None`` guesses from the values.
        avoid: tokens never to generate (such as ``'UNK'`` or the padding token).

    Returns the seed text followed by the generated text (or a generator, ``stream=True``).
    Streamed pieces follow the seed text; at the jamo level a piece is given once its
    syllable is complete (a jamo that finishes the seed's own last syllable shows only in
    the returned text).
    """
    if length < 0:
        raise ValueError(f"generate: length must be >= 0, received {length}")
    if padding not in ("pre", "post"):
        raise ValueError(f"generate: padding must be 'pre' or 'post', received {padding!r}")
    vocabulary = _Vocabulary(vocab, tokenizer, level, unknown)
    missing = [t for t in avoid if t not in vocabulary.token_to_index]
    if missing:
        raise ValueError(f"generate: avoid lists tokens not in the vocabulary: {missing}")
    sampling = dict(temperature=temperature, top_k=top_k, top_p=top_p, greedy=greedy,
                    rng=np.random.default_rng(seed), from_logits=from_logits,
                    avoid=[vocabulary.token_to_index[t] for t in avoid])
    produced = []  # every generated token, for the exact final text

    def tokens():
        for token in _stream_tokens(model, seed_text, length, vocabulary,
                                    _window(model, seq_length), pad_value, padding, sampling):
            produced.append(token)
            yield token

    pieces = _pieces(seed_text, tokens(), vocabulary)
    if stream is True:
        return pieces
    for piece in pieces:
        if callable(stream):
            stream(piece)
    if vocabulary.level == "jamo":  # a jamo may complete the seed's last syllable
        return join_jamos(split_syllables(seed_text) + "".join(produced))
    return seed_text + "".join(vocabulary.separator + t for t in produced)
