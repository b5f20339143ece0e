"""A synthetic corpus of this genre, for benchmarks and tests of scale: sentences of the seed articles
mixed with sentences of words drawn Zipf-like from jieba's dictionary, so that the vocabulary grows
with the corpus as real news does (seed sentences alone give a tiny, unrealistically dense vocabulary).

Real news also has topics: reports of the same meeting or campaign share wording. So each article
belongs to one of ``TOPICS`` topics; a topic favours its own share of the seed sentences and ranks the
dictionary's words in its own order, and half of an article's sampled words follow its topic's ranking
(the other half the general one). Without topics, nearest neighbours would be decided by noise.

>>> df = make_articles(3, seed=1)
>>> list(df.columns), bool(df.text.str.len().gt(1000).all())
(['doc_id', 'title', 'date', 'region', 'text'], True)
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths

TOPICS = 50
REGIONS = ["永州市", "宁夏回族自治区", "桃源县", "漳州市", "天津市", "长沙市", "南京市", "西安市", "广州市", "兰州市"]
OUTLETS = ["永州日报", "光明日报客户端", "县融媒体中心", "天津日报", "湖南日报"]


@lru_cache(maxsize=1)
def seed_sentences() -> tuple[str, ...]:
    """Sentences of the cleaned seed articles (original script), at least 8 characters each.

    >>> min(map(len, seed_sentences())) >= 8
    True
    """
    from .corpus import load_corpus

    text = "\n".join(load_corpus(paths.SEEDS_DIR, cache_dir=None).text)
    return tuple(s for s in re.split(r"(?<=[。！？；])|\n", text) if len(s) >= 8)


@lru_cache(maxsize=1)
def dictionary_words(top: int = 30_000) -> tuple[np.ndarray, np.ndarray]:
    """The ``top`` most frequent multi-character words of jieba's dictionary and the cumulative Zipf
    distribution (weights 1/rank) to sample them with.

    >>> words, cumulative = dictionary_words(100); len(words), bool(cumulative[-1] > 0.99)
    (100, True)
    """
    import jieba

    rows = []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            word, freq = line.split()[:2]
            if len(word) > 1:
                rows.append((int(freq), word))
    rows.sort(reverse=True)
    words = np.array([w for _, w in rows[:top]])
    weights = 1.0 / np.arange(1, len(words) + 1)
    return words, np.cumsum(weights / weights.sum())


def make_articles(n: int, seed: int = 0, chars: int = 1540) -> pd.DataFrame:
    """``n`` articles of about ``chars`` characters: a title line, a header line (date and source) and
    paragraphs alternating seed sentences and Zipf-sampled ones. Deterministic for a given seed.

    >>> make_articles(2, seed=1).doc_id.tolist()
    ['syn000000', 'syn000001']
    """
    rng = np.random.default_rng(seed)
    sentences = seed_sentences()
    words, cdf = dictionary_words()
    topic_rng = np.random.default_rng(12345)  # the topics are the same whatever the seed
    topic_words = [topic_rng.permutation(len(words)) for _ in range(TOPICS)]
    topic_sentences = [topic_rng.choice(len(sentences), size=max(8, len(sentences) // 8), replace=False)
                       for _ in range(TOPICS)]  # fmt: skip
    start = pd.Timestamp("2020-01-01")
    rows = []
    for i in range(n):
        topic = int(rng.integers(TOPICS))
        body, length = [], 0
        while length < chars:
            if rng.random() < 0.5:
                pool = topic_sentences[topic] if rng.random() < 0.8 else np.arange(len(sentences))
                s = sentences[int(pool[rng.integers(len(pool))])]
            else:
                ranks = np.searchsorted(cdf, rng.random(int(rng.integers(6, 16))) * cdf[-1])
                own = rng.random(len(ranks)) < 0.5
                ranks = np.where(own, topic_words[topic][np.minimum(ranks, len(words) - 1)], ranks)
                s = "".join(words[ranks]) + "。"
            body.append(s)
            length += len(s)
        date = start + pd.Timedelta(days=int(rng.integers(0, 1200)))
        title = sentences[rng.integers(len(sentences))][:18].rstrip("，,。、；;：:")
        paragraphs = ["".join(body[j : j + 4]) for j in range(0, len(body), 4)]
        header = f"{date:%Y-%m-%d} 10:00:00 来源:{OUTLETS[i % len(OUTLETS)]}"
        rows.append({
            "doc_id": f"syn{i:06d}", "title": title, "date": f"{date:%Y-%m-%d}",
            "region": REGIONS[int(rng.integers(len(REGIONS)))], "text": "\n".join([title, header, *paragraphs]),
        })  # fmt: skip
    return pd.DataFrame(rows)


def write_as_files(articles: pd.DataFrame, folder: str | Path) -> Path:
    """Write each article as ``<doc_id>.txt`` (UTF-8) with a ``metadata.csv`` of region and date.

    >>> import tempfile
    >>> folder = write_as_files(make_articles(2, seed=1), Path(tempfile.mkdtemp()) / "corpus")
    >>> sorted(p.name for p in folder.iterdir())
    ['metadata.csv', 'syn000000.txt', 'syn000001.txt']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in zip(articles["doc_id"], articles["text"], strict=True):
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    meta = pd.DataFrame({"file": articles["doc_id"] + ".txt", "region": articles["region"], "date": articles["date"]})
    meta.to_csv(folder / paths.METADATA_NAME, index=False)
    return folder


# --------------------------------------------------------------------------- GBK damage the seeds' way
@dataclass(frozen=True)
class DamagedSentence:
    """A sentence in the seeds' script (traditional, a reading glued after each character the conversion
    changed: 實(shí)) before and after one GBK byte was lost. ``evidence`` says whether anything beside the
    marks shows the damage (a reading that cannot belong to the character before it, an ASCII byte, a
    misaligned pair's reading): without it a '?' looks exactly like a question mark typed in ASCII."""

    damaged: str
    original: str
    variant: str
    evidence: bool


def seed_script(sentence: str) -> str:
    """A sentence in the seeds' script: traditional, with the reading after each character that the
    conversion from simplified changed.

    >>> seed_script("压实责任")
    '壓(yā)實(shí)責(zé)任'
    """
    return "".join(c + (f"({r})" if r else "") for c, r in _annotated(sentence))


def _annotated(sentence: str) -> list[tuple[str, str | None]]:
    from .convert import to_traditional
    from .gbk import _gbk, _readings

    out = []
    for ch in sentence:
        t = to_traditional(ch)
        changed = len(t) == 1 and t != ch and _gbk(t) is not None and _readings(t)
        out.append((t, _readings(t)[0] if changed else None) if len(t) == 1 else (ch, None))
    return out


def damage_like_seeds(sentence: str, rng: random.Random) -> DamagedSentence | None:
    """Damage a (simplified) sentence the way the seeds are damaged, from the bytes: in its seed-script
    form, the first GBK byte of a character after an unannotated Han character is lost; the decoder pairs
    each following byte with the next until an ASCII byte (a reading's '(', a digit, the end) puts it back
    in step, and shows what it cannot decode as '?'. The lost byte is marked at the start of the run ('?'),
    with the reading of the misaligned pair before it (``?qǐng)``, as in 日?qǐng)?bào)), or not at all,
    and the mark the decoder left at the end of the run is kept or dropped. None when the sentence has no
    place for such damage.

    >>> d = damage_like_seeds("全面压实空港防控责任", random.Random(3))
    >>> d.original, "?" in d.damaged
    ('全面壓(yā)實(shí)空港防控責(zé)任', True)
    """
    from .gbk import _decode_pair, _gbk, _readings

    chars = _annotated(sentence)
    sites = [
        i
        for i in range(1, len(chars))
        if chars[i - 1][1] is None
        and "\u4e00" <= chars[i - 1][0] <= "\u9fff"
        and _gbk(chars[i - 1][0])
        and _gbk(chars[i][0])
    ]
    if not sites:
        return None
    i = rng.choice(sites)
    j = i + 1
    while j < len(chars) and _gbk(chars[j][0]) and chars[j - 1][1] is None:
        j += 1
    run = chars[i:j]
    render = lambda cs: "".join(c + (f"({r})" if r else "") for c, r in cs)  # noqa: E731
    after = (f"({run[-1][1]})" if run[-1][1] else "") + render(chars[j:])
    decoded = (b"".join(_gbk(c) for c, _ in run)[1:] + after.encode("gbk", errors="replace")).decode(
        "gbk", errors="replace"
    )
    if not decoded.endswith(after):
        return None
    shifted = decoded[: len(decoded) - len(after)].replace("\ufffd", "?")
    start = rng.choice(["?", "?", "pair", ""])
    pair_reading = None
    if start == "pair":
        pair = _decode_pair(_gbk(chars[i - 1][0])[1], _gbk(run[0][0])[0])
        pair_reading = _readings(pair)[0] if pair and _readings(pair) else None
        start = f"?{pair_reading})" if pair_reading else "?"
    ascii_end = bool(shifted) and shifted[-1].isascii() and shifted[-1] != "?"
    if not start and not (shifted.endswith("?") or ascii_end or run[-1][1]):
        start = "?"  # no mark, no ASCII byte, no reading: nothing would show the damage
    end_mark = shifted.endswith("?")
    if end_mark and start and rng.random() < 0.5:
        shifted, end_mark = shifted[:-1], False  # the lost byte marked at the start only, as in the seeds
    stray = run[-1][1] is not None and (not shifted or shifted[-1] == "?" or run[-1][1] not in _readings(shifted[-1]))
    evidence = bool(pair_reading) or ascii_end or (stray and "?" not in shifted[:-1])
    variant = "/".join(
        [
            "pair" if pair_reading else "mark" if start else "no-mark",
            "ascii-byte" if ascii_end else "end-mark" if end_mark else "no-end-mark",
            "reading" if run[-1][1] else "no-reading",
        ]
    )
    return DamagedSentence(render(chars[:i]) + start + shifted + after, render(chars), variant, evidence)
