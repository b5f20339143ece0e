"""The explorers' pure functions (no browser): interactive tables escape every cell and embed DataTables
once, without an address; the term report agrees with a plain count; the article viewer's marked text is
the cleaned text exactly, with every change at its place; neighbours agree with the TF-IDF model's."""

from __future__ import annotations

import base64
import gzip
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from directives.explore import (
    ExploreIndex,
    article_report,
    article_viewer,
    displayable,
    marked_text,
    neighbours_of,
    shared_with,
    table_html,
    tables_loader_html,
    term_explorer,
    term_report,
)
from directives.reuse import shared_passages

HOSTILE = [
    "<script>document.body.setAttribute('data-pwned','1')</script>标题",
    '<img src=x onerror="alert(1)">某市',
    "</script><script>alert(2)</script>",
    "公式 $x^2$ 与 $$\\frac{a}{b}$$，见 https://example.org/a.js",
]


@pytest.fixture(scope="module")
def seeds_index(seeds_df):
    return ExploreIndex(seeds_df)


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S | re.I)


# --------------------------------------------------------------------------- tables
def test_table_cells_are_text_never_markup():
    page = table_html(pd.DataFrame({"title": HOSTILE, "n": range(len(HOSTILE))}))
    for s in HOSTILE[:3]:
        assert s not in page  # never raw, anywhere (data, static preview)
    assert "&lt;script&gt;document.body.setAttribute(" in page and "&lt;img src=x onerror=" in page
    assert "$x^2$" in page and "tex2jax_ignore" in page  # dollars stay as typed: MathJax leaves the table alone
    for script in _scripts(page):
        assert "://" not in script and "<script" not in script.lower()
    assert "https://example.org/a.js" not in page.split("<script")[-1]


def test_loader_embeds_itables_bundle_once_without_an_address():
    from itables import options

    page = tables_loader_html()
    assert "://" not in page and len(page.encode()) < 400_000
    blobs = re.findall(r'unzip\("([A-Za-z0-9+/=]+)"\)', page)
    bundle = Path(options.dt_bundle)
    assert [gzip.decompress(base64.b64decode(b)) for b in blobs] == [
        bundle.with_suffix(".css").read_bytes(),
        bundle.read_bytes(),
    ]
    assert table_html(pd.DataFrame({"a": [1]})).count("unzip(") == 0  # tables never carry the bundle


def test_displayable_cuts_long_text_and_leaves_missing_empty():
    shown = displayable(
        pd.DataFrame({"t": ["长" * 500, None], "x": [1.5, np.nan], "d": pd.to_datetime(["2021-01-02", None])})
    )
    assert shown.t.tolist() == ["长" * 199 + "…", ""]
    assert shown.x.tolist() == ["1.5", ""] and shown.d.tolist() == ["2021-01-02", ""]
    assert len(displayable(pd.DataFrame({"a": range(1000)}), rows=30)) == 30


# --------------------------------------------------------------------------- term explorer
def _check_term_report(df: pd.DataFrame, index: ExploreIndex, term: str, regex: bool = False) -> dict:
    r = term_report(index, term, regex=regex)
    rx = re.compile(term if regex else re.escape(term))
    counts = np.array([len(rx.findall(t)) for t in df.text_simplified])  # the reference: Python's re
    assert r["dispersion"]["matches"].sum() == counts.sum()
    assert r["dispersion"]["articles using it"].sum() == (counts > 0).sum()
    assert r["dispersion"]["articles"].sum() == len(df)
    dated = df.date.notna().to_numpy()
    assert r["over_time"]["matches"].sum() == counts[dated].sum()
    texts = dict(zip(df.doc_id, df.text_simplified, strict=True))
    assert len(r["kwic"]) == min(counts.sum(), 200)
    for row in r["kwic"].head(50).itertuples():
        line = row.left + row.match + row.right
        assert any(m.start() == len(row.left) and m.group(0) == row.match for m in rx.finditer(line))
        assert (row.left + row.match + row.right).replace(" ", "") in texts[row.doc_id].replace("\n", "")
    if len(r["kwic"]) > 1:
        assert r["kwic"].date.dropna().is_monotonic_increasing
    assert (r["collocates"].g2 > 0).all()
    return r


def test_term_report_agrees_with_a_plain_count_on_the_seeds(seeds_df, seeds_index):
    r = _check_term_report(seeds_df, seeds_index, "责任")
    assert r["summary"].startswith("责任: ") and f"of {len(seeds_df)} articles" in r["summary"]
    _check_term_report(seeds_df, seeds_index, "压[实紧]", regex=True)
    none = term_report(seeds_index, "这个词不在语料里")
    assert none["kwic"].empty and none["collocates"].empty and "does not occur" in none["summary"]
    with pytest.raises(ValueError):
        term_report(seeds_index, "")


def test_collocates_are_the_words_next_to_the_term():
    toy = pd.DataFrame({
        "doc_id": ["a", "b", "c"], "region": ["甲", "乙", "丙"], "date": pd.to_datetime(["2021-01-04"] * 3),
        "title": ["一", "二", "三"], "n_han": [10, 10, 10],
        "text_simplified": ["压实责任，落实到位", "压实责任，狠抓落实", "天气晴朗，适合出游"],
        "tokens": ["压实 责任 落实 到位", "压实 责任 狠抓 落实", "天气 晴朗 适合 出游"],
        "all_tokens": ["压实 责任 ， 落实 到位", "压实 责任 ， 狠抓 落实", "天气 晴朗 ， 适合 出游"],
    })  # fmt: skip
    r = term_report(toy, "压实", window=1)
    assert r["collocates"].collocate.tolist() == ["责任"] and r["collocates"].near.tolist() == [2]
    assert set(term_report(toy, "压实", window=5)["collocates"].collocate) == {"责任", "落实", "到位", "狠抓"}


def test_term_report_on_peoples_daily(peoples_daily_tokens):
    df = peoples_daily_tokens
    index = ExploreIndex(df)
    r = _check_term_report(df, index, "习近平")
    assert len(r["dispersion"]) == len(index.units.labels) + 1  # the 40 largest regions, then every other
    _check_term_report(df, index, r"\d+年", regex=True)
    _check_term_report(df, index, "(?<=加强)管理", regex=True)  # not RE2: Python's re counts it


# --------------------------------------------------------------------------- article viewer
def _plain(marked: str) -> str:
    """The marked HTML back to text: deletions dropped, marks unwrapped, entities decoded."""
    return html.unescape(re.sub(r"<mark[^>]*>|</mark>", "", re.sub(r"<del[^>]*>.*?</del>", "", marked, flags=re.S)))


SUMMARY_RULES = {"line_endings", "run_on_paragraphs", "whitespace_and_width", "entities"}  # whole-text changes


def _check_marked(df: pd.DataFrame) -> float:
    """Every article's marked text is its cleaned text; returns the share of the changes of one place
    (not the whole-text ones) that are marked where they are."""
    placed = local = 0
    for raw, text, changes in zip(df.text_raw, df.text, df.changes, strict=True):
        page, table = marked_text(raw)
        assert _plain(page) == text  # the cleaned text exactly, whatever is marked in it
        assert "<script" not in page.lower() and "<img" not in page.lower()
        assert len(table) == len(changes)  # every change of the pipeline is listed
        one_place = ~table.rule.isin(SUMMARY_RULES)
        placed += int(table.placed[one_place].sum())
        local += int(one_place.sum())
    return placed / max(local, 1)


def test_marked_text_is_the_cleaned_text_with_its_changes_on_the_seeds(seeds_df):
    assert _check_marked(seeds_df) > 0.98


def test_marked_text_on_peoples_daily(peoples_daily_tokens):
    assert _check_marked(peoples_daily_tokens.sample(100, random_state=0)) > 0.98


def test_marked_text_marks_a_repair_and_a_deletion_where_they_are():
    page, table = marked_text("標題\n2021-10-22 21:33:52 來源:光明日報\n壓實(shí)責任。&lt;b&gt;")
    assert page.startswith('<del class="chg" title="furniture: title">標題</del><del class="chg" title="furniture')
    assert '</del>壓實<del class="chg" title="pinyin: pinyin_annotation">(shí)</del>責任。' in page
    assert table.placed[table.rule != "entities"].all() and table.step.tolist().count("pinyin") == 1


def test_article_report_metadata_neighbours_and_passages(seeds_df, seeds_index):
    doc = seeds_df.doc_id.iloc[0]
    r = article_report(seeds_index, doc)
    meta = r["metadata"].set_index("field")
    assert meta.loc["region", "value"] == seeds_df.region.iloc[0]
    assert meta.loc["region", "basis"] == seeds_df.region_basis.iloc[0]
    assert meta.loc["date", "basis"] == seeds_df.date_basis.iloc[0]
    assert _plain(r["text_html"]) == seeds_df.text.iloc[0]
    exact = seeds_index.model.nearest_neighbours(k=3)
    exact = exact[exact.doc_id == doc].sort_values("rank")
    assert r["neighbours"].doc_id.head(3).tolist() == exact.neighbour.tolist()
    assert np.allclose(r["neighbours"].similarity.head(3), exact.similarity, atol=1e-3)


def test_shared_with_reads_the_given_passages(seeds_df, seeds_index):
    passages = shared_passages(seeds_df, min_chars=8)
    doc = passages.docs.iloc[0][0]
    mine = shared_with(seeds_index, doc, passages, min_chars=8)
    expected = passages[[doc in d for d in passages.docs]]
    assert len(mine) == len(expected) and mine.length.max() == expected.length.max()
    others = {seeds_index.labels[d] for d in expected.docs.iloc[0] if d != doc}
    assert set(mine.loc[mine.length.idxmax(), "shared with"].split("；")) >= others


def test_neighbours_never_include_the_article_itself(seeds_index):
    for doc in seeds_index.doc_ids:
        near = neighbours_of(seeds_index, doc, k=10)
        assert doc not in set(near.doc_id) and len(near) == len(seeds_index.doc_ids) - 1


# --------------------------------------------------------------------------- the widget layers
def test_explorers_static_for_a_report_and_widgets_in_a_kernel(seeds_df, seeds_index):
    hostile = seeds_df.head(1).assign(doc_id="evil", title=HOSTILE[0], region=HOSTILE[1])
    df = pd.concat([seeds_df, hostile], ignore_index=True)
    page = article_viewer(df, examples=["evil"], static=True).data
    assert "no kernel" in page and "notebooks/06_shared_phrases.ipynb" in page
    assert HOSTILE[0] not in page and HOSTILE[1] not in page
    page = term_explorer(seeds_index, examples=["责任"], static=True).data
    assert "<h4>责任</h4>" in page and "notebooks/02_term_frequency.ipynb" in page
    assert page.startswith('<div class="tex2jax_ignore mathjax_ignore">')  # $…$ in the data is never typeset
    box = term_explorer(seeds_index, examples=["责任"])
    assert type(box).__name__ == "VBox" and box.children[0].children[0].value == "责任"
    viewer = article_viewer(seeds_index, examples=[seeds_df.doc_id.iloc[1]])
    assert viewer.children[1].value == seeds_df.doc_id.iloc[1] and len(viewer.children[1].options) == len(seeds_df)
    viewer.children[0].value = seeds_df.region.iloc[2]  # typing in the search box narrows the choice
    assert seeds_df.doc_id.iloc[2] in [v for _, v in viewer.children[1].options]
