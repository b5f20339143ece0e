"""A corpus of any size as a partitioned Parquet dataset: loaded, cleaned, converted and segmented a
partition at a time, on this machine's cores or on a Dask cluster, so that memory follows the partition,
not the corpus.

:func:`build_dataset` lists the corpus, cuts its files (or a table's rows) into partitions of at most
``partition_rows`` articles, and has each partition read, cleaned, converted to simplified characters and
segmented by one worker, which writes it as one Parquet file (``part-00000.parquet`` …) with every column
of :func:`~directives.load_corpus`'s frame plus ``all_tokens`` and ``tokens``. The parent keeps only what
deduplication needs (four short columns a partition) and removes exact duplicates across partitions in
corpus order, as :func:`~directives.load_corpus` does. The dataset is the cache of the cleaned corpus and
its tokens: it lives in the cache folder under a key of the corpus's files, the options and the package's
code, is written to a temporary folder and renamed when complete, and is rebuilt when damaged.

Analyses then read only the columns they need, a partition at a time (:meth:`CorpusDataset.read`), and
aggregate: :func:`term_totals` (counts and document frequencies) and :func:`fit_tfidf` (the fitted
:class:`~directives.tfidf.TfidfModel`, the same matrix as ``TfidfModel().fit`` of the whole frame).

The same stages run on Dask when a ``client`` is given: a ``distributed.Client``, a scheduler address
(``"tcp://host:8786"``), or, when the argument is None, the address in the environment variable
``DIRECTIVES_SCHEDULER``. Every worker builds its own segmenter on first use (it never travels); the
corpus and the dataset's folder must be on storage every worker can read and write.

>>> ds = build_dataset(paths.SEEDS_DIR, cache_dir=None)
>>> len(ds) == len(load_corpus(paths.SEEDS_DIR, cache_dir=None)), "tokens" in ds.columns
(True, True)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import cache, paths
from ._parallel import ordered_map, release_memory
from ._progress import progress_bar
from .corpus import (
    COLUMNS,
    PARALLEL_MIN_CHARS,
    CorpusError,
    _folder_items,
    _hash_file,
    _hash_listed,
    _list_folder,
    _load_chunk,
    _problem,
    _report_problems,
    _sorted_table,
    _table_listing,
    _table_partitions,
    _to_frame,
    kept_rows,
    load_corpus,  # noqa: F401  (the examples compare with it)
    prepare_workers,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from .tfidf import TfidfModel

PARTITION_ROWS = 5_000  # articles in a partition at most (about 25 MB of text, well under 1 GB in a worker)
PARTITION_CHARS = 20_000_000  # and about this many characters at most
TOKEN_COLUMNS = ["all_tokens", "tokens"]
SCHEDULER_ENV = "DIRECTIVES_SCHEDULER"
_MANIFEST = "manifest.json"
# The modules whose code makes the dataset's contents (listing and reading the files, decoding and repairs,
# cleaning and its patterns, conversion, dates, places, segmentation, the partitions' writing): the dataset's
# key hashes these and every data file, not the whole package, so an edit of an analysis module (reuse,
# echoes, tfidf, the aggregates' code …) does not rebuild a large corpus's dataset. tests/test_dataset.py
# fails when a module whose code runs in a build, or one these import, is missing here.
DATASET_MODULES = ("_lm", "_parallel", "_parquet", "_progress", "cache", "changes", "clean", "convert",
                   "corpus", "dataset", "dates", "gbk", "paths", "patterns", "places", "reading", "tokens")  # fmt: skip
__all__ = ["CorpusDataset", "build_dataset", "dask_client", "fit_tfidf", "sample_frame", "term_totals", "unit_totals"]


# --------------------------------------------------------------------------- the engine
def dask_client(client: Any = None):
    """The Dask client to run on: ``client`` itself (a ``distributed.Client``), a client connected to it (a
    scheduler address), or, when None, one connected to ``DIRECTIVES_SCHEDULER``; None when neither is
    given (the local path: this machine's cores).

    >>> dask_client(None) is None  # with DIRECTIVES_SCHEDULER unset
    True
    """
    if client is None:
        client = os.environ.get(SCHEDULER_ENV) or None
    if client is None:
        return None
    if isinstance(client, str):
        from distributed import Client

        known = _CLIENTS.get(client)
        if known is None or known.status != "running":  # one client per address, reused by every call
            known = _CLIENTS[client] = Client(client)
        return known
    return client


_CLIENTS: dict[str, Any] = {}


def _engine_map(
    fn: Callable, items: Iterable, client, processes: int, window: int | None = None, prepare: Callable | None = None
) -> Iterator:
    """``map(fn, items)`` in order: on the Dask ``client`` when there is one (at most ``window`` tasks
    submitted ahead, so a large corpus's work is described as it is needed), else over ``processes``
    local worker processes (which inherit what ``prepare`` builds: see :func:`~directives._parallel.ordered_map`)."""
    if client is None:
        yield from ordered_map(fn, items, processes, prepare=prepare)
        return
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    window = window or workers * 3
    pending: deque = deque()
    for item in items:
        pending.append(client.submit(fn, item, pure=False))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


AGGREGATE_MIN_PARTITIONS = 4  # from this many partitions, counts and TF-IDF rows are made on all cores


def _aggregate_processes(partitions: int) -> int:
    """Local worker processes for a pass over ``partitions`` partitions (one: no pool to start for a few)."""
    return min(os.cpu_count() or 1, partitions) if partitions >= AGGREGATE_MIN_PARTITIONS else 1


# --------------------------------------------------------------------------- one partition
def _partition_schema():
    import pyarrow as pa

    from .corpus import _arrow_schema

    schema = _arrow_schema()
    return schema.append(pa.field("all_tokens", pa.large_string())).append(pa.field("tokens", pa.large_string()))


def _build_partition(spec: tuple[str, list, str, bool]) -> dict:
    """Worker: read, clean, convert and segment one partition's items and write it as Parquet to
    ``path``. Returns what the parent needs to deduplicate: the problems met and four short columns; and,
    when ``spec[3]``, each file's content digest (the cache key of a corpus never hashed before)."""
    import pyarrow as pa

    from ._parquet import write_parquet
    from .tokens import _segment_and_filter

    kind, items, path, digest = spec
    t0, thread0 = time.process_time(), time.thread_time()
    batch, problems, *digests = _load_chunk((kind, items, digest))
    t1 = time.process_time()
    texts = batch.column("text_simplified").to_pylist()
    all_tokens, tokens = _segment_and_filter((texts, {}))
    del texts
    t2 = time.process_time()
    table = pa.Table.from_batches([batch]).append_column("all_tokens", all_tokens).append_column("tokens", tokens)
    write_parquet(table.cast(_partition_schema()), Path(path))
    t3, thread3 = time.process_time(), time.thread_time()
    # the steps by the process's CPU time; "other_threads": what the worker's other threads used meanwhile
    # (none in a pool worker; a Dask worker's event loop, profiler and monitors)
    cpu = {"load_clean_convert": t1 - t0, "segment": t2 - t1, "write": t3 - t2,
           "other_threads": (t3 - t0) - (thread3 - thread0)}  # fmt: skip
    columns = {c: table.column(c).to_pylist() for c in ("source_file", "n_han", "digest", "kind")}
    del table, batch
    release_memory()
    out = {"rows": len(columns["digest"]), "problems": problems, "cpu": cpu, **columns}
    return {**out, "file_digests": digests[0]} if digests else out


def _partitions(items: list, sizes: list[int], rows: int, chars: int) -> list[tuple[int, int]]:
    """(start, stop) of each partition: at most ``rows`` items and, past the first, ``chars`` characters."""
    bounds, start, acc = [], 0, 0
    for i, size in enumerate(sizes):
        if i > start and (i - start >= rows or acc + size > chars):
            bounds.append((start, i))
            start, acc = i, 0
        acc += size
    if start < len(items):
        bounds.append((start, len(items)))
    return bounds


# --------------------------------------------------------------------------- the dataset
@dataclass
class CorpusDataset:
    """A cleaned and segmented corpus on disk: one Parquet file per partition, in corpus order (files by
    path, table rows by number; not by date). ``problems`` are the load's, as ``(where, problem)``;
    ``cpu_seconds`` the workers' CPU time by step when it was just built.

    >>> ds = build_dataset(paths.SEEDS_DIR, cache_dir=None)
    >>> sum(len(t) for t in ds.read(["doc_id"])) == len(ds)
    True
    """

    folder: Path
    partitions: list[str]
    rows: list[int]
    key: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # of the build's workers by step (empty when cached)

    @property
    def files(self) -> list[Path]:
        """The partitions' Parquet files, in order.

        >>> [p.name for p in build_dataset(paths.SEEDS_DIR, cache_dir=None).files]
        ['part-00000.parquet']
        """
        return [self.folder / name for name in self.partitions]

    @property
    def columns(self) -> list[str]:
        """Every column a partition holds.

        >>> build_dataset(paths.SEEDS_DIR, cache_dir=None).columns[-2:]
        ['all_tokens', 'tokens']
        """
        return [*COLUMNS, "digest", *TOKEN_COLUMNS]

    def __len__(self) -> int:
        return int(sum(self.rows))

    def read(self, columns: list[str] | None = None, kinds: Iterable[str] | str | None = None) -> Iterator[pa.Table]:
        """Each partition as an Arrow table of ``columns`` only (all when None), with only the rows whose
        ``kind`` is among ``kinds`` (all rows when None); one partition in memory at a time.

        >>> ds = build_dataset(paths.SEEDS_DIR, cache_dir=None)
        >>> [t.column_names for t in ds.read(["doc_id", "tokens"], kinds="article")]
        [['doc_id', 'tokens']]
        """
        for path in self.files:
            yield _read_partition(str(path), columns, kinds)

    def to_frame(
        self, columns: list[str] | None = None, kinds: Iterable[str] | str | None = ("article",)
    ) -> pd.DataFrame:
        """The whole dataset as one DataFrame (for a corpus that fits in memory): with every column, the
        frame :func:`~directives.load_corpus` returns (date order, ``changes`` as lists) plus the tokens; with
        ``columns``, those columns in corpus order.

        >>> ds = build_dataset(paths.SEEDS_DIR, cache_dir=None)
        >>> ds.to_frame(["doc_id", "n_han"]).n_han.gt(0).all()
        np.True_
        """
        import pyarrow as pa

        if columns is None:
            tables = list(self.read(None, kinds))
            table = pa.concat_tables(tables) if tables else _partition_schema().empty_table()
            batches = table.to_batches()
            del tables, table
            tokens = pa.Table.from_batches(batches).select(["doc_id", *TOKEN_COLUMNS])
            df = _to_frame(_sorted_table(batches, _partition_schema()))
            tok = tokens.to_pandas(types_mapper=_arrow_strings).set_index("doc_id")
            for c in TOKEN_COLUMNS:
                df[c] = tok[c].reindex(df["doc_id"]).array
            return df
        tables = list(self.read(columns, kinds))
        if not tables:
            return pd.DataFrame(columns=columns)
        return pa.concat_tables(tables).to_pandas(types_mapper=_arrow_strings)


def _arrow_strings(dtype):
    import pyarrow as pa

    if dtype in (pa.large_string(), pa.string()):
        return pd.StringDtype("pyarrow")
    return None


def _read_partition(path: str, columns: list[str] | None, kinds) -> pa.Table:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if isinstance(kinds, str):
        kinds = [kinds]
    if kinds is None:
        return pq.read_table(path, columns=columns)
    wanted = list(columns) if columns is not None else None
    read = wanted if wanted is None or "kind" in wanted else [*wanted, "kind"]
    table = pq.read_table(path, columns=read)
    table = table.filter(pc.is_in(table.column("kind"), value_set=_string_array(list(kinds))))
    return table if wanted is None else table.select(wanted)


def _string_array(values: list[str]):
    import pyarrow as pa

    return pa.array(values, pa.large_string())


def _files_key(path: Path, files: list[tuple], digests: list[bytes]) -> str:
    """The corpus's files (names and contents) and where it is; not the code's version, which
    :func:`_dataset_key` adds for :data:`DATASET_MODULES` only."""
    h = hashlib.sha1(str(path.resolve()).encode())
    for f, digest in zip(files, digests, strict=True):
        h.update(b"\x00" + f[1].encode() + b"\x00" + digest)
    return h.hexdigest()


def _dataset_key(corpus: str, partition_rows: int) -> str:
    from .tokens import _options_key, dictionary_version

    return cache.cache_key(
        "dataset", corpus, partition_rows, dictionary_version(), _options_key({}), modules=DATASET_MODULES
    )


def _built_before(root: Path, corpus: Path) -> bool:
    """Whether the cache folder holds a dataset of the corpus at this path (any version of its files)."""
    where = str(corpus.resolve())
    for manifest in root.glob(f"dataset-*/{_MANIFEST}"):
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("corpus") == where:
                return True
        except (OSError, ValueError):
            continue
    return False


def _read_manifest(folder: Path) -> CorpusDataset:
    meta = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    ds = CorpusDataset(folder, meta["partitions"], meta["rows"], meta["key"], [tuple(p) for p in meta["problems"]])
    import pyarrow.parquet as pq

    for path, size, rows in zip(ds.files, meta["bytes"], ds.rows, strict=True):
        if path.stat().st_size != size:  # a partition cut short or replaced
            raise ValueError(f"{path.name} has {path.stat().st_size} bytes, the manifest says {size}")
        if pq.read_metadata(path).num_rows != rows:  # (a garbled footer fails here too)
            raise ValueError(f"{path.name} does not hold the {rows} rows the manifest says")
    return ds


def _open_cached(folder: Path) -> CorpusDataset | None:
    """The dataset in ``folder``, or None when there is none; a damaged one is reported, removed, and None."""
    if not folder.is_dir():
        return None
    try:
        found = _read_manifest(folder)
        os.utime(folder / _MANIFEST)  # used now: eviction removes the least recently used first
        return found
    except Exception as exc:  # any failure to read means the dataset is damaged
        warnings.warn(f"{folder}: damaged dataset ({type(exc).__name__}: {exc}); removed, rebuilding",
                      cache.CacheWarning, stacklevel=3)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
        return None


def build_dataset(
    path: str | Path = paths.SEEDS_DIR,
    *,
    cache_dir: str | Path | None = cache.DEFAULT,
    client: Any = None,
    processes: int | None = None,
    partition_rows: int = PARTITION_ROWS,
    strict: bool = False,
    problems: list[tuple[str, str]] | None = None,
) -> CorpusDataset:
    """Load, clean, convert and segment the corpus at ``path`` (what :func:`~directives.load_corpus`
    reads) into a partitioned Parquet dataset, a partition at a time: on this machine's ``processes`` (all
    cores for a large corpus), or on Dask when ``client`` (a client or a scheduler address) or the
    ``DIRECTIVES_SCHEDULER`` environment variable is given. Both give the same dataset.

    The dataset is kept in the cache folder (``cache_dir``; with None, a new temporary folder) and read
    back when nothing changed (the corpus's files, the options, the package's code). Problems are reported
    as by :func:`~directives.load_corpus`: one :class:`~directives.corpus.CorpusWarning` per kind, or into
    the ``problems`` list, and ``strict=True`` raises :class:`~directives.corpus.CorpusError`.

    >>> ds = build_dataset(paths.SEEDS_DIR, cache_dir=None)
    >>> ds.to_frame(["doc_id", "tokens"]).tokens.str.contains("压实").any()
    np.True_
    """
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: no such folder or file")
    listing, unreadable = _list_folder(path) if path.is_dir() else (None, [])
    root = cache.cache_dir(cache_dir)
    # The key needs every file's digest. Files the index knows unchanged are not read; the others are read
    # here, unless this corpus was never built in this cache (no index, no dataset of it): then nothing can
    # be found, and the workers digest the bytes they read anyway, so the key is made after the build.
    files = listing if listing is not None else _table_listing(path)
    index = cache.FileIndex(root, path)
    digests = index.lookup(files)
    checked = time.time_ns()
    deferred = listing is not None and (root is None or (not index.found and not _built_before(root, path)))
    txt = [deferred and f[1].lower().endswith(".txt") for f in files]
    todo = [b"" if t else d for d, t in zip(digests, txt, strict=True)]  # b"": the worker's to digest
    readable = _hash_listed(files, todo)
    digests = [d if t else done for d, t, done in zip(digests, txt, todo, strict=True)]
    key = None if deferred else _dataset_key(_files_key(path, files, digests), partition_rows)
    if root is not None and key is not None:
        found = _open_cached(root / f"dataset-{key}")
        if found is not None:
            index.save(files, [d if ok else None for d, ok in zip(digests, readable, strict=True)], checked)
            for where, message in found.problems:
                _problem(where, message, strict)
            _report_problems(found.problems, problems)
            return found
    met: list[tuple[str, str]] = []

    def problem(where, message):
        met.append((str(where), message))
        _problem(where, message, strict)

    for where, message in unreadable:
        problem(where, message)
    if listing is not None:
        kind, (items, sizes) = "file", _folder_items(path, listing, problem)
        bounds = _partitions(items, sizes, partition_rows, PARTITION_CHARS)
        parts = (items[a:b] for a, b in bounds)
        several, chars, total = len(bounds) > 1, sum(sizes), len(bounds)
        sample = items[0][0] if items else None  # (confirms a legacy encoding once)
    else:  # a table is read as a stream, a partition at a time
        kind, items, sizes = "row", None, None
        parts = _table_partitions(path, problem, partition_rows, PARTITION_CHARS)
        several, chars, total = True, files[0][2], None  # (its size on disk: compressed, it holds more)
        sample = None
    del listing
    parent = root if root is not None else Path(tempfile.mkdtemp(prefix="directives-dataset-"))
    work = parent / f".dataset-{uuid.uuid4().hex}.tmp"
    work.mkdir(parents=True)
    target = None
    try:
        names: list[str] = []

        def specs(parts):
            for part in parts:
                names.append(f"part-{len(names):05d}.parquet")
                yield kind, part, str(work / names[-1]), deferred

        engine = dask_client(client)
        processes = processes or os.cpu_count() or 1
        local = processes if processes >= 2 and chars >= PARALLEL_MIN_CHARS and several else 1
        seen: dict[str, str] = {}
        rows, drops, cpu, worker_digests = [], [], {}, []
        bar = progress_bar(total=total, desc="partitions")
        prepare = partial(prepare_workers, sample)
        for result in _engine_map(_build_partition, specs(parts), engine, local, prepare=prepare):
            for where, message in result["problems"]:
                problem(where, message)
            keep = _deduplicate(result, seen, problem)
            rows.append(int(sum(keep)))
            for step, seconds in result["cpu"].items():
                cpu[step] = cpu.get(step, 0.0) + seconds
            drops.append(None if all(keep) else keep)
            worker_digests.extend(result.get("file_digests", ()))
            bar.update(1)
        bar.close()
        del items, sizes, parts, seen
        if deferred:  # the .txt files' digests, in listing order, from the workers that read them
            where_txt = [i for i, t in enumerate(txt) if t]
            for i, digest in zip(where_txt, worker_digests, strict=True):
                digests[i], readable[i] = (digest, True) if digest is not None else _hash_file(files[i][0])
            key = _dataset_key(_files_key(path, files, digests), partition_rows)
        del worker_digests
        target = (root if root is not None else parent) / (f"dataset-{key}" if root is not None else "dataset")
        for name, keep in zip(names, drops, strict=True):
            if keep is not None:
                _filter_partition(work / name, keep)
        manifest = {"key": key, "corpus": str(path.resolve()), "partitions": names, "rows": rows, "problems": met,
                    "bytes": [(work / name).stat().st_size for name in names]}  # fmt: skip
        (work / _MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        if root is not None:  # before the dataset is in place: writing the index may trim the folder
            index.save(files, [d if ok else None for d, ok in zip(digests, readable, strict=True)], checked)
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
        if root is None and (target is None or not target.exists()):
            shutil.rmtree(parent, ignore_errors=True)
    if root is not None:
        cache.evict(root, keep=target)
    release_memory()
    _report_problems(met, problems)
    dataset = CorpusDataset(target, names, rows, key, met, cpu)
    if root is None:  # a dataset outside the cache lives as long as the object: its folder goes with it
        weakref.finalize(dataset, shutil.rmtree, target.parent, True)
    return dataset


def _deduplicate(result: dict, seen: dict[str, str], problem) -> list[bool]:
    """Which rows of a partition are kept: not empty after cleaning, not a duplicate of an earlier item
    (in corpus order, across partitions), as :func:`~directives.load_corpus` decides."""
    columns = (result[c] for c in ("source_file", "n_han", "digest", "kind"))
    return kept_rows(*columns, seen=seen, problem=problem)


def _filter_partition(path: Path, keep: list[bool]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ._parquet import write_parquet

    table = pq.read_table(path).filter(pa.array(keep))
    tmp = path.with_name(f".{path.name}.tmp")
    write_parquet(table, tmp)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- counts and TF-IDF
def _partition_totals(spec: tuple[str, tuple | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Worker: a partition's vocabulary (sorted), each term's count and document frequency, and its rows."""
    from .counting import token_counts

    path, kinds = spec
    tokens = _read_partition(path, ["tokens"], kinds).column("tokens").to_pandas(types_mapper=_arrow_strings)
    counts, vocab = token_counts(tokens)
    tf = np.asarray(counts.sum(axis=0), dtype=np.int64).ravel()
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.int64)
    return vocab, tf, df, counts.shape[0]


def _kinds(kinds) -> tuple | None:
    return None if kinds is None else ((kinds,) if isinstance(kinds, str) else tuple(kinds))


def _totals(
    dataset: CorpusDataset, kinds, client, cache_dir: str | Path | None = cache.DEFAULT
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The dataset's vocabulary (sorted), each term's count and document frequency, and the documents
    counted; kept in the cache by the dataset's key (a warm run reads them back; made once when notebooks running
    side by side need them at the same time)."""
    import pyarrow.parquet as pq

    folder = cache.cache_dir(cache_dir)
    if folder is not None and dataset.key:
        entry = cache.entry_path(folder, "totals", cache.cache_key("totals", dataset.key, _kinds(kinds)), "parquet")

        def read(path):
            table = pq.read_table(path)
            n = int(table.schema.metadata[b"directives.documents"])
            return (table.column("term").to_numpy(zero_copy_only=False).astype(str),
                    table.column("count").to_numpy(), table.column("documents").to_numpy(), n)  # fmt: skip

        return cache.read_or_make(entry, read, lambda: _count_totals(dataset, kinds, client, entry))
    return _count_totals(dataset, kinds, client, None)


def _count_totals(dataset: CorpusDataset, kinds, client, entry: Path | None) -> tuple:
    """:func:`_totals` counted a partition at a time (kept at ``entry`` when given)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    specs = [(str(p), _kinds(kinds)) for p in dataset.files]
    parts = _engine_map(_partition_totals, specs, dask_client(client), _aggregate_processes(len(specs)))
    vocab, tf, df, n = np.array([], dtype=str), np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    for v, t, d, rows in parts:  # merged as they come: one partition's vocabulary in memory beside the total
        merged = np.union1d(vocab, v)
        new_tf, new_df = np.zeros(len(merged), np.int64), np.zeros(len(merged), np.int64)
        for words, a, b in ((vocab, tf, df), (v, t, d)):
            where = np.searchsorted(merged, words)
            new_tf[where] += a
            new_df[where] += b
        vocab, tf, df, n = merged, new_tf, new_df, n + rows
    if entry is not None:
        table = pa.table({"term": pa.array(vocab.tolist(), pa.large_string()), "count": tf, "documents": df})
        table = table.replace_schema_metadata({b"directives.documents": str(n).encode()})
        cache.write_entry(entry, lambda tmp: pq.write_table(table, tmp))
    return vocab, tf, df, n


def term_totals(
    dataset: CorpusDataset, kinds=("article",), client: Any = None, cache_dir: str | Path | None = cache.DEFAULT
) -> pd.DataFrame:
    """Every term of the dataset's ``tokens`` with its count and the number of documents holding it,
    aggregated partition by partition (locally, or on Dask with ``client``), most frequent first (ties
    by term). Columns: term, count, documents. Kept in the cache (``cache_dir``) by the dataset's key.

    >>> ds = build_dataset(paths.SEEDS_DIR, cache_dir=None)
    >>> bool(term_totals(ds, cache_dir=None)["count"].is_monotonic_decreasing)
    True
    """
    vocab, tf, df, _ = _totals(dataset, kinds, client, cache_dir)
    out = pd.DataFrame({"term": vocab, "count": tf, "documents": df})
    return out.sort_values(["count", "term"], ascending=[False, True], ignore_index=True)


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    """scikit-learn's smoothed idf, ``TfidfTransformer(sublinear_tf=True).fit(counts).idf_``, from document
    frequencies (float32, as it computes it for float32 counts)."""
    dfs = df.astype(np.float32) + np.float32(1.0)
    idf = np.full_like(dfs, fill_value=n + 1, dtype=np.float32)
    idf /= dfs
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def _partition_tfidf(spec: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Worker: a partition's TF-IDF rows in the whole dataset's vocabulary and idf, as CSR arrays, and
    its doc_ids."""
    from scipy import sparse

    from .counting import tfidf_in_place, token_counts

    path, kinds, vocab, idf = spec
    table = _read_partition(path, ["doc_id", "tokens"], kinds)
    counts, local = token_counts(table.column("tokens").to_pandas(types_mapper=_arrow_strings))
    where = np.searchsorted(vocab, local).astype(np.int32)  # sorted into sorted: row indices stay sorted
    X = sparse.csr_matrix((counts.data, where[counts.indices], counts.indptr), shape=(counts.shape[0], len(vocab)))
    tfidf_in_place(X, idf)
    return X.data, X.indices, X.indptr, np.asarray(table.column("doc_id").to_pylist(), dtype=object)


def fit_tfidf(
    dataset: CorpusDataset, kinds=("article",), client: Any = None, cache_dir: str | Path | None = cache.DEFAULT
) -> TfidfModel:
    """A :class:`~directives.tfidf.TfidfModel` fitted on the dataset's ``tokens`` partition by partition:
    document frequencies aggregated first, then each partition's rows weighted with the whole corpus's idf
    and written into one matrix allocated once. The same vocabulary, idf and matrix as
    ``TfidfModel().fit(frame)`` of the same documents (rows in the dataset's order). Cached by the dataset's
    key.

    >>> ds = build_dataset(paths.SEEDS_DIR, cache_dir=None)
    >>> fit_tfidf(ds, cache_dir=None).matrix_.shape[0] == len(ds.to_frame(["doc_id"]))
    True
    """
    from .tfidf import TfidfModel, _read_fitted, _write_fitted

    folder = cache.cache_dir(cache_dir)
    if folder is None or not dataset.key:
        return _fitted_tfidf(dataset, kinds, client, cache_dir)
    key = cache.cache_key("tfidf-dataset", dataset.key, _kinds(kinds))
    entry = cache.entry_path(folder, "tfidf", key, "npz")
    ids_entry = cache.entry_path(folder, "tfidf", key, "ids.parquet")

    def read(path: Path) -> TfidfModel | None:  # the matrix and its rows' doc_ids, or None (then fitted again)
        model = TfidfModel()
        model.matrix_, model.vocabulary_, model.idf_ = _read_fitted(path)
        ids = cache.read_entry(ids_entry, lambda p: pd.read_parquet(p)["doc_id"].to_numpy(dtype=object))
        if ids is None or len(ids) != model.matrix_.shape[0]:
            return None
        model.doc_ids_, model._index = ids, None
        return model

    def make() -> TfidfModel:
        model = _fitted_tfidf(dataset, kinds, client, cache_dir)
        cache.write_entry(entry, lambda tmp: _write_fitted(tmp, model.matrix_, model.vocabulary_, model.idf_))
        frame = pd.DataFrame({"doc_id": pd.array(model.doc_ids_, dtype="str")})
        cache.write_entry(ids_entry, lambda tmp: frame.to_parquet(tmp))
        return model

    return cache.read_or_make(entry, read, make)  # (fitted once when notebooks side by side need it at once)


def _fitted_tfidf(dataset: CorpusDataset, kinds, client, cache_dir) -> TfidfModel:
    """:func:`fit_tfidf`'s model, fitted a partition at a time (not cached here)."""
    from scipy import sparse

    from .tfidf import TfidfModel

    model = TfidfModel()
    engine = dask_client(client)
    vocab, _tf, df, n = _totals(dataset, kinds, engine, cache_dir)
    idf = _idf(df, n)
    if engine is not None:
        [shared_vocab] = engine.scatter([vocab], broadcast=True)
        shared_idf = engine.scatter(idf, broadcast=True)
    else:
        shared_vocab, shared_idf = vocab, idf
    specs = [(str(p), _kinds(kinds), shared_vocab, shared_idf) for p in dataset.files]
    parts = _engine_map(_partition_tfidf, specs, engine, _aggregate_processes(len(specs)))
    nnz = int(df.sum())  # each document holds each of its terms once: the matrix's size is known now
    data, indices = np.empty(nnz, np.float32), np.empty(nnz, np.int32)
    indptr, ids, at = [np.zeros(1, np.int64)], [], 0
    for part_data, part_indices, ptr, doc_ids in parts:  # each partition's rows into place, then freed
        data[at : at + len(part_data)], indices[at : at + len(part_data)] = part_data, part_indices
        indptr.append(ptr[1:].astype(np.int64) + at)
        ids.append(doc_ids)
        at += len(part_data)
    model.matrix_ = sparse.csr_matrix((data, indices, np.concatenate(indptr)), shape=(n, len(vocab)))
    model.vocabulary_, model.idf_ = np.asarray(vocab, dtype=str), idf.astype(np.float64)
    model.doc_ids_ = np.concatenate(ids) if ids else np.zeros(0, dtype=object)
    model._index = None
    return model


# --------------------------------------------------------------------------- samples and aggregates by unit
def sample_frame(
    dataset: CorpusDataset, n: int, seed: int = 0, columns: list[str] | None = None, kinds=("article",)
) -> pd.DataFrame:
    """A seeded random sample of ``n`` documents (of ``kinds``) as a DataFrame of ``columns``, in corpus order,
    read a partition at a time (only the ``kind`` column of the others' rows is read to choose). The frame says
    it is a sample: ``attrs["sample"]`` is ``{"rows": n, "of": all documents, "seed": seed}``; the whole
    dataset when it has no more than ``n`` documents (then ``attrs["sample"]`` is None).

    >>> s = sample_frame(build_dataset(paths.SEEDS_DIR, cache_dir=None), 2, columns=["doc_id"])
    >>> len(s), s.attrs["sample"]["of"]
    (2, 5)
    """
    import pyarrow as pa

    sizes = [len(t) for t in dataset.read(["kind"], _kinds(kinds))]
    total = sum(sizes)
    if total <= n:
        out = dataset.to_frame(columns or dataset.columns, kinds)
        out.attrs["sample"] = None
        return out
    chosen = np.sort(np.random.default_rng(seed).choice(total, size=n, replace=False))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    tables = []
    for i, path in enumerate(dataset.files):
        mine = chosen[(chosen >= starts[i]) & (chosen < starts[i + 1])] - starts[i]
        if len(mine):
            tables.append(_read_partition(str(path), columns, _kinds(kinds)).take(pa.array(mine)))
    out = pa.concat_tables(tables).to_pandas(types_mapper=_arrow_strings)
    out.attrs["sample"] = {"rows": n, "of": total, "seed": seed}
    return out


def _partition_unit_totals(spec: tuple[str, str, tuple | None]) -> pd.DataFrame:
    """Worker: counts of each (unit, term) of a partition."""
    from .counting import token_counts

    path, by, kinds = spec
    table = _read_partition(path, [by, "tokens"], kinds)
    units = table.column(by).to_pandas().fillna("").astype(str).to_numpy()
    counts, vocab = token_counts(table.column("tokens").to_pandas(types_mapper=_arrow_strings))
    coo = counts.tocoo()
    frame = pd.DataFrame({"unit": units[coo.row], "term": vocab[coo.col], "count": coo.data.astype(np.int64)})
    frame["documents"] = 1
    return frame.groupby(["unit", "term"], sort=False, as_index=False).sum()


def unit_totals(dataset: CorpusDataset, by: str = "region", kinds=("article",), client: Any = None) -> pd.DataFrame:
    """The count of every term in each unit (the values of column ``by``: region, level, province …) and the
    number of the unit's documents holding it, aggregated partition by partition (locally or on Dask). A
    missing unit is "". Columns: unit, term, count, documents; by unit, most frequent first.

    >>> top = unit_totals(build_dataset(paths.SEEDS_DIR, cache_dir=None)).groupby("unit").head(1)
    >>> len(top) == 5, bool(top["count"].gt(0).all())
    (True, True)
    """
    specs = [(str(p), by, _kinds(kinds)) for p in dataset.files]
    total = None
    for part in _engine_map(_partition_unit_totals, specs, dask_client(client), _aggregate_processes(len(specs))):
        total = part if total is None else pd.concat([total, part], ignore_index=True)
        total = total.groupby(["unit", "term"], sort=False, as_index=False).sum()
    if total is None:
        return pd.DataFrame(columns=["unit", "term", "count", "documents"])
    return total.sort_values(["unit", "count", "term"], ascending=[True, False, True], ignore_index=True)
