"""字数 exactly as DESIGN.md defines it, with properties that must hold for any text."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kcjs.checkers.counting import count, count_all

EXAMPLE = "2024年，我们完成了5G基站建设（共计30个）。Hello world!"


def test_worked_example():
    assert count_all(EXAMPLE) == {"word": 22, "chars": 36, "hanzi": 13}


def test_runs_and_asian_characters():
    assert count("COVID-19 3.5% world!") == 3
    assert count("ＡＢＣ１２３") == 6            # full-width letters and digits are Asian, one each
    assert count("《科创江苏》【通知】、") == 11
    assert count("かなカナ한국어ㄅㄆ") == 9
    assert count("𠀀𪚥") == 2                      # Han extensions B and beyond
    assert count("a\u3000b\u00a0c\u200bd") == 4    # ideographic space, NBSP and zero-width space separate runs
    assert count("") == count(" \n\t\u3000") == 0
    assert count("word", "word") == 1 and count("中文abc", "chars") == 5


han = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1)
latin = st.text(alphabet="abcdefghijXYZ0123456789-.%!", min_size=1)
any_text = st.text(alphabet=st.sampled_from(list("中文字数统计abc 123，。（）\n\u3000ＡＢ-%")))


@given(han)
def test_han_counts_one_each_in_every_mode(s):
    assert count(s) == count(s, "chars") == count(s, "hanzi") == len(s)


@given(latin)
def test_a_latin_run_is_one_word(s):
    assert count(s) == 1 and count(s, "hanzi") == 0 and count(s, "chars") == len(s)


@given(any_text, any_text)
def test_additive_across_whitespace(a, b):
    for mode in ("word", "chars", "hanzi"):
        assert count(a + " " + b, mode) == count(a, mode) + count(b, mode)


@given(any_text)
def test_modes_are_ordered(s):
    assert count(s, "hanzi") <= count(s, "word") <= count(s, "chars")
