"""One notion of units: what one panel, bar, column or table row stands for.

Up to ``MAX_LABELLED`` articles, every article is its own unit (labelled by region and date); above, the
articles are grouped by a column (``region`` by default; ``level`` or ``province`` say), and only the
``MAX_LABELLED`` largest groups are shown, so small multiples stay readable at 3 or 100,000 articles.
Analyses and plots take a :class:`Units` instead of deciding for themselves.

>>> import pandas as pd
>>> df = pd.DataFrame({"doc_id": ["a", "b", "c"], "region": ["甲", "甲", "乙"], "date": [pd.NaT] * 3})
>>> u = units_of(df, max_units=2)
>>> u.name, u.labels, u.of.tolist(), u.partial
('region', {'甲': '甲 (2 articles)', '乙': '乙 (1 article)'}, ['甲', '甲', '乙'], False)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

MAX_LABELLED = 40  # above this many articles, plots and tables group them instead of showing each one
UNKNOWN = "(unknown)"


def count_of(n: int, noun: str) -> str:
    """``n`` and ``noun``, in the plural unless one (English nouns of this package: article, passage, region…).

    >>> count_of(1, "article"), count_of(2109, "article")
    ('1 article', '2,109 articles')
    """
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def document_labels(df: pd.DataFrame) -> list[str]:
    """One short, unique label per article: region and date (``永州市 2022-03-19``), falling back to
    the doc_id; a repeated label gets the doc_id appended.

    >>> df = pd.DataFrame({"doc_id": ["a", "b"], "region": ["永州市", None]})
    >>> document_labels(df.assign(date=[pd.Timestamp("2022-03-19"), pd.NaT]))
    ['永州市 2022-03-19', 'b']
    """
    labels, days = [], {}  # days: each date written once (many articles share a date)
    for doc_id, region, date in zip(df["doc_id"], _values(df, "region"), _values(df, "date"), strict=True):
        name = region if isinstance(region, str) and region else str(doc_id)
        if date is None or pd.isna(date):
            labels.append(name)
            continue
        day = days.get(date)
        if day is None:
            day = days[date] = f"{date:%Y-%m-%d}"
        labels.append(f"{name} {day}")
    counts = Counter(labels)
    return [f"{lab} ({d})" if counts[lab] > 1 else lab for lab, d in zip(labels, df["doc_id"], strict=True)]


def _values(df: pd.DataFrame, column: str) -> list:
    """The values of ``column`` as Python objects (``None`` throughout when ``df`` has no such column)."""
    return df[column].tolist() if column in df.columns else [None] * len(df)


def title_labels(df: pd.DataFrame, max_chars: int = 14) -> list[str]:
    """One short, unique label per article that a reader recognises: its title cut to ``max_chars``
    characters (… where cut) and its region; an article without a title gets :func:`document_labels`'s
    region and date. A repeated label gets the date, then the doc_id.

    >>> df = pd.DataFrame({"doc_id": ["a", "b", "c"], "region": ["永州市", "中央", "中央"],
    ...                    "title": ["全面压实责任 筑牢防疫之堤", "习近平会见外宾并发表重要讲话强调合作共赢", None],
    ...                    "date": [pd.Timestamp("2022-03-19"), pd.NaT, pd.Timestamp("2019-10-01")]})
    >>> title_labels(df)
    ['全面压实责任 筑牢防疫之堤 · 永州市', '习近平会见外宾并发表重要讲话… · 中央', '中央 2019-10-01']
    """
    fallback = document_labels(df)
    labels = []
    for title, region, other in zip(_values(df, "title"), _values(df, "region"), fallback, strict=True):
        title = " ".join(title.split()) if isinstance(title, str) else ""
        if not title:
            labels.append(other)
            continue
        short = title if len(title) <= max_chars else title[:max_chars].rstrip() + "…"
        labels.append(f"{short} · {region}" if isinstance(region, str) and region else short)
    for extra in ("date", "doc_id"):
        counts = Counter(labels)
        if not counts or max(counts.values()) <= 1:
            break
        for i, value in enumerate(_values(df, extra)):
            if counts[labels[i]] > 1 and value is not None and not pd.isna(value):
                labels[i] += f" {value:%Y-%m-%d}" if extra == "date" else f" ({value})"
    return labels


def label_list(ids, labels: dict, most: int = 10) -> str:
    """The labels of the articles ``ids`` (``labels``: doc_id -> label, :func:`title_labels`'s), the first ``most``
    of them joined by 、, and how many more there are: one table cell that names the articles a row is about.

    >>> label_list(["a", "b", "c"], {"a": "甲 · 北京市", "b": "乙 · 上海市", "c": "丙"}, most=2)
    '甲 · 北京市、乙 · 上海市 … and 1 more'
    """
    ids = list(ids)
    shown = "、".join(labels[d] for d in ids[:most])
    return shown + (f" … and {len(ids) - most:,} more" if len(ids) > most else "")


@dataclass(frozen=True)
class Units:
    """The unit of each document and the units' labels.

    ``of`` maps each doc_id to its unit (missing for a document outside the units shown); ``labels`` maps
    each unit to its label, largest first; ``name`` is what a unit is (``article``, ``region``, ``level`` …)
    for titles; ``partial`` says that only the largest groups are shown (a title should say so)."""

    of: pd.Series
    labels: dict[str, str]
    name: str
    partial: bool

    def pooled(self, df: pd.DataFrame) -> pd.DataFrame:
        """One row per unit with its doc_id (the unit), label and the token columns of its documents
        pooled (space-joined), for per-unit counts and clouds; the documents themselves when each is its
        own unit.

        >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "region": ["甲", "甲"], "date": [pd.NaT, pd.NaT],
        ...                     "tokens": ["x", "y"], "all_tokens": ["x", "y"]})
        >>> units_of(toy, max_units=1).pooled(toy)[["doc_id", "tokens"]].to_dict("records")
        [{'doc_id': '甲', 'tokens': 'x y'}]
        """
        from .tokens import token_string

        if self.name == "article":
            return df.assign(label=[self.labels[d] for d in df["doc_id"]])
        of = self.of.reindex(df["doc_id"].to_numpy()).to_numpy()
        rows = []
        for unit, label in self.labels.items():
            part = df[of == unit]
            rows.append({
                "doc_id": unit, "label": label,
                "tokens": " ".join(token_string(t) for t in part["tokens"]),
                "all_tokens": " ".join(token_string(t) for t in part["all_tokens"]),
            })  # fmt: skip
        return pd.DataFrame(rows)


def units_of(df: pd.DataFrame, by: str = "region", max_units: int = MAX_LABELLED) -> Units:
    """The units of ``df``: its articles when there are at most ``max_units`` of them, else the values of
    column ``by`` (``region``, ``level``, ``province`` …; missing values are one unit, ``(unknown)``), the
    ``max_units`` largest groups.

    >>> units_of(pd.DataFrame({"doc_id": ["a"], "region": ["甲"], "date": [pd.NaT]})).labels
    {'a': '甲'}
    """
    if len(df) <= max_units:
        ids = df["doc_id"].to_numpy()
        return Units(pd.Series(ids, index=ids), dict(zip(ids, document_labels(df), strict=True)), "article", False)
    if by not in df.columns:
        raise KeyError(f"no column {by!r} to group the articles by")
    key = df[by].fillna(UNKNOWN).astype(str)
    counts = key.value_counts().head(max_units)
    unit = key.where(key.isin(counts.index))
    labels = {g: f"{g} ({count_of(n, 'article')})" for g, n in counts.items()}
    return Units(pd.Series(unit.to_numpy(), index=df["doc_id"].to_numpy()), labels, by, key.nunique() > max_units)
