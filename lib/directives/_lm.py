"""A small word-unigram language model over jieba's bundled dictionary, used to choose between
candidate repairs of damaged text. Private: its own jieba Tokenizer, no global jieba state."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache

from . import patterns as P
from .convert import to_simplified


def dictionary_entries() -> Iterator[tuple[str, int, str]]:
    """``(word, frequency, part of speech)`` of every line of the dictionary that ships with jieba, in its order (read
    from the pinned package, without building a tokenizer).

    >>> next(w for w in dictionary_entries() if w[0] == "责任")
    ('责任', 5946, 'n')
    """
    import jieba

    with jieba.get_dict_file() as fh:  # a bytes stream
        for raw in fh:
            if line := raw.decode("utf-8").strip():
                word, freq, tag = line.split(" ")
                yield word, int(freq), tag


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from . import paths

    tk = jieba.Tokenizer()
    tk.initialize()
    # the genre's own vocabulary (the same user dictionary the segmenter loads)
    for line in paths.USER_DICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not line.startswith("#"):
            tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None)
    return tk


# Punctuation is not in jieba's dictionary, which would price every mark as an unknown character (about
# -18) and make any Han character look likelier than the comma it replaces. A mark is priced as a common
# one-character word instead: multi-character words still win over it, single characters compete evenly.
# Log-probabilities of the common marks, in the order of their frequency in news text; others get the last.
_PUNCT_LOG_PROB = {"，": -5.0, "。": -5.5, "、": -6.0, "“": -6.5, "”": -6.5, "：": -7.0, "；": -7.5}
PUNCTUATION = "，。、；：？！“”‘’（）《》〈〉【】「」『』—…·"
PUNCTUATION_LOG_PROB = -8.0
_PUNCT_SPLIT = re.compile(f"([{PUNCTUATION}])")


@lru_cache(maxsize=1 << 16)  # the same contexts come back at every repair of a repeated kind of damage
def log_prob(text: str) -> float:
    """Best-segmentation log-probability of ``text`` (converted to simplified) under jieba's dictionary,
    punctuation priced as a common one-character word.

    >>> log_prob("疫情防控") > log_prob("控防情疫")
    True
    >>> log_prob("教授、人权") > log_prob("教授将人权")
    True
    """
    s = to_simplified(text)
    if not s:
        return 0.0
    parts = _PUNCT_SPLIT.split(s)
    total = 0.0
    tk = _tokenizer()
    for i, part in enumerate(parts):
        if i % 2:
            total += _PUNCT_LOG_PROB.get(part, PUNCTUATION_LOG_PROB)
        elif part:
            dag = tk.get_DAG(part)
            route: dict = {}
            tk.calc(part, dag, route)
            total += route[0][0]
    return total


def word_freq(word: str) -> int:
    """Frequency of ``word`` (simplified) in jieba's dictionary, 0 when absent.

    >>> word_freq("責任") > 0, word_freq("壓實責任龘龘")
    (True, 0)
    """
    return _tokenizer().FREQ.get(to_simplified(word), 0) or 0


@lru_cache(maxsize=1)
def common_chars(min_freq: int = 100) -> frozenset[str]:
    """The Han characters that are common words on their own (frequency above ``min_freq``), simplified.
    Read from jieba's dictionary file with one pattern (the one-character lines), as jieba's tokenizer
    would count them (a later line of a word wins); building the tokenizer takes 1-1.5 s, and this runs in
    every process that decodes a file in a legacy encoding. The user dictionary has no one-character words.

    >>> "责" in common_chars(), "龘" in common_chars()
    (True, False)
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("jieba")
    text = (Path(next(iter(spec.submodule_search_locations))) / "dict.txt").read_text(encoding="utf-8")
    freq = {w: int(f) for w, f in P.ONE_CHARACTER_ENTRY.findall(text)}
    return frozenset(w for w, f in freq.items() if f > min_freq)
