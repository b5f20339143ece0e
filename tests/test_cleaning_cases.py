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
