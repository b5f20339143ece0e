"""One cache for what is expensive to recompute: the cleaned corpus, its tokens, TF-IDF matrices.

Every entry is one file in one folder, :func:`cache_dir` (``DIRECTIVES_CACHE``, else ``paths.CACHE_DIR``,
looked up at each call, so changing either later takes effect), named ``<kind>-<key>.<ext>``. The key
(:func:`cache_key`) hashes what the entry was made from, the options, and :func:`code_version` (every
source and data file of this package and the versions of the packages whose output is stored), so a change
to any of them is a miss. Entries are never pickle (Parquet and ``.npz`` without objects). Writes are
atomic (a uniquely named temporary file, then a rename), so two runs at once never see half an entry. A
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


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of this package's own source and data files (all of them: a new or split module is never
    missed) and of the versions of the packages whose output the cache stores.

    >>> len(code_version())
    16
    """
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha1()
    for file in sorted([*paths.PACKAGE_DIR.glob("*.py"), *paths.DATA_DIR.iterdir()]):
        if file.is_file():
            h.update(file.name.encode())
            h.update(file.read_bytes())
    for pkg in VERSIONED_PACKAGES:
        try:
            h.update(f"{pkg}={version(pkg)}".encode())
        except PackageNotFoundError:
            h.update(f"{pkg}=none".encode())
    return h.hexdigest()[:16]


def cache_key(*parts: object) -> str:
    """A key from the parts (inputs and options, by their ``repr``) and :func:`code_version`.

    >>> cache_key("a", 1) == cache_key("a", 1) != cache_key("a", 2)
    True
    """
    h = hashlib.sha1(code_version().encode())
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


def evict(folder: Path, max_bytes: float | None = None, keep: Path | None = None) -> list[Path]:
    """Remove the least recently used entries of ``folder`` (never ``keep``, the one just written) until it
    holds at most ``max_bytes`` (``DIRECTIVES_CACHE_MAX_GB``, default 5 GB), and temporary files left by runs
    that died. Returns what was removed.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> for n in range(3): _ = (folder / f"x-{n}.npz").write_bytes(b"0" * 10)
    >>> [p.name for p in evict(folder, max_bytes=15)]
    ['x-0.npz', 'x-1.npz']
    """
    if max_bytes is None:
        max_bytes = float(os.environ.get("DIRECTIVES_CACHE_MAX_GB", MAX_GB)) * 1e9
    entries, removed = [], []
    for p in Path(folder).iterdir():
        try:
            st = p.stat()
        except OSError:
            continue
        if not p.is_file():
            continue
        if p.name.endswith(".tmp") and p.name.startswith("."):
            if time.time() - st.st_mtime > 24 * 3600:  # a temporary file a dead run left a day ago
                p.unlink(missing_ok=True)
                removed.append(p)
            continue
        entries.append((st.st_mtime, p.name, p, st.st_size))
    total = sum(e[3] for e in entries)
    for _mtime, _name, p, size in sorted(entries):
        if total <= max_bytes:
            break
        if keep is not None and p == Path(keep):
            continue
        p.unlink(missing_ok=True)
        removed.append(p)
        total -= size
    return removed
