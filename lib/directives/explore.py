"""Exploring, not only reading: interactive tables, a term explorer and an article viewer.

- :func:`show_table` writes a table whole as CSV (:func:`directives.plotting.save_table`) and shows its
  first rows as a searchable, sortable, paged table (itables, DataTables), in JupyterLab and in the HTML
  reports. :func:`init_tables` embeds DataTables once per notebook (gzip-compressed, about 0.26 MB), so a
  report needs no network. Every cell is text, never markup: itables escapes it (``allow_html=False``), the
  tables' scripts never hold ``://`` (so :func:`directives.report.make_offline` keeps them), and the whole
  output is marked to be left alone by MathJax (``$…$`` in an article stays as typed).
- :class:`ExploreIndex` is built once per corpus, its parts lazily; :func:`term_report` and
  :func:`article_report` are pure (DataFrames and escaped HTML, tested without a browser);
  :func:`term_explorer` and :func:`article_viewer` are their thin ipywidgets layers, which in a report
  (no kernel: ``static=True``, the ``REPORT`` parameter the report runner sets) show the pure functions'
  results for a few examples instead.
"""

from __future__ import annotations

import base64
import gzip
import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .units import MAX_LABELLED

if TYPE_CHECKING:
    from IPython.display import HTML
    from ipywidgets import VBox

DISPLAY_ROWS = 500  # rows of a table shown interactively; the CSV holds every row
CELL_CHARS = 200  # a longer cell is cut (…) in the interactive table; the CSV holds it whole
TABLE_BYTES = 30_000  # at most this much table data per table: the rows beyond it are in the CSV
KWIC_LINES = 200  # keyword-in-context lines a term report shows
STATIC_KWIC_LINES = 50  # in a report, for each example term (the report's size and font stay small)
COLLOCATE_DOCS = 500  # collocates are counted in at most this many matching articles (a seeded sample)
NEIGHBOURS = 10


# --------------------------------------------------------------------------- interactive tables
def _itables_names() -> tuple[str, str]:
    from itables.javascript import _itables_ready_event, _itables_underscore_version

    return _itables_underscore_version(), _itables_ready_event()


def _gzip_b64(path: Path) -> str:
    return base64.b64encode(gzip.compress(path.read_bytes(), 9, mtime=0)).decode("ascii")


def tables_loader_html() -> str:
    """The HTML that loads DataTables (itables' own offline bundle, gzip-compressed and base64-encoded,
    unpacked in the browser by ``DecompressionStream``) once per page, where itables' tables look for it.
    It holds no address: nothing is fetched.

    >>> page = tables_loader_html(); "DecompressionStream" in page, "://" in page, len(page) < 400_000
    (True, False, True)
    """
    from itables import options

    bundle = Path(options.dt_bundle)
    name, ready = _itables_names()
    js, css = _gzip_b64(bundle), _gzip_b64(bundle.with_suffix(".css"))
    return (
        "<script>(function () {\n"
        f"  if (window.{name}) return;\n"
        "  const unzip = (b64) => new Response(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))])"
        '.stream().pipeThrough(new DecompressionStream("gzip"))).text();\n'
        f"  window.{name} = (async () => {{\n"
        f'    const style = document.createElement("style"); style.textContent = await unzip("{css}");\n'
        "    document.head.appendChild(style);\n"
        f'    const url = URL.createObjectURL(new Blob([await unzip("{js}")], {{type: "text/javascript"}}));\n'
        "    try { return await import(url); } finally { URL.revokeObjectURL(url); }\n"
        "  })();\n"
        f'  window.{name}.then(() => window.dispatchEvent(new Event("{ready}")));\n'
        "})();</script>"
    )


def init_tables() -> HTML:
    """Load DataTables into the notebook once (call it in the imports cell; its output must be kept, as
    the report keeps it): every :func:`show_table` after it is interactive, in JupyterLab and in the report.

    >>> type(init_tables()).__name__
    'HTML'
    """
    from IPython.display import HTML

    return HTML(tables_loader_html())


def _cell_text(value, max_chars: int) -> object:
    if value is None or (not isinstance(value, (list, tuple, np.ndarray, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        value = "、".join(str(v) for v in value)
    text = str(value).replace("\r", " ").replace("\n", " ")  # one line in a table cell
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def displayable(table: pd.DataFrame | pd.Series, rows: int = DISPLAY_ROWS, max_chars: int = CELL_CHARS) -> pd.DataFrame:
    """The first ``rows`` rows of ``table`` as DataTables will show them: numbers stay numbers (to sort
    by), dates become ``YYYY-MM-DD``, lists are joined with 、, everything else is text cut to ``max_chars``.
    A meaningful index becomes columns.

    >>> displayable(pd.DataFrame({"a": [["压实", "责任"]], "d": [pd.Timestamp("2021-09-01")], "n": [3]}))
         a           d  n
    0  压实、责任  2021-09-01  3
    """
    frame = table.to_frame(table.name if table.name is not None else "value") if isinstance(table, pd.Series) else table
    frame = frame.head(rows)
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
        frame = frame.reset_index()
    frame.columns = [str(c) if not isinstance(c, tuple) else " · ".join(map(str, c)) for c in frame.columns]
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            if s.isna().any():  # DataTables still sorts these as numbers: it reads numbers in text, "" as none
                out[col] = ["" if pd.isna(v) else f"{v:g}" for v in s.tolist()]
            else:
                out[col] = s.to_numpy()
        else:
            out[col] = [_cell_text(v, max_chars) for v in s.tolist()]
    return pd.DataFrame(out, columns=frame.columns)


_URL_IN_SCRIPT = re.compile(r"(<script\b[^>]*>)(.*?)(</script>)", re.S | re.I)


def table_html(table: pd.DataFrame | pd.Series, rows: int = DISPLAY_ROWS, caption: str | None = None) -> str:
    """An interactive (search, sort, pages) HTML table of the first ``rows`` rows of ``table``, every cell
    escaped: article text shows as text and runs nothing. Needs :func:`init_tables` once on the page.
    Inside its scripts ``://`` is written ``:\\/\\/`` (the same string to JavaScript), so no script of a
    table looks like one that loads from a host.

    >>> page = table_html(pd.DataFrame({"title": ["<script>alert(1)</script>", "见 http://x.cn"]}))
    >>> "&lt;script&gt;alert(1)" in page, "<script>alert(1)" in page, "http://x.cn" in page.split("<script")[-1]
    (True, False, False)
    """
    import itables

    shown = displayable(table, rows)
    shown = shown.head(rows_within(shown))
    page = itables.to_html_datatable(
        shown,
        caption=caption,
        connected=False,
        allow_html=False,
        display_logo_when_loading=False,
        maxBytes=2 * TABLE_BYTES,  # rows_within has cut it already: itables never drops rows itself
        classes="display compact",
        pageLength=10,
        lengthMenu=[10, 25, 100],
        warn_on_unexpected_types=False,
    )
    page = _URL_IN_SCRIPT.sub(lambda m: m.group(1) + m.group(2).replace("://", ":\\/\\/") + m.group(3), page)
    return f'<div class="directives-table tex2jax_ignore mathjax_ignore">{page}</div>'


def show_table(
    table: pd.DataFrame | pd.Series,
    name: str,
    folder: str | Path | None = None,
    rows: int = DISPLAY_ROWS,
    caption: str | None = None,
) -> HTML:
    """Write ``table`` whole as ``<folder>/<name>.csv`` (:func:`directives.plotting.save_table`) and return
    its first ``rows`` rows as an interactive table (:func:`table_html`), saying how many rows there are and
    where the rest is when it is cut. In a notebook, after :func:`init_tables`::

        show_table(kwic(df, "责任"), "02_kwic_1", TABLES)
    """
    from IPython.display import HTML

    from .plotting import save_table

    whole = save_table(table, name, folder)
    note = ""
    shown = rows_within(displayable(whole, rows))
    if len(whole) > shown:
        where = (Path(folder) if folder is not None else Path("tables")).name
        note = f"<p>The first {shown:,} of {len(whole):,} rows; every row in {where}/{name}.csv</p>"
        note = note.replace(f"{where}/{name}", html.escape(f"{where}/{name}"))
    return HTML(note + table_html(whole, shown, caption))


def rows_within(shown: pd.DataFrame, max_bytes: int = TABLE_BYTES) -> int:
    """How many of the first rows of ``shown`` (:func:`displayable`) fit in ``max_bytes`` of table data as the
    page holds it (JSON, a Chinese character as ``\\uXXXX``), at least one: a report stays under its size
    limit with any number of tables, and a ranking is cut at its end, never in its middle.

    >>> rows_within(pd.DataFrame({"t": ["压实责任" * 10] * 100}), max_bytes=2_000)  # 244 bytes a row
    8
    """
    import json

    if shown.empty:
        return 0
    per_row = np.zeros(len(shown))
    for col in shown.columns:
        per_row += [len(json.dumps(v if isinstance(v, str) else str(v))) + 2 for v in shown[col].tolist()]
    return max(1, int(np.searchsorted(np.cumsum(per_row), max_bytes, side="right")))


# --------------------------------------------------------------------------- the index
@dataclass
class ExploreIndex:
    """What the explorers need of one corpus, built once and each part only when first asked for:

    - ``texts``: ``text_simplified`` as one Arrow array, searched by RE2 (``pyarrow.compute``) for a term's
      count in every article in one pass (about 1 s for 100,000 articles, 489 MB);
    - ``units`` and ``periods``: each article's unit (article, or region above 40 articles) and period
      (week or month), so dispersion and use over time are group-bys of those counts;
    - ``token_totals``: corpus frequencies of every token (counted once by Arrow), for collocates, which
      are counted in at most ``COLLOCATE_DOCS`` matching articles;
    - ``model``: the TF-IDF model (:class:`directives.tfidf.TfidfModel`, cached on disk), whose rows give an
      article's nearest neighbours by one sparse product.

    >>> from directives import load_corpus
    >>> index = ExploreIndex(load_corpus()); len(index.doc_ids) == len(index.df)
    True
    """

    df: pd.DataFrame
    by: str = "region"
    max_units: int = MAX_LABELLED

    def __post_init__(self):
        self.df = self.df.reset_index(drop=True)
        self.doc_ids = self.df["doc_id"].astype(str).to_numpy()
        self._row = pd.Index(self.doc_ids)

    @cached_property
    def texts(self):
        import pyarrow as pa

        return pa.array(self.df["text_simplified"].fillna("").astype(str).tolist(), pa.large_string())

    @cached_property
    def units(self):
        from .units import units_of

        return units_of(self.df, self.by, self.max_units)

    @cached_property
    def unit_labels(self) -> pd.Series:
        """Each article's unit's label, in row order (missing beyond the ``max_units`` largest units)."""
        return pd.Series(self.units.of.reindex(self.doc_ids).to_numpy()).map(self.units.labels)

    @cached_property
    def periods(self) -> pd.Series:
        from .timeline import choose_period

        freq = choose_period(self.df)
        return self.df["date"].dt.to_period("W-MON" if freq == "W-MON" else "M").dt.start_time

    @cached_property
    def tokens(self) -> pd.DataFrame:
        from .tokens import ensure_tokens

        return ensure_tokens(self.df)

    @cached_property
    def token_totals(self) -> pd.Series:
        from .counting import token_counts

        X, vocab = token_counts(self.tokens["tokens"])
        return pd.Series(np.asarray(X.sum(axis=0)).ravel(), index=vocab)

    @cached_property
    def model(self):
        from .tfidf import TfidfModel

        return TfidfModel(cache_dir=None).fit(self.tokens)

    @cached_property
    def labels(self) -> pd.Series:
        """Each article's title cut to 14 characters and its region (its region and date without a
        title), the doc_id added to a repeated one: :func:`directives.units.title_labels`' form, by
        vectorised string operations (1 s for 100,000 articles)."""
        df = self.df
        title = df["title"] if "title" in df.columns else pd.Series("", index=df.index)
        title = title.fillna("").astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
        cut = title.where(title.str.len() <= 14, title.str[:13] + "…")
        region = df["region"].fillna("").astype(str) if "region" in df.columns else pd.Series("", index=df.index)
        date = df["date"].dt.strftime("%Y-%m-%d").fillna("") if "date" in df.columns else ""
        label = (cut + " · " + region).where(title != "", (region + " " + date).str.strip())
        label = label.where(label.str.strip(" ·") != "", pd.Series(self.doc_ids, index=df.index))
        repeated = label.duplicated(keep=False)
        label = label.where(~repeated, label + " (" + pd.Series(self.doc_ids, index=df.index) + ")")
        return pd.Series(label.to_numpy(), index=self.doc_ids)

    def row(self, doc_id: str) -> int:
        """The row of ``doc_id`` (KeyError when the corpus has no such article)."""
        where = self._row.get_indexer([str(doc_id)])[0]
        if where < 0:
            raise KeyError(f"no article {doc_id!r} in this corpus")
        return int(where)

    def counts(self, rx: re.Pattern) -> np.ndarray:
        """Matches of ``rx`` in each article's ``text_simplified``: RE2 over the whole corpus in one pass,
        or Python's ``re`` for a pattern RE2 cannot run (look-arounds, back-references)."""
        import pyarrow.compute as pc

        try:
            return pc.count_substring_regex(self.texts, rx.pattern).to_numpy(zero_copy_only=False).astype(np.int64)
        except Exception:  # pyarrow.ArrowInvalid: not an RE2 pattern
            return np.array([len(rx.findall(t)) for t in self.df["text_simplified"].fillna("")], np.int64)


def as_index(corpus: pd.DataFrame | ExploreIndex) -> ExploreIndex:
    """``corpus`` itself when it is an :class:`ExploreIndex`, else a new one over it (built lazily: cheap).

    >>> index = as_index(pd.DataFrame({"doc_id": ["a"], "text_simplified": ["压实责任"]})); as_index(index) is index
    True
    """
    return corpus if isinstance(corpus, ExploreIndex) else ExploreIndex(corpus)


# --------------------------------------------------------------------------- term explorer: the answer
def term_pattern(term: str, regex: bool = False) -> re.Pattern:
    """The pattern searched for ``term``: the term literally, or as a regular expression with ``regex``.

    >>> term_pattern("a.b").pattern, term_pattern("压实|压紧", regex=True).pattern
    ('a\\\\.b', '压实|压紧')
    """
    if not term:
        raise ValueError("an empty term matches everywhere: type a word or a pattern")
    return re.compile(term if regex else re.escape(term))


def _collocates(index: ExploreIndex, rows: np.ndarray, rx: re.Pattern, window: int, top: int) -> pd.DataFrame:
    """Tokens within ``window`` tokens of a match, scored by signed log-likelihood (G²) against their
    frequency in the whole corpus; only tokens the corpus keeps (no stopwords)."""
    from .analysis import _g2
    from .tokens import token_list

    toks_all = index.tokens["all_tokens"].iloc[rows].tolist()  # only the rows read, never the whole column
    totals = index.token_totals
    near: dict[str, int] = {}
    for toks in toks_all:
        toks = token_list(toks)
        if not toks:
            continue
        starts = list(accumulate((len(t) for t in toks), initial=0))
        for m in rx.finditer("".join(toks)):
            if m.end() == m.start():
                continue
            i = bisect_right(starts, m.start()) - 1
            j = bisect_left(starts, m.end())
            for t in toks[max(0, i - window) : i] + toks[j : j + window]:
                near[t] = near.get(t, 0) + 1
    kept = {t: c for t, c in near.items() if t in totals.index}
    if not kept:
        return pd.DataFrame(columns=["collocate", "near", "corpus", "g2"])
    words = np.array(list(kept))
    a = np.array(list(kept.values()), float)
    corpus = totals.reindex(words).to_numpy(float)
    c, total = a.sum(), float(totals.sum())
    g2 = _g2(a, np.maximum(corpus - a, 0), c, max(total - c, 1.0))
    out = pd.DataFrame({"collocate": words, "near": a.astype(np.int64), "corpus": corpus.astype(np.int64), "g2": g2})
    out = out[out.g2 > 0].sort_values(["g2", "collocate"], ascending=[False, True], ignore_index=True)
    return out.head(top).round({"g2": 1})


def term_report(
    corpus: pd.DataFrame | ExploreIndex,
    term: str,
    regex: bool = False,
    context: int = 20,
    lines: int = KWIC_LINES,
    window: int = 5,
    top: int = 20,
) -> dict[str, pd.DataFrame | str]:
    """Everything the term explorer shows for ``term`` (a word, or a pattern with ``regex=True``), searched
    in ``text_simplified``:

    - ``kwic``: the first ``lines`` matches in date order, ``context`` characters either side;
    - ``dispersion``: per unit (article, or region above 40 articles; the regions beyond the 40 largest
      together in a last row) the articles, the articles using it, the matches and matches per 10,000 Han
      characters;
    - ``over_time``: the same per week or month (dated articles);
    - ``collocates``: tokens within ``window`` tokens of a match, by G² against the corpus;
    - ``summary``: one sentence, computed from the above.

    Fast on a large corpus: the count per article is one RE2 pass (:meth:`ExploreIndex.counts`), the
    rest group-bys of those counts; context and collocates read only matching articles (collocates at most
    ``COLLOCATE_DOCS``, a seeded sample, said in the summary).

    >>> import pandas as pd
    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "region": ["甲", "乙"],
    ...     "date": pd.to_datetime(["2021-01-04", "2021-02-01"]), "title": ["一", "二"], "n_han": [8, 4],
    ...     "text_simplified": ["压实责任，压实", "落实责任"],
    ...     "tokens": ["压实 责任 压实", "落实 责任"], "all_tokens": ["压实 责任 ， 压实", "落实 责任"]})
    >>> r = term_report(toy, "压实"); r["dispersion"][["unit", "articles using it", "matches"]].values.tolist()
    [['甲 2021-01-04', 1, 2], ['乙 2021-02-01', 0, 0]]
    >>> r["kwic"][["left", "match", "right"]].iloc[1].tolist()
    ['压实责任，', '压实', '']
    """
    index = as_index(corpus)
    rx = term_pattern(term, regex)
    counts = index.counts(rx)
    df = index.df
    hit_rows = np.flatnonzero(counts > 0)
    n_han = df["n_han"].to_numpy(float) if "n_han" in df.columns else df["text_simplified"].str.len().to_numpy(float)

    # keyword in context: the first matches in date order
    order = hit_rows[np.argsort(df["date"].to_numpy()[hit_rows], kind="stable")] if len(hit_rows) else hit_rows
    texts = df["text_simplified"]  # read row by row (an Arrow column is never turned whole into Python strings)
    kwic_rows = []
    for r in order:
        text = texts.iat[r]
        for m in rx.finditer(text):
            if m.end() == m.start():
                continue
            kwic_rows.append({
                "doc_id": index.doc_ids[r], "date": df["date"].iat[r], "title": index.labels.iat[r],
                "left": text[max(0, m.start() - context) : m.start()].replace("\n", " "), "match": m.group(0),
                "right": text[m.end() : m.end() + context].replace("\n", " "),
            })  # fmt: skip
            if len(kwic_rows) >= lines:
                break
        if len(kwic_rows) >= lines:
            break
    kwic = pd.DataFrame(kwic_rows, columns=["doc_id", "date", "title", "left", "match", "right"])

    def grouped(key: pd.Series, label: str) -> pd.DataFrame:
        frame = pd.DataFrame({label: key.to_numpy(), "matches": counts, "used": counts > 0, "han": n_han})
        g = frame.dropna(subset=[label]).groupby(label, sort=False)
        out = pd.DataFrame({
            "articles": g.size(), "articles using it": g["used"].sum().astype(np.int64),
            "matches": g["matches"].sum().astype(np.int64),
        })  # fmt: skip
        han = g["han"].sum()
        out["per 10,000 characters"] = (out["matches"] / han.where(han > 0) * 10_000).round(2)
        return out.reset_index()

    units = index.units
    other = f"(every other {units.name})"  # the units beyond the largest MAX_LABELLED, together
    unit_key = index.unit_labels.fillna(other)
    dispersion = grouped(unit_key, "unit")
    order = {lab: i for i, lab in enumerate([*units.labels.values(), other])}
    dispersion["order"] = dispersion["unit"].map(order)
    dispersion = dispersion.sort_values("order", ignore_index=True).drop(columns="order")
    over_time = grouped(index.periods, "period").sort_values("period", ignore_index=True)
    over_time["period"] = over_time["period"].dt.strftime("%Y-%m-%d")

    sample = hit_rows
    if len(sample) > COLLOCATE_DOCS:
        sample = np.sort(np.random.default_rng(0).choice(hit_rows, COLLOCATE_DOCS, replace=False))
    collocates = _collocates(index, sample, rx, window, top)

    n_matches = int(counts.sum())
    if n_matches == 0:
        summary = f"{term} does not occur in the {len(df):,} articles."
    else:
        busiest = dispersion.sort_values(["per 10,000 characters", "matches"], ascending=False).iloc[0]
        summary = (
            f"{term}: {n_matches:,} matches in {len(hit_rows):,} of {len(df):,} articles; the most per 10,000 "
            f"characters in {busiest['unit']} ({busiest['per 10,000 characters']:.2f})"
        )
        if len(collocates):
            summary += "; its strongest collocates: " + "、".join(collocates.collocate.head(5))
        if len(sample) < len(hit_rows):
            summary += f" (collocates counted in a random sample of {len(sample):,} of those articles, seed 0)"
        summary += "."
    return {"kwic": kwic, "dispersion": dispersion, "over_time": over_time, "collocates": collocates,
            "summary": summary}  # fmt: skip


def example_terms(keys: pd.DataFrame, counts: pd.DataFrame, n: int = 3) -> list[str]:
    """A few terms worth exploring, from the corpus's own results: the most key term (largest G²) of
    each of the first units of ``keys`` (:func:`directives.analysis.keyness`), then the most frequent
    terms of ``counts`` (:func:`directives.analysis.term_counts`), each once, terms of two characters or
    more.

    >>> keys = pd.DataFrame({"doc_id": ["a", "a", "b"], "term": ["压实", "责任", "防控"], "g2": [9.0, 3.0, 5.0]})
    >>> example_terms(keys, pd.DataFrame({"term": ["责任", "会议"]}), n=3)
    ['压实', '防控', '责任']
    """
    chosen: list[str] = []
    if len(keys):
        best = keys[keys.term.str.len() >= 2].sort_values("g2", ascending=False).groupby("doc_id", sort=False).head(1)
        chosen += [t for t in best.term if t not in chosen][: max(n - 1, 1)]
    for t in counts.term:
        if len(chosen) >= n:
            break
        if len(t) >= 2 and t not in chosen:
            chosen.append(t)
    return chosen[:n]


# --------------------------------------------------------------------------- article viewer: the answer
_SUMMARY_RULES = {"line_endings", "run_on_paragraphs"}  # changes recorded once for the whole text


def _applied(text: str, changes: list, whole_lines: bool) -> tuple[str, np.ndarray, list[int]] | None:
    """``text`` with ``changes`` applied at their offsets, a map of every position of ``text`` (and its end)
    into the result, and where each change's ``after`` starts; None when two changes overlap. With
    ``whole_lines``, a change that removes a whole line removes its line break too (as furniture does)."""
    spans = []
    for k, c in enumerate(changes):
        a, b = c.offset, c.offset + len(c.before)
        if text[a:b] != c.before:
            return None
        if whole_lines and not c.after and (a == 0 or text[a - 1] == "\n") and (b == len(text) or text[b] == "\n"):
            if b < len(text):
                b += 1
            elif a > 0:
                a -= 1
        spans.append((a, b, k))
    spans.sort()
    pieces, mapping, starts, last, out = [], np.zeros(len(text) + 1, np.int64), [0] * len(changes), 0, 0
    for a, b, k in spans:
        if a < last:
            return None
        mapping[last:a] = np.arange(out, out + a - last)
        pieces.append(text[last:a])
        out += a - last
        starts[k] = out
        mapping[a:b] = out
        pieces.append(changes[k].after)
        out += len(changes[k].after)
        last = b
    mapping[last:] = np.arange(out, out + len(text) - last + 1)
    pieces.append(text[last:])
    return "".join(pieces), mapping, starts


def _aligned(text: str, new: str) -> np.ndarray:
    """A map of every position of ``text`` (and its end) into ``new`` by alignment (difflib), for a step
    whose recorded changes do not rebuild its output."""
    from difflib import SequenceMatcher

    mapping = np.zeros(len(text) + 1, np.int64)
    for tag, i1, i2, j1, _ in SequenceMatcher(None, text, new, autojunk=False).get_opcodes():
        mapping[i1:i2] = np.arange(j1, j1 + (i2 - i1)) if tag == "equal" else j1
    mapping[len(text)] = len(new)
    return mapping


def _replayed_changes(raw: str) -> tuple[str, list[tuple[dict, int, int]], list[dict]]:
    """Clean ``raw`` again step by step, following every change into the cleaned text: each change with
    where its ``after`` lies in the cleaned text (start, end; a point for a deletion), and the changes that
    have no one place (line endings, spacing, entities: recorded once for the whole text). Each step's map
    from its input to its output is its changes applied, checked against its output (else an alignment)."""
    from .clean import TEXT_STEPS, normalize_whitespace, strip_furniture

    placed: list[list] = []  # [change, start, end] in the coordinates of the current text
    unplaced: list[dict] = []
    text = raw
    steps = [*TEXT_STEPS, lambda t: strip_furniture(t)[:2], normalize_whitespace]
    for step in steps:
        new, changes = step(text)
        local = [c for c in changes if c.rule not in _SUMMARY_RULES and (c.before or c.after)]
        local = [c for c in local if not (c.offset == 0 and len(c.before) == len(text) and len(text) > 40)]
        unplaced += [c.as_dict() for c in changes if c not in local]
        applied = None
        if len(local) == len(changes):
            applied = next((r for w in (False, True) if (r := _applied(text, local, w)) and r[0] == new), None)
        if applied is not None:
            _, mapping, starts = applied
        else:
            mapping = _aligned(text, new)
            starts = [int(mapping[min(c.offset, len(text))]) for c in local]
        for p in placed:
            p[1], p[2] = int(mapping[min(p[1], len(text))]), int(mapping[min(p[2], len(text))])
            if p[0]["after"]:  # a replacement keeps its length unless a later step changed it
                p[2] = max(p[2], p[1])
        placed += [[c.as_dict(), st, st + len(c.after)] for c, st in zip(local, starts, strict=True)]
        text = new
    return text, [(p[0], p[1], p[2]) for p in placed], unplaced


def marked_text(raw: str) -> tuple[str, pd.DataFrame]:
    """The cleaned text of ``raw`` as escaped HTML with every change cleaning made marked where it lies:
    a repair as ``<mark>`` (what was there before in its title), a deletion as struck-through grey ``<del>``
    text at its place; and the table of changes (``placed`` says whether it could be shown at one place).

    >>> page, table = marked_text("壓實(shí)責任<b>。</b>")
    >>> page.replace('class="chg" ', "").replace(' title="html: tag"', "")
    '壓實<del title="pinyin: pinyin_annotation">(shí)</del>責任<del>&lt;b&gt;</del>。<del>&lt;/b&gt;</del>'
    >>> table[["step", "placed"]].values.tolist()
    [['html', True], ['html', True], ['pinyin', True]]
    """
    final, placed, unplaced = _replayed_changes(raw)
    marks: list[tuple[int, int, str]] = []
    rows = []
    for change, start, end in placed:
        ok = final[start:end] == change["after"] if change["after"] else True
        rows.append({**change, "placed": bool(ok)})
        if not ok:
            continue
        title = html.escape(f"{change['step']}: {change['rule']}", quote=True)
        if change["after"]:
            before = html.escape(f"{change['step']}: {change['rule']}: was {change['before']}", quote=True)
            marks.append((start, end, f'<mark class="chg" title="{before}">{html.escape(final[start:end])}</mark>'))
        else:
            marks.append((start, start, f'<del class="chg" title="{title}">{html.escape(change["before"])}</del>'))
    rows += [{**c, "placed": False} for c in unplaced]
    marks.sort(key=lambda m: (m[0], m[1]))
    parts, last = [], 0
    for start, end, tag in marks:
        if start < last:  # overlaps one already shown
            continue
        parts += [html.escape(final[last:start]), tag]
        last = end
    parts.append(html.escape(final[last:]))
    table = pd.DataFrame(rows, columns=["step", "rule", "before", "after", "offset", "note", "placed"])
    order = {"html": 0, "invisibles": 0}
    table = table.assign(_o=table.step.map(order).fillna(1)).sort_values(["_o", "offset"], kind="stable")
    return "".join(parts), table.drop(columns="_o").reset_index(drop=True)


METADATA_FIELDS = (
    ("title", None), ("subtitle", None), ("kind", None), ("region", "region_basis"), ("level", "region_basis"),
    ("province", "region_basis"), ("prefecture", "region_basis"), ("county", "region_basis"), ("voice", None),
    ("date", "date_basis"), ("outlet", None), ("author", None), ("source_file", None), ("n_han", None),
    ("note", None),
)  # fmt: skip


def neighbours_of(index: ExploreIndex, doc_id: str, k: int = NEIGHBOURS) -> pd.DataFrame:
    """The ``k`` articles nearest to ``doc_id`` by cosine of TF-IDF (one sparse product with the fitted
    matrix: milliseconds on 100,000 articles once the model is fitted).

    >>> from directives import load_corpus
    >>> index = ExploreIndex(load_corpus()); near = neighbours_of(index, index.doc_ids[0], k=2)
    >>> len(near), bool(near.similarity.is_monotonic_decreasing), index.doc_ids[0] in set(near.doc_id)
    (2, True, False)
    """
    model = index.model
    X = model.matrix_
    i = model._rows([doc_id])[0]
    sims = np.asarray((X @ X[i].T).todense()).ravel()
    sims[i] = -np.inf
    k = min(k, len(sims) - 1)
    top = np.argpartition(-sims, k - 1)[:k] if k > 0 else np.zeros(0, int)
    top = top[np.lexsort((model.doc_ids_[top].astype(str), -sims[top]))]
    ids = model.doc_ids_[top].astype(str)
    rows = index._row.get_indexer(ids)
    return pd.DataFrame({
        "doc_id": ids, "title": index.labels.to_numpy()[rows], "date": index.df["date"].to_numpy()[rows],
        "similarity": sims[top].round(3),
    })  # fmt: skip


def shared_with(
    index: ExploreIndex, doc_id: str, passages: pd.DataFrame | None = None, min_chars: int = 12, k: int = 20
) -> pd.DataFrame:
    """The passages ``doc_id`` shares word for word and with whom: from ``passages``
    (:func:`directives.reuse.shared_passages` of the corpus, as notebook 06 computes them) when given,
    else found on demand among the article and its ``k`` nearest neighbours (a copy is a near neighbour;
    a passage shared only with dissimilar articles is then missed). Columns: passage, length, other articles
    (their titles), n_docs.

    >>> from directives import load_corpus
    >>> index = ExploreIndex(load_corpus()); table = shared_with(index, index.doc_ids[0])
    >>> list(table.columns)
    ['passage', 'length', 'n_docs', 'shared with']
    """
    from .reuse import shared_passages

    if passages is None:
        near = neighbours_of(index, doc_id, k)
        rows = index._row.get_indexer([doc_id, *near.doc_id])
        passages = shared_passages(index.df.iloc[rows], min_chars=min_chars)
    mine = passages[[doc_id in set(d) for d in passages["docs"]]] if len(passages) else passages
    mine = mine[mine["length"] >= min_chars] if len(mine) else mine
    labels = index.labels
    out = pd.DataFrame({
        "passage": [str(e) for e in mine.get("example", mine.get("passage", pd.Series(dtype=str)))],
        "length": mine["length"].to_numpy() if len(mine) else [],
        "n_docs": mine["n_docs"].to_numpy() if len(mine) else [],
        "shared with": ["；".join(labels.get(o, o) for o in docs if o != doc_id) for docs in mine.get("docs", [])],
    })  # fmt: skip
    return out.sort_values(["length", "n_docs"], ascending=False, ignore_index=True)


def article_report(
    corpus: pd.DataFrame | ExploreIndex, doc_id: str, passages: pd.DataFrame | None = None, k: int = NEIGHBOURS
) -> dict[str, pd.DataFrame | str]:
    """Everything the article viewer shows for ``doc_id``:

    - ``metadata``: field, value and the basis it was read on (``region_basis`` for the place and level,
      ``date_basis`` for the date);
    - ``text_html``: the cleaned text, escaped, with every change cleaning made marked (:func:`marked_text`);
    - ``changes``: the table of those changes;
    - ``neighbours``: its ``k`` nearest articles (:func:`neighbours_of`);
    - ``shared``: the passages it shares and with whom (:func:`shared_with`).

    The cleaning is replayed for this one article (milliseconds) and the neighbours are one sparse product
    with the TF-IDF matrix fitted once per corpus (:class:`ExploreIndex`), so an answer takes well under a
    second on 100,000 articles once the index is built.

    >>> from directives import load_corpus
    >>> df = load_corpus(); r = article_report(df, df.doc_id.iloc[0])
    >>> r["metadata"].set_index("field").loc["date", "basis"] == df.date_basis.iloc[0]
    True
    """
    index = as_index(corpus)
    row = index.df.iloc[index.row(doc_id)]
    meta = []
    for field, basis in METADATA_FIELDS:
        if field not in row.index:
            continue
        value = _cell_text(row[field], 10_000)
        if value == "":
            continue
        basis_value = str(_cell_text(row.get(basis), 100)) if basis else ""
        meta.append({"field": field, "value": str(value), "basis": basis_value})
    text_html, changes = marked_text(row["text_raw"]) if "text_raw" in row.index else (html.escape(row["text"]), None)
    return {
        "metadata": pd.DataFrame(meta, columns=["field", "value", "basis"]),
        "text_html": text_html,
        "changes": changes if changes is not None else pd.DataFrame(),
        "neighbours": neighbours_of(index, doc_id, k),
        "shared": shared_with(index, doc_id, passages),
    }


def example_articles(by_document: pd.DataFrame, df: pd.DataFrame, n: int = 2) -> list[str]:
    """A few articles worth opening, from the corpus's own results: those that share the most characters
    with others (``by_document`` of :func:`directives.reuse.reuse_by_document`, its first column of
    shared characters), else the longest.

    >>> example_articles(pd.DataFrame(), pd.DataFrame({"doc_id": ["a", "b"], "n_han": [5, 9]}), n=1)
    ['b']
    """
    if len(by_document) and "doc_id" in by_document.columns:
        return [str(d) for d in by_document["doc_id"].head(n)]
    if len(by_document):
        return [str(d) for d in by_document.index[:n]]
    return [str(d) for d in df.sort_values("n_han", ascending=False)["doc_id"].head(n)]


# --------------------------------------------------------------------------- the widgets (thin layers)
_TEXT_STYLE = (
    "<style>.directives-text{white-space:pre-wrap;line-height:1.7;max-height:28em;overflow:auto;"
    "border:1px solid #ddd;padding:.5em}.directives-text mark.chg{background:#ffe08a}"
    ".directives-text del.chg{color:#999}</style>"
)


_NO_MATH = '<div class="tex2jax_ignore mathjax_ignore">{}</div>'  # $…$ in article text is not typeset


def _term_html(term: str, r: dict) -> str:
    e = html.escape
    return _NO_MATH.format(
        f"<h4>{e(term)}</h4><p>{e(r['summary'])}</p>"
        + "<p><b>In context</b></p>" + table_html(r["kwic"])
        + "<p><b>By unit</b></p>" + table_html(r["dispersion"])
        + "<p><b>Over time</b></p>" + table_html(r["over_time"])
        + "<p><b>Collocates</b></p>" + table_html(r["collocates"])
    )  # fmt: skip


def _field_table(meta: pd.DataFrame) -> str:
    """A short table of fields, escaped, left-aligned (the metadata of one article)."""
    e = html.escape
    rows = "".join(
        f"<tr><th>{e(f)}</th><td>{e(v)}</td><td>{e(b)}</td></tr>"
        for f, v, b in meta[["field", "value", "basis"]].values
    )
    return (
        '<table class="directives-fields" style="text-align:left"><thead><tr><th>field</th><th>value</th>'
        f"<th>basis</th></tr></thead><tbody>{rows}</tbody></table>"
        "<style>.directives-fields td, .directives-fields th {text-align:left !important; white-space:normal}</style>"
    )


def _article_html(doc_id: str, r: dict, label: str) -> str:
    e = html.escape
    placed = int(r["changes"]["placed"].sum()) if len(r["changes"]) else 0
    return _NO_MATH.format(
        f"<h4>{e(label)} ({e(doc_id)})</h4>" + _field_table(r["metadata"])
        + f"<p><b>Cleaned text</b>: {len(r['changes']):,} changes, {placed:,} marked where they are "
        "(yellow: repaired, grey struck through: removed)</p>"
        + f'<div class="directives-text tex2jax_ignore mathjax_ignore">{r["text_html"]}</div>' + _TEXT_STYLE
        + "<p><b>Every change</b></p>" + table_html(r["changes"])
        + "<p><b>Nearest neighbours</b> (cosine of TF-IDF)</p>" + table_html(r["neighbours"])
        + "<p><b>Passages it shares</b></p>" + table_html(r["shared"])
    )  # fmt: skip


STATIC_NOTE = (
    "<p><i>This report has no kernel, so the explorer shows its answer for {what} chosen from this corpus's "
    "results. To explore any {kind}, open <code>notebooks/{notebook}</code> in JupyterLab "
    "(<code>.venv/bin/jupyter lab</code>), run it top to bottom and use the box below this cell.</i></p>"
)


def term_explorer(
    corpus: pd.DataFrame | ExploreIndex, examples: Sequence[str] = (), static: bool = False,
    notebook: str = "02_term_frequency.ipynb",
) -> HTML | VBox:  # fmt: skip
    """A term explorer: type a word (or a regular expression, ticking *regex*) and see its keywords in
    context, its dispersion across units, its use over time and its collocates (:func:`term_report`).
    With ``static=True`` (a report, which has no kernel) it returns the answers for ``examples`` as HTML
    instead, with a sentence saying how to explore. One line in a notebook::

        term_explorer(index, examples=example_terms(keys, counts), static=REPORT)
    """
    from IPython.display import HTML

    index = as_index(corpus)
    if static:
        what = "the terms " + "、".join(examples) if examples else "no term"
        note = STATIC_NOTE.format(what=html.escape(what), kind="term or pattern", notebook=html.escape(notebook))
        shown = [_term_html(t, term_report(index, t, lines=STATIC_KWIC_LINES)) for t in examples]
        return HTML(_NO_MATH.format(note) + "".join(shown))
    import ipywidgets as w

    box = w.Text(value=examples[0] if examples else "", placeholder="a term, or a pattern", description="term",
                 continuous_update=False)  # fmt: skip
    rx = w.Checkbox(value=False, description="regex", indent=False)
    out = w.Output()

    def run(_=None):
        out.clear_output()
        with out:
            from IPython.display import display

            try:
                display(HTML(_term_html(box.value, term_report(index, box.value, regex=rx.value))))
            except (ValueError, re.error) as exc:
                print(f"cannot search for {box.value!r}: {exc}")

    box.observe(run, "value")  # on Enter or leaving the box
    rx.observe(run, "value")
    if box.value:
        run()
    return w.VBox([w.HBox([box, rx]), out])


def article_viewer(
    corpus: pd.DataFrame | ExploreIndex, examples: Sequence[str] = (), passages: pd.DataFrame | None = None,
    static: bool = False, notebook: str = "06_shared_phrases.ipynb",
) -> HTML | VBox:  # fmt: skip
    """An article viewer: choose an article (type part of its title) and see its metadata with their
    bases, its cleaned text with every change marked, its nearest neighbours and the passages it shares and
    with whom (:func:`article_report`). With ``static=True`` (a report) it returns the answers for
    ``examples`` (doc_ids) as HTML, with a sentence saying how to explore. One line in a notebook::

        article_viewer(index, examples=example_articles(by_doc, df), passages=passages, static=REPORT)
    """
    from IPython.display import HTML

    index = as_index(corpus)
    labels = index.labels
    if static:
        what = "the articles " + "、".join(labels.get(d, d) for d in examples) if examples else "no article"
        note = STATIC_NOTE.format(what=html.escape(what), kind="article", notebook=html.escape(notebook))
        shown = [_article_html(d, article_report(index, d, passages), labels.get(d, d)) for d in examples]
        return HTML(_NO_MATH.format(note) + "".join(shown))
    import ipywidgets as w

    search = w.Text(placeholder="part of a title, a region or a doc_id", description="find")
    choice = w.Dropdown(description="article", layout=w.Layout(width="70%"))
    out = w.Output()
    haystack = pd.Series(labels.to_numpy() + " " + index.doc_ids)

    def find(_=None):  # at most 200 matches offered: a vectorised substring search, milliseconds
        hits = np.flatnonzero(haystack.str.contains(search.value, regex=False).to_numpy())[:200]
        choice.options = [(f"{labels.iat[i]} · {index.doc_ids[i]}", index.doc_ids[i]) for i in hits]

    def run(_=None):
        doc = choice.value
        if doc is None:
            return
        out.clear_output()
        with out:
            from IPython.display import display

            display(HTML(_article_html(doc, article_report(index, doc, passages), labels.get(doc, doc))))

    search.observe(find, "value")
    choice.observe(run, "value")
    find()
    if examples:
        choice.value = examples[0]
    return w.VBox([search, choice, out])
