"""Topic models, coding dictionaries and term networks (notebook 08): planted topics are found, the same seed
gives the same model, dictionary counts are exact, the network is drawn, and on People's Daily the topics hold
what they say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from directives.coding import code_dictionary, codes_by_unit, dictionary_kwic, read_dictionary, term_network
from directives.topics import TopicModel, choose_k, npmi_coherence, periods_of, topic_prevalence

PLANTED = {
    "epidemic": ["疫情", "防控", "核酸", "隔离", "检测", "病例", "口罩", "消杀", "疫苗", "接种", "流调", "封控"],
    "economy": ["经济", "投资", "消费", "增长", "企业", "市场", "出口", "产业", "税收", "贷款", "就业", "物价"],
    "flood": ["防汛", "汛期", "水位", "堤坝", "降雨", "抢险", "水库", "转移", "河道", "泄洪", "险情", "台风"],
    "diplomacy": ["合作", "会见", "外长", "双边", "友好", "访问", "条约", "使馆", "总统", "会谈", "伙伴", "峰会"],
}
BACKGROUND = ["工作", "要求", "会议", "强调", "推进", "落实", "全面", "加强", "部署", "坚持", "各级", "单位"]


def planted_corpus(per_topic: int = 30, seed: int = 0) -> pd.DataFrame:
    """Documents of one planted topic each: 24 words of the topic's own, 10 of a background all topics share."""
    rng = np.random.default_rng(seed)
    rows = []
    for name, words in PLANTED.items():
        for i in range(per_topic):
            toks = list(rng.choice(words, 24)) + list(rng.choice(BACKGROUND, 10))
            rng.shuffle(toks)
            rows.append({"doc_id": f"{name}{i:02d}", "title": f"{name} {i}", "tokens": " ".join(toks),
                         "all_tokens": " ".join(toks), "topic": name})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_each_planted_topic_is_found_by_one_topic(method):
    df = planted_corpus()
    model = TopicModel(k=4, method=method, seed=0, max_df=0.9).fit(df)
    found = model.topics_.query("rank <= 10").groupby("topic").term.apply(set)
    matches = {
        name: [t for t, terms in found.items() if len(terms & set(words)) >= 8] for name, words in PLANTED.items()
    }
    assert all(len(m) == 1 for m in matches.values()), matches
    assert len({m[0] for m in matches.values()}) == 4  # one to one
    for name, (t,) in matches.items():  # and each document's largest topic is its planted one
        assert (model.dominant_[(df.topic == name).to_numpy()] == t).all(), name


def test_same_seed_same_model_and_topics_ordered_by_prevalence():
    df = planted_corpus(seed=3)
    for method in ("nmf", "lda"):
        a, b = TopicModel(k=4, method=method, seed=7).fit(df), TopicModel(k=4, method=method, seed=7).fit(df)
        np.testing.assert_array_equal(a.doc_topics_, b.doc_topics_)
        pd.testing.assert_frame_equal(a.topics_, b.topics_)
        # topic 0 the most prevalent (shares equal to float32's last bits are ties, ranked by position)
        assert np.all(np.diff(np.round(np.nanmean(a.doc_topics_.astype(np.float64), axis=0), 6)) <= 0)


def test_shares_sum_to_one_and_an_empty_document_has_no_topic():
    df = pd.concat([planted_corpus(10), pd.DataFrame({"doc_id": ["empty"], "tokens": [""], "all_tokens": [""]})])
    model = TopicModel(k=4).fit(df.reset_index(drop=True))
    shares = model.doc_topics_
    assert np.isnan(shares[-1]).all() and model.dominant_[-1] == -1
    np.testing.assert_allclose(shares[:-1].sum(axis=1), 1.0, rtol=1e-6)
    assert model.summary().articles.sum() == len(df) - 1


def test_labels_and_names():
    model = TopicModel(k=4, max_df=0.9).fit(planted_corpus())
    assert all(len(label.split("、")) == 4 for label in model.labels_)
    model.label({0: "first"})
    assert model.labels_[0] == "first" and model.summary().label.iloc[0] == "first"
    with pytest.raises(ValueError):
        model.label(["only one"])


def test_choose_k_prefers_the_planted_number():
    choice = choose_k(planted_corpus(), ks=(2, 4, 6, 8), seeds=(0, 1, 2))
    assert choice.loc[choice.chosen, "k"].tolist() == [4]
    assert choice.set_index("k").coherence[4] > choice.set_index("k").coherence[2]


def test_npmi_is_one_for_terms_always_together_and_minus_one_for_terms_never_together():
    from scipy import sparse

    X = sparse.csr_matrix(np.array([[1, 1, 0], [2, 1, 0], [0, 0, 1], [0, 0, 1]]))
    assert npmi_coherence(X, np.array([[0, 1], [0, 2]])).tolist() == [1.0, -1.0]


def test_prevalence_counts_beside_shares_and_intervals_around_them():
    df = planted_corpus()
    model = TopicModel(k=4, max_df=0.9).fit(df)
    region = pd.Series(np.where(np.arange(len(df)) % 2, "甲", "乙"), index=df.doc_id)
    prev = topic_prevalence(model, region, n_boot=100)
    assert len(prev) == 2 * 4
    assert (prev.groupby("unit").articles.first() == 60).all()
    assert (prev.groupby("unit").dominant.sum() == 60).all()
    assert ((prev.low <= prev.share + 1e-12) & (prev.share <= prev.high + 1e-12)).all()
    np.testing.assert_allclose(prev.groupby("unit").share.sum(), 1.0)
    assert (prev.high - prev.low).max() > 0


def test_periods_are_months_or_weeks_starting_monday():
    df = pd.DataFrame({"doc_id": ["a", "b", "c"], "date": pd.to_datetime(["2019-10-17", "2019-10-20", None])})
    assert periods_of(df, "MS").dt.day.dropna().tolist() == [1, 1]
    weeks = periods_of(df, "W-MON")
    assert weeks.dropna().tolist() == [pd.Timestamp("2019-10-14")] * 2 and weeks.isna().sum() == 1


# --------------------------------------------------------------------------- coding dictionary
DICT = pd.DataFrame({
    "category": ["责任", "责任", "责任", "惩戒", "惩戒", "经济"],
    "term": ["责任", "主体责任", "压实", "问责", None, "经济"],
    "pattern": [None, None, None, None, r"(?:严厉|依法)(?:打击|惩处)", None],
})  # fmt: skip


def test_dictionary_counts_exact_on_hand_built_documents():
    docs = pd.DataFrame({
        "doc_id": ["a", "b", "c"],
        "text_simplified": ["压实主体责任，落实责任。严肃问责，依法惩处。", "经济经济经济", ""],
    })  # fmt: skip
    codes = code_dictionary(docs, DICT).set_index(["doc_id", "category"])
    assert codes.loc["a", "count"].to_dict() == {"责任": 3, "惩戒": 2, "经济": 0}  # 责任 in 主体责任 counts once
    assert codes.loc["b", "count"].to_dict() == {"责任": 0, "惩戒": 0, "经济": 3}
    assert codes.loc[("a", "责任"), "per_10k"] == pytest.approx(3 / 22 * 10_000)
    assert codes.loc["c", "count"].sum() == 0 and codes.loc["c", "per_10k"].isna().all()
    by = codes_by_unit(code_dictionary(docs, DICT), pd.Series(["甲", "甲", "乙"], index=["a", "b", "c"]))
    row = by.set_index(["unit", "category"]).loc[("甲", "经济")]
    assert (row["articles"], row["with"], row["count"], row["chars"]) == (2, 1, 3, 28)


def test_dictionary_on_tokens_counts_whole_words_only():
    docs = pd.DataFrame({"doc_id": ["a"], "text_simplified": ["主体责任和责任人"],
                         "all_tokens": ["主体责任 和 责任人"]})  # fmt: skip
    on_text = code_dictionary(docs, DICT).set_index("category")["count"]
    on_tokens = code_dictionary(docs, DICT, on="tokens").set_index("category")["count"]
    assert on_text["责任"] == 2 and on_tokens["责任"] == 1  # 责任人 is another word


def test_a_term_under_two_categories_counts_for_both_and_bad_rows_are_refused():
    both = pd.DataFrame({"category": ["a", "b"], "term": ["稳定", "稳定"]})
    codes = code_dictionary(pd.DataFrame({"doc_id": ["x"], "text_simplified": ["保持稳定"]}), both)
    assert codes["count"].tolist() == [1, 1]
    with pytest.raises(ValueError):
        read_dictionary(pd.DataFrame({"category": ["a"], "term": [None], "pattern": [None]}))


def test_example_dictionary_has_the_genre_categories_each_entry_explained():
    d = read_dictionary()
    assert set(d.category) == {"responsibility", "mobilisation", "discipline and punishment", "stability", "economy"}
    assert d.note.notna().all() and (d.groupby("category").size() >= 5).all()


def test_kwic_lines_show_each_category_match():
    docs = pd.DataFrame({"doc_id": ["a"], "all_tokens": ["要 压实 主体责任 ， 严肃 问责 ， 依法 惩处 。"]})
    lines = dictionary_kwic(docs, DICT, per_category=3)
    assert set(lines.category) == {"责任", "惩戒"}
    assert lines[lines.term == "问责"].left.iloc[0].endswith("严肃")
    assert "依法惩处" in lines[lines.category == "惩戒"].match.tolist()


# --------------------------------------------------------------------------- term network
def test_network_counts_sentences_and_dice():
    docs = pd.DataFrame({"tokens": ["压实 责任 防控 疫情"],
                         "all_tokens": ["压实 责任 。 压实 责任 防控 。 防控 疫情 ！ 疫情"]})  # fmt: skip
    nodes, edges = term_network(docs, min_count=1)
    assert nodes.set_index("term").sentences.to_dict() == {"压实": 2, "责任": 2, "防控": 2, "疫情": 2}
    e = edges.set_index(["a", "b"])
    assert e.loc[("压实", "责任"), "count"] == 2 and e.loc[("压实", "责任"), "dice"] == 1.0
    assert e.loc[("疫情", "防控"), "dice"] == 0.5  # 防控 and 疫情 share one sentence of two each
    assert ("疫情", "责任") not in e.index


def test_network_figure_is_drawn_and_labelled(tmp_path):
    from directives.plotting import plot_term_network, save_figure
    from PIL import Image

    df = planted_corpus()
    df["all_tokens"] = df.tokens.str.replace(r"((?:\S+ ){6})", r"\1。 ", regex=True)
    nodes, edges = term_network(df, top=20, min_count=2, max_edges=30)
    fig = plot_term_network(nodes, edges, "网络")
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert labels and labels <= set(nodes.term) and set(edges.a) <= labels
    pixels = np.asarray(Image.open(save_figure(fig, "08_test", tmp_path)).convert("L"), dtype=float)
    assert pixels.std() > 5


# --------------------------------------------------------------------------- People's Daily
def test_peoples_daily_topics_hold_what_they_say(peoples_daily_tokens):
    df = peoples_daily_tokens
    model = TopicModel(k=10, seed=0).fit(df)
    assert model.k_ == 10 and model.doc_topics_.shape == (len(df), 10)
    shares = model.doc_topics_[~np.isnan(model.doc_topics_).any(axis=1)]
    assert len(shares) > 0.95 * len(df)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-5)
    tokens = df.set_index("doc_id").tokens.map(lambda t: set(t.split()))
    rep = model.representative(3)
    for t, terms in model.topics_.query("rank <= 10").groupby("topic").term.apply(set).items():
        docs = rep[rep.topic == t].doc_id
        assert len(docs) == 3
        assert all(len(terms & tokens[d]) >= 3 for d in docs), (t, terms)
    summary = model.summary()
    assert summary.articles.sum() == len(shares) and summary.examples.str.len().gt(0).sum() >= 8


def test_prevalence_period_coarsens_until_periods_hold_several_articles():
    from directives.topics import prevalence_period

    weekly = pd.DataFrame({"doc_id": range(60), "date": pd.date_range("2019-10-01", periods=60, freq="D")})
    assert prevalence_period(weekly) == "W-MON"  # 7 a week
    sparse_years = pd.DataFrame({"doc_id": range(24), "date": pd.date_range("2013-01-01", periods=24, freq="90D")})
    assert prevalence_period(sparse_years) == "YS"  # one article a quarter, four a year: years
    assert periods_of(sparse_years, "YS").value_counts().median() >= 4


def test_network_read_a_piece_at_a_time_is_the_same(monkeypatch):
    from directives import coding

    df = planted_corpus()
    df["all_tokens"] = df.tokens.str.replace(r"((?:\S+ ){5})", r"\1。 ", regex=True)
    whole = term_network(df, top=15, min_count=2)
    monkeypatch.setattr(coding, "NETWORK_CHUNK", 7)
    pieces = term_network(df, top=15, min_count=2)
    pd.testing.assert_frame_equal(whole[0], pieces[0])
    pd.testing.assert_frame_equal(whole[1], pieces[1])
    assert len(whole[1]) > 10
