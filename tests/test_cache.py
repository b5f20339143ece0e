"""One cache: resolved at call time, atomic writes, damaged entries reported, removed and rebuilt, bounded."""

from __future__ import annotations

import multiprocessing as mp
import shutil
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from directives import cache, load_corpus, paths
from directives.cache import CacheWarning
from directives.tfidf import tfidf_vectors
from directives.tokens import add_tokens


def _seeds(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(paths.SEEDS_DIR, corpus)
    return corpus


def test_cache_folder_is_looked_up_at_call_time(tmp_path, monkeypatch):
    monkeypatch.setenv("DIRECTIVES_CACHE", str(tmp_path / "a"))
    load_corpus(_seeds(tmp_path))
    assert len(list((tmp_path / "a").glob("corpus-*.parquet"))) == 1
    monkeypatch.delenv("DIRECTIVES_CACHE")
    monkeypatch.setattr(paths, "CACHE_DIR", tmp_path / "b")
    load_corpus(tmp_path / "corpus")
    assert len(list((tmp_path / "b").glob("corpus-*.parquet"))) == 1


@pytest.mark.parametrize("damage", ["truncate", "empty", "garble"])
def test_damaged_entries_are_reported_removed_and_rebuilt(tmp_path, damage):
    corpus, folder = _seeds(tmp_path), tmp_path / "cache"
    first = add_tokens(load_corpus(corpus, cache_dir=folder), cache_dir=folder)
    X1, v1 = tfidf_vectors(first, cache_dir=folder)
    entries = sorted(folder.iterdir())
    assert [p.name.split("-")[0] for p in entries] == ["corpus", "fileindex", "tfidf", "tokens"]
    for p in entries:
        data = p.read_bytes()
        p.write_bytes({"truncate": data[: len(data) // 2], "empty": b"", "garble": bytes(reversed(data))}[damage])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = add_tokens(load_corpus(corpus, cache_dir=folder), cache_dir=folder)
        X2, v2 = tfidf_vectors(again, cache_dir=folder)
    damaged = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    assert len(damaged) == 4 and all("damaged cache entry" in m for m in damaged)
    pd.testing.assert_frame_equal(first, again)
    assert (X1 != X2).nnz == 0 and list(v1) == list(v2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)  # rebuilt: read cleanly now
        load_corpus(corpus, cache_dir=folder)


def test_two_loads_at_once_never_see_half_an_entry(tmp_path):
    corpus, folder = _seeds(tmp_path), tmp_path / "cache"
    # the library's own function is sent to the workers (a function of this module would need the workers to import
    # the tests, which they cannot under every way of starting pytest: they then die, and the pool waits forever)
    with mp.get_context("spawn").Pool(2) as pool:
        frames = pool.map(partial(load_corpus, cache_dir=folder), [corpus] * 8)
    assert [len(f) for f in frames] == [5] * 8
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_the_folder_stays_under_its_bound(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    old = folder / "tfidf-old.npz"
    old.write_bytes(np.zeros(1000, np.uint8).tobytes())
    monkeypatch.setenv("DIRECTIVES_CACHE_MAX_GB", str(1.5e-6))  # 1,500 bytes
    load_corpus(_seeds(tmp_path), cache_dir=folder)  # its entry is larger: the old one goes first
    assert not old.exists() and len(list(folder.glob("corpus-*"))) == 1


def test_a_code_change_is_a_miss(tmp_path, monkeypatch):
    corpus, folder = _seeds(tmp_path), tmp_path / "cache"
    load_corpus(corpus, cache_dir=folder)
    monkeypatch.setattr(cache, "code_version", lambda modules=None: "another-version")
    load_corpus(corpus, cache_dir=folder)
    assert len(list(folder.glob("corpus-*.parquet"))) == 2


def test_an_edit_that_keeps_size_and_time_is_a_miss(tmp_path):
    import os

    corpus, folder = _seeds(tmp_path), tmp_path / "cache"
    (p,) = corpus.glob("000_*.txt")
    before = load_corpus(corpus, cache_dir=folder)
    st = p.stat()
    data = p.read_bytes()
    p.write_bytes(data.replace("永州".encode(), "衡陽".encode(), 1))  # same length in UTF-8
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert p.stat().st_size == st.st_size and p.stat().st_mtime_ns == st.st_mtime_ns
    after = load_corpus(corpus, cache_dir=folder)
    assert not before.text_raw.equals(after.text_raw)


# --------------------------------------------------------------------------- the file index
def _hashed(monkeypatch) -> list[str]:
    """The files the cache key reads from now on (their names)."""
    from directives import corpus as C

    calls, real = [], C._hash_file
    monkeypatch.setattr(C, "_hash_file", lambda path: calls.append(Path(path).name) or real(path))
    return calls


def test_an_unchanged_file_is_not_read_again_and_an_edit_is(tmp_path, monkeypatch):
    import os
    import time

    corpus, folder = _seeds(tmp_path), tmp_path / "cache"
    monkeypatch.setattr(cache, "RACY_NS", 1_000_000)  # 1 ms: the copies are old enough at once
    time.sleep(0.01)
    before = load_corpus(corpus, cache_dir=folder)
    calls = _hashed(monkeypatch)
    again = load_corpus(corpus, cache_dir=folder)
    assert calls == [] and again.equals(before)  # no file read for the key, and the entry found
    (p,) = corpus.glob("000_*.txt")
    st = p.stat()
    p.write_bytes(p.read_bytes().replace("永州".encode(), "衡陽".encode(), 1))  # the same size
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime: only ctime and the content moved
    assert (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    after = load_corpus(corpus, cache_dir=folder)
    assert calls == [p.name]  # that file alone was read again
    assert not before.text_raw.equals(after.text_raw)


def test_racy_entries_are_read_again_and_what_the_index_cannot_see(tmp_path, monkeypatch):
    from directives.corpus import _corpus_key, _list_folder

    corpus, folder = _seeds(tmp_path), tmp_path / "cache"
    first = _corpus_key(corpus, _list_folder(corpus)[0], folder)
    n_files = len(_list_folder(corpus)[0])
    calls = _hashed(monkeypatch)
    assert _corpus_key(corpus, _list_folder(corpus)[0], folder) == first
    assert len(calls) == n_files  # copied just now: every entry is racy (ctime within 2 s of the hashing)
    (p,) = corpus.glob("000_*.txt")
    st, old_digest = p.stat(), cache.FileIndex(folder, corpus).known[p.name][5]
    p.write_bytes(p.read_bytes().replace("永州".encode(), "衡陽".encode(), 1))
    import os

    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    listing = _list_folder(corpus)[0]
    new_stat = next(f for f in listing if f[1] == p.name)[2:]

    def pretend(checked_ns):  # a file system whose clock did not tick: the new stat beside the old digest
        index = cache.FileIndex(folder, corpus)
        rows = {**index.known, p.name: (*new_stat, checked_ns, old_digest)}
        cache.write_entry(index.path, lambda tmp: cache._write_index(tmp, rows))

    pretend(checked_ns=new_stat[2])  # hashed in the same tick as the change: racy, read again, seen
    assert _corpus_key(corpus, listing, folder) != first
    pretend(checked_ns=new_stat[2] + cache.RACY_NS + 1)  # hashed long after: trusted, and the edit is missed
    assert _corpus_key(corpus, listing, folder) == first  # the limit the README states


def test_a_damaged_index_is_rebuilt(tmp_path):
    corpus, folder = _seeds(tmp_path), tmp_path / "cache"
    from directives.corpus import _corpus_key, _list_folder

    key = _corpus_key(corpus, _list_folder(corpus)[0], folder)
    (index,) = folder.glob("fileindex-*.parquet")
    index.write_bytes(b"not parquet")
    with pytest.warns(CacheWarning, match="damaged cache entry"):
        assert _corpus_key(corpus, _list_folder(corpus)[0], folder) == key
    assert len(cache.FileIndex(folder, corpus).known) == len(_list_folder(corpus)[0])


def test_dataset_folders_count_against_the_bound(tmp_path, monkeypatch):
    import os

    from directives.dataset import build_dataset

    folder = tmp_path / "cache"
    old, dead = folder / "dataset-old", folder / ".dataset-dead.tmp"
    for d in (old, dead):
        d.mkdir(parents=True)
        (d / "part-00000.parquet").write_bytes(b"0" * 1000)
    day_ago = os.stat(old).st_mtime - 2 * 24 * 3600
    for p in (old, old / "part-00000.parquet", dead, dead / "part-00000.parquet"):
        os.utime(p, (day_ago, day_ago))
    assert {p.name for p in cache.evict(folder, max_bytes=10_000)} == {dead.name}  # under the bound: old stays
    monkeypatch.setenv("DIRECTIVES_CACHE_MAX_GB", str(1.5e-6))  # 1,500 bytes
    ds = build_dataset(_seeds(tmp_path), cache_dir=folder)
    assert not old.exists() and ds.folder.is_dir()  # the least recently used folder went, whole


def test_the_default_bound_makes_room_for_the_largest_dataset(tmp_path, monkeypatch):
    """Without DIRECTIVES_CACHE_MAX_GB the bound is at least DATASET_ROOM times the largest dataset (a 1,000,000
    article dataset outgrows the 5 GB default): the dataset and its aggregates stay, older entries beyond go."""
    import os
    import time

    monkeypatch.delenv("DIRECTIVES_CACHE_MAX_GB", raising=False)
    monkeypatch.setattr(cache, "MAX_GB", 10e-9)  # 10 bytes: the dataset alone is larger
    dataset = tmp_path / "dataset-abc"
    dataset.mkdir()
    (dataset / "part-00000.parquet").write_bytes(b"0" * 20)
    now = time.time()
    for n, age in enumerate([300, 200, 100]):  # x-0 the oldest
        entry = tmp_path / f"x-{n}.npz"
        entry.write_bytes(b"0" * 15)
        os.utime(entry, (now - age, now - age))
    removed = cache.evict(tmp_path)
    assert [p.name for p in removed] == ["x-0.npz"] and dataset.is_dir()  # 20 + 2 x 15 <= 3 x 20
    monkeypatch.setenv("DIRECTIVES_CACHE_MAX_GB", str(10e-9))  # a bound the user sets is kept
    assert cache.evict(tmp_path, keep=tmp_path / "x-2.npz") and not (tmp_path / "x-1.npz").exists()


def _make_slowly(path_text: str, calls_text: str) -> str:
    import time

    from directives import cache as C

    path, calls = Path(path_text), Path(calls_text)

    def make() -> str:
        with open(calls, "a") as fh:  # one line per call of make, whichever process
            fh.write("made\n")
        time.sleep(1.5)  # long enough that the other process asks while this one makes it
        C.write_entry(path, lambda tmp: tmp.write_text("the value", encoding="utf-8"))
        return "the value"

    return C.read_or_make(path, lambda p: p.read_text(encoding="utf-8"), make)


def test_an_entry_two_processes_need_at_once_is_made_once_and_read_by_the_other(tmp_path):
    """Notebooks run side by side (the report's lanes) ask for the same aggregate at the same moment: one makes it,
    the other waits for it and reads it, rather than both computing it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    path, calls = tmp_path / "cache" / "demo-1.txt", tmp_path / "calls.txt"
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_make_slowly, [str(path)] * 2, [str(calls)] * 2))
    assert results == ["the value", "the value"]
    assert calls.read_text().splitlines() == ["made"]  # made once
    assert path.read_text(encoding="utf-8") == "the value"
    assert [p.name for p in path.parent.iterdir() if not p.name.startswith(".")] == ["demo-1.txt"]
