"""Articles in time: a dated table of the articles, a context track of national events, key-phrase use
by article or by period. Counts per week or month make the same analysis work for large corpora.

>>> import pandas as pd
>>> toy = pd.DataFrame({"doc_id": list("abc"), "date": pd.to_datetime(["2021-01-05", "2021-01-20", None])})
>>> counts_by_period(toy, "MS")[["period", "articles"]].to_dict("records")
[{'period': Timestamp('2021-01-01 00:00:00'), 'articles': 2}]
"""

from __future__ import annotations

import re

import pandas as pd

from . import paths
from .units import MAX_LABELLED
from .units import document_labels as doc_labels

_IGNORED_IN_PHRASES = re.compile(r"[\s“”‘’\"'「」『』]")


def matchable(text: str) -> str:
    """Text as phrases are matched in it: without white space and quotation marks (压实“四方”责任 has 四方责任).

    >>> matchable("压实“四方”责任")
    '压实四方责任'
    """
    return _IGNORED_IN_PHRASES.sub("", text or "")


PER_CHARS = 10_000


def load_events(path=paths.EVENTS_CSV) -> pd.DataFrame:
    """The context track: date, event, note (where the fact comes from).

    >>> load_events().columns.tolist()
    ['date', 'event', 'note']
    """
    events = pd.read_csv(path, dtype=str)
    missing = {"date", "event", "note"} - set(events.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    events["date"] = pd.to_datetime(events["date"], errors="raise")
    return events.sort_values("date", ignore_index=True)


def events_for(corpus, events=None) -> pd.DataFrame:
    """The events track of a corpus: the file ``events`` when given; for the project's own seeds, their
    ``seeds/events.csv``; for any other corpus none (an empty frame), since another corpus's events say
    nothing about it.

    >>> len(events_for(paths.SEEDS_DIR)) > 0, len(events_for("/some/other/corpus"))
    (True, 0)
    """
    from pathlib import Path

    if events:
        return load_events(events)
    if Path(corpus).resolve() == paths.SEEDS_DIR.resolve():
        return load_events(paths.EVENTS_CSV)
    return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "event": pd.Series(dtype=str),
                         "note": pd.Series(dtype=str)})  # fmt: skip


def phrase_first_use(rates: pd.DataFrame, phrases: list[str]) -> pd.DataFrame:
    """When each phrase first appears in the corpus and in how many articles (0 and no date when never),
    from :func:`phrase_rates`' table. Index: phrase, in the order given.

    >>> r = pd.DataFrame({"doc_id": ["a", "b"], "date": pd.to_datetime(["2022-03-18", "2021-06-05"]),
    ...                   "phrase": ["动态清零", "动态清零"], "count": [1, 2], "per_10k": [1.0, 2.0]})
    >>> first = phrase_first_use(r, ["动态清零", "外防输入"])
    >>> first.first_date.tolist(), first.articles.tolist()
    ([Timestamp('2021-06-05 00:00:00'), NaT], [2, 0])
    """
    used = rates[rates["count"] > 0]
    out = used.groupby("phrase").agg(first_date=("date", "min"), articles=("doc_id", "nunique")).reindex(phrases)
    return out.assign(articles=out["articles"].fillna(0).astype(int))


def events_within(events: pd.DataFrame, dates: pd.Series, margin_days: int = 92) -> pd.DataFrame:
    """The events that fall within the corpus's dates, with ``margin_days`` either side (a quarter: articles
    cite what happened in the months before them): a track of another period's events says nothing about
    this corpus.

    >>> ev = pd.DataFrame({"date": pd.to_datetime(["2019-10-01", "2022-03-17"]), "event": ["a", "b"], "note": ""})
    >>> events_within(ev, pd.Series(pd.to_datetime(["2019-10-05", "2019-10-30"]))).event.tolist()
    ['a']
    """
    dated = dates.dropna()
    if dated.empty:
        return events.iloc[0:0]
    margin = pd.Timedelta(days=margin_days)
    keep = (events["date"] >= dated.min() - margin) & (events["date"] <= dated.max() + margin)
    return events[keep].reset_index(drop=True)


def article_timeline(df: pd.DataFrame, title_chars: int = 14) -> pd.DataFrame:
    """One row per dated article, in date order: doc_id, date, inferred (bool), basis, level, label,
    short title. Articles without a date are left out: count them with ``df.date.isna().sum()``.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "date": pd.to_datetime(["2022-03-18", None]),
    ...                     "date_basis": ["inferred", None], "level": ["province", None],
    ...                     "region": ["天津市", None], "title": ["会议召开", None]})
    >>> article_timeline(toy)[["doc_id", "inferred", "label"]].to_dict("records")
    [{'doc_id': 'a', 'inferred': True, 'label': '天津市 2022-03-18'}]
    """
    dated = df[df["date"].notna()].sort_values(["date", "doc_id"], kind="stable")
    titles = dated["title"].fillna("").astype(str)
    return pd.DataFrame({
        "doc_id": dated["doc_id"].to_numpy(),
        "date": dated["date"].to_numpy(),
        "inferred": (dated["date_basis"] == "inferred").to_numpy(),
        "basis": dated["date_basis"].fillna("unknown").to_numpy(),
        "level": dated["level"].fillna("unknown").to_numpy() if "level" in dated else "unknown",
        "label": doc_labels(dated),
        "short_title": [t if len(t) <= title_chars else t[:title_chars] + "…" for t in titles],
    })  # fmt: skip


def phrase_rates(df: pd.DataFrame, phrases: list[str], column: str = "text_simplified") -> pd.DataFrame:
    """Occurrences of each phrase per ``PER_CHARS`` characters in each article (substring counts).
    Columns: doc_id, date, phrase, count, per_10k, chars (the article's characters, as matched).

    >>> toy = pd.DataFrame({"doc_id": ["a"], "date": [pd.Timestamp("2022-03-18")], "text_simplified": ["动态清零" * 2]})
    >>> phrase_rates(toy, ["动态清零"])[["count", "per_10k", "chars"]].to_dict("records")
    [{'count': 2, 'per_10k': 2500.0, 'chars': 8}]
    """
    rows = []
    for doc, date, text in zip(df["doc_id"], df["date"], df[column].fillna("").map(matchable), strict=True):
        n = max(len(text), 1)
        for p in phrases:
            c = text.count(p)
            rows.append((doc, date, p, c, c / n * PER_CHARS, len(text)))
    return pd.DataFrame(rows, columns=["doc_id", "date", "phrase", "count", "per_10k", "chars"])


def counts_by_period(df: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """Articles per period (``MS`` month, ``W-MON`` week …), with empty periods filled with 0.
    Undated articles are not in any period: count them with ``df.date.isna().sum()``.

    >>> df = pd.DataFrame({"date": pd.to_datetime(["2022-01-05", "2022-03-01", None])})
    >>> counts_by_period(df)["articles"].tolist()
    [1, 0, 1]
    """
    dated = df[df["date"].notna()]
    if dated.empty:
        return pd.DataFrame(columns=["period", "articles"])
    s = dated.set_index("date").resample(freq).size()
    return s.rename("articles").rename_axis("period").reset_index()


def phrase_rates_by_period(df: pd.DataFrame, phrases: list[str], freq: str = "MS") -> pd.DataFrame:
    """Each phrase's occurrences per ``PER_CHARS`` characters of all dated articles of each period.
    Columns: period, phrase, count, chars, per_10k.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "date": pd.to_datetime(["2021-01-05", "2021-02-01"]),
    ...                     "text_simplified": ["清零" + "字" * 8, "字" * 10]})
    >>> phrase_rates_by_period(toy, ["清零"]).per_10k.tolist()
    [1000.0, 0.0]

    ``df`` may also be :func:`phrase_rates`' table of every article (made a partition at a time for a corpus of
    any size, :meth:`directives.scale.Corpus.map_partitions`): the same result, from its counts.

    >>> phrase_rates_by_period(phrase_rates(toy, ["清零"]), ["清零"]).per_10k.tolist()
    [1000.0, 0.0]
    """
    dated = df[df["date"].notna()].copy()
    from_rates = {"phrase", "count", "chars"} <= set(dated.columns)
    if not from_rates:
        texts = dated["text_simplified"].fillna("").map(matchable)
        dated["chars"] = texts.str.len()
    frames = []
    for p in phrases:
        if from_rates:
            part = dated[dated["phrase"] == p]
        else:
            dated["count"] = texts.str.count(re.escape(p))
            part = dated
        g = part.set_index("date")[["count", "chars"]].resample(freq).sum().reset_index()
        g["phrase"] = p
        frames.append(g)
    out = pd.concat(frames, ignore_index=True).rename(columns={"date": "period"})
    # a period without articles has no rate: a gap in the line, never a zero
    out["per_10k"] = out["count"] / out["chars"].where(out["chars"] > 0) * PER_CHARS
    return out[["period", "phrase", "count", "chars", "per_10k"]]


def use_periods(df: pd.DataFrame) -> bool:
    """True when the corpus is too large to show article by article.

    >>> use_periods(pd.DataFrame({"date": pd.to_datetime(["2021-01-01"] * 3)}))
    False
    """
    return int(df["date"].notna().sum()) > MAX_LABELLED


def choose_period(df: pd.DataFrame) -> str:
    """Weeks (``W-MON``) for a corpus spanning at most half a year, months (``MS``) otherwise.

    >>> choose_period(pd.DataFrame({"date": pd.to_datetime(["2021-01-01", "2022-01-01"])}))
    'MS'
    """
    dates = df["date"].dropna()
    return "W-MON" if len(dates) and (dates.max() - dates.min()).days <= 183 else "MS"


# the plots of timelines live with the other plots; imported here for the notebooks that know them here
from .plotting import plot_article_timeline, plot_counts_by_period, plot_phrase_presence  # noqa: E402, F401
