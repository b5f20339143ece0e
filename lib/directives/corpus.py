"""Load a corpus of articles into one pandas DataFrame, cleaned and fully described.

>>> from directives import load_corpus
>>> df = load_corpus()  # the project's seeds/
>>> {"doc_id", "text_raw", "text", "text_simplified", "date", "changes"} <= set(df.columns)
True
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import re
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from functools import partial
from pathlib import Path

import pandas as pd

from . import cache, paths
from . import patterns as P
from ._parallel import ordered_map, release_memory
from ._progress import progress_bar
from .changes import Change
from .clean import clean_article
from .convert import to_simplified, to_simplified_many
from .dates import _stem, infer_date, parse_date
from .places import infer_place, level_of
from .reading import count_han, decode_bytes, read_text_file

COLUMNS = [
    "doc_id", "source_file", "kind", "title", "subtitle", "date", "date_basis", "region", "province", "prefecture",
    "county", "level", "region_basis", "voice", "outlet", "author", "note", "text_raw", "text", "text_simplified",
    "n_han", "changes",
]  # fmt: skip
METADATA_COLUMNS = [
    "region", "province", "prefecture", "county", "level", "voice", "outlet", "author", "title", "date", "date_basis",
    "kind", "note",
]  # fmt: skip
KINDS = ("article", "short", "caption", "advertisement")
REPEATING_KINDS = ("caption", "advertisement")  # 广告, 图片报道: the same text in many places, none a duplicate
# Below this many Han characters in the body an item is not an article: in People's Daily, October 2019,
# the items under 50 are advertisements, photo captions, credit lines and title-only items, while the
# shortest items above it are complete news briefs (外交部发言人…宣布, appointments).
ARTICLE_MIN_HAN = 50
PARALLEL_MIN_CHARS = (
    1_500_000  # below this, cleaning in one process is faster (People's Daily, 2.7M: 2 workers 18% faster)
)
TEXT_COLUMN_NAMES = ("text", "content", "body", "text_raw")
ID_COLUMN_NAMES = ("doc_id", "id", "file", "source_file")


class CorpusWarning(UserWarning):
    """A file or row was skipped or partly read; the message names it and the problem."""


class CorpusError(ValueError):
    """Raised instead of :class:`CorpusWarning` when ``strict=True``."""


def _problem(where: str | Path, problem: str, strict: bool) -> None:
    """Raise at once when ``strict``; otherwise the problem is collected and warned, grouped by kind, at the
    end of the load (:func:`_warn_grouped`)."""
    if strict:
        raise CorpusError(f"{where}: {problem}")


_VARIABLE_PARTS = [
    (re.compile(r"\([^()]*[:/'\d][^()]*\)"), "(…)"),  # an exception's text, a reason with a path or a number
    (re.compile(r"'[^']*'|\"[^\"]*\""), "…"),  # a quoted name or value
    (re.compile(r"[^\s,;:()]*[/\\][^\s,;:()]*|[^\s,;:()]+\.(?:txt|csv|jsonl?|parquet|xz|gz)\b"), "…"),  # a path
    (re.compile(r"\d+"), "…"),  # a line or row number
]
WARN_EXAMPLES = 3  # examples named in the one warning of a kind of problem


def problem_kind(problem: str) -> str:
    """The kind of a load problem: its message with the parts that vary from item to item (paths, quoted
    values, numbers, an exception's text) replaced by …, so problems can be counted by kind.

    >>> problem_kind("duplicate of 20191001/20191001-01-01.txt, skipped")
    'duplicate of …, skipped'
    >>> problem_kind("malformed date '3/4/2022', ignored"), problem_kind("binary file (NUL bytes), not text")
    ('malformed date …, ignored', 'binary file (NUL bytes), not text')
    """
    for rx, repl in _VARIABLE_PARTS:
        problem = rx.sub(repl, problem)
    return problem


def problem_table(problems: list[tuple[str, str]]) -> pd.DataFrame:
    """Every problem of a load, one row each: where (the file, row or line), problem, kind (see
    :func:`problem_kind`). ``problems`` is the list :func:`load_corpus` fills when given one.

    >>> problem_table([("b.txt", "duplicate of a.txt, skipped")]).kind.tolist()
    ['duplicate of …, skipped']
    """
    rows = [(str(w), p, problem_kind(p)) for w, p in problems]
    return pd.DataFrame(rows, columns=["where", "problem", "kind"])


def problem_summary(table: pd.DataFrame, examples: int = WARN_EXAMPLES) -> pd.DataFrame:
    """Problems counted by kind, most frequent first, with the first ``examples`` of each (``where: problem``).

    >>> t = problem_table([("b.txt", "duplicate of a.txt, skipped"), ("c.txt", "duplicate of a.txt, skipped")])
    >>> problem_summary(t, examples=1).to_dict("records")
    [{'kind': 'duplicate of …, skipped', 'items': 2, 'examples': 'b.txt: duplicate of a.txt, skipped'}]
    """
    rows = []
    for kind, part in table.groupby("kind", sort=False):
        shown = [f"{w}: {p}" for w, p in zip(part["where"].head(examples), part["problem"].head(examples), strict=True)]
        rows.append((kind, len(part), " | ".join(shown)))
    out = pd.DataFrame(rows, columns=["kind", "items", "examples"])
    return out.sort_values("items", ascending=False, kind="stable", ignore_index=True)


def _warn_grouped(problems: list[tuple[str, str]]) -> None:
    """One :class:`CorpusWarning` per kind of problem: the problem itself when it occurred once, else how
    many, a few examples and where the full list is."""
    for row in problem_summary(problem_table(problems)).itertuples():
        if row.items == 1:
            msg = row.examples
        else:
            examples = row.examples.replace(" | ", "; ")
            msg = (f"{row.items:,} items: {row.kind}; for example {examples}; load_corpus(..., problems=[]) "
                   "lists every one (notebook 01 writes them to tables/01_warnings.csv)")  # fmt: skip
        warnings.warn(msg, CorpusWarning, stacklevel=4)  # the caller of load_corpus


# --------------------------------------------------------------------------- records
def item_kind(title: str | None, text: str, n_han: int) -> str:
    """What an item is: ``advertisement`` (a page or slot marked 广告), ``caption`` (a photo item: 图片报道,
    a photographer's credit), ``short`` (any other item under ``ARTICLE_MIN_HAN`` Han characters, such as a
    brief notice or a book list) or ``article``.

    >>> item_kind(None, "广告", 2), item_kind("图片报道", "游客在参观。（本报记者 王某摄）", 14)
    ('advertisement', 'caption')
    """
    head = f"{title or ''}\n{text[:200]}"
    if n_han < ARTICLE_MIN_HAN * 3 and P.ADVERT.search(head):
        return "advertisement"
    if n_han >= ARTICLE_MIN_HAN:
        return "article"
    if P.CAPTION.search(head) or P.PHOTO_CREDIT.search(text):
        return "caption"
    return "short"


def _simplified(fields: dict, text: str = "") -> tuple[dict, str]:
    """The text fields of an article and its ``text`` in simplified script, in one call of the converter."""
    keys = [k for k, v in fields.items() if isinstance(v, str)]
    *converted, simplified = to_simplified_many([*(fields[k] for k in keys), text])
    return dict(zip(keys, converted, strict=True)), simplified


def _simplified_fields(fields: dict) -> dict:
    return _simplified(fields)[0]


def _record(doc_id: str, source: str, raw: str, meta: dict) -> dict:
    parts = clean_article(raw)
    f = parts.fields
    simplified_fields, simplified = _simplified(f, parts.text)
    changes = list(parts.changes)
    date, basis, conflicts = infer_date(f, source, simplified)
    changes.extend(conflicts)
    n_han = count_han(parts.text)
    year = date.year if date is not None and not pd.isna(date) else None
    place = infer_place(simplified_fields.get("title") or "", simplified, simplified_fields, year=year)
    rec = {
        "doc_id": doc_id,
        "source_file": source,
        "kind": item_kind(f.get("title"), parts.text, n_han),
        "title": f.get("title"),
        "subtitle": f.get("subtitle"),
        "date": date,
        "date_basis": basis,
        **place,
        "outlet": f.get("outlet"),
        "author": f.get("author"),
        "note": None,
        "text_raw": raw,
        "text": parts.text,
        "text_simplified": simplified,
        "n_han": n_han,
        # the text without white space (str.split's white space is exactly the \s of a regular expression)
        "digest": hashlib.sha1("".join(parts.text.split()).encode()).hexdigest(),
        "changes": [],
    }
    meta = {k: v for k, v in meta.items() if v is not None and not (isinstance(v, float) and pd.isna(v)) and v != ""}
    if "date" in meta and not pd.isna(date) and pd.Timestamp(meta["date"]).normalize() != date.normalize():
        note = f"metadata {pd.Timestamp(meta['date']):%Y-%m-%d} kept; {basis} date says {date:%Y-%m-%d}"
        changes.append(Change("metadata", "date_conflict", "", "", 0, note))
    if "region" in meta:  # a region from metadata brings its level and parents from the gazetteer
        for key in ("province", "prefecture", "county", "level"):
            rec[key] = None
        rec.update({k: v for k, v in level_of(to_simplified(str(meta["region"]))).items() if v})
        rec["region_basis"] = "metadata"
    elif "level" in meta:
        rec["region_basis"] = "metadata"
    for key, value in meta.items():  # metadata overrides what was parsed
        if key in rec:
            rec[key] = value
    rec["changes"] = [c.as_dict() for c in changes]
    return rec


def _checked_metadata(meta: dict, where: str, problem) -> dict:
    """A metadata record (from metadata.csv or a table's columns) with its date checked once, the same
    way for both: a malformed date is reported and dropped with its basis; a good one gets basis
    ``metadata`` unless the record names another."""
    if meta.get("date") in (None, ""):
        return meta
    ts = parse_date(meta["date"])
    if pd.isna(ts):
        problem(where, f"malformed date {meta['date']!r}, ignored")
        meta.pop("date")
        meta.pop("date_basis", None)
    else:
        meta["date"] = ts
        meta["date_basis"] = meta.get("date_basis") or "metadata"
    return meta


def _read_metadata(path: Path, problem) -> dict[str, dict]:
    try:
        text, _encoding = read_text_file(path)  # UTF-8, GB18030, Big5 or UTF-16, as the articles
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (OSError, ValueError, csv.Error) as exc:
        problem(path, f"unreadable metadata ({exc})")
        return {}
    if not rows or "file" not in rows[0]:
        problem(path, "metadata has no 'file' column")
        return {}
    header = [h.strip() for h in rows[0]]
    out = {}
    for line_no, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problem(path, f"row {line_no}: {len(values)} fields, expected {len(header)} "
                          "(a comma inside an unquoted value?), row ignored")  # fmt: skip
            continue
        row = dict(zip(header, values, strict=True))
        name = row["file"].strip()
        if name in out:
            problem(path, f"row {line_no}: a second row for {name!r}, ignored (the first row is used)")
            continue
        rec = {k: (row[k].strip() or None) for k in METADATA_COLUMNS if k in row}
        out[name] = _checked_metadata(rec, f"{path} row {line_no} ({row['file']})", problem)
    return out


def _arrow_schema():
    import pyarrow as pa

    text = pa.large_string()
    fields = [(c, text) for c in COLUMNS]
    fields[COLUMNS.index("date")] = ("date", pa.timestamp("us"))
    fields[COLUMNS.index("n_han")] = ("n_han", pa.int64())
    return pa.schema([*fields, ("digest", pa.string())])  # changes: JSON text, as in the cache


def _plain_date(value) -> object:
    if type(value) is pd.Timestamp and value.tzinfo is None:  # what infer_date gives (pd.isna took most of this)
        return value.to_pydatetime()
    if value is None or pd.isna(value):
        return None
    ts = pd.Timestamp(value)
    return (ts.tz_localize(None) if ts.tzinfo else ts).to_pydatetime()


def _load_chunk(args: tuple[str, list]) -> tuple:
    """Worker: read and clean a chunk of files or table rows: ``(kind, items)``, or ``(kind, items, True)``
    to have each file's content digest too (None where it could not be read; see :func:`_content_digest`).
    Returns an Arrow record batch of the articles (large texts never become Python objects in the parent),
    the problems met, in order, and the digests when asked."""
    import pyarrow as pa

    kind, items, *want = args
    records, problems, digests = [], [], []
    for item in items:
        if kind == "file":
            path, rel, meta, doc_id = item
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                problems.append((str(path), str(exc)))
                digests.append(None)
                continue
            digests.append(_content_digest(data))
            replaced: list[str] = []  # a few undecodable bytes: the file is read whole, and that is reported
            try:
                raw, _enc = decode_bytes(data, replaced)
            except ValueError as exc:
                problems.append((str(path), str(exc)))
                continue
            problems.extend((str(path), p) for p in replaced)
            del data
            rec = _record(doc_id, rel, raw, meta)
        else:
            doc_id, source, raw, meta = item
            rec = _record(doc_id, source, raw, meta)
        rec["date"] = _plain_date(rec["date"])
        rec["changes"] = json.dumps(rec["changes"], ensure_ascii=False)
        records.append(rec)
    batch = pa.RecordBatch.from_pylist(records, schema=_arrow_schema())
    return (batch, problems, digests) if want and want[0] else (batch, problems)


def prepare_workers(sample: str | Path | None = None) -> None:
    """Build what reading and cleaning an article needs in every process, each part once (they are cached
    for the process): OpenCC's converter, the gazetteer and the counties' short names, country names, and the
    segmenter (which tells a bare county name from part of a word). Run before workers are forked, so that they
    inherit all of it instead of each building its own. (The pinyin syllables are built where a text holds
    something that may be a reading, ``实(shí)``: most corpora have none, and the few that do build them in each
    worker at once, in parallel.)
    ``sample``, one file of the corpus, is read once: a corpus in a legacy encoding (GB18030, Big5) then has
    its encoding confirmed, and what confirming needs built, before the workers start.

    >>> prepare_workers(paths.SEEDS_DIR / "002_24643090ae82cad5.txt")
    """
    from . import places, tokens
    from .convert import _converter

    _converter()
    places.gazetteer()
    places._county_shorts()
    places._countries_automaton()
    places._central_organ_automaton()
    tokens.segmenter()
    if sample is not None:
        try:
            read_text_file(sample)
        except (OSError, ValueError):  # the worker that reads it reports the problem
            pass


CHUNK_CHARS = 2_000_000  # about this many characters of articles go to a worker at a time
CHUNK_FILES = 2_000  # and at most this many articles


def _run(kind: str, items: list, sizes: list[int], processes: int | None) -> Iterable[tuple]:
    """Clean every item in chunks, in parallel over all cores when the corpus is large enough; the
    chunks come back in order."""
    processes = processes or os.cpu_count() or 1
    total = sum(sizes)
    parallel = processes >= 2 and total >= PARALLEL_MIN_CHARS
    target = min(CHUNK_CHARS, max(1, total // (processes * 8))) if parallel else CHUNK_CHARS
    chunks, start, acc = [], 0, 0
    for i, size in enumerate(sizes):
        acc += size
        if acc >= target or i + 1 - start >= CHUNK_FILES:
            chunks.append((kind, items[start : i + 1]))
            start, acc = i + 1, 0
    if start < len(items):
        chunks.append((kind, items[start:]))
    bar = progress_bar(total=len(items), desc="cleaning")
    prepare = partial(prepare_workers, items[0][0] if kind == "file" and items else None)
    results = ordered_map(_load_chunk, chunks, processes if parallel else 1, prepare=prepare)
    for chunk, result in zip(chunks, results, strict=True):
        yield result
        bar.update(len(chunk[1]))
    bar.close()


def _list_folder(folder: Path) -> tuple[list[tuple[str, str, int, int, int, int]], list[tuple[str, str]]]:
    """Every ``.txt`` file under ``folder`` and its ``metadata.csv``, in one walk: (path, relative path,
    size, modification and change times in ns, inode), sorted by relative path; and the folders that could not be read,
    with the reason. Linked folders are followed once (a link back up the tree is not a loop)."""
    out, unreadable = [], []
    real_of: dict[str, str] = {}  # each file's real path: its folder's real path and its name, unless a link
    stack, visited = [(str(folder), "")], set()
    while stack:
        where, prefix = stack.pop()
        real = os.path.realpath(where)
        if real in visited:
            continue
        visited.add(real)
        try:
            with os.scandir(where) as it:
                entries = list(it)
        except OSError as exc:
            unreadable.append((where, f"folder not readable ({exc.strerror or exc}), skipped"))
            continue
        real_dir = real if real.endswith(os.sep) else real + os.sep  # (os.path.join, 100,000 times, took 0.3 s)
        for e in entries:
            wanted = e.name.lower().endswith(".txt") or e.name == paths.METADATA_NAME
            try:
                if e.is_dir():
                    stack.append((e.path, f"{prefix}{e.name}/"))
                elif e.is_file() and wanted:
                    st = e.stat()
                    out.append((e.path, prefix + e.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
                    real_of[e.path] = os.path.realpath(e.path) if e.is_symlink() else f"{real_dir}{e.name}"
                elif wanted:
                    what = "a broken link" if e.is_symlink() else "not a regular file (a FIFO or a socket?)"
                    unreadable.append((e.path, f"{what}, skipped"))
            except OSError:  # vanished or unreadable: reading it reports the problem
                out.append((e.path, prefix + e.name, 0, 0, 0, 0))
    # a link to a file that is also in the corpus is that file once, not a duplicate of it
    by_target: dict[str, list[tuple]] = {}
    for f in out:  # (realpath of every file took most of the walk: 26 of 32 s for 100,000 files)
        by_target.setdefault(real_of.get(f[0]) or os.path.realpath(f[0]), []).append(f)
    kept = []
    for group in by_target.values():
        if len(group) > 1:  # (one lstat a file took 0.5 s of a 100,000-file listing)
            group.sort(key=lambda f: (os.path.islink(f[0]), f[1]))  # the real file first
        kept.append(group[0])
        unreadable.extend((f[0], f"a link to {group[0][1]}, which is read once; skipped") for f in group[1:])
    return sorted(kept, key=lambda f: f[1]), unreadable


def _without_suffix(rel: str) -> str:
    """A file's relative path without its suffix (``Path(rel).with_suffix("")``, by string operations: a test keeps
    the two equal)."""
    base = rel.rsplit("/", 1)[-1]
    return rel[: len(rel) - len(base) + len(_stem(base))]  # the stem is where the name starts


def _folder_items(folder: Path, listing: list[tuple], problem) -> tuple[list, list[int]]:
    meta: dict[str, dict] = {}
    files = [f[:3] for f in listing if f[1].lower().endswith(".txt")]
    names = {rel for _, rel, _ in files} | {rel.rsplit("/", 1)[-1] for _, rel, _ in files}
    # every metadata.csv of the tree: a subfolder's names the files of that subfolder
    for meta_path, rel in (f[:2] for f in listing if f[1].rsplit("/", 1)[-1] == paths.METADATA_NAME):
        prefix = rel[: -len(paths.METADATA_NAME)]
        for name, rec in _read_metadata(Path(meta_path), problem).items():
            if prefix + name not in names:
                problem(meta_path, f"row for {name!r}, but there is no such file")
            meta.setdefault(prefix + name, rec)
    # doc_id is the file's stem; where two files share a stem (a/x.txt, b/x.txt) it is the path without .txt
    stem_of = [_stem(rel) for _, rel, _ in files]  # (by string operations: Path took most of this step)
    stems = Counter(stem_of)
    items = [
        (path, rel, meta.get(rel) or meta.get(rel.rsplit("/", 1)[-1]) or {},
         stem if stems[stem] == 1 else _without_suffix(rel))
        for (path, rel, _), stem in zip(files, stem_of, strict=True)
    ]  # fmt: skip
    return items, [size // 3 for _, _, size in files]  # about 3 bytes a character


_COMPRESSION = {".gz": "gzip", ".xz": "xz", ".bz2": "bz2", ".zst": "zstd", ".zip": "zip"}
TABLE_CHUNK_ROWS = 2_000  # rows of a table corpus read at a time: a table is never read whole
_SNIFF_BYTES = 1 << 22  # the first 4 MB of a table's text tell its encoding


def _table_format(path: Path) -> tuple[str, str | None]:
    """``(suffix, compression)`` of a table corpus (``.csv``, ``.csv.xz`` …), or CorpusError."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    compression = _COMPRESSION.get(suffixes[-1]) if suffixes else None
    suffix = suffixes[-2] if compression and len(suffixes) == 2 else path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson", ".parquet") or (suffix == ".parquet" and compression):
        raise CorpusError(
            f"{path}: unsupported corpus file type {''.join(path.suffixes[-2:])!r} (use a folder of .txt, or .csv, "
            ".jsonl or .parquet, CSV and JSONL also compressed as .gz, .xz, .bz2, .zst or .zip)"
        )
    return suffix, compression


def _open_table(path: Path, compression: str | None):
    """The table's bytes as a stream, decompressed as they are read."""
    if compression == "gzip":
        import gzip

        return gzip.open(path, "rb")
    if compression == "xz":
        import lzma

        return lzma.open(path, "rb")
    if compression == "bz2":
        import bz2

        return bz2.open(path, "rb")
    if compression == "zip":
        import zipfile

        z = zipfile.ZipFile(path)
        return z.open(z.namelist()[0])
    if compression == "zstd":
        import zstandard  # not a dependency: install it to read .zst tables

        return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)
    return open(path, "rb")


def _head_encoding(head: bytes, whole: bool) -> str:
    """The encoding of a table whose text starts with ``head`` (all of it when ``whole``), as
    :func:`~directives.reading.decode_bytes` tells it; a multi-byte character cut at the end of the head is left
    out. Raises ValueError as decode_bytes does."""
    import codecs

    if not whole and not head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    error: ValueError | None = None
    for cut in range(1 if whole else 4):
        try:
            return decode_bytes(head[: len(head) - cut])[1]
        except ValueError as exc:  # (UnicodeDecodeError is one)
            error = error or exc
    raise error


class _DecodedStream(io.TextIOBase):
    """A table's bytes (a binary stream) as text, decoded a block of whole lines at a time in ``encoding``. A
    block that is not in that encoding is decoded line by line, each line as
    :func:`~directives.reading.decode_bytes` reads a file (its own encoding found), and ``problem`` is told once;
    a line that no encoding reads is left out and reported. So a table whose rows were written in two
    encodings loses no row that can be read. (Not for UTF-16, whose newlines are two bytes.)"""

    _BLOCK = 1 << 20

    def __init__(self, raw, encoding: str, where: Path, problem) -> None:
        self._raw, self._encoding, self._where, self._problem = raw, encoding, where, problem
        self._buffer, self._rest, self._eof, self._line, self._mixed = "", b"", False, 0, False

    def readable(self) -> bool:
        return True

    def _block(self) -> str:
        """The next block of whole lines, decoded ('' at the end, or while no newline has been read)."""
        data = self._raw.read(self._BLOCK)
        if data:
            data = self._rest + data
            cut = data.rfind(b"\n") + 1
            data, self._rest = data[:cut], data[cut:]
        else:
            self._eof, data, self._rest = True, self._rest, b""
        if not data:
            return ""
        try:
            text = data.decode(self._encoding)
        except UnicodeDecodeError:
            text = "".join(self._by_line(data))
        self._line += data.count(b"\n")
        return text

    def _by_line(self, data: bytes):
        for n, line in enumerate(data.split(b"\n"), start=self._line + 1):
            end = "\n" if n <= self._line + data.count(b"\n") else ""
            try:
                yield line.decode(self._encoding) + end
                continue
            except UnicodeDecodeError:
                pass
            try:
                text, encoding = decode_bytes(line)
            except ValueError as exc:
                self._problem(f"{self._where} line {n}", f"undecodable ({exc}), line left out")
                yield end
                continue
            if not self._mixed:
                self._mixed = True
                self._problem(
                    self._where, f"not in {self._encoding} throughout: line {n} and others read as {encoding}"
                )
            yield text + end

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            parts = [self._buffer]
            while not self._eof:
                parts.append(self._block())
            self._buffer = ""
            return "".join(parts)
        while len(self._buffer) < size and not self._eof:
            self._buffer += self._block()
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def lines(self):
        """The text's lines (split at ``\\n`` only, as JSON Lines are), each with its ``\\n``."""
        rest = self._buffer
        self._buffer = ""
        while True:
            block = rest + (self._block() if not self._eof else "")
            if not block:
                return
            *whole, rest = block.split("\n")
            for line in whole:
                yield line + "\n"
            if self._eof:
                if rest:
                    yield rest
                return


class _Unreadable(Exception):
    """A table none of whose rows can be read (reported already)."""


def _table_frames(path: Path, problem) -> Iterable[pd.DataFrame]:
    """The rows of a table corpus (``.csv``, ``.jsonl``/``.ndjson``, ``.parquet``; CSV and JSONL also
    compressed, and in any encoding the articles may have: a BOM, GBK …) as DataFrames of at most
    :data:`TABLE_CHUNK_ROWS` rows, read as a stream: memory holds a chunk, not the table.

    The encoding is told from the first 4 MB; lines further on in another encoding are read in theirs and
    reported (:class:`_DecodedStream`). A malformed JSON line is skipped with a warning naming it. A table that
    cannot be read at all is reported and raises ``_Unreadable``; one that fails further on is reported with the
    row where it failed, and the rows before it are kept.
    """
    suffix, compression = _table_format(path)
    done = 0
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=TABLE_CHUNK_ROWS):
                frame = batch.to_pandas()
                done += len(frame)
                yield frame
            return
        with _open_table(path, compression) as stream:
            head = stream.read(_SNIFF_BYTES)
            whole = not stream.read(1)
        encoding = _head_encoding(head, whole)
        with _open_table(path, compression) as stream:
            if encoding.startswith("utf-16"):
                text = io.TextIOWrapper(stream, encoding=encoding, newline="")
                lines = iter(text)
            else:
                text = _DecodedStream(stream, encoding, path, problem)
                lines = text.lines()
            if suffix == ".csv":
                reader = pd.read_csv(text, dtype=str, keep_default_na=False, chunksize=TABLE_CHUNK_ROWS)
                for frame in reader:
                    done += len(frame)
                    yield frame
                return
            rows: list[dict] = []
            for n, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    problem(f"{path} line {n}", f"malformed JSON ({exc.msg}), line skipped")
                    continue
                if not isinstance(obj, dict):
                    problem(f"{path} line {n}", f"a JSON {type(obj).__name__}, not an object, line skipped")
                    continue
                rows.append(obj)
                if len(rows) >= TABLE_CHUNK_ROWS:
                    done += len(rows)
                    yield pd.DataFrame(rows)
                    rows = []
            if rows:
                done += len(rows)
                yield pd.DataFrame(rows)
    except CorpusError:
        raise
    except Exception as exc:  # any failure to read the file: reported, never a crash (pandas, Arrow, zlib …)
        if not done:
            problem(path, f"unreadable table ({type(exc).__name__}: {exc})")
            raise _Unreadable from exc
        problem(path, f"unreadable after row {done} ({type(exc).__name__}: {exc}); the rows before it are kept")


def _cell(value, where: str, column: str, problem) -> str | None:
    """A table cell as text: numbers become their digits, missing values None; a list or a dict is not text
    and is reported."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, (list, tuple, dict, set)) or type(value).__name__ == "ndarray":
        problem(where, f"{column} is a {type(value).__name__}, not text; ignored")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, (str, pd.Timestamp)) else str(value)


def _table_rows(path: Path, problem, frames: Iterable[pd.DataFrame] | None = None) -> Iterable[tuple[tuple, int]]:
    """Each readable row of a table corpus as ``(item, size)``, streamed (``frames``: :func:`_table_frames` by
    default); rows with no text, ids missing or used twice, and cells that are not text are reported."""
    frames = iter(_table_frames(path, problem) if frames is None else frames)
    try:
        first = next(frames, None)
    except _Unreadable:
        return
    if first is None:
        problem(path, "no rows")
        return
    text_col = next((c for c in TEXT_COLUMN_NAMES if c in first.columns), None)
    if text_col is None:
        problem(path, f"no text column (expected one of {', '.join(TEXT_COLUMN_NAMES)})")
        return
    if first.empty:
        problem(path, "no rows")
        return
    id_col = next((c for c in ID_COLUMN_NAMES if c in first.columns), None)
    seen: set[str] = set()
    i = 0
    for frame in itertools.chain([first], frames):
        for row in frame.to_dict("records"):
            i += 1
            where = f"{path} row {i}"
            doc_id = _cell(row.get(id_col), where, id_col, problem) if id_col else None
            if doc_id is None or not str(doc_id).strip():
                if id_col:
                    problem(where, f"no {id_col}; numbered {path.stem}-{i:06d}")
                doc_id = f"{path.stem}-{i:06d}"
            doc_id = str(doc_id)
            if doc_id in seen:
                problem(where, f"{id_col} {doc_id!r} was used by an earlier row; this one is {doc_id}#{i}")
                doc_id = f"{doc_id}#{i}"
            seen.add(doc_id)
            where = f"{where} ({doc_id})"
            raw = _cell(row.get(text_col), where, text_col, problem)
            if raw is None or not str(raw).strip():
                problem(where, "empty text")
                continue
            meta = {k: v for k in METADATA_COLUMNS if k in row if (v := _cell(row[k], where, k, problem)) is not None}
            yield (doc_id, f"{path.name}#{i}", str(raw), _checked_metadata(meta, where, problem)), len(str(raw))


def _table_items(path: Path, problem) -> tuple[list, list[int]]:
    """Every readable row of a table corpus as items, and their sizes (the in-memory load's)."""
    rows = list(_table_rows(path, problem))
    return [item for item, _ in rows], [size for _, size in rows]


def _table_partitions(path: Path, problem, rows: int, chars: int) -> Iterable[list]:
    """The items of a table corpus in partitions of at most ``rows`` items and, past the first, ``chars``
    characters (as :func:`~directives.dataset._partitions` cuts a folder's), made as the table is read."""
    part: list = []
    acc = 0
    for item, size in _table_rows(path, problem):
        if part and (len(part) >= rows or acc + size > chars):
            yield part
            part, acc = [], 0
        part.append(item)
        acc += size
    if part:
        yield part


# --------------------------------------------------------------------------- cache
def _file_digest(path: str) -> bytes:
    return _hash_file(path)[0]


def _hash_file(path: str) -> tuple[bytes, bool]:
    """The digest of a file's content, and whether it could be read (an unreadable file's digest is that
    of the error: the load reports it, and the key still changes with it)."""
    h = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError as exc:
        h.update(repr(exc).encode())
        return h.digest(), False
    return h.digest(), True


def _content_digest(data: bytes) -> bytes:
    """The digest :func:`_hash_file` gives a file holding ``data`` (a worker digests what it read)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def _table_listing(path: Path) -> list[tuple]:
    """A table corpus as a listing of its one file."""
    try:
        st = path.stat()
    except OSError:
        return [(str(path), path.name, 0, 0, 0, 0)]
    return [(str(path), path.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)]


def _hash_listed(listing: list[tuple], digests: list[bytes | None]) -> list[bool]:
    """Fill in the digests that are None by reading those files (on several threads); returns which of
    them could be read (the others' digests are not worth keeping in the index)."""
    from concurrent.futures import ThreadPoolExecutor

    todo = [i for i, d in enumerate(digests) if d is None]
    readable = [True] * len(digests)
    if not todo:
        return readable
    with ThreadPoolExecutor(8) as pool:
        for i, (digest, ok) in zip(todo, pool.map(_hash_file, [listing[i][0] for i in todo]), strict=True):
            digests[i], readable[i] = digest, ok
    return readable


def _key_of(path: Path, listing: list[tuple], digests: list[bytes]) -> str:
    files = hashlib.sha1()
    for f, digest in zip(listing, digests, strict=True):
        files.update(f[1].encode() + b"\x00" + digest)
    return cache.cache_key("corpus", str(path.resolve()), files.hexdigest())


def _corpus_key(path: Path, listing: list[tuple] | None, index_dir: Path | None = None) -> str:
    """The corpus's cache key: its files' names and contents (an edit that keeps a file's size and time is
    still a change). With ``index_dir`` (the cache folder), a file whose stat has not changed since its
    digest was taken is not read again (:class:`~directives.cache.FileIndex`); the others are read on
    several threads."""
    if listing is None:
        listing = _table_listing(path)
    index = cache.FileIndex(index_dir, path)
    digests = index.lookup(listing)
    checked = time.time_ns()
    readable = _hash_listed(listing, digests)
    index.save(listing, [d if ok else None for d, ok in zip(digests, readable, strict=True)], checked)
    return _key_of(path, listing, digests)


def _to_frame(table) -> pd.DataFrame:
    """The corpus DataFrame from its Arrow table (text columns stay in Arrow memory; ``changes`` from
    its JSON text to lists of dicts)."""
    changes = [json.loads(c) for c in table.column("changes").to_pylist()]
    df = table.drop_columns(["changes"]).to_pandas()
    df["changes"] = pd.Series(changes, dtype=object)
    return df[COLUMNS]


_PROBLEMS_KEY = b"directives.problems"  # the warnings of a load, kept in the entry's Parquet metadata


def _read_cache(entry: Path) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    import pyarrow.parquet as pq

    table = pq.read_table(entry)
    problems = json.loads((table.schema.metadata or {})[_PROBLEMS_KEY].decode("utf-8"))
    return _to_frame(table), [tuple(p) for p in problems]


def _write_cache(entry: Path, table, problems: list[tuple[str, str]]) -> None:
    from ._parquet import write_parquet

    meta = {_PROBLEMS_KEY: json.dumps(problems, ensure_ascii=False).encode("utf-8")}
    cache.write_entry(entry, lambda tmp: write_parquet(table.replace_schema_metadata(meta), tmp))


_RELEASE_BYTES = 1 << 26  # a column larger than this gives its memory back once sorted (a small one is not worth it)


def _sorted_table(batches: list, schema):
    """One table of the batches in date order (undated last, ties by doc_id), sorted a column at a time
    so that no more than one column exists twice."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.Table.from_batches(batches, schema=schema)
    batches.clear()
    keys = [("date", "ascending", "at_end"), ("doc_id", "ascending", "at_end")]
    order = pc.sort_indices(table.select(["date", "doc_id"]), sort_keys=keys)
    columns = [table.column(name) for name in COLUMNS]
    del table
    for i in range(len(columns)):
        large = columns[i].nbytes > _RELEASE_BYTES
        columns[i] = columns[i].take(order).combine_chunks()
        if large:  # the unsorted column's memory goes back before the next column is copied
            release_memory()
    return pa.table(columns, names=COLUMNS)


def kept_rows(sources, n_hans, digests, kinds, *, seen: dict[str, str], problem) -> list[bool]:
    """Which loaded items are kept, in corpus order: not empty after cleaning, not a duplicate of an earlier
    item (``seen`` maps each kept text's digest to its source and grows; captions and advertisements may
    repeat). Each item dropped is reported to ``problem(where, message)``.

    >>> met = []
    >>> kept_rows(["a", "b", "c"], [5, 5, 0], ["x", "x", "y"], ["article"] * 3, seen={},
    ...           problem=lambda w, m: met.append(w))
    [True, False, False]
    >>> met
    ['b', 'c']
    """
    keep = []
    for source, n_han, digest, kind in zip(sources, n_hans, digests, kinds, strict=True):
        if not n_han:
            problem(source, "nothing left after cleaning (only page furniture?)")
        elif kind not in REPEATING_KINDS and digest in seen:
            problem(source, f"duplicate of {seen[digest]}, skipped")
        else:
            if kind not in REPEATING_KINDS:
                seen[digest] = source
            keep.append(True)
            continue
        keep.append(False)
    return keep


def load_corpus(
    path: str | Path = paths.SEEDS_DIR,
    *,
    strict: bool = False,
    cache_dir: str | Path | None = cache.DEFAULT,
    processes: int | None = None,
    kinds: str | list[str] | tuple[str, ...] | None = ("article",),
    problems: list[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Load and clean every article under ``path``: a folder of ``.txt`` files (recursive, with an
    optional ``metadata.csv``), or one ``.csv`` / ``.jsonl`` / ``.parquet`` file with a text column.

    A bad file (empty, binary, undecodable, only furniture, a duplicate) is skipped and reported: one
    :class:`CorpusWarning` per kind of problem (the problem itself, or how many with a few examples);
    ``strict=True`` raises :class:`CorpusError` at the first instead. Pass a list as ``problems`` to receive
    every problem as ``(where, problem)`` instead of the warnings (see :func:`problem_table`).
    Files are only read, never written. A large corpus is cleaned on all cores (``processes``), and
    the result is cached (:mod:`directives.cache`: keyed by the files' names and contents, read again only
    where :class:`~directives.cache.FileIndex` shows a change, and by the package's code; ``cache_dir=None``
    turns it off, a folder puts it there), so a re-run reads it back.

    Each row has a ``kind`` (see :func:`item_kind`); only ``kinds`` are returned, articles by default
    (``kinds=None`` returns every item: short items, captions and advertisements too). Place, level and
    voice are read from the text (:func:`directives.places.infer_place`), the date by evidence
    (:func:`directives.dates.infer_date`); ``metadata.csv`` or table columns override both.

    >>> df = load_corpus(paths.SEEDS_DIR)
    >>> df.loc[df.doc_id.str.startswith("000"), "date"].iloc[0]
    Timestamp('2022-03-19 12:17:56')
    """
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: no such folder or file")
    listing, unreadable = _list_folder(path) if path.is_dir() else (None, [])
    folder = cache.cache_dir(cache_dir)
    entry = cache.entry_path(folder, "corpus", _corpus_key(path, listing, folder), "parquet") if folder else None
    cached = cache.read_entry(entry, _read_cache)
    if cached is not None:
        df, met = cached
        release_memory()
        for where, message in met:
            _problem(where, message, strict)
        _report_problems(met, problems)
        return select_kinds(df, kinds)
    met: list[tuple[str, str]] = []

    def problem(where, message):
        met.append((str(where), message))
        _problem(where, message, strict)

    for where, message in unreadable:
        problem(where, message)
    if listing is not None:
        items, sizes = _folder_items(path, listing, problem)
        results = _run("file", items, sizes, processes)
    else:
        items, sizes = _table_items(path, problem)
        results = _run("row", items, sizes, processes)
    del items
    batches, seen, schema = [], {}, _arrow_schema()
    for batch, chunk_problems in results:
        for where, message in chunk_problems:
            problem(where, message)
        columns = (batch.column(c).to_pylist() for c in ("source_file", "n_han", "digest", "kind"))
        keep = kept_rows(*columns, seen=seen, problem=problem)
        batches.append(batch if all(keep) else batch.filter(keep))
    table = _sorted_table(batches, schema)
    if entry is not None:
        _write_cache(entry, table, met)
    df = select_kinds(_to_frame(table), kinds)
    release_memory()
    _report_problems(met, problems)
    return df


def _report_problems(met: list[tuple[str, str]], into: list | None) -> None:
    if into is None:
        _warn_grouped(met)
    else:
        into.extend(met)


def select_kinds(df: pd.DataFrame, kinds: str | list[str] | tuple[str, ...] | None) -> pd.DataFrame:
    """The rows of ``df`` whose ``kind`` is one of ``kinds`` (all rows for None).

    >>> select_kinds(pd.DataFrame({"kind": ["article", "caption"]}), ["article"]).kind.tolist()
    ['article']
    """
    if kinds is None:
        return df
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose among {', '.join(KINDS)} (or None for all)")
    return df[df["kind"].isin(kinds)].reset_index(drop=True)


def cleaning_report(df: pd.DataFrame) -> pd.DataFrame:
    """One row per change that cleaning made: doc_id, step, rule, before, after, offset, note.

    >>> report = cleaning_report(load_corpus())
    >>> sorted(report.step.unique())[:2]
    ['furniture', 'gbk_damage']
    """
    rows = [{"doc_id": d, **c} for d, chs in zip(df["doc_id"], df["changes"], strict=True) for c in chs]
    cols = ["doc_id", "step", "rule", "before", "after", "offset", "note"]
    return pd.DataFrame(rows, columns=cols)


def corpus_summary(df: pd.DataFrame) -> dict:
    """Articles, date range, regions and characters of a loaded corpus.

    >>> corpus_summary(load_corpus())["articles"] > 0
    True
    """
    dates = df["date"].dropna()
    return {
        "articles": len(df),
        "dated": int(df["date"].notna().sum()),
        "first_date": dates.min().date().isoformat() if len(dates) else None,
        "last_date": dates.max().date().isoformat() if len(dates) else None,
        "regions": sorted(df["region"].dropna().unique().tolist()),
        "han_characters": int(df["n_han"].sum()),
    }
