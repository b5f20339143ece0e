"""One cache: resolved at call time, atomic writes, damaged entries reported, removed and rebuilt, bounded."""

from __future__ import annotations

import multiprocessing as mp
import shutil
import warnings

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
    assert [p.name.split("-")[0] for p in entries] == ["corpus", "tfidf", "tokens"]
    for p in entries:
        data = p.read_bytes()
        p.write_bytes({"truncate": data[: len(data) // 2], "empty": b"", "garble": bytes(reversed(data))}[damage])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = add_tokens(load_corpus(corpus, cache_dir=folder), cache_dir=folder)
        X2, v2 = tfidf_vectors(again, cache_dir=folder)
    damaged = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    assert len(damaged) == 3 and all("damaged cache entry" in m for m in damaged)
    pd.testing.assert_frame_equal(first, again)
    assert (X1 != X2).nnz == 0 and list(v1) == list(v2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)  # rebuilt: read cleanly now
        load_corpus(corpus, cache_dir=folder)


def _load(args):
    corpus, folder = args
    return len(load_corpus(corpus, cache_dir=folder))


def test_two_loads_at_once_never_see_half_an_entry(tmp_path):
    corpus, folder = _seeds(tmp_path), tmp_path / "cache"
    with mp.get_context("spawn").Pool(2) as pool:
        counts = pool.map(_load, [(corpus, folder)] * 8)
    assert counts == [5] * 8
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
    monkeypatch.setattr(cache, "code_version", lambda: "another-version")
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
