"""The corpus's own vocabulary of phrases, formulas and slogans: what notebooks 02 and 04 follow when no list is
given, instead of any one corpus's list.

The genre marks its set phrases with quotation marks (“四个意识”, “不忘初心、牢记使命”, 压实“四方”责任), so the
candidates are the corpus's quoted items (split at enumeration commas), of two to ten Han characters, each then
counted wherever it occurs, quoted or not (in text without quotation marks, :func:`directives.timeline.matchable`).
Left out: numbers and dates (十一 and 五一 are holidays, not formulas), holidays by name, place and country names,
leaders' names, words of one or two characters that are not numbered formulas (六稳, 三农), and truncated forms
(an item nearly always followed by the same character, with which it ends a word: 两个一百 of 两个一百年). The
user dictionary's formulas, slogans and kinds of responsibility are candidates too, quoted or not. Phrases are then
ranked by how many documents use them (then by total count), and the emerging ones of each period found by keyness:
signed log-likelihood G² of the number of documents using the phrase in the period against the other periods (documents,
not occurrences, so that one long text repeating a phrase does not make it emerge).

>>> import pandas as pd
>>> toy = pd.DataFrame({"doc_id": list("abc"), "date": pd.to_datetime(["2021-01-05", "2021-01-06", "2021-03-01"]),
...                     "text_simplified": ["坚持“动态清零”，压实“四方”责任。“十一”期间",
...                                         "坚持动态清零，压实四方责任。", "“外防输入、内防反弹”，外防输入"]})
>>> corpus_phrases(toy, min_docs=1).phrase.tolist()
['动态清零', '四方责任', '外防输入', '内防反弹']
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import numpy as np
import pandas as pd

from .patterns import HAN

_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"\n，。；！？,;!?]{2,24})[”」』\"]")  # a quoted item, not a sentence
_ITEM_SPLIT = re.compile(r"[、·・\s]+")
_HAN_ONLY = re.compile(f"[{HAN}]{{2,10}}")
_NUMERALS = "〇零一二三四五六七八九十百千万亿两双"
_NUMBER_OR_DATE = re.compile(f"^[{_NUMERALS}\\d]+(?:[年月日号周天时点分秒岁届次期]|[{_NUMERALS}\\d])*$")
_FORMULA = re.compile(f"^[{_NUMERALS[2:]}]")  # a numbered formula starts with a numeral (六稳, 三农, 十三五)
HOLIDAYS = frozenset(
    "国庆 国庆节 春节 元旦 元宵 元宵节 清明 清明节 端午 端午节 中秋 中秋节 重阳 重阳节 七夕 除夕 小年 "
    "劳动节 儿童节 妇女节 青年节 建军节 教师节 国庆假期 黄金周 双十一 双十二 三八 五四 七一 八一".split()
)
_PARTICLES = "的了吗呢吧啊么着过地得"  # 人民的, 重要的: a fragment of a sentence, not a phrase
TRUNCATED_SHARE = 0.8  # an item whose occurrences are at least this share inside one longer candidate is cut off


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from .tokens import stopwords

    return stopwords(genre=False)


@lru_cache(maxsize=1)
def _leaders() -> frozenset[str]:
    from .tokens import user_dictionary

    return frozenset(w for w, _f, tag in user_dictionary() if tag == "nr")


_USER_SECTIONS = ("responsibility", "slogans", "formulas", "attitudes")


@lru_cache(maxsize=1)
def _user_formulas() -> frozenset[str]:
    """The user dictionary's formulas, slogans and kinds of responsibility (the sections so named; not its
    measures or people): candidates whether quoted or not."""
    from . import paths

    words, keep = set(), False
    for line in paths.USER_DICT.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ---"):
            keep = any(s in line for s in _USER_SECTIONS)
        elif keep and line.strip() and not line.startswith("#"):
            words.add(line.split()[0])
    return frozenset(words)


def is_noise(item: str) -> bool:
    """True for what looks like a formula but is not one: a number or date (十一, 五一, 二〇一九年), a holiday, a
    place or country, a leader's name, a word of one or two characters that is not numbered (领导), a stopword
    (为什么) or a fragment ending in a particle (人民的).

    >>> [is_noise(t) for t in ["十一", "五一", "国庆", "北京市", "浙江", "美国", "习近平", "领导", "人民的",
    ...                        "六稳", "四个意识"]]
    [True, True, True, True, True, True, True, True, True, False, False]
    """
    if not _HAN_ONLY.fullmatch(item) or _NUMBER_OR_DATE.match(item) or item in HOLIDAYS or item in _leaders():
        return True
    if (len(item) <= 2 and not _FORMULA.match(item)) or item[-1] in _PARTICLES or item in _stopwords():
        return True
    return _is_place(item)


@lru_cache(maxsize=65536)
def _is_place(item: str) -> bool:
    """A name that is mostly a place: the gazetteer's divisions or a country cover at least half of it."""
    from .places import _countries, gazetteer

    covered = sum(end - start for start, end, _s, _c in gazetteer().find(item))
    covered += sum(len(m.group(0)) for m in _countries().finditer(item))
    return covered * 2 >= len(item)


def quoted_items(texts) -> Counter:
    """How many documents quote each item (a quoted text, split at enumeration commas), of two to ten Han
    characters, noise left out (:func:`is_noise`).

    >>> sorted(quoted_items(["增强“四个意识”，“不忘初心、牢记使命”", "“十一”黄金周，“四个意识”"]).items())
    [('不忘初心', 1), ('四个意识', 2), ('牢记使命', 1)]
    """
    docs: Counter = Counter()
    for text in texts:
        found = set()
        for m in _QUOTED.finditer(text or ""):
            for item in _ITEM_SPLIT.split(m.group(1)):
                if _HAN_ONLY.fullmatch(item) and not is_noise(item):
                    found.add(item)
        docs.update(found)
    return docs


def phrase_counts(texts, phrases: list[str], neighbours: Counter | None = None) -> np.ndarray:
    """Occurrences of each phrase in each text (documents × phrases, int32), matched without white space and
    quotation marks, all phrases in one pass (Aho-Corasick), overlapping matches counted. Given a Counter as
    ``neighbours``, it also counts the character after each occurrence of phrase j (as ``(j, char)``).

    >>> phrase_counts(["压实“四方”责任，四方责任"], ["四方责任", "责任"]).tolist()
    [[2, 2]]
    """
    import ahocorasick

    from .timeline import matchable

    automaton = ahocorasick.Automaton()
    for j, p in enumerate(phrases):
        automaton.add_word(p, j)
    texts = list(texts)
    out = np.zeros((len(texts), len(phrases)), dtype=np.int32)
    if not phrases:
        return out
    automaton.make_automaton()
    for i, text in enumerate(texts):
        text = matchable(text or "")
        found = list(automaton.iter(text))
        if found:
            out[i] += np.bincount([j for _e, j in found], minlength=len(phrases)).astype(np.int32)
            if neighbours is not None:
                for end, j in found:
                    neighbours[(j, text[end + 1 : end + 2])] += 1
    return out


def _not_truncated(items: list[str], total: np.ndarray, neighbours: Counter) -> np.ndarray:
    """False for an item cut off inside a word: most of its occurrences (``TRUNCATED_SHARE``) are followed by the
    same Han character, and its last character and that one make a word of jieba's dictionary (两个一百 + 年:
    百年; 粮食安 + 全: 安全) or the two begin another candidate (四方 of 四方责任). A phrase followed by a word
    of its own is whole (两个一百年 + 奋斗目标)."""
    from .tokens import jieba_tokenizer

    words = jieba_tokenizer().FREQ
    best: dict[int, tuple[int, str]] = {}
    for (j, char), n in neighbours.items():
        if char and re.match(f"[{HAN}]", char) and n > best.get(j, (0, ""))[0]:
            best[j] = (n, char)
    keep = np.ones(len(items), dtype=bool)
    for j, (n, char) in best.items():
        longer = items[j] + char
        if n >= TRUNCATED_SHARE * max(total[j], 1) and (
            words.get(items[j][-1] + char, 0) > 0 or any(o.startswith(longer) for o in items)
        ):
            keep[j] = False
    return keep


def _g2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    from .analysis import _g2 as g2

    return g2(a.astype(float), b.astype(float), c, d)


def corpus_phrases(
    df: pd.DataFrame, min_docs: int | None = None, period: str | None = None, column: str = "text_simplified"
) -> pd.DataFrame:
    """Every phrase, formula and slogan of the corpus (see the module's description) used by at least
    ``min_docs`` documents (default: 2, or 0.2 % of the documents when that is more), most widespread first.
    Columns: phrase, docs, count, and, for a dated corpus with more than one period (``period``: a pandas
    frequency; weeks for half a year or less, months above, as :func:`directives.timeline.choose_period`),
    peak_period (the period where its keyness is highest) and g2 (that keyness: signed G² of the number of
    documents using it in the period against the other periods, relative to their numbers of documents).

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "text_simplified": ["“两个一百年”", "两个一百年，两个一百年"]})
    >>> corpus_phrases(toy, min_docs=1)[["phrase", "docs", "count"]].values.tolist()
    [['两个一百年', 2, 3]]
    """
    from .timeline import choose_period

    texts = df[column].fillna("").tolist()
    n = len(texts)
    min_docs = max(2, int(np.ceil(0.002 * n))) if min_docs is None else min_docs
    quoted = quoted_items(texts)
    items = sorted(set(quoted) | {w for w in _user_formulas() if not is_noise(w)})
    neighbours: Counter = Counter()
    counts = phrase_counts(texts, items, neighbours)
    docs = (counts > 0).sum(axis=0)
    keep = (docs >= min_docs) & _not_truncated(items, counts.sum(axis=0), neighbours)
    items, counts, docs = [t for t, k in zip(items, keep, strict=True) if k], counts[:, keep], docs[keep]
    out = pd.DataFrame({"phrase": items, "docs": docs.astype(int), "count": counts.sum(axis=0).astype(int)})
    if "date" in df.columns and df["date"].notna().any() and len(items):
        freq = period or choose_period(df)
        periods = df["date"].dt.to_period(freq[0] if freq.startswith("W") else "M" if freq == "MS" else freq)
        dated = periods.notna().to_numpy()
        codes, uniques = pd.factorize(periods[dated])
        if len(uniques) > 1:
            per = np.zeros((len(uniques), len(items)))
            np.add.at(per, codes, (counts[dated] > 0).astype(float))  # documents using it: one long text is one
            size = np.bincount(codes, minlength=len(uniques)).astype(float)
            total, grand = per.sum(axis=0), size.sum()
            g2 = np.vstack([_g2(per[p], total - per[p], size[p], grand - size[p]) for p in range(len(uniques))])
            best = g2.argmax(axis=0)
            out["peak_period"] = [str(uniques[p]) for p in best]
            out["g2"] = g2[best, np.arange(len(items))]
    return out.sort_values(["docs", "count", "phrase"], ascending=[False, False, True], ignore_index=True)


def default_phrases(df: pd.DataFrame, top: int = 8, emerging: int | None = None, **options) -> list[str]:
    """The phrases a notebook follows when it is given none: the corpus's ``top`` phrases, of which up to
    ``emerging`` (default: half) are the most emerging ones (highest positive keyness in some period) and the
    rest the most widespread; in order of how many documents use them. A corpus without any such phrase (nothing
    quoted, no formula) gets its most widespread terms instead, so that a chart always has something to show.

    >>> toy = pd.DataFrame({"doc_id": list("ab"), "text_simplified": ["“动态清零”“外防输入”", "动态清零"]})
    >>> default_phrases(toy, top=2, min_docs=1)
    ['动态清零', '外防输入']
    >>> default_phrases(pd.DataFrame({"doc_id": ["a"], "tokens": ["会议 召开"], "all_tokens": ["会议 召开"],
    ...                               "text_simplified": ["会议召开"]}))
    ['会议', '召开']
    """
    table = corpus_phrases(df, **options)
    emerging = top // 2 if emerging is None else emerging
    chosen: list[str] = []
    if "g2" in table.columns and emerging:
        rising = table[table["g2"] > 0].sort_values(["g2", "docs", "phrase"], ascending=[False, False, True])
        chosen += rising["phrase"].head(emerging).tolist()
    for phrase in table["phrase"]:
        if len(chosen) >= top:
            break
        if phrase not in chosen:
            chosen.append(phrase)
    if chosen:
        return table[table["phrase"].isin(chosen)]["phrase"].tolist()
    from .analysis import term_counts

    counts = term_counts(df)
    counts = counts[counts["term"].str.len() >= 2].sort_values(
        ["docs", "count", "term"], ascending=[False, False, True]
    )
    return counts["term"].head(top).tolist()
