"""The corpus's own phrases, formulas and slogans (directives.vocabulary), on People's Daily and on the seeds."""

from __future__ import annotations

import pytest
from directives.report import SEEDS_PARAMETERS
from directives.timeline import matchable
from directives.vocabulary import corpus_phrases, default_phrases, is_noise

SEED_ONLY = {"动态清零", "外防输入", "麻痹思想", "守土有责", "第一责任人", "四方责任"}


@pytest.fixture(scope="module")
def pd_phrases(peoples_daily_tokens):
    return corpus_phrases(peoples_daily_tokens)


def test_derived_phrases_are_widespread_and_ordered_by_documents(peoples_daily_tokens, pd_phrases):
    df = peoples_daily_tokens
    phrases = default_phrases(df)
    assert len(phrases) == 8
    table = pd_phrases.set_index("phrase")
    docs = [int(table.loc[p, "docs"]) for p in phrases]
    assert docs == sorted(docs, reverse=True)
    texts = df.text_simplified.map(matchable)
    for p in phrases:
        assert texts.str.contains(p, regex=False).sum() == table.loc[p, "docs"] >= 10, p


def test_no_seed_only_phrase_and_no_noise(peoples_daily_tokens, pd_phrases):
    phrases = default_phrases(peoples_daily_tokens)
    assert not set(phrases) & SEED_ONLY
    top = pd_phrases.phrase.head(40).tolist()
    assert not {"十一", "五一", "两个一百", "国庆"} & set(pd_phrases.phrase)
    assert "两个一百年" in set(pd_phrases.phrase), "the full formula, not its truncated form"
    assert not any(is_noise(p) for p in top)
    for place in ("北京", "北京市", "香港", "武汉", "中国", "美国"):
        assert place not in top


def test_emerging_phrases_peak_in_a_period(pd_phrases):
    assert pd_phrases.peak_period.nunique() > 1
    rising = pd_phrases.sort_values("g2", ascending=False).head(5)
    assert (rising.g2 > 0).all() and (rising.docs >= 4).all()


def test_seeds_get_their_own_sensible_list(seeds_df):
    phrases = default_phrases(seeds_df)
    assert 4 <= len(phrases) <= 8
    assert len(set(phrases) & set(SEEDS_PARAMETERS["PHRASES"] + SEEDS_PARAMETERS["SLOGANS"])) >= 2
    texts = seeds_df.text_simplified.map(matchable)
    assert all(texts.str.contains(p, regex=False).sum() >= 2 for p in phrases)
