"""Hostile input (issue 15): an ASCII '?' never becomes made-up characters, names collide, '$' and LaTeX are
text in every field, a corpus that needs no cleaning runs through the whole collection."""

from __future__ import annotations

import collections
import csv
import itertools
import re

import pytest
from directives import load_corpus, paths
from directives.clean import clean_text
from directives.report import run_collection

HAN = re.compile(r"[\u3400-\u9fff]")
CONTEXTS = ["群眾問：“責任到底在誰", "是嗎", "怎麼辦", "為什麼不壓實責任", "這是真的嗎", "他問道：誰負責"]
PUNCTUATION = [
    "”",
    "？",
    "！",
    "。",
    "）",
    "」",
    "』",
    "…",
    "——",
    "，",
    "；",
    "：",
    "、",
    "“",
    "》",
    "】",
    "?？",
    "!”",
    "？”",
]
AFTER = ["", "他說。", "群眾問：", "\n下一段話。", "壓實責任"]


def test_an_ascii_question_mark_never_becomes_made_up_characters():
    invented = []
    for context, punct, after in itertools.product(CONTEXTS, PUNCTUATION, AFTER):
        given = context + "?" + punct + after
        added = collections.Counter(HAN.findall(clean_text(given))) - collections.Counter(HAN.findall(given))
        if added:
            invented.append((given, "".join(added.elements())))
    assert invented == []  # 72 of these 570 were "repaired" into made-up characters before


PLAIN = "今年以来，各地认真落实防控措施，压实各方责任，抓细抓实每一个环节，确保群众生命安全和身体健康。" * 2
DOLLAR = {
    "title": "利率$5%$上调",
    "region": r"收入$\frac{1}{$元区",
    "outlet": "$x^2$日报",
    "author": "$$",
    "note": r"$\alpha$",
}


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("plain")
    for sub in ("a", "b"):
        (corpus / sub).mkdir()
        (corpus / sub / "same.txt").write_text(PLAIN.replace("今年", f"{sub}年"), encoding="utf-8")
    (corpus / "c.txt").write_text(PLAIN.replace("今年", "去年"), encoding="utf-8")
    with open(corpus / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", *DOLLAR, "date"])
        w.writerow(["c.txt", *DOLLAR.values(), "2022-04-16"])
    out = tmp_path_factory.mktemp("out")
    run_collection(corpus, out)
    return corpus, out


def test_same_names_in_two_folders_are_two_articles(plain_run):
    corpus, _out = plain_run
    df = load_corpus(corpus, cache_dir=None)
    assert sorted(df.doc_id) == ["a/same", "b/same", "c"]
    assert df.changes.map(len).sum() == 0  # nothing needed cleaning


def test_dollar_signs_and_latex_are_text_in_every_figure_and_report(plain_run):
    _corpus, out = plain_run
    for nb in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        assert (out / "reports" / f"{nb.stem}.html").stat().st_size > 10_000
    assert all(p.stat().st_size > 5_000 for p in (out / "figures").glob("*.png"))
    page = (out / "reports" / "01_corpus.html").read_text(encoding="utf-8")
    assert "利率$5%$上调" in page and r"$\frac{1}{$" in page
