"""Load a corpus of articles into one pandas DataFrame, cleaned and fully described.

>>> from directives import load_corpus
>>> df = load_corpus()  # the project's seeds/
>>> {"doc_id", "text_raw", "text", "text_simplified", "date", "changes"} <= set(df.columns)
True
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import warnings
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths
from . import patterns as P
from ._progress import progress
from .clean import clean_article
from .convert import to_simplified

COLUMNS = [
    "doc_id", "source_file", "title", "date", "date_basis", "region", "province", "level", "outlet",
    "author", "text_raw", "text", "text_simplified", "n_han", "changes",
]  # fmt: skip
METADATA_COLUMNS = ["region", "province", "level", "outlet", "author", "title", "date", "date_basis", "note"]
PARALLEL_MIN_CHARS = 3_000_000  # below this, cleaning in one process is faster than starting workers
TEXT_COLUMN_NAMES = ("text", "content", "body", "text_raw")
ID_COLUMN_NAMES = ("doc_id", "id", "file", "source_file")


class CorpusWarning(UserWarning):
    """A file or row was skipped or partly read; the message names it and the problem."""


class CorpusError(ValueError):
    """Raised instead of :class:`CorpusWarning` when ``strict=True``."""


def _problem(where: str | Path, problem: str, strict: bool) -> None:
    msg = f"{where}: {problem}"
    if strict:
        raise CorpusError(msg)
    warnings.warn(msg, CorpusWarning, stacklevel=3)


# --------------------------------------------------------------------------- reading bytes
def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else the encoding that
    charset-normalizer detects (GBK and GB2312 are read as their superset GB18030).
    Raises ``ValueError`` for empty, binary or undecodable input.

    >>> decode_bytes("疫情防控".encode("gb18030"))
    ('疫情防控', 'gb18030')
    """
    if not data.strip():
        raise ValueError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise ValueError("binary file (NUL bytes), not text")
    from charset_normalizer import from_bytes

    candidates = {m.encoding for m in from_bytes(data, cp_isolation=list(_CJK_ENCODINGS))}
    candidates = {"gb18030" if e in ("gb2312", "gbk", "gb18030") else e for e in candidates}
    decoded = {}
    for enc in sorted(candidates):
        try:
            decoded[enc] = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    if not decoded:
        raise ValueError("undecodable bytes: not UTF-8, GB18030, Big5 or UTF-16")
    # short texts fool any detector: among the decodings that work, keep the one of common characters
    encoding = max(decoded, key=lambda e: _common_char_share(decoded[e]))
    text = decoded[encoding]
    if sum(c.isprintable() or c in "\n\r\t" for c in text) < 0.95 * len(text):
        raise ValueError(f"binary file (decodes as {encoding} to mostly unprintable characters)")
    return text, encoding


_CJK_ENCODINGS = ("gb18030", "big5", "utf_16", "utf_8")


def _common_char_share(text: str) -> float:
    """Share of the Han characters that are common words on their own in jieba's dictionary."""
    from . import _lm

    han = P.HAN_CHAR.findall(text[:2000])
    if not han:
        return 0.0
    return sum(_lm.word_freq(c) > 100 for c in han) / len(han)


def read_text_file(path: str | Path) -> tuple[str, str]:
    """Read one article file exactly as it is (no newline translation); returns (text, encoding).

    >>> text, enc = read_text_file(paths.SEEDS_DIR / "002_24643090ae82cad5.txt")
    >>> enc, text[:4]
    ('utf-8', '發(fā')
    """
    return decode_bytes(Path(path).read_bytes())


# --------------------------------------------------------------------------- dates
_DATE = re.compile(
    r"^\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)


def parse_date(value: str | None) -> pd.Timestamp:
    """A Timestamp from ``2022-03-19 12:17:56``, ``2022/3/19``, ``2022年3月19日`` …; NaT if none.

    >>> parse_date("2022年3月19日"), parse_date("2022-03-19 12:17:56"), parse_date("")
    (Timestamp('2022-03-19 00:00:00'), Timestamp('2022-03-19 12:17:56'), NaT)
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return pd.NaT
    if isinstance(value, pd.Timestamp):
        return value
    text = str(value).strip()
    if not text:
        return pd.NaT
    if m := _DATE.match(text):
        parts = [int(g) if g else 0 for g in m.groups()]
        try:
            return pd.Timestamp(*parts)
        except ValueError:
            return pd.NaT
    ts = pd.to_datetime(text, errors="coerce")
    return pd.NaT if pd.isna(ts) else pd.Timestamp(ts)


def date_from_filename(name: str) -> pd.Timestamp:
    """The date in a file name such as ``20200131-02-06.txt``, or NaT.

    >>> date_from_filename("20200131-02-06.txt")
    Timestamp('2020-01-31 00:00:00')
    """
    m = P.FILENAME_DATE.search(Path(name).stem)
    return pd.Timestamp(f"{m.group(1)}-{m.group(2)}-{m.group(3)}") if m else pd.NaT


# --------------------------------------------------------------------------- records
def _record(doc_id: str, source: str, raw: str, meta: dict) -> dict:
    parts = clean_article(raw)
    f = parts.fields
    date, basis = parse_date(f.get("date")), "stated"
    if pd.isna(date):
        date, basis = date_from_filename(source), "filename"
    if pd.isna(date):
        basis = None
    rec = {
        "doc_id": doc_id,
        "source_file": source,
        "title": f.get("title"),
        "date": date,
        "date_basis": basis,
        "region": None,
        "province": None,
        "level": None,
        "outlet": f.get("outlet"),
        "author": f.get("author"),
        "text_raw": raw,
        "text": parts.text,
        "text_simplified": to_simplified(parts.text),
        "n_han": len(parts.text) - sum(map(len, P.NON_HAN_RUN.findall(parts.text))),
        "digest": hashlib.sha1(re.sub(r"\s+", "", parts.text).encode()).hexdigest(),
        "changes": [c.as_dict() for c in parts.changes],
    }
    for key, value in meta.items():  # metadata overrides what was parsed
        if key in rec and value is not None and not (isinstance(value, float) and pd.isna(value)) and value != "":
            rec[key] = value
    return rec


def _read_metadata(path: Path, problem) -> dict[str, dict]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
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
        rec = {k: (row[k].strip() or None) for k in METADATA_COLUMNS if k in row}
        if rec.get("date"):
            ts = parse_date(rec["date"])
            if pd.isna(ts):
                problem(path, f"row {line_no} ({row['file']}): malformed date {rec['date']!r}, ignored")
                rec.pop("date")
                rec.pop("date_basis", None)
            else:
                rec["date"] = ts
                rec["date_basis"] = rec.get("date_basis") or "metadata"
        out[row["file"].strip()] = rec
    return out


_LARGE_TEXT = ("text_raw", "text", "text_simplified")


def _packed(rec: dict) -> dict:
    """The record with its large texts as UTF-8 bytes: cheaper to send from a worker, and turned into
    Arrow strings by :func:`_frame` without ever becoming Python strings in the parent."""
    for col in _LARGE_TEXT:
        rec[col] = rec[col].encode("utf-8")
    return rec


def _load_file(item: tuple[Path, str, dict]) -> tuple:
    """Worker: read and clean one file; ("ok", record) or ("problem", where, message)."""
    path, rel, meta = item
    try:
        raw, _enc = read_text_file(path)
    except (OSError, ValueError) as exc:
        return ("problem", str(path), str(exc))
    return ("ok", _packed(_record(path.stem, rel, raw, meta)))


def _load_row(item: tuple[str, str, str, dict]) -> tuple:
    doc_id, source, raw, meta = item
    return ("ok", _packed(_record(doc_id, source, raw, meta)))


def _run(worker, items: list, total_chars: int, processes: int | None) -> Iterable[tuple]:
    """Apply ``worker`` to every item, in parallel over all cores when the corpus is large enough."""
    processes = processes or os.cpu_count() or 1
    if processes < 2 or total_chars < PARALLEL_MIN_CHARS:
        yield from (worker(it) for it in progress(items, total=len(items), desc="cleaning"))
        return
    chunk = max(1, min(500, len(items) // (processes * 8)))
    with ProcessPoolExecutor(processes) as pool:
        yield from progress(pool.map(worker, items, chunksize=chunk), total=len(items), desc="cleaning")


def _folder_items(folder: Path, problem) -> tuple[list, int]:
    meta_path = folder / paths.METADATA_NAME
    meta = _read_metadata(meta_path, problem) if meta_path.is_file() else {}
    files = sorted(p for p in folder.rglob("*.txt") if p.is_file())
    names = {p.relative_to(folder).as_posix() for p in files} | {p.name for p in files}
    for name in meta:
        if name not in names:
            problem(meta_path, f"row for {name!r}, but there is no such file")
    items = []
    for p in files:
        rel = p.relative_to(folder).as_posix()
        items.append((p, rel, meta.get(rel) or meta.get(p.name) or {}))
    return items, sum(p.stat().st_size for p in files) // 3


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if suffix in (".jsonl", ".ndjson"):
        return pd.read_json(path, lines=True, dtype=False)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise ValueError(f"unsupported corpus file type {suffix!r} (use a folder of .txt, .csv, .jsonl or .parquet)")


def _table_items(path: Path, problem) -> tuple[list, int]:
    table = _read_table(path)
    text_col = next((c for c in TEXT_COLUMN_NAMES if c in table.columns), None)
    if text_col is None:
        raise CorpusError(f"{path}: no text column (expected one of {', '.join(TEXT_COLUMN_NAMES)})")
    id_col = next((c for c in ID_COLUMN_NAMES if c in table.columns), None)
    items, total = [], 0
    for i, row in enumerate(table.to_dict("records")):
        doc_id = str(row[id_col]) if id_col else f"{path.stem}-{i:06d}"
        raw = row[text_col]
        if raw is None or (isinstance(raw, float) and pd.isna(raw)) or not str(raw).strip():
            problem(f"{path} row {i + 1} ({doc_id})", "empty text")
            continue
        meta = {k: row[k] for k in METADATA_COLUMNS if k in row}
        if meta.get("date") not in (None, ""):
            ts = parse_date(meta["date"])
            if pd.isna(ts):
                problem(f"{path} row {i + 1} ({doc_id})", f"malformed date {meta['date']!r}, ignored")
                meta.pop("date")
            else:
                meta["date"] = ts
                meta["date_basis"] = meta.get("date_basis") or "metadata"
        items.append((doc_id, f"{path.name}#{i + 1}", str(raw), meta))
        total += len(str(raw))
    return items, total


# --------------------------------------------------------------------------- cache
_CLEANING_SOURCES = ("clean.py", "gbk.py", "patterns.py", "corpus.py", "convert.py", "_lm.py", "changes.py")


@lru_cache(maxsize=1)
def cleaning_version() -> str:
    """A hash of everything that decides what loading produces: the cleaning code, its data files and
    the versions of OpenCC, pypinyin and jieba."""
    from importlib.metadata import version

    h = hashlib.sha1()
    for name in _CLEANING_SOURCES:
        h.update((paths.PACKAGE_DIR / name).read_bytes())
    for data in (paths.KNOWN_REPAIRS_CSV, paths.USER_DICT):
        h.update(data.read_bytes())
    for pkg in ("OpenCC", "pypinyin", "jieba", "charset-normalizer"):
        h.update(f"{pkg}={version(pkg)}".encode())
    return h.hexdigest()[:16]


def _corpus_key(path: Path) -> str:
    h = hashlib.sha1(f"{cleaning_version()}|{path.resolve()}".encode())
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    for p in files:
        if p.is_file() and (p.suffix.lower() == ".txt" or p.name == paths.METADATA_NAME or p == path):
            st = p.stat()
            h.update(f"{p.relative_to(path) if p != path else p.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:20]


def _read_cache(cache: Path) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    df = pd.read_parquet(cache)
    df["changes"] = [json.loads(c) for c in df["changes"]]
    problems = json.loads(cache.with_suffix(".warnings.json").read_text(encoding="utf-8"))
    return df, [tuple(p) for p in problems]


def _write_cache(cache: Path, df: pd.DataFrame, problems: list[tuple[str, str]]) -> None:
    from ._parquet import write_parquet

    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.with_suffix(".warnings.json").write_text(json.dumps(problems, ensure_ascii=False), encoding="utf-8")
    write_parquet(df.assign(changes=[json.dumps(c, ensure_ascii=False) for c in df["changes"]]), cache)


def _frame(rows: list[dict]) -> pd.DataFrame:
    """The corpus DataFrame, in date order, built one column at a time: each column's strings are
    released from the records as it is converted, so the corpus is never held twice."""
    import pyarrow as pa

    keys = pd.DataFrame({
        "date": pd.to_datetime(pd.Series([r["date"] for r in rows], dtype=object)),
        "doc_id": [r["doc_id"] for r in rows],
    })  # fmt: skip
    order = keys.sort_values(["date", "doc_id"], na_position="last", kind="stable").index
    rows = [rows[i] for i in order]
    data: dict[str, pd.Series] = {}
    for col in COLUMNS:
        values = [r.pop(col) for r in rows]
        if col == "date":
            data[col] = pd.to_datetime(pd.Series(values, dtype=object))
        elif col == "n_han":
            data[col] = pd.Series(values, dtype="int64")
        elif col == "changes":
            data[col] = pd.Series(values, dtype=object)
        elif col in _LARGE_TEXT:
            data[col] = pd.Series(pa.array(values, pa.large_binary()).cast(pa.large_string()), dtype="str")
        else:
            data[col] = pd.Series(values, dtype="str")
        del values
    return pd.DataFrame(data)


def load_corpus(
    path: str | Path = paths.SEEDS_DIR,
    *,
    strict: bool = False,
    cache_dir: Path | None = paths.CACHE_DIR,
    processes: int | None = None,
) -> pd.DataFrame:
    """Load and clean every article under ``path``: a folder of ``.txt`` files (recursive, with an
    optional ``metadata.csv``), or one ``.csv`` / ``.jsonl`` / ``.parquet`` file with a text column.

    A bad file (empty, binary, undecodable, only furniture, a duplicate) is skipped with a
    :class:`CorpusWarning` naming it; ``strict=True`` raises :class:`CorpusError` instead.
    Files are only read, never written. A large corpus is cleaned on all cores (``processes``), and
    the result is cached as Parquet in ``cache_dir`` (keyed by the files' names, sizes and times and
    by the cleaning code's version; ``cache_dir=None`` turns it off), so a re-run reads it back.

    >>> df = load_corpus(paths.SEEDS_DIR)
    >>> df.loc[df.doc_id.str.startswith("000"), "date"].iloc[0]
    Timestamp('2022-03-19 12:17:56')
    """
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: no such folder or file")
    cache = (cache_dir / f"corpus-{_corpus_key(path)}.parquet") if cache_dir is not None else None
    if cache is not None and cache.is_file():
        df, problems = _read_cache(cache)
        for where, problem in problems:
            _problem(where, problem, strict)
        return df
    problems: list[tuple[str, str]] = []

    def problem(where, message):
        problems.append((str(where), message))
        _problem(where, message, strict)

    if path.is_dir():
        items, chars = _folder_items(path, problem)
        results = _run(_load_file, items, chars, processes)
    else:
        items, chars = _table_items(path, problem)
        results = _run(_load_row, items, chars, processes)
    rows, seen = [], {}
    for result in results:
        if result[0] == "problem":
            problem(result[1], result[2])
            continue
        rec = result[1]
        if not rec["n_han"]:
            problem(rec["source_file"], "nothing left after cleaning (only page furniture?)")
            continue
        digest = rec.pop("digest")
        if digest in seen:
            problem(rec["source_file"], f"duplicate of {seen[digest]}, skipped")
            continue
        seen[digest] = rec["source_file"]
        rows.append(rec)
    df = _frame(rows)
    if cache is not None:
        _write_cache(cache, df, problems)
    return df


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
