"""Hangul syllables <-> jamo (the letters), as ``jamotools`` does, plus optional morphemes.

A modern Hangul syllable is arithmetic on code points (Unicode 3.12)::

    syllable = 0xAC00 + (initial * 21 + medial) * 28 + final

with 19 initial consonants, 21 medial vowels and 28 finals (0 = no final), giving the
11,172 syllables U+AC00..U+D7A3. ``split_syllables('한글')`` gives ``'ㅎㅏㄴㄱㅡㄹ'`` in
*compatibility* jamo (U+3131..U+3163, the letters a keyboard types), like jamotools'
default; ``join_jamos`` puts them back together. Other characters pass through unchanged.

Compatibility jamo do not say whether a consonant is an initial or a final, so
``join_jamos`` decides as a typist's keyboard would: a consonant followed by a vowel
starts a new syllable. This restores any text made only of syllables and non-Hangul
characters; loose jamo already in the input (``'ㅋㅋ'``) may merge with a neighbouring
syllable. ``jamo_type='JAMO'`` uses the conjoining jamo (U+1100..), which keep the role of
each consonant and so always round-trip.
"""

SYLLABLE_BASE, SYLLABLE_LAST = 0xAC00, 0xD7A3
N_INITIAL, N_MEDIAL, N_FINAL = 19, 21, 28

# Compatibility jamo for each position (the final list starts with "no final").
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

# Conjoining jamo: initials U+1100.., medials U+1161.., finals U+11A8..
_JAMO_INITIAL, _JAMO_MEDIAL, _JAMO_FINAL = 0x1100, 0x1161, 0x11A7

_INITIAL_OF = {c: i for i, c in enumerate(INITIALS)}
_MEDIAL_OF = {c: i for i, c in enumerate(MEDIALS)}
_FINAL_OF = {c: i for i, c in enumerate(FINALS) if c}

_JAMO_TYPES = ("COMPAT", "JAMO")


def _check(text, jamo_type):
    if not isinstance(text, str):
        raise ValueError(f"`text` must be a str; received {type(text).__name__}")
    if jamo_type not in _JAMO_TYPES:
        raise ValueError(f"`jamo_type` must be one of {_JAMO_TYPES}; received {jamo_type!r}")


def is_syllable(ch):
    """True for a precomposed modern Hangul syllable (U+AC00..U+D7A3); False for anything
    else, strings of another length included."""
    return isinstance(ch, str) and len(ch) == 1 and SYLLABLE_BASE <= ord(ch) <= SYLLABLE_LAST


def split_syllable(ch, jamo_type="COMPAT"):
    """``'한'`` -> ``('ㅎ', 'ㅏ', 'ㄴ')``; the final is ``''`` when there is none."""
    if not is_syllable(ch):
        raise ValueError(f"split_syllable: expected one Hangul syllable (U+AC00..U+D7A3); "
                         f"received {ch!r:.40}")
    _check(ch, jamo_type)
    code = ord(ch) - SYLLABLE_BASE
    initial, rest = divmod(code, N_MEDIAL * N_FINAL)
    medial, final = divmod(rest, N_FINAL)
    if jamo_type == "JAMO":
        return (chr(_JAMO_INITIAL + initial), chr(_JAMO_MEDIAL + medial),
                chr(_JAMO_FINAL + final) if final else "")
    return INITIALS[initial], MEDIALS[medial], FINALS[final]


def split_syllables(text, jamo_type="COMPAT"):
    """Replace every Hangul syllable of ``text`` by its 2 or 3 jamo.

    >>> split_syllables("안녕, world")
    'ㅇㅏㄴㄴㅕㅇ, world'
    """
    _check(text, jamo_type)
    return "".join("".join(split_syllable(ch, jamo_type)) if is_syllable(ch) else ch
                   for ch in text)


def _compose(initial, medial, final=0):
    return chr(SYLLABLE_BASE + (initial * N_MEDIAL + medial) * N_FINAL + final)


def _join_conjoining(text):
    out, i, n = [], 0, len(text)
    while i < n:
        l_idx = ord(text[i]) - _JAMO_INITIAL
        v_idx = ord(text[i + 1]) - _JAMO_MEDIAL if i + 1 < n else -1
        if 0 <= l_idx < N_INITIAL and 0 <= v_idx < N_MEDIAL:
            t_idx = ord(text[i + 2]) - _JAMO_FINAL if i + 2 < n else -1
            if 1 <= t_idx < N_FINAL:
                out.append(_compose(l_idx, v_idx, t_idx))
                i += 3
            else:
                out.append(_compose(l_idx, v_idx))
                i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def join_jamos(text, jamo_type="COMPAT"):
    """Inverse of :func:`split_syllables`: compose jamo sequences back into syllables.

    >>> join_jamos("ㅇㅏㄴㄴㅕㅇ, world")
    '안녕, world'
    """
    _check(text, jamo_type)
    if jamo_type == "JAMO":
        return _join_conjoining(text)
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch in _INITIAL_OF and nxt in _MEDIAL_OF:
            final = 0
            # a consonant after the vowel is this syllable's final unless it can start the
            # next syllable (it is an initial and a vowel follows it)
            after = text[i + 2] if i + 2 < n else ""
            after2 = text[i + 3] if i + 3 < n else ""
            if after in _FINAL_OF and not (after in _INITIAL_OF and after2 in _MEDIAL_OF):
                final = _FINAL_OF[after]
            out.append(_compose(_INITIAL_OF[ch], _MEDIAL_OF[nxt], final))
            i += 3 if final else 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_kiwi = None


def morphs(text):
    """Split Korean ``text`` into morphemes with kiwipiepy (``pip install kiwipiepy``).

    >>> morphs("아버지가방에들어가신다")  # doctest: +SKIP
    ['아버지', '가', '방', '에', '들어가', '시', 'ㄴ다']
    """
    global _kiwi
    if not isinstance(text, str):
        raise ValueError(f"`text` must be a str; received {type(text).__name__}")
    if _kiwi is None:
        try:
            from kiwipiepy import Kiwi
        except ImportError:
            raise ImportError(
                "saessak.text.korean.morphs needs the optional package kiwipiepy; install it "
                "with `pip install kiwipiepy` (or `pip install saessak[korean]`)."
            ) from None
        _kiwi = Kiwi()
    return [token.form for token in _kiwi.tokenize(text)]


__all__ = ["split_syllables", "join_jamos", "split_syllable", "is_syllable", "morphs",
           "INITIALS", "MEDIALS", "FINALS"]
