"""Segmentation: the one module that owns the segmenter's set-up, stopwords, and a token cache on disk.

The segmenter is jieba's algorithm with jieba's dictionary plus the project's user dictionary, HMM off.
It runs in jieba-rs (the ``rjieba`` binding, about 25 MB/s a core) and falls back to jieba itself, the
reference implementation, where rjieba is missing or ``DIRECTIVES_SEGMENTER=jieba`` is set; both give
the same tokens (tested). Each engine is a private instance: no global jieba state is changed.

Tokens of a corpus are kept compactly, one space-joined string per document (a Python list of
strings costs about 170 bytes a token); :func:`token_list` turns one back into a list.

>>> tokenize("坚决克服麻痹思想、厌战情绪，压实四方责任")
['克服', '麻痹思想', '厌战情绪', '压实', '四方责任']
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache, partial
from pathlib import Path

import numpy as np
import pandas as pd

from . import cache, paths
from ._parallel import ordered_map, release_memory
from ._progress import progress
from .patterns import HAN

HMM = False
PARALLEL_MIN_CHARS = 2_000_000  # below this, segmenting in one process is faster than starting workers
CHUNK_CHARS = 1_000_000  # characters segmented per chunk: Arrow's column work pays from a few hundred thousand
_TOKEN_OK = re.compile(f"[{HAN}A-Za-z]")
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


def engine() -> str:
    """``rjieba`` (fast) or ``jieba`` (reference; also the fallback when rjieba cannot be imported).

    >>> engine() in ("rjieba", "jieba")
    True
    """
    if os.environ.get("DIRECTIVES_SEGMENTER", "rjieba") == "jieba":
        return "jieba"
    try:
        _rjieba_class()
    except ImportError:
        return "jieba"
    return "rjieba"


@lru_cache(maxsize=1)
def _rjieba_class() -> type:
    """rjieba's ``Jieba`` class, from its compiled module alone: ``import rjieba`` also builds a default
    instance, a second copy of jieba's dictionary in every process (workers included) that the project never
    uses. The module is registered under its own name, so a later ``import rjieba`` finds it and works as
    usual. Raises ImportError where rjieba is missing or its module cannot be loaded."""
    import importlib.machinery
    import importlib.util
    import sys

    loaded = sys.modules.get("rjieba.rjieba")
    if loaded is None:
        spec = importlib.util.find_spec("rjieba")  # located, not imported
        folders = list(spec.submodule_search_locations or []) if spec else []
        found = [
            os.path.join(folder, f"rjieba{suffix}")
            for folder in folders
            for suffix in importlib.machinery.EXTENSION_SUFFIXES
            if os.path.isfile(os.path.join(folder, f"rjieba{suffix}"))
        ]
        if not found:
            raise ImportError("rjieba's compiled module not found")
        loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", found[0])
        module_spec = importlib.util.spec_from_file_location("rjieba.rjieba", found[0], loader=loader)
        loaded = importlib.util.module_from_spec(module_spec)
        loader.exec_module(loaded)
        sys.modules["rjieba.rjieba"] = loaded
    return loaded.Jieba


@lru_cache(maxsize=1)
def dictionary_version() -> str:
    """A short hash of everything that changes segmentation: jieba's version, HMM, the user dictionary
    (the engine is not part of it: both engines give the same tokens).

    >>> len(dictionary_version())
    12
    """
    from importlib.metadata import version  # (importing jieba for its __version__ took 0.2 s: it imports pkg_resources)

    h = hashlib.sha1(f"jieba {version('jieba')} hmm={HMM}\n".encode())
    h.update(paths.USER_DICT.read_bytes())
    return h.hexdigest()[:12]


@lru_cache(maxsize=2)
def segmenter(name: str | None = None):
    """The project's segmenter: an object with ``cut(text) -> list[str]``, user dictionary loaded.

    >>> segmenter().cut("外防输入")
    ['外防输入']
    """
    name = name or engine()
    if name == "rjieba":
        rj = _rjieba_class()()
        for word, freq, tag in user_dictionary():
            rj.add_word(word, freq, tag or "n")
        return _Engine(lambda text: rj.cut(text, HMM), cut_without_hmm=lambda text: rj.cut(text, False))
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for word, freq, tag in user_dictionary():
        tk.add_word(word, freq, tag)
    return _Engine(lambda text: tk.lcut(text, HMM=HMM), tk, cut_without_hmm=lambda text: tk.lcut(text, HMM=False))


class _Engine:
    def __init__(self, cut, jieba_tokenizer=None, cut_without_hmm=None):
        self.cut = cut
        self.jieba_tokenizer = jieba_tokenizer
        self.cut_without_hmm = cut_without_hmm  # (the words jieba's tagger cuts with HMM=False)


@lru_cache(maxsize=1)
def jieba_tokenizer():
    """jieba's own Tokenizer with the user dictionary (for part-of-speech tagging, which needs jieba).

    >>> "四方责任" in jieba_tokenizer().lcut("压实四方责任")
    True
    """
    return segmenter("jieba").jieba_tokenizer


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
    """All tokens of ``text`` with the user dictionary (punctuation included, white space dropped).

    >>> segment("压实四方责任。")
    ['压实', '四方责任', '。']
    """
    return [t for t in segmenter().cut(text) if t.strip()]


def token_list(tokens: str | list[str]) -> list[str]:
    """A document's tokens as a list, from the compact space-joined form (a list passes through).

    >>> token_list("压实 四方责任"), token_list("")
    (['压实', '四方责任'], [])
    """
    return tokens.split() if isinstance(tokens, str) else list(tokens)


def token_string(tokens) -> str:
    """A document's tokens in the compact space-joined form (a string passes through; missing is "").

    >>> token_string(["压实", "四方责任"]), token_string("压实 四方责任"), token_string(None)
    ('压实 四方责任', '压实 四方责任', '')
    """
    if isinstance(tokens, str):
        return tokens
    return " ".join(tokens) if isinstance(tokens, list | tuple | np.ndarray) else ""


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
    return [t for t in tokens if _is_kept(t, stop, keep_single, keep_numbers)]


def _is_kept(token: str, stop: frozenset[str], keep_single: bool, keep_numbers: bool) -> bool:
    return bool(
        _TOKEN_OK.search(token)
        and token not in stop
        and (keep_single or len(token) > 1)
        and (keep_numbers or not _NUMBER.match(token))
    )


def tokenize(text: str, **options) -> list[str]:
    """Words a political scientist would count: segment simplified ``text``, then :func:`filter_tokens`.

    >>> tokenize("各级党委政府要切实压紧压实责任")
    ['各级党委', '政府', '压紧压实', '责任']
    """
    unknown = set(options) - set(_DEFAULT_FILTER)
    if unknown:
        raise TypeError(f"unknown token options: {sorted(unknown)}")
    return _splitter(tuple(sorted(options.items()))).keep(segmenter().cut(text))  # tokens judged once a process


# --------------------------------------------------------------------------- corpus level, cached
_DEFAULT_FILTER = {"drop_stopwords": True, "genre_stopwords": True, "keep_single": False, "keep_numbers": False}


def _options_key(options: dict) -> str:
    unknown = set(options) - set(_DEFAULT_FILTER)
    if unknown:
        raise TypeError(f"unknown token options: {sorted(unknown)}")
    from importlib.metadata import version

    merged = {**_DEFAULT_FILTER, **options}
    h = hashlib.sha1(repr(sorted(merged.items())).encode())
    h.update(f"stopwordsiso={version('stopwordsiso')}".encode())
    h.update(paths.GENRE_STOPWORDS.read_bytes())  # a changed stopword list is a cache miss too
    return h.hexdigest()[:8]


def _cache_path(cache_dir: Path, options: dict | None = None) -> Path:
    key = cache.cache_key("tokens", dictionary_version(), _options_key(options or {}))
    return cache.entry_path(cache_dir, "tokens", key, "parquet")


class _Verdicts(dict):
    """token -> kept by :func:`filter_tokens`' rule with the given options; a token is judged when first
    looked up, so ``verdicts[token]`` is one dictionary look-up for every token seen before."""

    def __init__(self, options: dict):
        super().__init__()
        merged = {**_DEFAULT_FILTER, **options}
        self.stop = stopwords(merged["genre_stopwords"]) if merged["drop_stopwords"] else frozenset()
        self.keep_single, self.keep_numbers = merged["keep_single"], merged["keep_numbers"]

    def __missing__(self, token: str) -> bool:
        self[token] = verdict = _is_kept(token, self.stop, self.keep_single, self.keep_numbers)
        return verdict


class _ChunkSplitter:
    """Segment a chunk of texts into its two token columns, each distinct token judged once per process.

    :func:`filter_tokens`'s rule is decided once for each distinct token and remembered in ``kept`` (token ->
    kept or not). A chunk is segmented by rjieba and each text's tokens joined in Python (the one step per
    token that has to be Python: rjieba hands back a list of ``str``); everything else is column work in
    Arrow: split at white space (the visible tokens, exactly ``str.split()``'s rule), dictionary-encode, look
    up only the chunk's distinct tokens in ``kept``, and filter and re-join by the codes (a look-up of every
    token in Python was slower: see benchmarks/README.md, "Real text"). Chunks are large (``CHUNK_CHARS``), so
    that few of a chunk's tokens are distinct in it; the work per chunk follows the chunk's text, never the
    vocabulary seen so far.

    >>> [a.to_pylist() for a in _ChunkSplitter({})(["压实四方责任。\\n", "  ", "的 了"])]
    [['压实 四方责任 。', '', '的 了'], ['压实 四方责任', '', '']]
    """

    def __init__(self, options: dict):
        self.kept = _Verdicts(options)
        segmenter()  # built with the splitter, so that workers forked after it inherit both

    def keep(self, tokens: list[str]) -> list[str]:
        """The tokens :func:`filter_tokens` keeps, in order: one C-level pass (a new token is judged on
        first sight by ``_Verdicts.__missing__``)."""
        return list(filter(self.kept.__getitem__, tokens))

    def verdicts(self, tokens: list[str]) -> np.ndarray:
        """Each token's verdict as a boolean array."""
        return np.fromiter(map(self.kept.__getitem__, tokens), bool, len(tokens))

    def __call__(self, texts: list[str]):
        import pyarrow as pa
        import pyarrow.compute as pc

        cut, space = segmenter().cut, pa.scalar(" ", pa.large_string())
        lists = pc.utf8_split_whitespace(pa.array([" ".join(cut(t)).strip() for t in texts], pa.large_string()))
        visible = pc.binary_join(lists, space)
        flat = lists.flatten()
        codes = pc.dictionary_encode(flat)
        mask = self.verdicts(codes.dictionary.to_pylist())[codes.indices.to_numpy(zero_copy_only=False)]
        ends = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])[lists.offsets.to_numpy()]
        kept = pa.LargeListArray.from_arrays(pa.array(ends, pa.int64()), flat.filter(mask))
        return visible, pc.binary_join(kept, space)


@lru_cache(maxsize=4)
def _splitter(options_items: tuple) -> _ChunkSplitter:
    return _ChunkSplitter(dict(options_items))


def _segment_and_filter(args: tuple[list[str], dict]):
    """Worker: (all tokens, filtered tokens) of a chunk of texts, as two Arrow string arrays."""
    texts, options = args
    return _splitter(tuple(sorted(options.items())))(texts)


def _chunks(texts: Sequence[str] | pd.Series, size: int) -> Iterator[list[str]]:
    for start in range(0, len(texts), size):
        part = texts.iloc[start : start + size] if isinstance(texts, pd.Series) else texts[start : start + size]
        part = part.tolist() if isinstance(part, pd.Series) else part  # an Arrow column converts in C
        yield ["" if t is None or (isinstance(t, float) and t != t) else t for t in part]


def segment_many(
    texts: Sequence[str] | pd.Series, processes: int | None = None, **options
) -> tuple[pd.Series, pd.Series]:
    """Segment many texts: all tokens and filtered tokens, each a string Series (space-joined tokens).
    Runs on all cores when the texts are large enough to pay for starting workers. A Series is read a
    chunk at a time, and each chunk's tokens go straight into Arrow memory, so neither the texts nor
    the tokens of a large corpus ever exist all at once as Python strings.

    >>> [s.tolist() for s in segment_many(["坚持动态清零"], processes=1)]
    [['坚持 动态清零'], ['坚持 动态清零']]
    """
    import pyarrow as pa

    processes = processes or os.cpu_count() or 1
    n_chars = texts.str.len().sum() if isinstance(texts, pd.Series) else sum(map(len, texts))
    parallel = processes >= 2 and n_chars >= PARALLEL_MIN_CHARS
    size = max(1, round(CHUNK_CHARS * len(texts) / max(1, n_chars)))  # texts of about CHUNK_CHARS characters
    if parallel:  # and at least 8 chunks per worker, to share the work evenly
        size = min(size, max(1, len(texts) // (processes * 8)))
    n_chunks = -(-len(texts) // size)
    work = ((chunk, options) for chunk in _chunks(texts, size))
    all_parts: list = []
    tok_parts: list = []
    prepare = partial(_splitter, tuple(sorted(options.items())))  # the segmenter, stopwords and verdicts so far
    results = ordered_map(_segment_and_filter, work, processes if parallel else 1, prepare=prepare)
    for all_part, tok_part in progress(results, total=n_chunks, desc="segmenting"):
        all_parts.append(all_part)
        tok_parts.append(tok_part)
    all_tokens = pd.Series(pa.chunked_array(all_parts, pa.large_string()), dtype="str")
    tokens = pd.Series(pa.chunked_array(tok_parts, pa.large_string()), dtype="str")
    return all_tokens, tokens


def segment_texts(
    texts: Sequence[str] | pd.Series, cache_dir: str | Path | None = cache.DEFAULT, **options
) -> tuple[pd.Series, pd.Series]:
    """All tokens and filtered tokens (space-joined) of many texts, as two string Series, reusing the
    on-disk cache: Parquet, keyed by each text's hash, one file per dictionary version, stopword lists
    and filter options, so a change to any of them is a cache miss. ``cache_dir=None`` disables it.
    Cached tokens stay in Arrow memory (never turned into Python strings) on their way to the result.

    >>> all_tokens, tokens = segment_texts(["压实四方责任。"], cache_dir=None)
    >>> all_tokens.tolist(), tokens.tolist()
    (['压实 四方责任 。'], ['压实 四方责任'])
    """
    keys = pd.Index(
        [hashlib.sha1(t.encode("utf-8")).hexdigest() for chunk in _chunks(texts, 10_000) for t in chunk], dtype="str"
    )
    folder = cache.cache_dir(cache_dir)
    path = _cache_path(folder, options) if folder is not None else None
    table = cache.read_entry(path, pd.read_parquet)
    if table is not None:
        if table["key"].duplicated().any():  # (checked first: dropping copies every column)
            table = table.drop_duplicates("key", ignore_index=True)
        where = pd.Index(table["key"]).get_indexer(keys)
    else:
        where = np.full(len(keys), -1)
    missing = np.flatnonzero(where < 0)
    if len(missing) == len(keys):  # nothing cached: the fresh tokens are already in order
        all_tokens, tokens = fresh_all, fresh_tok = segment_many(texts, **options)
    elif len(table) == len(where) and np.array_equal(where, np.arange(len(where))):  # the cache, row for row
        all_tokens, tokens = table["all_tokens"], table["tokens"]
    else:
        subset = texts.iloc[missing] if isinstance(texts, pd.Series) else [texts[i] for i in missing]
        fresh_all, fresh_tok = segment_many(subset, **options)
        hit = np.flatnonzero(where >= 0)
        position = np.argsort(np.concatenate([hit, missing]), kind="stable")
        all_tokens = pd.concat([table["all_tokens"].iloc[where[hit]], fresh_all], ignore_index=True)
        tokens = pd.concat([table["tokens"].iloc[where[hit]], fresh_tok], ignore_index=True)
        all_tokens = all_tokens.iloc[position].reset_index(drop=True)
        tokens = tokens.iloc[position].reset_index(drop=True)
    if path is not None and len(missing):
        from ._parquet import write_parquet

        new = pd.DataFrame({"key": keys[missing], "all_tokens": fresh_all.array, "tokens": fresh_tok.array})
        if table is not None:
            new = pd.concat([table, new], ignore_index=True)
        del table
        cache.write_entry(path, lambda tmp: write_parquet(new, tmp))
    release_memory()  # what reading, segmenting and writing freed goes back to the system
    return all_tokens, tokens


def add_tokens(
    df: pd.DataFrame, column: str = "text_simplified", cache_dir: str | Path | None = cache.DEFAULT, **options
) -> pd.DataFrame:
    """A copy of ``df`` with ``tokens`` (filtered words) and ``all_tokens`` (every token, for positions
    and KWIC), each one space-joined string per document. ``options`` go to :func:`filter_tokens`.

    >>> from directives import load_corpus
    >>> tokens = add_tokens(load_corpus())["tokens"]
    >>> bool(tokens.str.len().gt(0).all()), "疫情防控" in tokens.iloc[0].split()
    (True, True)
    """
    all_tokens, tokens = segment_texts(df[column].reset_index(drop=True), cache_dir, **options)
    out = df.copy(deep=False)
    out["all_tokens"] = all_tokens.array
    out["tokens"] = tokens.array
    return out


def ensure_tokens(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` itself when it has its ``tokens`` and ``all_tokens``, else :func:`add_tokens` of it (a frame
    straight from :func:`~directives.load_corpus`); a frame with neither tokens nor ``text_simplified``
    is a clear error.

    >>> import pandas as pd
    >>> ensure_tokens(pd.DataFrame({"text_simplified": ["压实四方责任。"]}))["tokens"].tolist()
    ['压实 四方责任']
    """
    if "tokens" in df.columns and "all_tokens" in df.columns:
        return df
    if "text_simplified" in df.columns:
        return add_tokens(df)
    if "tokens" in df.columns or "all_tokens" in df.columns:
        return df
    raise KeyError("a corpus needs a 'tokens' column, or a 'text_simplified' column to segment (see load_corpus)")
