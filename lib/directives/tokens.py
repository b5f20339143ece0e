"""Segmentation: the one module that owns jieba's set-up (a private Tokenizer with the project's user
dictionary; no global jieba state is changed), stopwords, and a token cache on disk.

>>> tokenize("坚决克服麻痹思想、厌战情绪，压实四方责任")
['克服', '麻痹思想', '厌战情绪', '压实', '四方责任']
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths
from ._progress import progress

HMM = True
_TOKEN_OK = re.compile(r"[\u3400-\u9fffA-Za-z]")
_NUMBER = re.compile(r"^[\d.,%％〇一二三四五六七八九十百千万亿两]+$")


def _read_list(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and ln[0] != "#"]


def user_dictionary() -> list[tuple[str, int | None, str | None]]:
    """Entries of ``data/user_dict.txt``: (word, frequency, part of speech).

    >>> ("压实责任", 2000, "l") in user_dictionary()
    True
    """
    out = []
    for line in _read_list(paths.USER_DICT):
        parts = line.split()
        out.append((parts[0], int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None))
    return out


@lru_cache(maxsize=1)
def dictionary_version() -> str:
    """A short hash of everything that changes segmentation: jieba's version, HMM, the user dictionary."""
    import jieba

    h = hashlib.sha1(f"jieba {jieba.__version__} hmm={HMM}\n".encode())
    h.update(paths.USER_DICT.read_bytes())
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def segmenter():
    """The project's jieba Tokenizer (its own instance: the global ``jieba.dt`` is left alone)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for word, freq, tag in user_dictionary():
        tk.add_word(word, freq, tag)
    return tk


@lru_cache(maxsize=4)
def stopwords(genre: bool = True) -> frozenset[str]:
    """Chinese stopwords from the stopwords-iso package, plus (``genre=True``) the project's genre list.

    >>> "的" in stopwords(), "进一步" in stopwords(), "进一步" in stopwords(genre=False)
    (True, True, False)
    """
    import stopwordsiso

    words = set(stopwordsiso.stopwords("zh"))
    if genre:
        words |= set(_read_list(paths.GENRE_STOPWORDS))
    # the genre's key terms are never stopwords, whatever a general list says
    return frozenset(words - {w for w, _, _ in user_dictionary()})


def segment(text: str) -> list[str]:
    """All tokens of ``text`` as jieba cuts it with the user dictionary (punctuation included).

    >>> segment("压实四方责任。")
    ['压实', '四方责任', '。']
    """
    return [t for t in segmenter().lcut(text, HMM=HMM) if t.strip()]


def filter_tokens(
    tokens: list[str],
    *,
    drop_stopwords: bool = True,
    genre_stopwords: bool = True,
    keep_single: bool = False,
    keep_numbers: bool = False,
) -> list[str]:
    """Drop punctuation, and by default stopwords, numbers and single characters.

    >>> filter_tokens(["压实", "的", "责任", "。", "19", "要"])
    ['压实', '责任']
    """
    stop = stopwords(genre_stopwords) if drop_stopwords else frozenset()
    return [
        t
        for t in tokens
        if _TOKEN_OK.search(t)
        and t not in stop
        and (keep_single or len(t) > 1)
        and (keep_numbers or not _NUMBER.match(t))
    ]


def tokenize(text: str, **options) -> list[str]:
    """Words a political scientist would count: segment simplified ``text``, then :func:`filter_tokens`.

    >>> tokenize("各级党委政府要切实压紧压实责任")
    ['各级党委', '政府', '压紧压实', '责任']
    """
    return filter_tokens(segment(text), **options)


# --------------------------------------------------------------------------- corpus level, cached
def _cache_path(cache_dir: Path) -> Path:
    return cache_dir / f"tokens-{dictionary_version()}.parquet"


def segment_texts(texts: list[str], cache_dir: Path | None = paths.CACHE_DIR) -> list[list[str]]:
    """Segment many texts, reusing the on-disk cache (Parquet, keyed by the text's hash, one file per
    dictionary version, so a changed dictionary is a cache miss). ``cache_dir=None`` disables it."""
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    cached: dict[str, str] = {}
    path = _cache_path(cache_dir) if cache_dir is not None else None
    if path is not None and path.is_file():
        table = pd.read_parquet(path)
        cached = dict(zip(table["key"], table["tokens"], strict=True))
    missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in cached}
    fresh = {k: " ".join(segment(t)) for k, t in progress(missing.items(), total=len(missing), desc="segmenting")}
    if path is not None and fresh:
        path.parent.mkdir(parents=True, exist_ok=True)
        merged = {**cached, **fresh}
        pd.DataFrame({"key": list(merged), "tokens": list(merged.values())}).to_parquet(path, index=False)
    cached.update(fresh)
    return [cached[k].split(" ") if cached[k] else [] for k in keys]


def add_tokens(
    df: pd.DataFrame, column: str = "text_simplified", cache_dir: Path | None = paths.CACHE_DIR, **options
) -> pd.DataFrame:
    """A copy of ``df`` with ``tokens`` (filtered words) and ``all_tokens`` (every token, for positions
    and KWIC). ``options`` go to :func:`filter_tokens`.

    >>> from directives import load_corpus
    >>> bool(add_tokens(load_corpus())["tokens"].map(len).gt(0).all())
    True
    """
    all_tokens = segment_texts(df[column].fillna("").tolist(), cache_dir)
    out = df.copy()
    out["all_tokens"] = all_tokens
    out["tokens"] = [filter_tokens(t, **options) for t in all_tokens]
    return out
