"""The corpus at any size, for the notebooks: one verb, :func:`open_corpus`.

It builds (or reads back from the cache) the partitioned dataset of :mod:`directives.dataset` and gives a
:class:`Corpus` with three things:

- ``meta``: every document's metadata (doc_id, kind, title, date, region, level … and ``n_han``; no text),
  in date order. Light at any size (100,000 articles: tens of MB), so tables of articles, places, dates
  and timelines are exact.
- ``frame``: the metadata and the heavy ``columns`` asked for (``tokens``, ``text_simplified``, ``changes``
  …) of every document when there are at most ``max_articles``; above, of a seeded random sample of
  ``max_articles`` documents, which says it is one (``frame.attrs["sample"]``, :attr:`Corpus.sampled`,
  :meth:`Corpus.scope` for sentences and :meth:`Corpus.sample_note` for figure titles). Per-document heavy
  work (near-copies, topics, shared passages, clouds of documents, explorers) runs on it.
- exact aggregates over every document, read a partition at a time: :meth:`Corpus.term_counts`,
  :meth:`Corpus.unit_counts` (each unit's term counts), :meth:`Corpus.tfidf` (the fitted model),
  :meth:`Corpus.changes` (every change cleaning made) and :meth:`Corpus.rows` (chosen documents whole).

Below ``max_articles`` the frame is the whole corpus and every analysis is what it always was; above, the
counts stay exact and only what is per document is sampled.

>>> corpus = open_corpus(paths.SEEDS_DIR, columns=["tokens"], cache_dir=None)
>>> corpus.sampled, corpus.scope(), len(corpus.frame) == len(corpus.meta)
(False, 'all 5 articles', True)
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import cache, paths
from .corpus import COLUMNS, select_kinds

if TYPE_CHECKING:
    from .dataset import CorpusDataset
    from .tfidf import TfidfModel
    from .units import Units

# Above this many documents a notebook's per-document work runs on a seeded sample of this many. 5,000 keeps the
# heaviest per-document steps to about 20 s each on a 2-core machine and under 1 GB (shared passages: 35 s and
# 1.7 GB at 10,000 articles, growing a little faster than the articles; near-copies 43 s at 10,000; exact
# neighbours 16 s at 10,000, growing with the square; see benchmarks/README.md), so that the whole collection
# fits in a few minutes at any size; the two real corpora of ../shared/corpora (2,109 and 221 items) are below it
# and run whole.
MAX_ARTICLES_IN_MEMORY = 5_000
HEAVY_COLUMNS = ("text_raw", "text", "text_simplified", "changes", "all_tokens", "tokens")
META_COLUMNS = [c for c in COLUMNS if c not in HEAVY_COLUMNS]
__all__ = ["MAX_ARTICLES_IN_MEMORY", "Corpus", "open_corpus"]


def _date_order(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order :func:`~directives.load_corpus` gives: by date (undated last), ties by doc_id."""
    return df.sort_values(["date", "doc_id"], na_position="last", kind="stable", ignore_index=True)


def _frame(tables: list, columns: list[str]) -> pd.DataFrame:
    import pyarrow as pa

    if not tables:
        return pd.DataFrame(columns=columns)
    df = pa.concat_tables(tables).to_pandas()  # the same dtypes as load_corpus's frame
    if "changes" in df:
        df["changes"] = pd.Series([json.loads(c) for c in df["changes"]], index=df.index, dtype=object)
    return df


@dataclass
class Corpus:
    """A corpus opened by :func:`open_corpus`: its dataset, ``meta`` (every document, no text), ``frame``
    (the columns asked for: every document, or a seeded sample above ``max_articles``) and exact aggregates.

    >>> corpus = open_corpus(paths.SEEDS_DIR, columns=["tokens"], max_articles=2, cache_dir=None)
    >>> corpus.sampled, len(corpus.frame), corpus.scope()
    (True, 2, 'a random sample of 2 (seed 0) of the 5 articles')
    """

    dataset: CorpusDataset
    meta: pd.DataFrame
    frame: pd.DataFrame
    kinds: tuple[str, ...] | None
    max_articles: int
    seed: int = 0
    cache_dir: str | Path | None = cache.DEFAULT

    @property
    def sampled(self) -> bool:
        """True when ``frame`` is a sample of the documents, not all of them.

        >>> open_corpus(paths.SEEDS_DIR, cache_dir=None).sampled
        False
        """
        return len(self.frame) < len(self.meta)

    def scope(self, noun: str = "articles") -> str:
        """What ``frame`` holds, for a sentence: ``all 5 articles`` or ``a random sample of 10,000 (seed 0) of
        the 100,000 articles``.

        >>> open_corpus(paths.SEEDS_DIR, max_articles=3, cache_dir=None).scope()
        'a random sample of 3 (seed 0) of the 5 articles'
        """
        if not self.sampled:
            return f"all {len(self.meta):,} {noun}"
        return f"a random sample of {len(self.frame):,} (seed {self.seed}) of the {len(self.meta):,} {noun}"

    def sample_note(self, noun: str = "articles") -> str:
        """For a figure's title: empty when ``frame`` is the whole corpus, else ``" (a random sample of 3 of
        5 articles)"``.

        >>> open_corpus(paths.SEEDS_DIR, max_articles=3, cache_dir=None).sample_note()
        ' (a random sample of 3 of 5 articles)'
        """
        if not self.sampled:
            return ""
        return f" (a random sample of {len(self.frame):,} of {len(self.meta):,} {noun})"

    def _kinds(self):
        return None if self.kinds is None else list(self.kinds)

    def term_counts(self) -> pd.DataFrame:
        """Every term's count, share per 1,000 tokens and documents holding it, over every document (exact at
        any size, from the dataset's cached totals): what :func:`directives.analysis.term_counts` gives for the
        whole corpus's frame.

        >>> corpus = open_corpus(paths.SEEDS_DIR, columns=["tokens"], cache_dir=None)
        >>> from directives.analysis import term_counts
        >>> corpus.term_counts().equals(term_counts(corpus.frame))
        True
        """
        from .dataset import term_totals

        totals = term_totals(self.dataset, kinds=self._kinds(), cache_dir=self.cache_dir)
        out = pd.DataFrame({
            "term": pd.Series(totals["term"].to_numpy(), dtype="str"),
            "count": totals["count"].to_numpy(np.int64),
            "docs": totals["documents"].to_numpy(np.int64),
        })  # fmt: skip
        out["per_1000"] = out["count"] / max(int(out["count"].sum()), 1) * 1000
        out = out[["term", "count", "per_1000", "docs"]]
        return out.sort_values(["count", "term"], ascending=[False, True], ignore_index=True)

    def tfidf(self) -> TfidfModel:
        """The TF-IDF model fitted on every document (:func:`directives.dataset.fit_tfidf`, a partition at a
        time, cached), its rows in the order of ``meta``: the same vocabulary, idf and matrix as
        ``TfidfModel().fit`` of the whole corpus's frame.

        >>> from directives.tfidf import TfidfModel
        >>> corpus = open_corpus(paths.SEEDS_DIR, columns=["tokens"], cache_dir=None)
        >>> model, direct = corpus.tfidf(), TfidfModel().fit(corpus.frame)
        >>> (model.doc_ids_ == direct.doc_ids_).all(), abs(model.matrix_ - direct.matrix_).max() < 1e-6
        (np.True_, np.True_)
        """
        from .dataset import fit_tfidf

        model = fit_tfidf(self.dataset, kinds=self._kinds(), cache_dir=self.cache_dir)
        return model.subset(self.meta["doc_id"].to_numpy())

    def unit_counts(self, units: Units) -> pd.DataFrame:
        """Each unit's term counts over every document of the unit (exact at any size): the frame
        ``term_counts(units.pooled(frame), by_doc=True)`` gives for the whole corpus (columns doc_id, the unit;
        term; count; per_1000), counted a partition at a time for units that group documents.

        >>> from directives.analysis import term_counts
        >>> from directives.units import units_of
        >>> corpus = open_corpus(paths.SEEDS_DIR, columns=["tokens", "all_tokens"], cache_dir=None)
        >>> units = units_of(corpus.meta, max_units=2)
        >>> corpus.unit_counts(units).equals(term_counts(units.pooled(corpus.frame), by_doc=True))
        True
        """
        from .analysis import term_counts

        if units.name == "article" and not self.sampled:
            return term_counts(self.frame[["doc_id", "tokens"]], by_doc=True)
        names = list(units.labels)
        # kept in the cache under the units too (notebooks 02 and 05 count the same units: read once)
        of = units.of.dropna()
        grouping = hashlib.sha1("\x00".join([*map(str, names), "\x01", *map(str, of.index), "\x01",
                                             *map(str, of.to_numpy())]).encode()).hexdigest()  # fmt: skip
        return self._cached("unit_counts", lambda: self._unit_counts(units, names), grouping)

    def _unit_counts(self, units: Units, names: list[str]) -> pd.DataFrame:
        """:meth:`unit_counts` of units that group documents, counted a partition at a time."""
        from scipy import sparse

        from .counting import token_counts
        from .dataset import _read_partition

        number = {u: i for i, u in enumerate(names)}
        vocab = self.term_counts()["term"].sort_values().to_numpy(dtype=str)  # sorted: searchsorted maps into it
        total = np.zeros((len(names), len(vocab)), np.int64)
        kinds = None if self.kinds is None else tuple(self.kinds)
        for path in self.dataset.files:
            table = _read_partition(str(path), ["doc_id", "tokens"], kinds)
            unit = units.of.reindex(table.column("doc_id").to_pandas().to_numpy()).map(number).to_numpy()
            rows = np.flatnonzero(pd.notna(unit))
            if not len(rows):
                continue
            counts, local = token_counts(table.column("tokens").to_pandas().iloc[rows].reset_index(drop=True))
            member = sparse.csr_matrix(
                (np.ones(len(rows), np.float32), (unit[rows].astype(np.int64), np.arange(len(rows)))),
                shape=(len(names), len(rows)),
            )
            pooled = (member @ counts).toarray()
            total[:, np.searchsorted(vocab, local)] += np.rint(pooled).astype(np.int64)
        u, t = np.nonzero(total)
        out = pd.DataFrame({"doc_id": np.asarray(names, dtype=object)[u], "term": pd.Series(vocab[t], dtype="str"),
                            "count": total[u, t]})  # fmt: skip
        out["doc_id"] = out["doc_id"].astype(str)
        out["per_1000"] = out["count"] / out.groupby("doc_id")["count"].transform("sum") * 1000
        return out.sort_values(["doc_id", "count", "term"], ascending=[True, False, True], ignore_index=True)

    def rows(self, doc_ids, columns: list[str]) -> pd.DataFrame:
        """The documents ``doc_ids`` (any of them, sampled or not) with ``columns``, in date order.

        >>> open_corpus(paths.SEEDS_DIR, cache_dir=None).rows(["000"], ["text_raw"]).shape[0] <= 1
        True
        """
        import pyarrow.compute as pc

        wanted = list(dict.fromkeys(["doc_id", "date", *columns]))
        ids = [str(d) for d in doc_ids]
        tables = []
        for table in self.dataset.read(wanted, None):
            table = table.filter(pc.is_in(table.column("doc_id"), value_set=_strings(ids)))
            if len(table):
                tables.append(table)
        return _date_order(_frame(tables, wanted))[list(dict.fromkeys(["doc_id", *columns]))]

    def map_partitions(self, fn: Callable[[pd.DataFrame], pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        """``fn`` applied to every document, a partition at a time (each a frame of doc_id, date and ``columns``
        of the documents of the corpus's kinds; on all cores, in forked workers, so ``fn`` may be a lambda), the
        results concatenated in the order of ``meta`` (by the documents' ``doc_id``, stably): exact per-document
        work (counts of phrases, formulas, dictionary matches) at any size with a partition's text in memory.

        >>> corpus = open_corpus(paths.SEEDS_DIR, cache_dir=None)
        >>> corpus.map_partitions(lambda part: part[["doc_id"]].assign(n=part.text.str.len()), ["text"]).shape
        (5, 2)
        """
        global _TASK

        wanted = list(dict.fromkeys(["doc_id", "date", *columns]))
        specs = [(str(path), wanted, self.kinds) for path in self.dataset.files]
        processes = min(os.cpu_count() or 1, len(specs))
        if processes > 1 and "fork" in multiprocessing.get_all_start_methods():
            from concurrent.futures import ProcessPoolExecutor

            _TASK = fn  # forked workers inherit it: a lambda or a closure need not be pickled
            try:
                with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
                    parts = list(pool.map(_run_partition, specs))
            finally:
                _TASK = None
        else:
            parts = [fn(_frame([table], wanted)) for table in self.dataset.read(wanted, self.kinds)]
        parts = [p for p in parts if len(p)]
        if not parts:
            return fn(_frame([], wanted))
        out = pd.concat(parts, ignore_index=True)
        if "doc_id" in out.columns:
            rank = pd.Series(np.arange(len(self.meta)), index=self.meta["doc_id"].to_numpy())
            order = np.argsort(rank.reindex(out["doc_id"].to_numpy()).to_numpy(), kind="stable")
            out = out.iloc[order].reset_index(drop=True)
        return out

    def formulas(self) -> pd.DataFrame:
        """Every numbered formula of every document (:func:`directives.reuse.find_formulas` of
        ``text_simplified``, a partition at a time on all cores), in the order of ``meta``: exact at any size.
        Kept in the cache beside the dataset, as Parquet, under the dataset's key, the kinds and the package's
        code, so the notebooks that count formulas (06, 07) find them once.

        >>> from directives.reuse import find_formulas
        >>> corpus = open_corpus(paths.SEEDS_DIR, columns=["text_simplified"], cache_dir=None)
        >>> corpus.formulas().equals(find_formulas(corpus.frame))
        True
        """
        from .reuse import find_formulas

        return self._cached("formulas", lambda: self.map_partitions(find_formulas, ["text_simplified"]))

    def _cached(self, kind: str, make: Callable[[], pd.DataFrame], *parts: object) -> pd.DataFrame:
        """The table ``make`` gives, kept in the cache as Parquet under the dataset's key, the kinds, the code
        and any other ``parts`` it depends on (read back, never recomputed, while none of them changes)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = cache.cache_dir(self.cache_dir)
        if folder is None or not self.dataset.key:
            return make()
        entry = cache.entry_path(folder, kind, cache.cache_key(kind, self.dataset.key, self.kinds, *parts), "parquet")

        def make_and_keep() -> pd.DataFrame:
            table = make()
            arrow = pa.Table.from_pandas(table, preserve_index=False)
            cache.write_entry(entry, lambda tmp: pq.write_table(arrow, tmp))
            return table

        # (made once: a notebook that needs it while another makes it waits and reads it)
        return cache.read_or_make(entry, lambda path: pq.read_table(path).to_pandas(), make_and_keep)

    def changes(self) -> pd.DataFrame:
        """Every change cleaning made to every document (exact at any size; only ``doc_id`` and ``changes``
        are read): what :func:`directives.corpus.cleaning_report` gives for the whole corpus's frame.

        >>> from directives.corpus import cleaning_report, load_corpus
        >>> len(open_corpus(paths.SEEDS_DIR, cache_dir=None).changes()) == len(cleaning_report(load_corpus()))
        True
        """
        from .corpus import cleaning_report

        tables = list(self.dataset.read(["doc_id", "date", "changes"], self.kinds))
        return cleaning_report(_date_order(_frame(tables, ["doc_id", "date", "changes"])))


_TASK: Callable | None = None  # the function of the running map_partitions, for its forked workers


def _run_partition(spec: tuple[str, list[str], tuple | None]) -> pd.DataFrame:
    """Worker of :meth:`Corpus.map_partitions`: the function applied to one partition's documents."""
    from .dataset import _read_partition

    path, wanted, kinds = spec
    return _TASK(_frame([_read_partition(path, wanted, kinds)], wanted))


def _strings(values: list[str]):
    import pyarrow as pa

    return pa.array(values, pa.large_string())


def open_corpus(
    path: str | Path = paths.SEEDS_DIR,
    *,
    columns: list[str] | tuple[str, ...] = (),
    kinds: str | list[str] | tuple[str, ...] | None = ("article",),
    max_articles: int = MAX_ARTICLES_IN_MEMORY,
    seed: int = 0,
    problems: list[tuple[str, str]] | None = None,
    strict: bool = False,
    cache_dir: str | Path | None = cache.DEFAULT,
    client: Any = None,
    partition_rows: int | None = None,
) -> Corpus:
    """Open the corpus at ``path`` (what :func:`~directives.load_corpus` reads) at any size: its partitioned
    dataset (built once and cached; on Dask with ``client``), every document's metadata as ``meta``, and as
    ``frame`` the metadata plus the heavy ``columns`` (``tokens``, ``all_tokens``, ``text_simplified``,
    ``text``, ``text_raw``, ``changes``) of every document of ``kinds``, or of a seeded random sample of
    ``max_articles`` when there are more (the frame says so: ``frame.attrs["sample"]``). Both frames are in
    date order, with the dtypes of :func:`~directives.load_corpus`'s frame (``changes`` as lists). Problems
    are reported as by :func:`~directives.load_corpus`. ``partition_rows`` is the dataset's partition size
    (:data:`directives.dataset.PARTITION_ROWS` by default).

    >>> corpus = open_corpus(paths.SEEDS_DIR, columns=["text_simplified"], cache_dir=None)
    >>> list(corpus.frame.columns[-2:]), corpus.frame.attrs["sample"]
    (['n_han', 'text_simplified'], None)
    """
    from .dataset import PARTITION_ROWS, build_dataset, sample_frame

    if kinds is not None:
        select_kinds(pd.DataFrame({"kind": []}), kinds)  # unknown kinds raise here, as load_corpus's do
        kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    ds = build_dataset(path, cache_dir=cache_dir, client=client, strict=strict, problems=problems,
                       partition_rows=partition_rows or PARTITION_ROWS)  # fmt: skip
    meta = _date_order(_frame(list(ds.read(META_COLUMNS, kinds)), META_COLUMNS))
    heavy = [c for c in columns if c not in META_COLUMNS]
    if len(meta) <= max_articles:
        frame = meta.copy() if not heavy else meta.merge(_frame(list(ds.read(["doc_id", *heavy], kinds)), ["doc_id"]),
                                                  on="doc_id", how="left", validate="one_to_one")  # fmt: skip
        frame.attrs["sample"] = None
    else:
        drawn = sample_frame(ds, max_articles, seed=seed, columns=["doc_id", "date", *heavy], kinds=kinds)
        info = drawn.attrs["sample"]
        if "changes" in drawn:
            drawn["changes"] = [json.loads(c) for c in drawn["changes"]]
        drawn = drawn.drop(columns="date").astype({c: "str" for c in heavy if c != "changes"})
        frame = meta.merge(drawn.astype({"doc_id": "str"}), on="doc_id", how="inner", validate="one_to_one")
        frame.attrs["sample"] = info
    meta.attrs["sample"] = None
    return Corpus(ds, meta, frame, kinds, max_articles, seed, cache_dir)
