"""Text reuse and political formulas: how local directives echo the centre.

* :func:`shared_passages` finds every maximal passage of at least ``min_chars`` characters (Han characters
  and digits) that occurs in two or more documents (after normalising script and punctuation), with where it
  occurs, from a suffix array of the whole corpus (pydivsufsort, in C) and its LCP array.
* :func:`reuse_scores` turns them into the characters of each document that it shares with another, and
  their share of the document; :func:`reuse_by_document` and :func:`reuse_pairs` rank documents and pairs by
  shared characters, the share beside them (a caption copied whole has a share of 1 but few characters).
* :func:`find_formulas` finds numbered formulas (提法) such as 四个迅速, 两勤两少 or “四早”, and where
  the text explains them (一是…二是…).
* :func:`responsibility_kinds` lists the kinds of 责任 each article names (属地责任, 部门责任 …).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

import numpy as np
import pandas as pd

from . import paths
from .patterns import HAN as HAN_RANGE
from .patterns import HAN_CHAR
from .units import MAX_LABELLED

HAN = HAN_CHAR


# --------------------------------------------------------------------------- shared passages
_REUSE_CHAR = re.compile(f"[{HAN_RANGE}]|[0-9０-９]|(?<=[0-9０-９])[.．](?=[0-9０-９])")
_HALF_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_HAN_BOUNDS = [(ord(a), ord(b)) for a, b in re.findall(r"(.)-(.)", HAN_RANGE.encode().decode("unicode_escape"))]


def normalise_for_reuse(text: str) -> tuple[str, np.ndarray]:
    """Han characters and numbers only (punctuation, quotes, Latin and spaces dropped; full-width digits made
    ASCII; a decimal point kept between digits), with each character's offset in ``text``. Numbers are kept
    so that 新华社北京12月31日电 and 新华社北京10月1日电 are different passages. Script is normalised by
    using ``text_simplified``.

    >>> normalise_for_reuse("人民至上、生命至上")
    ('人民至上生命至上', array([0, 1, 2, 3, 5, 6, 7, 8]))
    >>> normalise_for_reuse("新华社北京１２月31日电。增长6.1%")[0]
    '新华社北京12月31日电增长6.1'
    """
    if not text:
        return "", np.zeros(0, dtype=np.int64)
    # with numpy on the code points (the characters _REUSE_CHAR matches, one at a time, without a regex match each)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    digit = ((codes >= 0x30) & (codes <= 0x39)) | ((codes >= 0xFF10) & (codes <= 0xFF19))
    keep = digit.copy()
    for lo, hi in _HAN_BOUNDS:
        keep |= (codes >= lo) & (codes <= hi)
    if len(codes) > 2:  # a decimal point between two digits
        keep[1:-1] |= ((codes[1:-1] == 0x2E) | (codes[1:-1] == 0xFF0E)) & digit[:-2] & digit[2:]
    idx = np.flatnonzero(keep)
    kept = codes[idx]
    wide = kept >= 0xFF0E  # full-width digits and point (no Han character lies above them): made ASCII
    if wide.any():
        kept = np.where(wide & (kept <= 0xFF19), kept - np.uint32(0xFEE0), kept)
    return kept.tobytes().decode("utf-32-le"), idx.astype(np.int64)


def _maximal_repeats(codes: np.ndarray, doc_of: np.ndarray, min_len: int):
    """Yield (length, suffix-array slice) for every left- and right-maximal repeat of at least
    ``min_len`` symbols occurring in two or more documents."""
    from pydivsufsort import divsufsort, kasai

    sa = divsufsort(codes).astype(np.int64)
    lcp = kasai(codes, sa).astype(np.int64)  # lcp[i] = LCP(sa[i], sa[i + 1])
    prev = np.where(sa > 0, codes[np.maximum(sa - 1, 0)], -1).astype(np.int64)
    doc_sa = doc_of[sa]
    strong = lcp >= min_len
    if not strong.any():
        return
    # runs of consecutive boundaries with lcp >= min_len: only they can hold such repeats
    edges = np.flatnonzero(np.diff(np.concatenate(([0], strong.astype(np.int8), [0]))))
    # changes of document and of preceding symbol between neighbouring suffixes, summed: a slice holds two
    # documents (two preceding symbols) when the sums at its ends differ; no reduction over each slice
    doc_changes = np.concatenate(([0], np.cumsum(doc_sa[1:] != doc_sa[:-1])))
    prev_changes = np.concatenate(([0], np.cumsum(prev[1:] != prev[:-1])))
    for s, e in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):  # boundaries s..e-1, suffixes s..e
        lcps = [*lcp[s:e].tolist(), 0]
        docs, prevs = doc_changes[s : e + 1].tolist(), prev_changes[s : e + 1].tolist()
        first_prev = prev[s : e + 1].tolist()
        stack: list[list[int]] = []  # [lcp, left bound], bounds relative to s
        for i in range(e - s + 1):
            cur = lcps[i]
            lb = i
            while stack and cur < stack[-1][0]:
                length, left = stack.pop()
                lb = left
                if docs[i] != docs[left]:  # two documents or more
                    if prevs[i] != prevs[left] or first_prev[left] < 0:  # left-maximal
                        yield length, sa[s + left : s + i + 1]
                if stack and stack[-1][0] >= cur:
                    continue
            if cur >= min_len and (not stack or cur > stack[-1][0]):
                stack.append([cur, lb])


def shared_passages(df: pd.DataFrame, min_chars: int = 8, column: str = "text_simplified") -> pd.DataFrame:
    """Every maximal passage of at least ``min_chars`` characters (Han characters and digits, see
    :func:`normalise_for_reuse`) shared by two or more documents.

    Columns: passage (Han characters and digits), length, n_docs, docs (doc_ids), occurrences (list of
    (doc_id, start, end) offsets in ``column``), example (the first occurrence with its punctuation).
    Sorted longest first, then most widespread.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b", "c"], "text_simplified": [
    ...     "会议要求人民至上、生命至上，压实责任。", "坚持人民至上、生命至上。", "今天天气很好。"]})
    >>> shared_passages(toy, min_chars=6)[["passage", "docs"]].to_dict("records")
    [{'passage': '人民至上生命至上', 'docs': ['a', 'b']}]
    >>> dates = pd.DataFrame({"doc_id": ["a", "b"], "text_simplified": ["新华社北京10月1日电", "新华社北京12月31日电"]})
    >>> shared_passages(dates, min_chars=6).passage.tolist()  # numbers are part of the text
    ['新华社北京1']
    """
    ids = df["doc_id"].tolist()
    norm = [normalise_for_reuse(t or "") for t in df[column].fillna("")]
    pieces, doc_of, starts = [], [], []
    pos = 0
    for d, (s, _) in enumerate(norm):
        starts.append(pos)
        pieces.append(np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.int64))
        pieces.append(np.array([0x110000 + d], dtype=np.int64))  # a separator unique to the document
        doc_of.extend([d] * (len(s) + 1))
        pos += len(s) + 1
    cols = ["passage", "length", "n_docs", "docs", "occurrences", "example"]
    if not pieces:
        return pd.DataFrame(columns=cols)
    codes = np.concatenate(pieces)
    doc_arr = np.array(doc_of, dtype=np.int64)
    start_arr = np.array(starts, dtype=np.int64)
    texts = df[column].tolist()  # (not df[column].iloc[d] for each passage: a new Series, its attrs copied, each time)
    rows = []
    for length, positions in _maximal_repeats(codes.astype(np.uint32), doc_arr, min_chars):
        positions = np.sort(positions)
        occ = []
        for p in positions:
            d = int(doc_arr[p])
            local = int(p - start_arr[d])
            offsets = norm[d][1]
            occ.append((ids[d], int(offsets[local]), int(offsets[local + length - 1]) + 1))
        _, a, b = occ[0]
        first_doc = int(doc_arr[positions[0]])
        passage = norm[first_doc][0][int(positions[0] - start_arr[first_doc]) :][:length]
        example = texts[first_doc][a:b]
        docs = list(dict.fromkeys(o[0] for o in occ))
        rows.append((passage, length, len(docs), docs, occ, example))
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["length", "n_docs", "passage"], ascending=[False, False, True], ignore_index=True)


def reuse_scores(df: pd.DataFrame, passages: pd.DataFrame, doc_ids: list[str] | None = None) -> pd.DataFrame:
    """For every ordered pair of documents that share a passage: the characters of the first document
    that lie in passages it shares with the second, and their share of its characters (Han characters and
    digits). Columns: doc_id, other, shared_chars, share; most shared characters first, then largest share.
    Pivot it (``.pivot(index="doc_id", columns="other", values="share")``) for a matrix. A passage in m
    documents makes m × (m - 1) pairs: for a large corpus, pass ``doc_ids`` (pairs within them only), for
    instance the documents :func:`reuse_by_document` ranks first.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "text_simplified": ["一二三四五六七八九十", "一二三四五六七八"]})
    >>> scores = reuse_scores(toy, shared_passages(toy, min_chars=4))
    >>> scores[["doc_id", "other", "shared_chars", "share"]].round(2).values.tolist()
    [['b', 'a', 8, 1.0], ['a', 'b', 8, 0.8]]
    """
    keep = set(df["doc_id"] if doc_ids is None else doc_ids)
    texts = dict(zip(df["doc_id"], df["text_simplified"], strict=True))
    han_pos = {d: normalise_for_reuse(texts[d] or "")[1] for d in keep if d in texts}
    covered: dict[tuple[str, str], np.ndarray] = {}
    for occ in passages["occurrences"]:
        by_doc = defaultdict(list)
        for d, a, b in occ:
            if d in keep:
                by_doc[d].append((a, b))
        for d in by_doc:
            for other in by_doc:
                if other == d:
                    continue
                mask = covered.setdefault((d, other), np.zeros(len(han_pos[d]), dtype=bool))
                for a, b in by_doc[d]:
                    mask[np.searchsorted(han_pos[d], a) : np.searchsorted(han_pos[d], b)] = True
    rows = [(d, o, int(m.sum()), m.sum() / max(len(han_pos[d]), 1)) for (d, o), m in covered.items()]
    out = pd.DataFrame(rows, columns=["doc_id", "other", "shared_chars", "share"])
    return out.sort_values(["shared_chars", "share"], ascending=False, ignore_index=True)


def reuse_pairs(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of documents from :func:`reuse_scores`: the characters they share (the smaller of
    the two directions, so a passage repeated within one document counts once) and the share of each
    document that is shared with the other. Most shared characters first: a caption copied whole (share
    1.0, a few dozen characters) ranks below a reprinted report. Columns: a, b, shared_chars, share_a, share_b.

    >>> s = pd.DataFrame({"doc_id": ["cap", "x", "rep", "y"], "other": ["x", "cap", "y", "rep"],
    ...                   "shared_chars": [20, 20, 9701, 9701], "share": [1.0, 0.01, 0.9, 0.5]})
    >>> reuse_pairs(s).values.tolist()
    [['rep', 'y', 9701, 0.9, 0.5], ['cap', 'x', 20, 1.0, 0.01]]
    """
    cols = ["a", "b", "shared_chars", "share_a", "share_b"]
    if scores.empty:
        return pd.DataFrame(columns=cols)
    ab = scores[scores["doc_id"] < scores["other"]].rename(columns={"doc_id": "a", "other": "b"})
    ba = scores[scores["doc_id"] > scores["other"]].rename(columns={"doc_id": "b", "other": "a"})
    pairs = ab.merge(ba, on=["a", "b"], how="outer", suffixes=("_a", "_b"))
    pairs["shared_chars"] = pairs[["shared_chars_a", "shared_chars_b"]].min(axis=1).astype(int)
    pairs = pairs.fillna({"share_a": 0.0, "share_b": 0.0})
    order = ["shared_chars", "share_a", "share_b", "a", "b"]
    return pairs.sort_values(order, ascending=[False, False, False, True, True], ignore_index=True)[cols]


def pair_candidates(by_document: pd.DataFrame, passages: pd.DataFrame, top: int = MAX_LABELLED) -> list[str]:
    """The documents among which to look for the pairs that share the most characters, without scoring
    every pair of a large corpus: the ``top`` documents of :func:`reuse_by_document` (most shared characters)
    and the documents holding the ``top`` longest passages (two articles that share one long passage may
    share little else). Pass them to :func:`reuse_scores` as ``doc_ids``, then to :func:`reuse_pairs`.

    >>> by_doc = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "shared_chars": [90, 80, 10, 10]})
    >>> sp = pd.DataFrame({"length": [50, 8], "docs": [["c", "d"], ["a", "b"]]})
    >>> pair_candidates(by_doc, sp, top=1)
    ['a', 'c', 'd']
    """
    longest = passages.sort_values("length", ascending=False, kind="stable").head(top)
    return list(dict.fromkeys([*by_document["doc_id"].head(top), *(d for docs in longest["docs"] for d in docs)]))


def reuse_by_document(df: pd.DataFrame, passages: pd.DataFrame) -> pd.DataFrame:
    """For each document: the characters that lie in passages shared with any other document, their
    share of the document, and how many shared passages it holds; most shared characters first (the share
    breaks ties: a short caption copied whole does not outrank a long report reprinted). Linear in the
    number of occurrences, so it suits a corpus of any size. Columns: doc_id, shared_chars, share, passages.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b", "c"],
    ...                     "text_simplified": ["一二三四五六七八九十", "一二三四五六七八", "天地玄黄"]})
    >>> reuse_by_document(toy, shared_passages(toy, min_chars=4)).round(2).values.tolist()
    [['b', 8, 1.0, 1], ['a', 8, 0.8, 1], ['c', 0, 0.0, 0]]
    >>> report = "会议强调压实责任抓细抓实各项工作"
    >>> long = pd.DataFrame({"doc_id": ["caption", "x", "report", "y"],
    ...                      "text_simplified": ["游客在参观展览", "今天游客在参观展览馆", report * 3, report]})
    >>> reuse_by_document(long, shared_passages(long, min_chars=6)).doc_id.tolist()[:2]
    ['report', 'y']
    """
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    held: dict[str, int] = defaultdict(int)
    for docs, occ in zip(passages["docs"], passages["occurrences"], strict=True):
        for d in docs:
            held[d] += 1
        for d, a, b in occ:
            spans[d].append((a, b))
    rows = []
    for d, text in zip(df["doc_id"], df["text_simplified"], strict=True):
        han = normalise_for_reuse(text or "")[1]
        chars, end = 0, -1
        for a, b in sorted(spans.get(d, ())):  # union of the spans, counted in characters
            lo, hi = np.searchsorted(han, max(a, end)), np.searchsorted(han, b)
            chars += max(0, int(hi - lo))
            end = max(end, b)
        rows.append((d, chars, chars / max(len(han), 1), held.get(d, 0)))
    out = pd.DataFrame(rows, columns=["doc_id", "shared_chars", "share", "passages"])
    return out.sort_values(["shared_chars", "share", "doc_id"], ascending=[False, False, True], ignore_index=True)


# --------------------------------------------------------------------------- formulas
_NUM = "二两三四五六七八九十"
_NUM_ANY = "一" + _NUM
_TIME_UNITS = ("月", "小时", "季度", "星期", "工作日", "年", "周", "天", "人", "方面", "多月")
FORMULA_PATTERNS = {
    # 四个迅速, 五个责任, 两个确立, 五个严禁: numeral (not 一) + 个 + a two-character noun or verb phrase
    "numeral_ge": re.compile(f"[{_NUM}]个[{HAN_RANGE}]{{2}}"),
    # 两勤两少, 四查一询: numeral + character, twice
    "paired": re.compile(f"[{_NUM}][{HAN_RANGE}][{_NUM_ANY}][{HAN_RANGE}]"),
    # “四早”, “四场”“四区”: a quoted numeral + one or two characters
    "quoted": re.compile(f'(?<=[“"「])[{_NUM}][{HAN_RANGE}]{{1,2}}(?=[”"」])'),
    # 四早要求: a compact formula before 要求
    "compact": re.compile(f'[{_NUM}][{HAN_RANGE}](?=[”"」]?要求)'),
    # 四方责任, 压实“四方”责任: numeral + character + 责任
    "responsibility": re.compile(f'[{_NUM}][{HAN_RANGE}][”"」]?责任'),
}
_ORDINALS = "一二三四五六七八九十"
_ITEM_MARK = "是要"


def explain_enumeration(text: str, start: int, window: int = 60, span: int = 2000) -> str:
    """The enumeration (一是…二是…三是…, or 一要…二要…) that begins within ``window`` characters of
    ``start``, up to the end of the sentence holding its last item; empty if there is none.

    >>> explain_enumeration("做到四个迅速：一是迅速行动。二是迅速排查。此外", 6)
    '一是迅速行动。二是迅速排查。'
    """
    m = re.compile(f"一([{_ITEM_MARK}])").search(text, start, start + window)
    if not m:
        return ""
    mark, pos, last = m.group(1), m.start(), m.start()
    for ordinal in _ORDINALS[1:]:
        nxt = text.find(ordinal + mark, last + 2, pos + span)
        if nxt < 0:
            break
        last = nxt
    if last == pos:
        return ""
    end = re.compile(r"[。；;\n]").search(text, last)
    return text[pos : end.end() if end else len(text)]


def _is_common_word(s: str) -> bool:
    """A word of the general dictionary (三月, 十分, 三令五申), not one of the genre's own formulas."""
    from . import _lm

    st = paths.USER_DICT.stat()
    return s not in _user_words(st.st_mtime_ns, st.st_size) and _lm.word_freq(s) > 50


@lru_cache(maxsize=2)
def _user_words(mtime_ns: int, size: int) -> frozenset[str]:
    """The words of the user dictionary as it is on disk (read again when the file changes)."""
    from .tokens import user_dictionary

    return frozenset(w for w, _, _ in user_dictionary())


def find_formulas(df: pd.DataFrame, column: str = "text_simplified") -> pd.DataFrame:
    """Numbered formulas (提法) in each document, found by rule, with where the text explains them
    (an enumeration 一是…二是… or 一要…二要… right after the formula). Columns: doc_id, formula, rule,
    offset, explained (the enumeration's text, or empty).

    >>> text = "做到“四个迅速”：一是迅速进入状态，二是迅速排查。三月十分好，一是。"
    >>> toy = pd.DataFrame({"doc_id": ["a"], "text_simplified": [text]})
    >>> find_formulas(toy)[["formula", "rule"]].to_dict("records")
    [{'formula': '四个迅速', 'rule': 'numeral_ge'}]
    """
    rows = []
    for doc, text in zip(df["doc_id"], df[column].fillna(""), strict=True):
        seen: set[int] = set()
        for rule, rx in FORMULA_PATTERNS.items():
            for m in rx.finditer(text):
                if rule == "quoted" and text.startswith("责任", m.end() + 1):
                    continue  # “四方”责任: the responsibility rule names it 四方责任
                f = m.group(0)
                if m.start() in seen or any(f[2:].startswith(u) for u in _TIME_UNITS if rule == "numeral_ge"):
                    continue
                if rule == "paired" and (_is_common_word(f) or _is_common_word(f[:2]) or _is_common_word(f[2:])):
                    continue  # an idiom such as 三令五申, or words such as 三月 十分, not a formula
                f = re.sub(r"[”\"」]", "", f)
                seen.add(m.start())
                rows.append((doc, f, rule, m.start(), explain_enumeration(text, m.end())))
    return pd.DataFrame(rows, columns=["doc_id", "formula", "rule", "offset", "explained"])


def _count_table(found: pd.DataFrame, column: str, doc_ids: list[str], units: pd.Series | None) -> pd.DataFrame:
    """Item × document (or unit) counts, ranked by how many documents name the item, then how many of the
    columns shown, then by total count; never by the item's name (ties of equal standing keep that order)."""
    documents = found.groupby(column)["doc_id"].nunique()  # counted over documents, before any grouping
    if units is not None:  # documents to units (regions); documents without a unit drop out
        found = found.assign(doc_id=found["doc_id"].map(units)).dropna(subset=["doc_id"])
    table = pd.crosstab(found[column], found["doc_id"]).reindex(columns=doc_ids, fill_value=0)
    rank = pd.DataFrame({
        "documents": documents.reindex(table.index).fillna(0), "columns": (table > 0).sum(axis=1),
        "total": table.sum(axis=1), "item": table.index,
    })  # fmt: skip
    order = rank.sort_values(["documents", "columns", "total", "item"], ascending=[False, False, False, True]).index
    return table.loc[order]


def formula_table(formulas: pd.DataFrame, doc_ids: list[str], units: pd.Series | None = None) -> pd.DataFrame:
    """Formula × document counts (0 where absent), most widespread formulas first. With ``units`` (doc_id
    to unit, as :func:`directives.analysis.document_units` gives), counts per unit, ``doc_ids`` naming units.

    >>> f = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "formula": ["四早", "四早", "两个维护", "两个维护"]})
    >>> formula_table(f, ["a", "b", "c"]).to_dict("index")
    {'两个维护': {'a': 0, 'b': 1, 'c': 1}, '四早': {'a': 2, 'b': 0, 'c': 0}}
    >>> formula_table(f, ["甲"], units=pd.Series({"a": "甲", "b": "甲"})).to_dict()
    {'甲': {'两个维护': 1, '四早': 2}}
    """
    return _count_table(formulas, "formula", doc_ids, units)


# --------------------------------------------------------------------------- responsibility
_NOT_A_KIND = frozenset(
    "压实 压紧 压紧压实 落实 细化 追究 明确 扛起 履行 担当 强化 夯实 传导 承担 层层 严格 切实 全面 进一步 确保 "
    "靠前 防止 负起 担负 肩负 尽到 没有 有 的 和 与 及 等 把 将 各项 一份 主要 "
    # negations (不负责任) and the legal form of a company (有限责任公司) are not kinds either
    "负 不负 不 无 有限 无限 股份有限".split()
)
_OPEN_QUOTE, _CLOSE_QUOTE = '“"「『‘', '”"」』’'


@lru_cache(maxsize=1)
def _pos_tokenizer():
    """jieba's part-of-speech tagger over the project's tokenizer (the reference :func:`_tagged` is tested against;
    1.9 s to build, and in Python), made once per process: the first tagger
    made takes the user dictionary's tags from the tokenizer and empties them there, so a second one would
    tag the genre's words (第一责任人 …) without them."""
    from jieba import posseg

    from .tokens import jieba_tokenizer

    return posseg.POSTokenizer(jieba_tokenizer())


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """The part of speech jieba's tagger gives each word of its dictionary: the tags of jieba's dictionary file,
    read as ``POSTokenizer.load_word_tag`` reads it, and the user dictionary's where it gives one (as the tagger
    takes them from the tokenizer), without building the tagger (1.9 s)."""
    from ._lm import dictionary_entries
    from .tokens import user_dictionary

    tags = {word: tag for word, _freq, tag in dictionary_entries()}
    tags.update((word, tag) for word, _freq, tag in user_dictionary() if tag)
    return tags


def _tagged(text: str) -> list[tuple[str, str]]:
    """``(word, part of speech)`` of ``text`` as jieba's tagger gives them (``POSTokenizer.lcut(text, HMM=False)``,
    :func:`_pos_tokenizer`, the reference): the segmenter's words, tagged from :func:`_word_tags`. The words are the
    same: the tagger splits the text at a few more characters (``%``, ``-``, Han outside U+4E00–U+9FD5), which no
    word of the dictionary holds, so every cut falls there anyway. A word holding a character outside the tagger's
    blocks is ``x``; one of ASCII letters and digits ``eng`` (the tagger joins single ones; the dictionary has none
    of its own). A test keeps this equal to the tagger on four corpora and on edge cases.

    >>> _tagged("部门监管责任，5%的人")
    [('部门', 'n'), ('监管责任', 'n'), ('，', 'x'), ('5', 'eng'), ('%', 'x'), ('的', 'uj'), ('人', 'n')]
    """
    from jieba.posseg import re_han_internal  # the tagger's blocks

    from .tokens import segmenter

    tags = _word_tags()
    out = []
    for w in segmenter().cut_without_hmm(text):
        if _ASCII_WORD.fullmatch(w):
            out.append((w, "eng"))
        elif re_han_internal.fullmatch(w):
            out.append((w, tags.get(w, "x")))
        else:
            out.append((w, "x"))
    return out


_ASCII_WORD = re.compile("[a-zA-Z0-9]+")


def responsibility_kinds(df: pd.DataFrame, column: str = "text_simplified") -> pd.DataFrame:
    """Every kind of 责任 a document names and who bears it: tokens ending in 责任 (属地责任, 四方责任 …),
    a noun before 责任 (部门 责任 -> 部门责任), and 第一责任人. Verbs (压实责任, 落实责任) are not kinds.
    Columns: doc_id, kind, offset.

    A quoted item inside the phrase counts (压实“四方”责任 -> 四方责任); negations (不负责任) and the legal form
    of a company (有限责任公司) do not.

    >>> text = "压实属地责任和部门监管责任，落实责任，当好第一责任人，压实“四方”责任，落实主体责任。"
    >>> toy = pd.DataFrame({"doc_id": ["a"], "text_simplified": [text]})
    >>> responsibility_kinds(toy).kind.tolist()
    ['属地责任', '监管责任', '第一责任人', '四方责任', '主体责任']
    >>> responsibility_kinds(toy.assign(text_simplified="某某有限责任公司不负责任。")).kind.tolist()
    []
    """
    rows: list[tuple[str, str, int]] = []
    for doc, text in zip(df["doc_id"], df[column].fillna(""), strict=True):
        for a, b in _responsibility_windows(text):
            _responsibility_in(doc, _tagged(text[a:b]), a, rows)
    return pd.DataFrame(rows, columns=["doc_id", "kind", "offset"])


_CONTEXT_MARKS = 6  # segmenter cut marks kept before each 责任: more words than the rules look back (five)


def _segmenter_marks(text: str) -> list[int]:
    """Where ``text`` holds a character the part-of-speech segmenter never joins to another (anything outside
    its runs of Han characters, letters and digits, jieba's own ``re_han_internal``; not a \\r, which may
    begin \\r\\n): each is one word, and a text cut just after one is segmented as the whole is there."""
    from jieba.posseg import re_han_internal

    marks, last = [], 0
    for m in re_han_internal.finditer(text):
        marks.extend(i for i in range(last, m.start()) if text[i] != "\r")
        last = m.end()
    marks.extend(i for i in range(last, len(text)) if text[i] != "\r")
    return marks


def _responsibility_windows(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` that :func:`responsibility_kinds` segments: around each 责任, from just after
    the sixth segmenter mark (punctuation, a space: see :func:`_segmenter_marks`) before it, or the text's
    start, to just after the first mark after it, overlapping ones merged. A stretch starts and ends just
    after a mark, so its words are those of the whole text there, and it holds the words each rule looks at
    (five before, one after): the kinds found are those of the whole text, at a fraction of the segmenting.

    >>> _responsibility_windows("甲，乙，丙，丁，戊，己，庚，压实责任。辛")
    [(4, 19)]
    >>> _responsibility_windows("没有。")
    []
    """
    from bisect import bisect_left

    at = text.find("责任")
    if at < 0:
        return []
    marks = _segmenter_marks(text)
    windows: list[tuple[int, int]] = []
    while at >= 0:
        k = bisect_left(marks, at)
        a = marks[k - _CONTEXT_MARKS] + 1 if k >= _CONTEXT_MARKS else 0
        j = bisect_left(marks, at + 2)
        b = marks[j] + 1 if j < len(marks) else len(text)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], b)
        else:
            windows.append((a, b))
        at = text.find("责任", b)
    return windows


def _responsibility_in(doc: str, words: list[tuple[str, str]], base: int, rows: list) -> None:
    """The kinds of responsibility of one stretch of a document (starting at ``base``), its words tagged
    (:func:`_tagged`), added to ``rows``."""
    offset = base
    for i, (word, _flag) in enumerate(words):
        if word == "第一责任人":
            rows.append((doc, word, offset))
        elif word.endswith("责任") and len(word) > 2 and word[:-2] not in _NOT_A_KIND and word[1] != "个":
            if not (i + 1 < len(words) and words[i + 1][0].startswith("公司")):  # 有限责任公司
                rows.append((doc, word, offset))
        elif word == "责任" and i > 2 and words[i - 1][0] in _CLOSE_QUOTE:
            # a quoted item inside the phrase: 压实“四方”责任 names the kind 四方责任
            j = i - 2
            while j > 0 and j > i - 5 and words[j - 1][0] not in _OPEN_QUOTE:
                j -= 1
            inner = "".join(w for w, _f in words[j : i - 1])
            if j > 0 and words[j - 1][0] in _OPEN_QUOTE and HAN.match(inner) and inner not in _NOT_A_KIND:
                rows.append((doc, inner + "责任", offset - len(inner) - 1))
        elif word == "责任" and i > 0:
            prev, flag = words[i - 1]
            if (prev not in _NOT_A_KIND and HAN.match(prev) and flag[:1] in ("n", "j", "b")) or (
                flag == "vn" and prev not in _NOT_A_KIND
            ):
                rows.append((doc, prev + "责任", offset - len(prev)))
        offset += len(word)


def reuse_matrix(
    df: pd.DataFrame, scores: pd.DataFrame, max_docs: int = MAX_LABELLED, values: str = "share"
) -> pd.DataFrame:
    """Square matrix of :func:`reuse_scores` shares (row: the document whose characters are counted),
    for all documents of a small corpus or the ``max_docs`` documents with the most shared characters of a
    large one. ``values="shared_chars"`` gives the characters instead of the shares.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"]})
    >>> s = pd.DataFrame({"doc_id": ["a"], "other": ["b"], "shared_chars": [4], "share": [0.5]})
    >>> reuse_matrix(toy, s).to_dict()
    {'a': {'a': 0.0, 'b': 0.0}, 'b': {'a': 0.5, 'b': 0.0}}
    """
    ids = df["doc_id"].tolist()
    if len(ids) > max_docs:
        ranked = scores.groupby("doc_id")["shared_chars"].sum().sort_values(ascending=False, kind="stable")
        ids = ranked.head(max_docs).index.tolist()
    mat = scores.pivot_table(index="doc_id", columns="other", values=values, aggfunc="sum")
    return mat.reindex(index=ids, columns=ids).fillna(0.0 if values == "share" else 0)


def responsibility_table(kinds: pd.DataFrame, doc_ids: list[str], units: pd.Series | None = None) -> pd.DataFrame:
    """Kind of responsibility × document counts (0 where absent), kinds named by most documents first;
    per unit with ``units`` (see :func:`formula_table`).

    >>> k = pd.DataFrame({"doc_id": ["a", "b", "b"], "kind": ["属地责任", "属地责任", "部门责任"]})
    >>> responsibility_table(k, ["a", "b"]).to_dict()
    {'a': {'属地责任': 1, '部门责任': 0}, 'b': {'属地责任': 1, '部门责任': 1}}
    """
    return _count_table(kinds, "kind", doc_ids, units)
