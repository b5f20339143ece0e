"""Timelines: dates in order, inferred flagged, events parse, period aggregation, partly missing dates."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from directives import load_corpus, paths
from directives.report import run_collection
from directives.timeline import (
    article_timeline,
    choose_period,
    counts_by_period,
    load_events,
    phrase_rates,
    phrase_rates_by_period,
)


def test_article_timeline_in_order_with_inferred_flagged(seeds_df):
    tl = article_timeline(seeds_df)
    assert tl.date.is_monotonic_increasing
    assert tl.set_index(tl.doc_id.str[:3]).inferred.to_dict() == {
        "003": True, "002": False, "001": False, "004": True, "000": False,
    }  # fmt: skip
    assert set(tl.level) == {"province", "prefecture", "county"}


def test_events_file_parses_with_sources():
    ev = load_events()
    assert pd.Timestamp("2021-07-20") in set(ev.date) and pd.Timestamp("2022-03-17") in set(ev.date)
    assert ev.date.is_monotonic_increasing
    assert ev.note.str.len().gt(20).all()


def test_events_file_with_missing_column_is_a_clear_error(tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text("date,event\n2021-01-01,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"events\.csv: missing columns \['note'\]"):
        load_events(bad)


def test_monthly_and_weekly_aggregation_on_known_dates():
    dates = ["2021-01-03", "2021-01-30", "2021-03-01", "2021-03-02", "2021-03-31", None]
    toy = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(6)],
        "date": pd.to_datetime(dates),
        "text_simplified": [
            "动态清零" + "字" * 6, "字" * 10, "动态清零" * 2 + "字" * 2, "字" * 10, "字" * 10, "动态清零",
        ],
    })  # fmt: skip
    monthly = counts_by_period(toy, "MS")
    assert monthly.articles.tolist() == [2, 0, 3]
    assert monthly.period.tolist() == list(pd.to_datetime(["2021-01-01", "2021-02-01", "2021-03-01"]))
    assert counts_by_period(toy, "W-MON").articles.sum() == 5  # the undated article is in no period
    rates = phrase_rates_by_period(toy, ["动态清零"], "MS")
    assert rates["count"].tolist() == [1, 0, 2]
    assert rates.per_10k.iloc[0] == pytest.approx(1 / 20 * 10_000)
    assert pd.isna(rates.per_10k.iloc[1])  # February has no articles: a gap, never a zero
    assert rates.per_10k.iloc[2] == pytest.approx(2 / 30 * 10_000)
    assert choose_period(toy) == "W-MON"


def test_phrases_match_across_quotation_marks(seeds_df):
    r = phrase_rates(seeds_df, ["四方责任", "动态清零"]).assign(d=lambda x: x.doc_id.str[:3])
    counts = r.pivot_table(index="d", columns="phrase", values="count")
    assert counts.loc["000", "四方责任"] == 1  # 压紧压实“四方”责任
    assert counts["动态清零"].to_dict() == {"000": 1, "001": 0, "002": 0, "003": 0, "004": 1}


def test_notebook_runs_on_a_corpus_with_partly_missing_dates(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for prefix in ("000", "002", "003"):
        (p,) = paths.SEEDS_DIR.glob(f"{prefix}_*.txt")
        shutil.copy(p, corpus / p.name)
    undated = "某县召开会议，要求压实四方责任，坚决克服麻痹思想、松劲心态和侥幸心理，抓细抓实各项防控措施。" * 3
    (corpus / "undated.txt").write_text(undated, encoding="utf-8")
    df = load_corpus(corpus)
    assert df.date.isna().sum() == 2  # no metadata.csv here: 003 and the new file have no date
    out = tmp_path / "out"
    run_collection(corpus, out, [paths.NOTEBOOKS_DIR / "04_timeline.ipynb"])
    assert (out / "figures" / "04_timeline.png").stat().st_size > 10_000
    html = (out / "reports" / "04_timeline.html").read_text(encoding="utf-8")
    assert "2 without a date" in html
