"""Segmentation, stopwords, cache and the counting functions, on the seeds and on hand-made corpora."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from directives import tokens as T
from directives.analysis import collocations, keyness, kwic, term_counts, term_positions
from directives.convert import to_simplified

GENRE_TERMS = (
    "压实责任 疫情防控 动态清零 外防输入 内防反弹 人民至上 生命至上 四早 四方责任 密接 次密接 流调 核酸检测 "
    "闭环管理 应隔尽隔 守土有责 麻痹思想 厌战情绪 侥幸心理 松劲心态 联防联控 群防群控 指挥部 第一责任人"
).split()


@pytest.fixture(scope="module")
def tokdf(seeds_df, tmp_path_factory):
    return T.add_tokens(seeds_df, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize("term", GENRE_TERMS)
def test_dictionary_terms_stay_whole_in_context(term):
    assert term in T.segment(f"各地要进一步{term}，确保不出问题")


def test_dictionary_terms_whole_in_the_seeds(tokdf):
    all_tokens = {t for toks in tokdf.all_tokens for t in toks.split()}
    for term in ("压实", "疫情防控", "动态清零", "外防输入", "人民至上", "麻痹思想", "四方责任", "第一责任人", "密接"):
        assert term in all_tokens


def test_known_top_terms_of_the_seeds(tokdf):
    top10 = term_counts(tokdf).term.head(10).tolist()
    for term in ("疫情", "防控", "责任"):
        assert term in top10, top10


def test_stopwords_punctuation_numbers_single_chars_absent(tokdf):
    all_filtered = {t for toks in tokdf.tokens for t in toks.split()}
    for word in ("的", "和", "要", "进一步", "切实", "。", "，", "19", "、"):
        assert word not in all_filtered
    assert all(len(t) > 1 for t in all_filtered)


def test_genre_stopwords_can_be_switched_off(seeds_df, tmp_path):
    on = T.add_tokens(seeds_df, cache_dir=tmp_path)
    off = T.add_tokens(seeds_df, cache_dir=tmp_path, genre_stopwords=False)
    assert not any("进一步" in t.split() for t in on.tokens)
    assert any("进一步" in t.split() for t in off.tokens)


def test_cache_hit_returns_same_tokens_and_dictionary_change_invalidates(seeds_df, tmp_path, monkeypatch):
    first = [s.tolist() for s in T.segment_texts(seeds_df.text_simplified.tolist(), tmp_path)]
    assert first[0][0].split()[:1] and first[1][0]
    files = list(tmp_path.glob("tokens-*.parquet"))
    assert len(files) == 1
    empty = (pd.Series([], dtype="str"), pd.Series([], dtype="str"))
    monkeypatch.setattr(
        T, "segment_many", lambda texts, **o: pytest.fail("segmented although cached") if texts else empty
    )
    assert [s.tolist() for s in T.segment_texts(seeds_df.text_simplified.tolist(), tmp_path)] == first
    monkeypatch.setattr(T, "dictionary_version", lambda: "changed")
    assert not T._cache_path(tmp_path).exists()


def test_kwic_hits_match_a_plain_substring_count(tokdf):
    for term in ("压实", "责任", "压实责任", "实四"):
        hits = kwic(tokdf, term)
        assert len(hits) == sum(t.count(term) for t in tokdf.text_simplified.str.replace(r"\s", "", regex=True))
        assert (hits["match"] == term).all()
    row = kwic(tokdf, "压实", window=3).iloc[0]
    assert len(row.left.split()) <= 4 and len(row.right.split()) <= 4


def test_keyness_signs_on_a_toy_corpus_by_hand():
    toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["责任"] * 6 + ["防控"] * 2, ["防控"] * 5 + ["责任"] * 1]})
    k = keyness(toy, min_count=1).set_index(["doc_id", "term"])
    # by hand: a=6, b=1, c=8, d=6; E1 = 8*7/14 = 4, E2 = 6*7/14 = 3
    g2 = 2 * (6 * math.log(6 / 4) + 1 * math.log(1 / 3))
    assert k.loc[("a", "责任"), "g2"] == pytest.approx(g2)
    assert k.loc[("b", "责任"), "g2"] == pytest.approx(-g2)
    assert k.loc[("a", "防控"), "g2"] < 0 < k.loc[("b", "防控"), "g2"]


def test_term_counts_per_doc_and_collocations(tokdf):
    per_doc = term_counts(tokdf, by_doc=True)
    assert per_doc.groupby("doc_id").per_1000.sum().round(6).eq(1000).all()
    col = collocations(tokdf, min_count=2)
    assert (col["count"] >= 2).all() and len(col) > 0


def test_term_positions_are_fractions(tokdf):
    pos = term_positions(tokdf, ["动态清零", "麻痹思想"])
    assert pos.position.between(0, 1).all()
    assert set(pos.term) == {"动态清零", "麻痹思想"}


def test_fast_engine_equals_jieba_reference_on_real_text(seeds_df):
    fast, reference = T.segmenter("rjieba"), T.segmenter("jieba")
    texts = [*seeds_df.text_simplified, *seeds_df.text_raw.map(to_simplified)]  # clean and raw, furniture included
    for text in texts:
        assert fast.cut(text) == reference.cut(text)
    assert "四方责任" in fast.cut("压实四方责任")  # the user dictionary is loaded in both


def test_parallel_segmentation_gives_the_same_tokens(seeds_df, monkeypatch):
    texts = seeds_df.text_simplified.tolist() * 3
    serial = [s.tolist() for s in T.segment_many(texts, processes=1)]
    assert serial[0] == [" ".join(T.segment(t)) for t in texts]
    monkeypatch.setattr(T, "PARALLEL_MIN_CHARS", 0)
    assert [s.tolist() for s in T.segment_many(texts, processes=2)] == serial


@pytest.mark.parametrize(
    "options", [{}, {"keep_single": True}, {"keep_numbers": True, "drop_stopwords": False}, {"genre_stopwords": False}]
)
@pytest.mark.parametrize("chunk_chars", [1, 5_000, T.CHUNK_CHARS])  # a text a chunk, a few, all in one
def test_corpus_level_filtering_equals_the_per_token_rule(seeds_df, options, chunk_chars, monkeypatch):
    # white space of every kind becomes tokens of its own; the column-level filter must drop exactly those
    odd = ["压实 责任\n\n落实\u3000四方责任", "  ", "COVID-19 疫情 2022年 3 月", "的了是", ""]
    odd += ["\r\n 压实\xa0责任 \t", "\u3000\u3000各级党委\r\n\r\n", "\n", "a  b\x1c c\u2028d"]
    texts = [*seeds_df.text_simplified, *odd] * 2  # twice: the second time the decisions are remembered
    monkeypatch.setattr(T, "CHUNK_CHARS", chunk_chars)
    all_tokens, tokens = T.segment_many(texts, processes=1, **options)
    assert all_tokens.tolist() == [" ".join(T.segment(t)) for t in texts]
    assert tokens.tolist() == [" ".join(T.tokenize(t, **options)) for t in texts]
    assert all_tokens.iloc[len(seeds_df)] == "压实 责任 落实 四方责任"
    assert all_tokens.iloc[len(seeds_df) + 1] == tokens.iloc[len(seeds_df) + 1] == ""


def test_fallback_engine_by_environment(monkeypatch):
    monkeypatch.setenv("DIRECTIVES_SEGMENTER", "jieba")
    assert T.engine() == "jieba"
    monkeypatch.delenv("DIRECTIVES_SEGMENTER")
    assert T.engine() == "rjieba"


def test_changed_stopword_list_is_a_cache_miss(tmp_path, monkeypatch):
    from directives import paths as P

    before = T._cache_path(tmp_path)
    other = tmp_path / "stop.txt"
    other.write_text("# another list\n要求\n", encoding="utf-8")
    monkeypatch.setattr(P, "GENRE_STOPWORDS", other)
    assert T._cache_path(tmp_path) != before


# Plain-Python reference versions of the counting functions (what they did before Arrow counted for them).
def _reference_term_counts(df, by_doc=False):
    rows = [(d, t) for d, toks in zip(df["doc_id"], df["tokens"], strict=True) for t in T.token_list(toks)]
    long = pd.DataFrame(rows, columns=["doc_id", "term"])
    if by_doc:
        out = long.groupby(["doc_id", "term"]).size().rename("count").reset_index()
        out["per_1000"] = out["count"] / out.groupby("doc_id")["count"].transform("sum") * 1000
        return out.sort_values(["doc_id", "count", "term"], ascending=[True, False, True], ignore_index=True)
    out = long.groupby("term").agg(count=("doc_id", "size"), docs=("doc_id", "nunique")).reset_index()
    out["per_1000"] = out["count"] / len(long) * 1000
    return out[["term", "count", "per_1000", "docs"]].sort_values(["count", "term"], ascending=[False, True],
                                                                    ignore_index=True)  # fmt: skip


def _reference_collocations(df, min_count):
    from collections import Counter
    from itertools import pairwise

    uni, bi = Counter(), Counter()
    for toks in map(T.token_list, df["tokens"]):
        uni.update(toks)
        bi.update(pairwise(toks))
    n, nb = sum(uni.values()), sum(bi.values())
    return {
        (a, b): (c, math.log2((c / nb) / ((uni[a] / n) * (uni[b] / n)))) for (a, b), c in bi.items() if c >= min_count
    }


def test_arrow_counting_equals_plain_python_counting(tokdf):
    from directives.synthetic import make_articles

    synthetic = T.add_tokens(make_articles(40, seed=2).rename(columns={"text": "text_simplified"}), cache_dir=None)
    for df in (tokdf, synthetic):
        for by_doc in (False, True):
            ours, ref = term_counts(df, by_doc=by_doc), _reference_term_counts(df, by_doc=by_doc)
            pd.testing.assert_frame_equal(ours, ref, check_dtype=False)
        ref = _reference_collocations(df, 2)
        ours = collocations(df, min_count=2, top=len(ref) + 10)
        assert len(ours) == len(ref)
        for row in ours.itertuples():
            count, pmi = ref[(row.first, row.second)]
            assert row.count == count and math.isclose(row.pmi, pmi, rel_tol=1e-9)


def test_kwic_on_the_joined_tokens_equals_the_token_by_token_search(tokdf):
    import re

    from directives.analysis import _kwic_regex
    from directives.synthetic import make_articles

    synthetic = T.add_tokens(make_articles(30, seed=4).rename(columns={"text": "text_simplified"}), cache_dir=None)
    for df in (tokdf, synthetic):
        for window in (0, 1, 5):
            for term in ("压实", "责任", "压实责任", "实四", "疫情防控", "情防", "。", "疫"):
                expected = _kwic_regex(df, re.compile(re.escape(term)), window)
                pd.testing.assert_frame_equal(kwic(df, term, window=window), expected)


def test_tokenize_equals_the_plain_filter_with_every_option(seeds_df):
    from directives.tokens import filter_tokens, segment, tokenize

    options = [{}, {"keep_single": True}, {"keep_numbers": True}, {"drop_stopwords": False}, {"genre_stopwords": False}]
    for text in seeds_df.text_simplified:
        for opt in options:
            assert tokenize(text, **opt) == filter_tokens(segment(text), **opt)
    with pytest.raises(TypeError, match="unknown token options"):
        tokenize("压实责任", keep_everything=True)


def test_rjieba_without_its_default_instance_segments_as_before():
    """The segmenter is built from rjieba's compiled module alone (``import rjieba`` would also build a default
    instance the project never uses); ``import rjieba`` afterwards still works and finds the same class."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from directives.tokens import segmenter\n"
        "tokens = segmenter('rjieba').cut('各级党委政府要切实压紧压实四方责任')\n"
        "assert 'rjieba' not in sys.modules, 'the package was imported'\n"
        "import rjieba\n"
        "from directives.tokens import _rjieba_class\n"
        "assert rjieba.Jieba is _rjieba_class()\n"
        "print(' '.join(tokens))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == T.segmenter("jieba").cut("各级党委政府要切实压紧压实四方责任")
    assert "四方责任" in out.split()
