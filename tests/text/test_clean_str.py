"""clean_str against the seeds' printed token lists (seed 000, examples 7.22 and 7.34)."""

import pytest

from saessak.text import clean_str


def test_korean_mode_matches_seed000_example_7_22():
    rows = ["아 더빙.. 진짜 짜증나네요 목소리",
            "흠...포스터보고 초딩영화줄....오버연기조차 가볍지 않구나",
            "너무재밓었다그래서보는것을추천한다",
            "교도소 이야기구먼 ..솔직히 재미는 없다..평점 조정",
            "사이몬페그의 익살스런 연기가 돋보였던 영화!스파이더맨에서 늙어보이기만 했던 "
            "커스틴 던스트가 너무나도 이뻐보였다"]
    got = [clean_str(r, mode="korean").split(" ") for r in rows]
    assert got[0] == ["아", "더빙", "진짜", "짜증나네요", "목소리"]
    assert got[1] == ["흠", "포스터보고", "초딩영화줄", "오버연기조차", "가볍지", "않구나"]
    assert got[3] == ["교도소", "이야기구먼", "솔직히", "재미는", "없다", "평점", "조정"]
    assert got[4] == ["사이몬페그의", "익살스런", "연기가", "돋보였던", "영화", "!",
                      "스파이더맨에서", "늙어보이기만", "했던", "커스틴", "던스트가",
                      "너무나도", "이뻐보였다"]
    assert clean_str("Don't STOP", mode="korean") == "do nt stop"


def test_annals_mode_matches_seed000_example_7_34():
    lines = ["태조 이성계 선대의 가계. 목조 이안사가 전주에서 삼척·의주를 거쳐 "
             "알동에 정착하다",
             "태조 강현 지인 계운 성문 신무 대왕(太祖康獻至仁啓運聖文神武大王)의 "
             "성은 이씨(李氏)요, 휘"]
    words = []
    for line in lines:
        words += clean_str(line, mode="annals").split(" ") + ["\n"]
    words = [w for w in words if w]
    assert words[:20] == ["태조", "이성계", "선대의", "가계", "목조", "이안사가",
                          "전주에서", "삼척", "의주를", "거쳐", "알동에", "정착하다", "\n",
                          "태조", "강현", "지인", "계운", "성문", "신무", "대왕"]


def test_english_mode_is_kims_clean_str():
    assert clean_str("It's a GREAT film, isn't it?!") == "it 's a great film , is n't it \\? !"
    assert clean_str("  (hello)  ") == "\\( hello \\)"
    assert clean_str("We've I'd you'll they're") == "we 've i 'd you 'll they 're"
    assert clean_str("") == ""


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        clean_str("x", mode="french")
    with pytest.raises(ValueError, match="string"):
        clean_str(None)
