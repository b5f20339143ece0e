"""Near-copies and echoes: planted copies of real sentences found with their source, exact shared passages
kept, the seeds' relayed wording found with its edits, and on the policy corpus sources and positive lags."""

from __future__ import annotations

import random
import warnings

import directives.echoes as echoes_module
import numpy as np
import pandas as pd
import pytest
from directives import evaluate, load_corpus, paths
from directives.echoes import (
    diffusion,
    echoes,
    formula_diffusion,
    lags_by_unit,
    mark_edits,
    near_copies,
    near_copies_reference,
    score_planted,
    source_shares,
    spread_summary,
)
from directives.reuse import find_formulas, normalise_for_reuse, shared_passages
from directives.synthetic import make_articles, plant_near_copies

HAVE_SHARED = evaluate.PEOPLES_DAILY.is_file() and evaluate.POLICIES.is_file()
needs_shared = pytest.mark.skipif(not HAVE_SHARED, reason="../shared/corpora is not beside the clone")


@pytest.fixture(scope="module")
def peoples_daily_sentences():
    """The sentences of People's Daily, October 2019, read from the archive (never unpacked)."""
    return evaluate.peoples_daily_sentences()


@needs_shared
@pytest.mark.parametrize("rate", [0.05, 0.10])
def test_planted_near_copies_of_real_sentences_are_found_with_their_source(peoples_daily_sentences, rate):
    docs, truth = plant_near_copies(peoples_daily_sentences, n_docs=1000, n_plants=300, rate=rate, seed=1)
    assert len(truth) >= 350  # some plants have two targets
    assert (truth.source_text != truth.target_text).mean() > 0.9  # the copies were edited
    pairs = near_copies(docs)
    score = score_planted(docs, truth, pairs, echoes(docs, pairs=pairs))
    assert score["recall"] >= 0.95, score
    assert score["precision"] >= 0.95, score
    assert score["direction"] >= 0.95, score


def test_planted_near_copies_found_without_the_shared_corpora():
    """The same measure on sentences of random characters, so that it runs everywhere; heavier edits."""
    rng = random.Random(3)
    sentences = ["".join(chr(0x4E00 + rng.randrange(6000)) for _ in range(rng.randrange(20, 60))) + "。"
                 for _ in range(6000)]  # fmt: skip
    docs, truth = plant_near_copies(sentences, n_docs=300, n_plants=100, rate=0.12, per_doc=15, seed=2)
    pairs = near_copies(docs)
    score = score_planted(docs, truth, pairs, echoes(docs, pairs=pairs))
    assert score["recall"] >= 0.95 and score["precision"] >= 0.95 and score["direction"] >= 0.95, score


def test_score_planted_counts_misses_and_false_pairs():
    """The measure itself can fail: a pair dropped lowers recall, a wrong pair lowers precision."""
    rng = random.Random(4)
    sentences = ["".join(chr(0x4E00 + rng.randrange(6000)) for _ in range(40)) + "。" for _ in range(2000)]
    docs, truth = plant_near_copies(sentences, n_docs=60, n_plants=20, rate=0.0, per_doc=10, seed=5)
    pairs = near_copies(docs)
    assert score_planted(docs, truth, pairs)["recall"] == 1.0
    assert score_planted(docs, truth, pairs.iloc[len(pairs) // 2 :])["recall"] < 0.8
    wrong = pairs.head(5).assign(doc_b=[d for d in docs.doc_id if d not in set(truth.source) | set(truth.target)][:5])
    assert score_planted(docs, truth, pd.concat([pairs, wrong]))["precision"] < 1.0


def test_exact_shared_passages_are_near_copies_with_identity_one():
    df = make_articles(120, seed=7).assign(text_simplified=lambda d: d.text)
    pairs = near_copies(df, min_chars=20)
    passages = shared_passages(df, min_chars=20)
    passages = passages[passages.n_docs <= 50]
    assert len(passages) > 20
    spans = {}
    for r in pairs.itertuples():
        spans.setdefault((r.doc_a, r.doc_b), []).append((r.start_a, r.end_a, r.start_b, r.end_b, r.identity))
        spans.setdefault((r.doc_b, r.doc_a), []).append((r.start_b, r.end_b, r.start_a, r.end_a, r.identity))
    for occ in passages.occurrences.head(200):
        (d1, a1, b1), (d2, a2, b2) = next(
            (x, y) for i, x in enumerate(occ) for y in occ[i + 1 :] if x[0] != y[0]
        )  # two occurrences in different documents
        found = spans.get((d1, d2), [])
        assert any(s1 <= a1 and b1 <= e1 and s2 <= a2 and b2 <= e2 for s1, e1, s2, e2, _ in found), (d1, d2, a1, b1)
    assert (pairs.identity == 1.0).sum() > 0 and pairs.identity.between(0.7, 1.0).all()


def test_seed_articles_relay_central_wording_with_edits():
    """Tianjin and Yongzhou relay the central meeting of 17 March 2022; Yongzhou writes 压紧压实 where Ningxia
    wrote 压实, and 守土有责、守土尽责 drops 守土担责: found as near-copies, the edits marked."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = load_corpus(paths.SEEDS_DIR, cache_dir=None)
    pairs = near_copies(df, min_chars=12)
    edited = pairs[pairs.identity < 1.0]
    assert edited.text_b.str.contains("压紧压实").any() or edited.text_a.str.contains("压紧压实").any()
    row = edited[edited.text_a.str.contains("守土担责") | edited.text_b.str.contains("守土担责")].iloc[0]
    a, b = mark_edits(row.text_a, row.text_b)
    assert "［" in a + b and a.replace("［", "").replace("］", "") == row.text_a
    found = echoes(df, min_chars=12)
    assert len(found) and (found.lag_days.dropna() >= 0).all()  # no central document: the earliest is the source


def test_boilerplate_is_set_apart_and_not_counted():
    body = "会议强调，要压紧压实四方责任，抓细抓实各项防控工作，确保人民群众生命安全和身体健康。"
    dateline = "新华社北京10月1日电　"
    df = pd.DataFrame({
        "doc_id": ["centre", "a", "b"], "level": ["central", "county", "county"], "region": ["中央", "甲县", "乙县"],
        "date": pd.to_datetime(["2022-03-17", "2022-03-18", "2022-03-25"]),
        "text_simplified": [dateline + body, dateline + "甲县今天召开会议。" + body, dateline + "乙县报道的内容不同。"],
    })  # fmt: skip
    found = echoes(df, min_chars=8)
    assert found[found.boilerplate].text.str.contains("新华社北京10月1日电").all() and found.boilerplate.any()
    assert set(found[~found.boilerplate].doc_id) == {"a"}
    shares = source_shares(df, found).set_index("doc_id")
    assert shares.loc["b", "central"] == 0.0 and shares.loc["a", "central"] > 0.5
    lags = lags_by_unit(found)
    assert lags.region.tolist() == ["甲县"] and lags["median"].tolist() == [1.0]


@pytest.fixture(scope="module")
def policies():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_corpus(evaluate.POLICIES)


@needs_shared
def test_policy_documents_echo_central_plans_after_them(policies):
    found = echoes(policies)
    local = found[(found.level != "central") & ~found.boilerplate & (found.source_kind == "central")]
    assert local.doc_id.nunique() >= 20  # most of the Shandong documents relay central wording
    assert local.lag_days.median() > 30 and (local.lag_days >= 0).mean() > 0.8
    implementing = local[local.text.str.contains("贯彻|落实|规划|行动")]
    assert len(implementing) > 10


@needs_shared
def test_a_reference_corpus_is_the_source(policies):
    central = policies[policies.level == "central"]
    local = policies[policies.level != "central"]
    found = echoes(local, reference=central)
    assert set(found.doc_id) <= set(local.doc_id)
    from_ref = found[found.source_kind == "reference"]
    assert len(from_ref) > 50 and from_ref.source.str.startswith("ref:").all()
    assert (from_ref.lag_days.dropna() >= 0).mean() > 0.8


@pytest.mark.parametrize("corpus", ["seed sentences", "planted"])
def test_near_copies_in_blocks_equal_the_simple_version(monkeypatch, corpus):
    """The scalable near_copies (n-grams paired a slice of the hash space at a time, pairs chained by blocks of
    documents) gives exactly the rows of the simple version that holds everything at once."""
    if corpus == "seed sentences":  # articles sharing many passages, exactly and in part
        df = make_articles(150, seed=11).assign(text_simplified=lambda d: d.text)
    else:
        rng = random.Random(8)
        sentences = ["".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(rng.randrange(15, 50))) + "。"
                     for _ in range(5000)]  # fmt: skip
        df, _ = plant_near_copies(sentences, n_docs=200, n_plants=80, rate=0.1, per_doc=12, seed=3)
    reference = near_copies_reference(df, min_chars=12)
    assert len(reference) > 100
    monkeypatch.setattr(echoes_module, "GRAMS_PER_PART", 3_000)  # many slices of the hash space
    fast = near_copies(df, min_chars=12, block=17)  # and many blocks of documents
    pd.testing.assert_frame_equal(fast, reference)
    monkeypatch.setattr(echoes_module, "GRAMS_PER_PART", 10**9)
    pd.testing.assert_frame_equal(near_copies(df, min_chars=12), reference)


def _spreading_corpus():
    """A central passage taken up by 甲 a day later, by 乙 after three days, by 甲 again, by 丙 after eight
    days (edited), and a formula 四个迅速 used first by 乙, then by 甲."""
    body = "会议强调，要压紧压实四方责任，抓细抓实各项防控工作，确保人民群众生命安全和身体健康，坚决守住底线。"
    edited = body.replace("压紧压实", "压实").replace("各项", "全县各项")
    rows = [
        ("centre", "central", "中央", "2022-03-17", "中央召开会议。" + body),
        ("a1", "prefecture", "甲市", "2022-03-18", "甲市今天召开会议，做到“四个迅速”。" + body),
        ("b1", "prefecture", "乙市", "2022-03-20", "乙市报道。" + body + "他说要做到“四个迅速”，一是迅速进入状态。"),
        ("a2", "prefecture", "甲市", "2022-03-19", "甲市又开会。" + body),
        ("c1", "county", "丙县", "2022-03-25", "丙县组织学习。" + edited),
        ("d1", "county", "丁县", "2022-03-16", "丁县的报道完全不同，讲的是春耕生产和农田水利建设。"),
    ]
    df = pd.DataFrame(rows, columns=["doc_id", "level", "region", "date", "text_simplified"])
    return df.assign(date=pd.to_datetime(df.date), text=df.text_simplified)


def test_diffusion_of_a_passage_counts_each_region_once_from_the_source():
    df = _spreading_corpus()
    found = echoes(df, min_chars=12)
    curves = diffusion(found)
    assert curves.passage.nunique() == 1
    assert curves[["unit", "units", "days"]].values.tolist() == [
        ["中央", 1, 0], ["甲市", 2, 1], ["乙市", 3, 3], ["丙县", 4, 8],
    ]  # fmt: skip
    assert curves.date.tolist() == list(pd.to_datetime(["2022-03-17", "2022-03-18", "2022-03-20", "2022-03-25"]))
    by_level = diffusion(found, by="level")
    assert by_level[["unit", "units", "days"]].values.tolist() == [["central", 1, 0], ["prefecture", 2, 1],
                                                                   ["county", 3, 8]]  # fmt: skip
    assert spread_summary(curves).values.tolist() == [[0, 4, 1, 8]]  # two of the four regions by day 1


def test_diffusion_of_a_formula_from_its_first_use():
    df = _spreading_corpus()
    formulas = find_formulas(df)
    curves = formula_diffusion(formulas[formulas.formula == "四个迅速"], df)
    assert curves[["unit", "units", "days"]].values.tolist() == [["甲市", 1, 0], ["乙市", 2, 2]]


def test_the_fast_normalisation_keeps_the_same_characters():
    """near_copies reads runs of characters (patterns.REUSE_RUN); they are the characters normalise_for_reuse keeps."""
    texts = [
        "新华社北京１２月31日电。增长6.1%，3 .5 和 ３．５。",
        "人民至上、生命至上",
        "",
        "abc 1.2.3 ４. .5",
        "壓實「四方」責任",
    ]
    texts += make_articles(20, seed=2).text.tolist()
    assert echoes_module._normalised(texts) == [normalise_for_reuse(t)[0] for t in texts]


def test_at_edge_counts_the_characters_normalise_for_reuse_keeps():
    """The boilerplate test's edge check looks at the 64 characters nearest the passage first; on texts built
    to put digits, decimal points, Han characters and punctuation on both sides of the cut, it answers as
    counting the whole normalised prefix and suffix does."""
    from directives.echoes import _at_edge

    rng = random.Random(0)
    alphabet = "1.2．３。，会议ab "
    checked = {True: 0, False: 0}
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        for within in (0, 5, 40):
            expected = len(normalise_for_reuse(text[:start])[0]) <= within or len(
                normalise_for_reuse(text[end:])[0]) <= within  # fmt: skip
            assert _at_edge(text, start, end, within) == expected, (text, start, end, within)
            checked[expected] += 1
    assert min(checked.values()) > 1000  # both answers, many times


def test_agreeing_runs_are_those_of_stepping_a_character_at_a_time():
    """near_copies extends every region at once while both texts agree, by comparing windows of doubling width: on
    random two-letter texts (long agreeing runs) it finds what stepping one character at a time finds."""
    from directives.echoes import _agreeing_many

    rng = random.Random(1)
    cases = []
    for _ in range(5000):
        a, b = ("".join(rng.choice("ab") for _ in range(rng.choice([rng.randint(0, 60), rng.randint(0, 900)])))
                for _ in range(2))  # fmt: skip
        i, j = rng.randint(0, len(a)), rng.randint(0, len(b))
        if rng.random() < 0.3:  # a copy, changed at one place: a long agreeing run, ending anywhere
            b, j = list(a), i
            if b:
                b[rng.randrange(len(b))] = "c"
            b = "".join(b)
        ahead = behind = 0
        while i + ahead < len(a) and j + ahead < len(b) and a[i + ahead] == b[j + ahead]:
            ahead += 1
        while i - behind > 0 and j - behind > 0 and a[i - behind - 1] == b[j - behind - 1]:
            behind += 1
        cases.append((a, b, i, j, ahead, behind))
    # every pair of texts in one array of code points, as near_copies holds the documents
    joined = "".join(a + b for a, b, *_ in cases)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    at, ia, ib, room_ahead, room_behind = 0, [], [], [], []
    for a, b, i, j, _ahead, _behind in cases:
        ia.append(at + i)
        ib.append(at + len(a) + j)
        room_ahead.append(min(len(a) - i, len(b) - j))
        room_behind.append(min(i, j))
        at += len(a) + len(b)
    ia, ib = np.array(ia), np.array(ib)
    ahead = _agreeing_many(codes, ia, ib, np.array(room_ahead), True)
    behind = _agreeing_many(codes, ia, ib, np.array(room_behind), False)
    assert ahead.tolist() == [c[4] for c in cases] and behind.tolist() == [c[5] for c in cases]
    assert ahead.max() >= 300  # runs long enough to widen the window many times


def _travelling_reference(found: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """travelling() as before it ranked the passages by their counts first: every passage described, then cut."""
    return echoes_module.travelling(found, top=None).head(top)


def _synthetic_echoes() -> pd.DataFrame:
    df = make_articles(200, seed=12).assign(text_simplified=lambda d: d.text)
    return echoes(df.assign(level=["central" if i % 7 == 0 else "county" for i in range(len(df))]), min_chars=12)


@pytest.fixture(scope="module")
def echo_tables(seeds_df, request):
    """Echoes of synthetic articles, of the seeds and of the policy documents (when ../shared is there)."""
    real = [echoes(request.getfixturevalue("policies"))] if HAVE_SHARED else []
    return [_synthetic_echoes(), echoes(seeds_df, min_chars=12), *real]


@pytest.mark.parametrize("top", [1, 5, 20, 10_000])
def test_travelling_equals_describing_every_passage(top, echo_tables):
    cases = echo_tables
    for found in cases:
        assert found.passage.nunique() > 1
        pd.testing.assert_frame_equal(echoes_module.travelling(found, top), _travelling_reference(found, top))
        # ties in documents and regions, and regions missing or repeated, broken the same way
        shuffled = found.assign(region=found.region.where(found.index % 5 != 0), doc_id=found.doc_id.str[:2])
        pd.testing.assert_frame_equal(echoes_module.travelling(shuffled, top), _travelling_reference(shuffled, top))
    empty = cases[0].assign(boilerplate=True)
    pd.testing.assert_frame_equal(echoes_module.travelling(empty, top), _travelling_reference(empty, top))


def _spots_by_union_find(pairs: pd.DataFrame, overlap: float = 0.5) -> list[int]:
    """The spots of _spots as they were found before, by a union-find over the occurrences: the reference."""
    occ = list(zip(pairs.doc_a, pairs.start_a, pairs.end_a, strict=True))
    occ += list(zip(pairs.doc_b, pairs.start_b, pairs.end_b, strict=True))
    parent = list(range(len(occ)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_doc: dict = {}
    for x, (d, s, e) in enumerate(occ):
        by_doc.setdefault(d, []).append((s, e, x))
    for spans in by_doc.values():
        spans.sort()
        best = None
        for s, e, x in spans:
            if best is not None and best[1] > s and min(best[1], e) - s >= overlap * min(e - s, best[1] - best[0]):
                parent[find(x)] = find(best[2])
            if best is None or e > best[1]:
                best = (s, e, x)
    return [find(x) for x in range(len(occ))]


@pytest.mark.parametrize("seed", range(6))
def test_spots_are_those_of_a_union_find(seed):
    """Overlapping occurrences in one document are one spot: found in one pass, the same spots, named by the same
    occurrence, as the union-find they were found by before (on occurrences crowded into few documents)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(3000):
        (sa, la), (sb, lb) = ((rng.randrange(200), rng.randrange(1, 40)) for _ in range(2))
        rows.append((f"d{rng.randrange(12)}", sa, sa + la, f"d{rng.randrange(12)}", sb, sb + lb))
    pairs = pd.DataFrame(rows, columns=["doc_a", "start_a", "end_a", "doc_b", "start_b", "end_b"])
    _occ, spot = echoes_module._spots(pairs)
    assert spot == _spots_by_union_find(pairs)
    assert len(set(spot)) < len(spot) / 10  # most occurrences joined others
