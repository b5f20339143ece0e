"""Articles in time: a dated table of the articles, a context track of national events, key-phrase use
by article or by period. Counts per week or month make the same analysis work for large corpora.

>>> import pandas as pd
>>> toy = pd.DataFrame({"doc_id": list("abc"), "date": pd.to_datetime(["2021-01-05", "2021-01-20", None])})
>>> counts_by_period(toy, "MS")[["period", "articles"]].to_dict("records")
[{'period': Timestamp('2021-01-01 00:00:00'), 'articles': 2}]
"""

from __future__ import annotations

import re

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from . import paths
from .plotting import use_cjk_font
from .units import MAX_LABELLED
from .units import document_labels as doc_labels

_IGNORED_IN_PHRASES = re.compile(r"[\s“”‘’\"'「」『』]")


def matchable(text: str) -> str:
    """Text as phrases are matched in it: without white space and quotation marks (压实“四方”责任 has 四方责任).

    >>> matchable("压实“四方”责任")
    '压实四方责任'
    """
    return _IGNORED_IN_PHRASES.sub("", text or "")


LEVEL_MARKERS = {"province": "s", "prefecture": "o", "county": "^"}
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
    Columns: doc_id, date, phrase, count, per_10k.

    >>> toy = pd.DataFrame({"doc_id": ["a"], "date": [pd.Timestamp("2022-03-18")], "text_simplified": ["动态清零" * 2]})
    >>> phrase_rates(toy, ["动态清零"])[["count", "per_10k"]].to_dict("records")
    [{'count': 2, 'per_10k': 2500.0}]
    """
    rows = []
    for doc, date, text in zip(df["doc_id"], df["date"], df[column].fillna("").map(matchable), strict=True):
        n = max(len(text), 1)
        for p in phrases:
            c = text.count(p)
            rows.append((doc, date, p, c, c / n * PER_CHARS))
    return pd.DataFrame(rows, columns=["doc_id", "date", "phrase", "count", "per_10k"])


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
    """
    dated = df[df["date"].notna()].copy()
    texts = dated["text_simplified"].fillna("").map(matchable)
    dated["chars"] = texts.str.len()
    frames = []
    for p in phrases:
        dated["count"] = texts.str.count(re.escape(p))
        g = dated.set_index("date")[["count", "chars"]].resample(freq).sum().reset_index()
        g["phrase"] = p
        frames.append(g)
    out = pd.concat(frames, ignore_index=True).rename(columns={"date": "period"})
    out["per_10k"] = (out["count"] / out["chars"].where(out["chars"] > 0) * PER_CHARS).fillna(0.0)
    return out[["period", "phrase", "count", "chars", "per_10k"]]


def plot_article_timeline(timeline: pd.DataFrame, events: pd.DataFrame, title: str) -> plt.Figure:
    """Articles on a date axis (marker by level, hollow when the date is inferred), labelled with region,
    date and short title, above a context track of national events.

    >>> from directives import load_corpus
    >>> fig = plot_article_timeline(article_timeline(load_corpus()), load_events(), "Articles and events")
    >>> fig.axes[0].get_title()
    'Articles and events'
    >>> plt.close(fig)
    """
    use_cjk_font()
    n = len(timeline)
    fig, (ax, axe) = plt.subplots(2, 1, figsize=(11, 2.5 + 0.45 * n + 0.3 * len(events)), sharex=True,
                                  gridspec_kw={"height_ratios": [max(n, 2), max(len(events), 1)]})  # fmt: skip
    lo = min(timeline["date"].min(), events["date"].min())
    hi = max(timeline["date"].max(), events["date"].max())
    pad = max((hi - lo) * 0.04, pd.Timedelta(days=5))
    split = lo + (hi - lo) * 0.55  # labels right of a mark before this date, left of it after

    def _place(date):
        return ((8, -3), "left") if date <= split else ((-8, -3), "right")

    for i, row in enumerate(timeline.itertuples()):
        marker = LEVEL_MARKERS.get(row.level, "D")
        face = "white" if row.inferred else "tab:red"
        ax.scatter(row.date, i, marker=marker, s=80, facecolors=face, edgecolors="tab:red", linewidths=1.5, zorder=3)
        offset, ha = _place(row.date)
        ax.annotate(f"{row.label}  {row.short_title}", (row.date, i), xytext=offset, textcoords="offset points",
                    fontsize=8, ha=ha)  # fmt: skip
    ax.set_ylim(n - 0.5, -0.8)
    ax.set_yticks([])
    ax.set_title(title)
    handles = [plt.Line2D([], [], marker=m, ls="", color="tab:red", label=lvl) for lvl, m in LEVEL_MARKERS.items()]
    handles += [
        plt.Line2D([], [], marker="o", ls="", color="tab:red", label="date stated"),
        plt.Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor="tab:red",
                   label="date inferred\n(see metadata note)"),
    ]  # fmt: skip
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title="level / date basis")
    for i, ev in enumerate(events.itertuples()):
        axe.axvline(ev.date, color="0.6", lw=0.8)
        offset, ha = _place(ev.date)
        axe.annotate(f"{ev.date:%Y-%m-%d} {ev.event}", (ev.date, i), xytext=offset, textcoords="offset points",
                     fontsize=8, color="0.25", ha=ha)  # fmt: skip
        ax.axvline(ev.date, color="0.85", lw=0.8, zorder=0)
    axe.set_ylim(len(events) - 0.5, -0.8)
    axe.set_yticks([])
    axe.set_title("National context", fontsize=10)
    axe.set_xlim(lo - pad, hi + pad)
    axe.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    fig.tight_layout()
    return fig


def plot_phrase_presence(rates: pd.DataFrame, labels: dict, title: str) -> plt.Figure:
    """Heatmap: articles in date order (rows) × phrases (columns), colour = per 10,000 characters,
    the count written in each cell.

    >>> from directives import load_corpus
    >>> df = load_corpus()
    >>> fig = plot_phrase_presence(phrase_rates(df, ["压实", "责任"]), {}, "Phrases"); fig.axes[0].get_title()
    'Phrases'
    >>> plt.close(fig)
    """
    use_cjk_font()
    order = rates.drop_duplicates("doc_id").sort_values("date", na_position="last")["doc_id"].tolist()
    per = rates.pivot_table(index="doc_id", columns="phrase", values="per_10k", sort=False).loc[order]
    cnt = rates.pivot_table(index="doc_id", columns="phrase", values="count", sort=False).loc[order]
    fig, ax = plt.subplots(figsize=(1.2 * per.shape[1] + 3, 0.5 * len(order) + 1.8))
    im = ax.imshow(per.to_numpy(), cmap="Reds", aspect="auto")
    for i in range(per.shape[0]):
        for j in range(per.shape[1]):
            c = int(cnt.iat[i, j])
            ax.text(j, i, str(c) if c else "·", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(per.shape[1]), per.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(order)), [labels.get(d, d) for d in order], fontsize=8)
    fig.colorbar(im, ax=ax, label=f"per {PER_CHARS:,} characters")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_counts_by_period(counts: pd.DataFrame, phrase_rates: pd.DataFrame, title: str) -> plt.Figure:
    """Line charts for a large corpus: articles per period, and each phrase per 10,000 characters.

    >>> from directives import load_corpus
    >>> df = load_corpus()
    >>> fig = plot_counts_by_period(counts_by_period(df), phrase_rates_by_period(df, ["压实"]), "By month")
    >>> fig.axes[0].get_title()
    'By month'
    >>> plt.close(fig)
    """
    use_cjk_font()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    ax1.plot(counts["period"], counts["articles"], color="tab:gray", marker="." if len(counts) < 60 else None)
    ax1.set_ylabel("articles")
    ax1.set_title(title)
    for phrase, part in phrase_rates.groupby("phrase", sort=False):
        ax2.plot(part["period"], part["per_10k"], label=phrase)
    ax2.set_ylabel(f"per {PER_CHARS:,} characters")
    ax2.legend(fontsize=8, ncol=4)
    ax2.set_title("Key phrases over time", fontsize=10)
    fig.tight_layout()
    return fig


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
