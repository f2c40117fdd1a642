"""Jamo split/join (jamotools' names and compatibility-jamo output, seed 000 section 7.4.2)."""

import pytest

from saessak.text import join_jamos, korean, split_syllables

ALL_SYLLABLES = "".join(chr(c) for c in range(0xAC00, 0xD7A4))


def test_every_syllable_round_trips():
    assert len(ALL_SYLLABLES) == 11172
    for ch in ALL_SYLLABLES:
        assert join_jamos(split_syllables(ch)) == ch
    # also as one long run, where a final could be mistaken for the next initial
    assert join_jamos(split_syllables(ALL_SYLLABLES)) == ALL_SYLLABLES
    assert join_jamos(split_syllables(ALL_SYLLABLES, "JAMO"), "JAMO") == ALL_SYLLABLES


def test_unicode_arithmetic():
    # 한 = 0xAC00 + (18 * 21 + 0) * 28 + 4
    assert ord("한") == 0xAC00 + (18 * 21 + 0) * 28 + 4
    assert korean.split_syllable("한") == ("ㅎ", "ㅏ", "ㄴ")
    assert korean.split_syllable("가") == ("ㄱ", "ㅏ", "")
    assert korean.split_syllable("한", "JAMO") == ("\u1112", "\u1161", "\u11ab")


def test_compatibility_jamo_output_like_jamotools():
    assert split_syllables("안녕하세요") == "ㅇㅏㄴㄴㅕㅇㅎㅏㅅㅔㅇㅛ"
    assert split_syllables("붉은 값") == "ㅂㅜㄺㅇㅡㄴ ㄱㅏㅄ"  # compound finals stay one letter
    assert all(0x3131 <= ord(c) <= 0x3163 for c in split_syllables(ALL_SYLLABLES))


def test_seed000_annals_text_round_trip_and_others_unchanged():
    s = ("태조 이성계 선대의 가계. 목조 이안사가 전주에서 삼척·의주를 거쳐 알동에 정착하다\n"
         "태조 강현 지인 계운 성문 신무 대왕(太祖康獻至仁啓運聖文神武大王)의 성은 이씨(李氏)요, 휘")
    split = split_syllables(s)
    assert "太祖康獻至仁啓運聖文神武大王" in split and "·" in split and "\n" in split
    assert join_jamos(split) == s
    assert split_syllables("abc 123 !?") == "abc 123 !?"


def test_join_decides_like_a_keyboard():
    assert join_jamos("ㄱㅏㄱㅏ") == "가가"
    assert join_jamos("ㄱㅏㄱ") == "각"
    assert join_jamos("ㅋㅋㅋ") == "ㅋㅋㅋ"
    assert join_jamos("ㅏㅏ") == "ㅏㅏ"
    assert join_jamos("ㄷㅏㄺㅇㅣ") == "닭이"


def test_bad_input():
    with pytest.raises(ValueError, match="text"):
        split_syllables(b"bytes")
    with pytest.raises(ValueError, match="jamo_type"):
        join_jamos("가", "FULL")


def test_morphs_needs_kiwipiepy():
    try:
        import kiwipiepy  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install kiwipiepy"):
            korean.morphs("아버지가방에들어가신다")
    else:  # pragma: no cover - only where kiwipiepy is installed
        assert "아버지" in korean.morphs("아버지가방에들어가신다")
