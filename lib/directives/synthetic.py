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

import re
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
