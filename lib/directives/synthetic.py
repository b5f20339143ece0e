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
from collections import defaultdict
from collections.abc import Iterator
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
    from ._lm import dictionary_entries

    rows = sorted(((freq, word) for word, freq, _tag in dictionary_entries() if len(word) > 1), reverse=True)
    words = np.array([w for _, w in rows[:top]])
    weights = 1.0 / np.arange(1, len(words) + 1)
    return words, np.cumsum(weights / weights.sum())


def make_articles(n: int, seed: int = 0, chars: int = 1540, start: int = 0) -> pd.DataFrame:
    """``n`` articles of about ``chars`` characters: a title line, a header line (date and source) and
    paragraphs alternating seed sentences and Zipf-sampled ones. Deterministic for a given seed. The
    doc_ids are numbered from ``start`` (so that batches of a large corpus made one at a time differ).

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
    first_day = pd.Timestamp("2020-01-01")
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
        date = first_day + pd.Timedelta(days=int(rng.integers(0, 1200)))
        title = sentences[rng.integers(len(sentences))][:18].rstrip("，,。、；;：:")
        paragraphs = ["".join(body[j : j + 4]) for j in range(0, len(body), 4)]
        header = f"{date:%Y-%m-%d} 10:00:00 来源:{OUTLETS[i % len(OUTLETS)]}"
        rows.append({
            "doc_id": f"syn{start + i:06d}", "title": title, "date": f"{date:%Y-%m-%d}",
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


def stream_articles(
    n: int, seed: int = 0, batch: int = 10_000, pool: int = 20_000, chars: int = 1540
) -> Iterator[pd.DataFrame]:
    """``n`` articles made a ``batch`` at a time (DataFrames as :func:`make_articles` gives), never all in
    memory: each is a title and a header line over paragraphs drawn at random from a ``pool`` of articles
    made by :func:`make_articles` (seed sentences and Zipf-sampled words, 50 topics), until it has about
    ``chars`` characters; so making a million costs little more than writing them. Deterministic.

    >>> [len(b) for b in stream_articles(5, seed=1, batch=2, pool=10)]
    [2, 2, 1]
    """
    base = make_articles(min(pool, n), seed=seed)
    paragraphs = [p for text in base["text"] for p in text.split("\n")[2:]]
    lengths = np.array([len(p) for p in paragraphs])
    rng = np.random.default_rng(seed + 1)
    titles = base["title"].to_numpy()
    per = max(1, int(chars / lengths.mean()) + 2)
    for start in range(0, n, batch):
        size = min(n, start + batch) - start
        days = (np.datetime64("2020-01-01") + rng.integers(0, 1200, size)).astype(str)
        title_of = titles[rng.integers(len(titles), size=size)]
        region_of = rng.integers(len(REGIONS), size=size)
        picks_of = rng.integers(len(paragraphs), size=(size, per))
        rows = []
        for k in range(size):
            i, picks = start + k, picks_of[k]
            keep = np.flatnonzero(np.cumsum(lengths[picks]) >= chars)
            picks = picks[: (keep[0] + 1) if len(keep) else len(picks)]
            header = f"{days[k]} 10:00:00 来源:{OUTLETS[i % len(OUTLETS)]}"
            rows.append({
                "doc_id": f"syn{i:07d}", "title": title_of[k], "date": days[k], "region": REGIONS[region_of[k]],
                "text": "\n".join([title_of[k], header, *(paragraphs[j] for j in picks)]),
            })  # fmt: skip
        yield pd.DataFrame(rows)


def write_corpus(n: int, folder: str | Path, seed: int = 0, batch: int = 10_000) -> Path:
    """Write ``n`` articles of :func:`stream_articles` as a corpus folder, a ``batch`` at a time: one
    subfolder per batch (``b0000/`` …), each with its ``.txt`` files and its ``metadata.csv``.

    >>> import tempfile
    >>> folder = write_corpus(3, Path(tempfile.mkdtemp()) / "corpus", batch=2, seed=1)
    >>> sorted(p.name for p in folder.iterdir()), len(list(folder.rglob("*.txt")))
    (['b0000', 'b0001'], 3)
    """
    folder = Path(folder)
    for number, articles in enumerate(stream_articles(n, seed=seed, batch=batch)):
        write_as_files(articles, folder / f"b{number:04d}")
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


# --------------------------------------------------------------------------- planted near-copies
def edit_text(text: str, rate: float, rng: random.Random, alphabet: str) -> str:
    """``text`` with each Han character, at ``rate``, substituted, deleted or followed by an inserted character
    (one of the three at random; new characters drawn from ``alphabet``): the edits of a relayed passage.

    >>> edit_text("压实四方责任", 0.0, random.Random(0), "县")
    '压实四方责任'
    >>> len(edit_text("压实四方责任抓细抓实各项工作", 0.5, random.Random(1), "县")) != 14
    True
    """
    out = []
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < rate:
            op = rng.randrange(3)
            if op == 0:
                out.append(rng.choice(alphabet))
            elif op == 2:
                out.extend((ch, rng.choice(alphabet)))
            continue
        out.append(ch)
    return "".join(out)


NGRAM_FREE = 8  # planted corpora: no two base sentences share a run of this many characters


def distinct_sentences(sentences: list[str]) -> list[str]:
    """``sentences`` in order, each kept only when it is one line and shares no run of :data:`NGRAM_FREE` Han
    characters or digits with a sentence kept before it (so copies planted from two of them never overlap).

    >>> distinct_sentences(["全面压实防控责任落实到位。", "压实防控责任落实到位再部署。", "另起一句毫无重叠的话在此。"])
    ['全面压实防控责任落实到位。', '另起一句毫无重叠的话在此。']
    """
    pool, seen = [], set()
    for s in dict.fromkeys(sentences):
        han = re.sub(r"[^\u4e00-\u9fff0-9]", "", s)
        grams = {han[i : i + NGRAM_FREE] for i in range(len(han) - NGRAM_FREE + 1)}
        if "\n" not in s and grams and not grams & seen:
            pool.append(s)
            seen |= grams
    return pool


def plant_near_copies(
    sentences: list[str],
    n_docs: int = 400,
    n_plants: int = 100,
    rate: float = 0.05,
    per_doc: int = 15,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A dated corpus with planted near-copies: ``n_docs`` documents of ``per_doc`` sentences each, every
    sentence of ``sentences`` used at most once, and none sharing a run of ``NGRAM_FREE`` characters with a
    sentence kept before it (real news repeats itself: so that documents share nothing but the plants), then
    ``n_plants`` passages of two or three consecutive sentences copied from a document into one or two later
    documents (inserted at a sentence boundary) with each Han character edited at ``rate``
    (:func:`edit_text`). A document takes part in one plant at most. Returns the corpus (doc_id, date,
    level, region, text, text_simplified) and the truth: plant, source, target, source_text, target_text.

    >>> rng = random.Random(0)
    >>> sents = ["".join(chr(0x4E00 + rng.randrange(5000)) for _ in range(30)) + "。" for _ in range(300)]
    >>> docs, truth = plant_near_copies(sents, n_docs=20, n_plants=5, per_doc=10)
    >>> len(docs), len(truth) >= 5, bool((docs.set_index("doc_id").date[truth.source].values
    ...                                    < docs.set_index("doc_id").date[truth.target].values).all())
    (20, True, True)
    """
    rng = random.Random(seed)
    pool = distinct_sentences(sentences)
    rng.shuffle(pool)
    if len(pool) < n_docs * per_doc:
        raise ValueError(f"{len(pool)} distinct sentences; {n_docs * per_doc} needed")
    alphabet = "".join(sorted({c for s in pool[:2000] for c in s if "\u4e00" <= c <= "\u9fff"}))
    bodies = [pool[i * per_doc : (i + 1) * per_doc] for i in range(n_docs)]
    start = pd.Timestamp("2020-01-01")
    dates = [start + pd.Timedelta(days=rng.randrange(365)) for _ in range(n_docs)]
    free = list(range(n_docs))
    rng.shuffle(free)
    truth = []
    for plant in range(n_plants):
        if len(free) < 3:
            break
        group = [free.pop() for _ in range(2 if rng.random() < 0.7 else 3)]
        group.sort(key=lambda d: (dates[d], d))
        if dates[group[0]] == dates[group[1]]:
            dates[group[1]] += pd.Timedelta(days=1 + rng.randrange(30))
        for d in group[2:]:
            if dates[d] <= dates[group[0]]:
                dates[d] = dates[group[0]] + pd.Timedelta(days=1 + rng.randrange(30))
        src = group[0]
        k = rng.choice((2, 3))
        at = rng.randrange(per_doc - k)
        passage = "".join(bodies[src][at : at + k])
        for tgt in group[1:]:
            copy = edit_text(passage, rate, rng, alphabet)
            bodies[tgt].insert(rng.randrange(len(bodies[tgt]) + 1), copy)
            truth.append((plant, f"d{src:05d}", f"d{tgt:05d}", passage, copy))
    texts = ["".join(b) for b in bodies]
    docs = pd.DataFrame({
        "doc_id": [f"d{i:05d}" for i in range(n_docs)], "date": pd.to_datetime(dates),
        "level": "prefecture", "region": [f"地区{i % 20:02d}" for i in range(n_docs)],
        "text": texts, "text_simplified": texts,
    })  # fmt: skip
    return docs, pd.DataFrame(truth, columns=["plant", "source", "target", "source_text", "target_text"])


# --------------------------------------------------------------------------- a corpus of any size that relays wording
def word_bigrams(sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A word-bigram model of ``sentences`` (words by jieba, punctuation included): the vocabulary, and for
    sampling, the successors of each word sorted by word (``following``), their cumulative counts
    (``cumulative``) and where each word's successors start in them (``first``, one more than the vocabulary).
    The sentence end 。 is word 0.

    >>> vocab, following, cumulative, first = word_bigrams(["压实责任。", "压实四方责任。"])
    >>> start = vocab[following[first[0] : first[1]]].tolist(); vocab[0], len(start), int(cumulative[-1])
    ('。', 1, 7)
    """
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    ids: dict[str, int] = {"。": 0}
    prev, nxt = [], []
    for s in sentences:
        words = [ids.setdefault(w, len(ids)) for w in tk.lcut(s.rstrip("。！？"), HMM=False)] + [0]
        prev += [0, *words[:-1]]
        nxt += words
    vocab = np.array(list(ids), dtype=object)
    key = np.array(prev, dtype=np.int64) * len(vocab) + np.array(nxt, dtype=np.int64)
    pairs, counts = np.unique(key, return_counts=True)
    first = np.searchsorted(pairs // len(vocab), np.arange(len(vocab) + 1))
    return vocab, (pairs % len(vocab)).astype(np.int32), np.cumsum(counts), first


def relay_corpus(
    sentences: list[str],
    n_docs: int,
    chars: int = 1000,
    relay: float = 0.3,
    rate: float = 0.05,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A dated corpus of ``n_docs`` articles of about ``chars`` characters, for measuring near-copies at any size:
    new sentences drawn from a word-bigram model of ``sentences`` (:func:`word_bigrams`: the vocabulary, word
    frequencies and common phrases of real text, yet sentences no other article has), and relayed passages: two
    or three consecutive real ``sentences`` (no two passages sharing a sentence, nor a run of ``NGRAM_FREE``
    characters) that a source article carries and later articles repeat, each
    character edited at ``rate`` (:func:`edit_text`). A relayed passage goes to 1 to 50 later articles (Zipf:
    most to one, a few far), until about ``relay`` of the articles repeat one. Returns the corpus (doc_id, date,
    level, region, text, text_simplified) and the truth (plant, source, target, source_text, target_text).

    >>> real = ["会议强调要压实四方责任。", "抓细抓实各项防控工作。", "确保人民群众生命安全。", "全县上下要提高认识。"]
    >>> docs, truth = relay_corpus(real, 20, chars=60, relay=0.5, rate=0.0)
    >>> len(docs), bool(len(truth)), bool((docs.set_index("doc_id").date[truth.source].values
    ...                                   < docs.set_index("doc_id").date[truth.target].values).all())
    (20, True, True)
    """
    vocab, following, cumulative, first = word_bigrams(sentences)
    rng = np.random.default_rng(seed)
    lengths = np.array([len(w) for w in vocab])
    steps = int(chars / max(float(np.average(lengths[following], weights=np.diff(cumulative, prepend=0))), 1.0)) + 1
    bodies = []
    for lo in range(0, n_docs, 5_000):  # all the articles of a block a word at a time
        m = min(5_000, n_docs - lo)
        state = np.zeros(m, dtype=np.int64)
        words = np.empty((m, steps), dtype=np.int32)
        for j in range(steps):
            below = np.where(first[state] > 0, cumulative[np.maximum(first[state] - 1, 0)], 0)
            total = cumulative[first[state + 1] - 1] - below
            pick = np.searchsorted(cumulative, below + rng.random(m) * total, side="right")
            state = following[pick].astype(np.int64)
            words[:, j] = state
        bodies += ["".join(vocab[row].tolist()) for row in words]
    dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, n_docs), unit="D")
    order = np.argsort(dates.values, kind="stable")  # articles by date: a source precedes its echoes
    pool = distinct_sentences(sentences)  # as plant_near_copies uses
    alphabet = "".join(sorted({c for s in pool[:2000] for c in s if "\u4e00" <= c <= "\u9fff"}))
    py = random.Random(seed)
    chunks = list(range(0, max(len(pool) - 2, 1), 3))  # each relayed passage from its own three sentences
    py.shuffle(chunks)
    taken = np.zeros(n_docs, dtype=bool)
    truth, inserts = [], defaultdict(list)
    plant, wanted = 0, int(relay * n_docs)
    while taken.sum() < wanted:
        spread = min(int(rng.zipf(2.0)), 50)
        at = int(rng.integers(n_docs - 1))
        src = int(order[at])
        later = order[at + 1 :][~taken[order[at + 1 :]]]
        later = later[dates.values[later] > dates.values[src]]
        if len(later) == 0 or taken[src]:
            continue
        targets = rng.choice(later, size=min(spread, len(later)), replace=False)
        k = py.choice((2, 3))
        s0 = chunks[plant % len(chunks)]  # (reused only when there are more passages than chunks)
        passage = "".join(pool[s0 : s0 + k])
        inserts[src].append(passage)
        taken[src] = True
        for t in targets:
            copy = edit_text(passage, rate, py, alphabet)
            inserts[int(t)].append(copy)
            taken[t] = True
            truth.append((plant, f"r{src:06d}", f"r{int(t):06d}", passage, copy))
        plant += 1
    texts = []
    for i, body in enumerate(bodies):
        for p in inserts.get(i, ()):
            cut = body.find("。", py.randrange(max(len(body), 1))) + 1 or len(body)
            body = body[:cut] + p + body[cut:]
        texts.append(body)
    docs = pd.DataFrame({
        "doc_id": [f"r{i:06d}" for i in range(n_docs)], "date": dates, "level": "prefecture",
        "region": [f"地区{i % 50:02d}" for i in range(n_docs)], "text": texts, "text_simplified": texts,
    })  # fmt: skip
    return docs, pd.DataFrame(truth, columns=["plant", "source", "target", "source_text", "target_text"])
