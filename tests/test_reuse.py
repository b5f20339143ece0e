"""Shared passages, formulas and responsibility: hand-built overlaps with exact offsets, and the seeds."""

from __future__ import annotations

import pandas as pd
import pytest
from directives.reuse import (
    find_formulas,
    normalise_for_reuse,
    responsibility_kinds,
    reuse_matrix,
    reuse_scores,
    shared_passages,
)


def _docs(**texts):
    return pd.DataFrame({"doc_id": list(texts), "text_simplified": list(texts.values())})


def test_known_overlaps_with_exact_offsets():
    df = _docs(
        a="甲乙丙丁。坚决克服麻痹思想、厌战情绪，压实责任。",
        b="会议要求坚决克服麻痹思想、厌战情绪和侥幸心理。",
        c="今天风和日丽，适合出游。",
    )
    sp = shared_passages(df, min_chars=6)
    assert sp.passage.tolist() == ["坚决克服麻痹思想厌战情绪"]
    row = sp.iloc[0]
    assert row.docs == ["a", "b"] and row.length == 12
    assert row.occurrences == [("a", 5, 18), ("b", 4, 17)]
    assert df.text_simplified[0][5:18] == "坚决克服麻痹思想、厌战情绪" == row.example


def test_maximal_and_never_shorter_than_min_chars():
    shared = "人民至上生命至上动态清零外防输入"
    df = _docs(a=f"一{shared}二", b=f"三{shared}四", c=f"五{shared[:8]}六")
    sp = shared_passages(df, min_chars=5)
    assert set(sp.passage) == {shared, shared[:8]}
    assert sp.set_index("passage").loc[shared[:8], "docs"] == ["a", "b", "c"]
    assert (sp.length >= 5).all()
    for p in sp.passage:  # no reported passage is a substring of another with the same documents
        others = sp[(sp.passage != p) & sp.passage.str.contains(p)]
        assert not any(set(o) == set(sp.set_index("passage").loc[p, "docs"]) for o in others.docs)
    assert shared_passages(df, min_chars=17).empty


def test_repeats_within_one_document_are_not_shared():
    df = _docs(a="压实四方责任压实四方责任压实四方责任", b="完全不同的内容")
    assert shared_passages(df, min_chars=4).empty


def test_reuse_scores_count_characters():
    df = _docs(a="一二三四五六七八九十", b="一二三四五六七八")
    sp = shared_passages(df, min_chars=4)
    scores = reuse_scores(df, sp).set_index(["doc_id", "other"]).share
    assert scores[("a", "b")] == pytest.approx(0.8) and scores[("b", "a")] == pytest.approx(1.0)
    assert reuse_matrix(df, reuse_scores(df, sp)).loc["a", "b"] == pytest.approx(0.8)


def test_normalise_drops_punctuation_keeps_numbers_and_offsets():
    s, offsets = normalise_for_reuse("“四早”要求，2022年")
    assert s == "四早要求2022年" and offsets.tolist() == [1, 2, 4, 5, 7, 8, 9, 10, 11]
    assert normalise_for_reuse("增长６.１%，GDP 3．5")[0] == "增长6.13.5"  # full-width digits made ASCII


def test_numbers_inside_passages_are_kept():
    """新华社北京10月1日电 stands for one dateline, not for every Xinhua dateline."""
    body = "，国家主席习近平今天在人民大会堂会见来华访问的外国领导人。"
    df = _docs(a="新华社北京10月1日电" + body, b="新华社北京12月31日电" + body, c="新华社北京10月1日电 今天天气很好。")
    sp = shared_passages(df, min_chars=8).set_index("passage")
    assert "新华社北京10月1日电" in sp.index and sp.loc["新华社北京10月1日电", "docs"] == ["a", "c"]
    assert not any(p.startswith("新华社北京月") for p in sp.index)  # digits are never dropped
    (body_passage,) = [p for p in sp.index if "国家主席习近平今天在人民大会堂" in p]
    assert body_passage.endswith("外国领导人") and sp.loc[body_passage, "docs"] == ["a", "b"]


def test_reuse_ranks_by_shared_characters_not_by_share():
    """A caption copied whole (share 1.0, 30 characters) ranks below a report reprinted in part."""
    from directives.reuse import pair_candidates, reuse_by_document, reuse_pairs

    caption = "游客在天安门广场参观国庆花坛，花坛高十八米，以红色为主色调。"
    item = "项工作，各地区各部门要压实责任、抓细抓实，确保各项任务落到实处并按期完成。"
    report = "".join(f"第{i}{item}" for i in range(40))
    df = _docs(
        caption=caption,
        page=f"今日看点。{caption}另有报道若干，内容各不相同，此处从略，敬请关注后续。",
        report=report + "以上是报告全文。",
        reprint="编者按：本报今日转载。" + report[: len(report) // 2] + "（下转第二版）" + "评论员文章写道，" * 30,
    )
    passages = shared_passages(df, min_chars=8)
    by_doc = reuse_by_document(df, passages)
    assert by_doc.set_index("doc_id").loc["caption", "share"] == pytest.approx(1.0)
    assert set(by_doc.doc_id[:2]) == {"report", "reprint"} and by_doc.shared_chars.is_monotonic_decreasing
    pairs = reuse_pairs(reuse_scores(df, passages, doc_ids=pair_candidates(by_doc, passages, top=4)))
    assert {pairs.a[0], pairs.b[0]} == {"report", "reprint"} and pairs.shared_chars[0] > 500
    caption_pair = pairs[(pairs.a == "caption") | (pairs.b == "caption")].iloc[0]
    assert max(caption_pair.share_a, caption_pair.share_b) == pytest.approx(1.0)  # the share beside it
    assert pairs.shared_chars.is_monotonic_decreasing


def test_seed_passages_found(seeds_df):
    sp = shared_passages(seeds_df, min_chars=8)
    by_passage = {p: {d[:3] for d in docs} for p, docs in zip(sp.passage, sp.docs, strict=True)}
    assert {"003", "004"} <= by_passage["坚决克服麻痹思想厌战情绪侥幸心理"]
    assert by_passage["人民至上生命至上"] == {"000", "003", "004"}
    assert any("守土有责守土尽责" in p for p in by_passage)
    assert by_passage["失职失责导致疫情失控的要"] == {"000", "004"}  # Tianjin and Yongzhou, from March 2022
    assert by_passage["中央政治局常务委员会"] == {"000", "004"}


def test_formulas_found_in_seeds(seeds_df):
    f = find_formulas(seeds_df)
    found = set(f.formula)
    for formula in ("四个迅速", "五个责任", "四早", "四方责任", "两个确立", "两个维护", "五个严禁", "四场", "四区"):
        assert formula in found, formula
    explained = f[f.explained != ""].set_index("formula").explained
    assert explained["四个迅速"].startswith("一是迅速进入应急状态") and "四是迅速强化统筹保障" in explained["四个迅速"]
    assert explained["五个责任"].startswith("一要压实属地责任") and "五要压实个人责任" in explained["五个责任"]


def test_formula_rule_on_hand_made_text():
    df = _docs(a="要求两勤两少、四查一询，落实“四早”要求。三月十分重要，一是加强领导，三个月内完成，三令五申。")
    assert find_formulas(df).formula.tolist() == ["两勤两少", "四查一询", "四早"]


def test_responsibility_kinds_in_seeds(seeds_df):
    kinds = responsibility_kinds(seeds_df)
    per_doc = kinds.groupby(kinds.doc_id.str[:3]).kind.apply(set)
    assert {"属地责任", "专班责任", "协同责任", "基层责任", "个人责任"} <= per_doc["001"]
    assert {"部门责任", "战区责任", "政治责任"} <= per_doc["004"]
    assert "第一责任人" in per_doc["000"]
    assert not set(kinds.kind) & {"压实责任", "落实责任", "细化责任", "追究责任", "五个责任"}


def test_reuse_for_large_corpora_agrees_with_the_pairwise_scores(seeds_df):
    from directives.reuse import reuse_by_document

    passages = shared_passages(seeds_df, min_chars=8)
    full = reuse_scores(seeds_df, passages)
    by_doc = reuse_by_document(seeds_df, passages).set_index("doc_id")
    # what a document shares with any other is at least what it shares with the closest one, and at most the sum
    for doc, part in full.groupby("doc_id"):
        assert part.shared_chars.max() <= by_doc.loc[doc, "shared_chars"] <= part.shared_chars.sum()
    assert set(by_doc.index) == set(seeds_df.doc_id) and by_doc.passages.sum() == passages.n_docs.sum()
    # pairs within a subset are exactly the full scores' pairs within it
    subset = by_doc.index[:3].tolist()
    restricted = reuse_scores(seeds_df, passages, doc_ids=subset)
    expected = full[full.doc_id.isin(subset) & full.other.isin(subset)]
    pd.testing.assert_frame_equal(restricted.sort_values(["doc_id", "other"], ignore_index=True),
                                  expected.sort_values(["doc_id", "other"], ignore_index=True))  # fmt: skip


def test_units_and_samples_for_large_corpora(seeds_df):
    from directives.analysis import document_units, sample_documents

    unit, labels = document_units(seeds_df, max_units=40)
    assert unit.to_dict() == {d: d for d in seeds_df.doc_id} and len(labels) == len(seeds_df)
    unit, labels = document_units(seeds_df, max_units=2)  # more articles than units: regions
    assert len(labels) == 2 and unit.notna().sum() == sum(int(v.split("(")[1].split()[0]) for v in labels.values())
    sample = sample_documents(seeds_df, 3)
    assert len(sample) == 3 and sample.index.is_monotonic_increasing
    assert sample.doc_id.tolist() == sample_documents(seeds_df, 3).doc_id.tolist()  # seeded


def test_kinds_of_responsibility_are_the_same_on_a_second_call():
    """jieba's first tagger empties the tokenizer's user tags: every call must use the same tagger."""
    df = _docs(a="校党委书记严格履行第一责任人责任，压实属地责任。")
    first = responsibility_kinds(df).kind.tolist()
    assert first == responsibility_kinds(df).kind.tolist() == responsibility_kinds(df).kind.tolist()
    assert "属地责任" in first


def test_responsibility_on_stretches_is_that_of_whole_texts(peoples_daily_tokens):
    """responsibility_kinds segments only the stretches around each 责任 (six punctuation marks before it to the
    first after it): on People's Daily
    (every article holding 责任) and on hand-made edge cases (责任 first and last, quotes across sentences,
    \\r\\n, no sentence end) the kinds and offsets are those of segmenting every whole text."""
    from directives.reuse import _responsibility_in, _tagged

    edges = ["责任。", "。。“好。”责任", "落实“四方”责任\r\n压实属地责任", "主体责任",
             "甲。" * 8 + "有限责任公司。部门责任", "“甲。乙。丙。丁”责任。党委主体责任；第一责任人！"]  # fmt: skip
    df = peoples_daily_tokens[peoples_daily_tokens.text_simplified.str.contains("责任")][["doc_id", "text_simplified"]]
    df = pd.concat([df, pd.DataFrame({"doc_id": [f"edge{i}" for i in range(len(edges))], "text_simplified": edges})])
    rows: list = []
    for doc, text in zip(df.doc_id, df.text_simplified, strict=True):
        _responsibility_in(doc, _tagged(text), 0, rows)
    whole = pd.DataFrame(rows, columns=["doc_id", "kind", "offset"])
    assert len(df) > 300 and len(whole) > 150  # the corpus names kinds of responsibility in hundreds of places
    pd.testing.assert_frame_equal(responsibility_kinds(df), whole)


def _normalise_reference(text: str):
    """normalise_for_reuse before numpy: one regex match per character kept."""
    import numpy as np
    from directives.reuse import _HALF_WIDTH, _REUSE_CHAR

    idx = [m.start() for m in _REUSE_CHAR.finditer(text)]
    return "".join(text[i] for i in idx).translate(_HALF_WIDTH), np.array(idx, dtype=np.int64)


def _assert_normalised_as_reference(texts) -> int:
    import numpy as np

    kept = 0
    for text in texts:
        got, want = normalise_for_reuse(text), _normalise_reference(text)
        assert got[0] == want[0], text[:80]
        assert got[1].dtype == want[1].dtype and np.array_equal(got[1], want[1]), text[:80]
        kept += len(got[0])
    return kept


def test_normalise_for_reuse_keeps_what_the_regex_kept_on_odd_text():
    import random

    rng = random.Random(4)
    alphabet = "0123456789０１２３４５６７８９.．。，%a Ａ\n\ud800\udfff𠀀〇㐀䶿一鿿豈\ufaff\ufb00\u33ff\u4dc0"
    texts = ["", ".", "1", "1.", ".1", "1.2", "１．２", "1..2", "1.２.3", "新华社北京１２月31日电。增长6.1%"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40))) for _ in range(3000)]
    assert _assert_normalised_as_reference(texts) > 10_000


def test_normalise_for_reuse_keeps_what_the_regex_kept_on_real_text(seeds_df):
    import warnings

    from directives import evaluate, load_corpus
    from directives.synthetic import make_articles

    texts = [*seeds_df.text_simplified, *seeds_df.text_raw, *make_articles(200, seed=2).text]
    if evaluate.PEOPLES_DAILY.is_file():  # a third of People's Daily, raw and cleaned
        import tempfile

        with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = load_corpus(evaluate.unpack_peoples_daily(tmp, every=3), cache_dir=None)
            texts += [*df.text_simplified, *df.text_raw]
    assert _assert_normalised_as_reference(texts) > 100_000


_TAGGER_EDGES = [
    "5%的责任", "COVID-19防控责任", "㐀责任", "穿T恤", "2019年度责任", "C++责任", "PM2.5监测责任", "甲\r\n乙责任",
    "a b 责任", "责任 主体", "ＡＢＣ责任", "“四方”责任", "麻痹思想责任", "侥幸心理", "习近平总书记", "第一责任人",
    "有限责任公司", "70周年", "……责任！", "鍾責任", "\u3000责任",
]  # fmt: skip


def test_words_tagged_as_by_jiebas_tagger(peoples_daily_tokens, seeds_df):
    """The kinds of responsibility are read from the segmenter's words tagged from jieba's dictionary (issue 19,
    speed: jieba's tagger, in Python, took 11 s of 100,000 articles' notebook 06): the same words and parts of
    speech as the tagger on every stretch it would tag in People's Daily, the policy documents (when ../shared is
    there), synthetic articles and the seeds, and on edge cases, some of which go to the tagger itself."""
    import re
    import warnings

    from directives import evaluate, load_corpus
    from directives.reuse import _pos_tokenizer, _responsibility_windows, _tagged, _word_tags
    from directives.synthetic import make_articles

    texts = [*peoples_daily_tokens.text_simplified, *seeds_df.text_simplified]
    texts += make_articles(300, seed=5).text.tolist()
    if evaluate.POLICIES.is_file():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            texts += load_corpus(evaluate.POLICIES).text_simplified.tolist()
    stretches = [t[a:b] for t in texts for a, b in _responsibility_windows(t)] + _TAGGER_EDGES
    tagger = _pos_tokenizer()
    assert len(stretches) > 900
    assert [_tagged(s) for s in stretches] == [[(p.word, p.flag) for p in tagger.lcut(s, HMM=False)] for s in stretches]
    # what the equality rests on: no word of the dictionary holds a character the tagger cuts at but the segmenter
    # does not (%, -, Han outside U+4E00-U+9FD5), and none is of ASCII letters and digits only
    words = list(_word_tags())
    assert not [w for w in words if re.search("[%\\-\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]", w)]
    assert not [w for w in words if re.fullmatch("[a-zA-Z0-9]+", w)] and len(words) > 300_000
