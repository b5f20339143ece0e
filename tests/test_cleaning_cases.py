"""The labelled cases in lib/directives/data/cleaning_cases.csv drive these tests (as in ftfy)."""

from __future__ import annotations

import csv
import re

import pytest
from directives import clean, paths
from hypothesis import given, settings
from hypothesis import strategies as st


def _unescape(s: str) -> str:
    s = s.replace("\\n", "\n").replace("\\r", "\r")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), s)


def _cases():
    with open(paths.CLEANING_CASES_CSV, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if not r["step"].startswith("#")]
    for r in rows:
        marks = [pytest.mark.xfail(strict=True, reason=r["source"])] if r["status"] == "known_failure" else []
        yield pytest.param(r["step"], _unescape(r["input"]), _unescape(r["expected"]), id=r["source"], marks=marks)


CASES = list(_cases())


def test_cases_cover_every_step():
    steps = {p.values[0] for p in CASES}
    assert {
        "remove_pinyin_annotations",
        "repair_gbk_damage",
        "strip_html",
        "normalize_whitespace",
        "clean_text",
    } <= steps
    assert len(CASES) >= 25


@pytest.mark.parametrize(("step", "given_text", "expected"), CASES)
def test_labelled_case(step, given_text, expected):
    result = getattr(clean, step)(given_text)
    text = result if isinstance(result, str) else result[0]
    assert text == expected


def test_every_gbk_repair_explains_itself():
    text, changes = clean.repair_gbk_damage("做實做細。壓實?崭鄯揽刎(zé)任")
    assert text == "做實做細。壓實空港防控責任"
    (c,) = changes
    assert (c.step, c.rule, c.before, c.after, c.offset) == (
        "gbk_damage",
        "shifted_run",
        "?崭鄯揽刎(zé)",
        "空港防控責",
        7,
    )
    assert "D5" in c.note and "責" in c.note


def test_unrepairable_damage_is_flagged_not_dropped():
    text, changes = clean.repair_gbk_damage("召開?huì)?lǐ)議")
    assert "〓" in text and "?" not in text
    assert any(c.rule in ("gbk_unrepaired", "shifted_run") for c in changes)


def test_question_mark_between_han_is_kept_and_reported():
    text, changes = clean.repair_gbk_damage("他說什么?我們不知道。")
    assert text == "他說什么?我們不知道。"
    assert [c.rule for c in changes] == ["suspected_damage_kept"]


def test_pinyin_removal_reports_offsets():
    text, changes = clean.remove_pinyin_annotations("壓實(shí)責(zé)任")
    assert text == "壓實責任"
    assert [(c.before, c.offset) for c in changes] == [("(shí)", 2), ("(zé)", 8)]


def test_pinyin_data_read_from_the_file_equals_pypinyin_imported():
    """Issue 21: pypinyin's data file is read instead of importing the package (0.4-0.9 s a process); the
    syllables and readings are those of the imported package, the reference."""
    import unicodedata

    from directives.gbk import pinyin_dict
    from pypinyin.pinyin_dict import pinyin_dict as reference

    assert {int(k): v for k, v in pinyin_dict().items()} == reference
    toned = {unicodedata.normalize("NFC", r) for v in reference.values() for r in v.split(",")}
    bare = {"".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)) for s in toned}
    assert clean._pinyin_syllables() == frozenset(toned | {unicodedata.normalize("NFC", s) for s in bare})


def test_common_characters_read_from_the_file_equal_jiebas_tokenizer():
    from directives import _lm

    reference = frozenset(w for w, f in _lm._tokenizer().FREQ.items() if len(w) == 1 and (f or 0) > 100)
    assert _lm.common_chars() == reference


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("压实 责任\u3000\u00a0\r\n\t\x01\x7f\ue000\u2028\x1c\u200bab"), max_size=60))
def test_printable_fast_path_equals_the_count(text):
    from directives.reading import _printable

    assert _printable(text) == (sum(c.isprintable() or c.isspace() for c in text) >= 0.95 * len(text))


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("壓實責任疫情防控(shízé)?？\n\r\u3000 　<p>&amp;;-相關閱讀責編:來源2022-03-19年月日下載APP崭鄯揽刎h|w")
        ),
        max_size=60,
    )
)
def test_clean_article_never_raises_and_normalize_is_idempotent(s):
    parts = clean.clean_article(s)
    assert isinstance(parts.text, str)
    once = clean.normalize_text(s)[0]
    assert clean.normalize_text(once)[0] == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_clean_article_never_raises_on_any_string(s):
    clean.clean_article(s)
