"""Who echoes whom: passages copied between documents with small edits, their source and the lag of each echo.

Local documents relay central wording with edits (压实 → 压紧压实, 全市 → 全县, a clause dropped), so exact
shared passages (:func:`directives.reuse.shared_passages`) miss much of it. As in passim (Smith, Cordell &
Mullen 2015) and the legislative text-reuse studies (Wilkerson, Smith & Stramp 2015):

* :func:`near_copies` indexes every character 5-gram of every document (Han characters and digits, see
  :func:`directives.reuse.normalise_for_reuse`; "floating" n-grams, since Chinese has no spaces), keeps the
  n-grams found in 2 to ``max_df`` documents (commoner ones are formulas and furniture, as passim's
  ``--max-df``), chains the n-grams two documents share along a diagonal into candidate regions, and aligns
  each region (``difflib``) to report the passage pair, its length and identity. Exact copies are near-copies
  with identity 1.
* :func:`echoes` joins the pairs into passages (a passage is the set of overlapping occurrences linked by
  pairs), picks each passage's source (a document of a reference corpus, else a central document, else the
  earliest), and lists every document repeating it with the lag in days; boilerplate (datelines, closing
  lines, addressee lines, short passages at the very start or end of documents) is flagged, not counted.
* :func:`source_shares`, :func:`lags_by_unit` and :func:`diffusion` summarise: the share of each document
  taken from central and from other local documents, the lags per unit, and how a passage spreads over time.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .patterns import ECHO_BOILERPLATE, FULL_WIDTH_NUMBER, REUSE_RUN
from .reuse import _HALF_WIDTH, _REUSE_CHAR, normalise_for_reuse

NGRAM = 5  # characters per indexed n-gram
MAX_DF = 100  # n-grams in more documents than this are not indexed (passim's default --max-df)
_PRIME = np.uint64(1_000_003)
GRAMS_PER_PART = 5_000_000  # near_copies pairs the n-grams of one slice of the hash space (about this many) at a time

NEAR_COLUMNS = [
    "doc_a", "doc_b", "start_a", "end_a", "start_b", "end_b", "text_a", "text_b", "length", "matches", "identity",
]  # fmt: skip


def _ngram_hashes(codes: np.ndarray, k: int = NGRAM) -> np.ndarray:
    """A 64-bit polynomial hash of every window of ``k`` symbols (wrapping arithmetic)."""
    n = len(codes) - k + 1
    h = np.zeros(max(n, 0), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _PRIME + codes[j : j + n]
    return h


def _pairs_of_groups(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray):
    """For groups of equal hashes (``starts``/``sizes`` into ``order``), every pair of members, as two arrays
    of indices into the unsorted arrays; groups of the same size are handled together (vectorised)."""
    left, right = [], []
    for m in np.unique(sizes):
        s = starts[sizes == m]
        members = order[s[:, None] + np.arange(m)]
        iu, ju = np.triu_indices(int(m), 1)
        left.append(members[:, iu].ravel())
        right.append(members[:, ju].ravel())
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


def _chains(key, pa, pb, gap: int, band: int):
    """Runs of shared n-grams of one pair of documents that lie along (nearly) one diagonal: sorted by pair,
    diagonal and position, a new run starts where the pair changes, the diagonal moves more than ``band`` or
    the position jumps more than ``gap``. Returns per run: key, a_lo, a_hi, b_lo, b_hi, n."""
    diag = pb - pa
    o = np.lexsort((pa, diag, key))
    key, pa, pb, diag = key[o], pa[o], pb[o], diag[o]
    new = np.ones(len(key), dtype=bool)
    new[1:] = (key[1:] != key[:-1]) | (diag[1:] - diag[:-1] > band) | (np.abs(pa[1:] - pa[:-1]) > gap)
    run = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    return (
        key[first],
        np.minimum.reduceat(pa, first), np.maximum.reduceat(pa, first),
        np.minimum.reduceat(pb, first), np.maximum.reduceat(pb, first),
        np.bincount(run),
    )  # fmt: skip


def _merge_runs(runs, gap: int):
    """Runs of one pair that continue each other (an insertion or deletion moves the diagonal) merged into
    regions: per pair, sorted by start in the first document, joined while both documents' spans are within
    ``gap`` of the region so far."""
    key, alo, ahi, blo, bhi, n = runs
    o = np.lexsort((alo, key))
    regions = []
    cur = None
    for i in o:
        k, a0, a1, b0, b1, c = int(key[i]), int(alo[i]), int(ahi[i]), int(blo[i]), int(bhi[i]), int(n[i])
        if (
            cur is not None
            and cur[0] == k
            and a0 <= cur[2] + gap
            and b0 <= cur[4] + gap
            and b1 >= cur[3] - gap
            and b0 >= cur[3] - gap
        ):
            cur[2], cur[3], cur[4], cur[5] = max(cur[2], a1), min(cur[3], b0), max(cur[4], b1), cur[5] + c
            continue
        if cur is not None:
            regions.append(cur)
        cur = [k, a0, a1, b0, b1, c]
    if cur is not None:
        regions.append(cur)
    return regions


def align(a: str, b: str) -> tuple[int, int, int, int, int]:
    """Align two strings and trim unmatched ends: (start_a, end_a, start_b, end_b, matched characters).

    >>> align("某某压实责任抓细抓实", "压紧压实责任抓细抓实")
    (2, 10, 2, 10, 8)
    """
    if a == b:  # an exact copy, the commonest case, needs no alignment
        return 0, len(a), 0, len(b), len(a)
    blocks = [m for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size]
    if not blocks:
        return 0, 0, 0, 0, 0
    first, last = blocks[0], blocks[-1]
    return first.a, last.a + last.size, first.b, last.b + last.size, sum(m.size for m in blocks)


def _normalised(texts: list[str]) -> list[str]:
    """The Han characters and digits of each text, as :func:`directives.reuse.normalise_for_reuse` gives them
    (without the offsets, which only the documents in a result need)."""
    out = ["".join(REUSE_RUN.findall(t)) for t in texts]
    return [s.translate(_HALF_WIDTH) if FULL_WIDTH_NUMBER.search(s) else s for s in out]  # (translate is slow)


def _code_points(norm: list[str]) -> np.ndarray:
    """The code points of the documents' concatenation (the positions of :func:`_all_hashes`)."""
    return np.frombuffer("".join(norm).encode("utf-32-le"), dtype=np.uint32)


def _all_hashes(norm: list[str], k: int = NGRAM) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hashes of every window of ``k`` characters of the documents, in one array over their concatenation
    (windows that cross into the next document are marked invalid), with each document's start in it."""
    lengths = np.fromiter(map(len, norm), dtype=np.int64, count=len(norm))
    start = np.zeros(len(norm) + 1, dtype=np.int64)
    np.cumsum(lengths, out=start[1:])
    codes = _code_points(norm)
    h = np.zeros(len(codes), dtype=np.uint64)
    n = max(len(codes) - k + 1, 0)
    with np.errstate(over="ignore"):
        for j in range(k):
            h[:n] *= _PRIME
            h[:n] += codes[j : j + n]
    del codes
    valid = np.ones(len(h), dtype=bool)
    ends = start[1:]
    for j in range(1, k):  # a window starting within k - 1 characters of its document's end crosses it
        valid[np.maximum(ends - j, start[:-1])[lengths >= j]] = False
    short = np.flatnonzero(lengths < k)
    for d in short:  # documents too short for one window
        valid[start[d] : start[d + 1]] = False
    return h, valid, start


def _gram_pairs(h, valid, start, max_df: int, parts: int):
    """For each of ``parts`` slices of the hash space in turn, the n-grams in 2 to ``max_df`` documents (and at
    most ``2 * max_df`` places) and every pair of their occurrences in two documents: (doc_a, doc_b, pos_a,
    pos_b) as int32, doc_a < doc_b. A generator, so that all occurrences are never paired at once."""
    with np.errstate(over="ignore"):
        part = ((h * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(56)).astype(np.uint8) % np.uint8(parts)
    part[~valid] = parts  # (parts <= 255)
    for b in range(parts):
        sel = np.flatnonzero(part == b)
        if len(sel) == 0:
            continue
        hp = h[sel]
        o = np.argsort(hp, kind="stable")  # by hash, then document and position (sel is in that order)
        sel, hp = sel[o], hp[o]
        doc = (np.searchsorted(start, sel, side="right") - 1).astype(np.int32)
        new_hash = np.ones(len(hp), dtype=bool)
        new_hash[1:] = hp[1:] != hp[:-1]
        del hp
        starts = np.flatnonzero(new_hash)
        sizes = np.diff(np.append(starts, len(sel)))
        new_doc = new_hash
        new_doc[1:] |= doc[1:] != doc[:-1]
        n_docs = np.add.reduceat(new_doc.astype(np.int64), starts)
        keep = (n_docs >= 2) & (n_docs <= max_df) & (sizes <= 2 * max_df)
        pos = (sel - start[doc]).astype(np.int32)
        del sel, new_doc
        for m in np.unique(sizes[keep]):  # groups of one size at a time
            s = starts[keep & (sizes == m)]
            members = s[:, None] + np.arange(m)
            iu, ju = np.triu_indices(int(m), 1)
            for lo in range(0, len(s), max(1, 2_000_000 // len(iu))):
                i = members[lo : lo + max(1, 2_000_000 // len(iu))][:, iu].ravel()
                j = members[lo : lo + max(1, 2_000_000 // len(iu))][:, ju].ravel()
                da, db = doc[i], doc[j]
                other = da != db  # in a group, documents are in order: da <= db
                yield da[other], db[other], pos[i][other], pos[j][other]


def _runs(da, db, pa, pb, n: int, need: int, gap: int, band: int):
    """:func:`_chains` of the pairs of documents that share at least ``need`` n-grams."""
    key = da.astype(np.int64) * n + db
    o = np.argsort(key)
    sk = key[o]
    new_key = np.ones(len(sk), dtype=bool)
    new_key[1:] = sk[1:] != sk[:-1]
    first = np.flatnonzero(new_key)
    counts = np.diff(np.append(first, len(sk)))
    o = o[np.repeat(counts >= need, counts)]
    del sk, new_key
    if len(o) == 0:
        return (np.zeros(0, np.int64),) * 6
    return _chains(key[o], pa[o].astype(np.int64), pb[o].astype(np.int64), gap, band)


def _merge_run_lists(runs, gap: int) -> list[list[int]]:
    """:func:`_merge_runs` on plain lists (the same regions, several times faster)."""
    key, alo, ahi, blo, bhi, n = runs
    o = np.lexsort((alo, key))
    regions = []
    cur = None
    for k, a0, a1, b0, b1, c in zip(*(x[o].tolist() for x in (key, alo, ahi, blo, bhi, n)), strict=True):
        if cur is not None and cur[0] == k and a0 <= cur[2] + gap and b0 <= cur[4] + gap and b1 >= cur[3] - gap \
                and b0 >= cur[3] - gap:  # fmt: skip
            if a1 > cur[2]:
                cur[2] = a1
            if b0 < cur[3]:
                cur[3] = b0
            if b1 > cur[4]:
                cur[4] = b1
            cur[5] += c
            continue
        if cur is not None:
            regions.append(cur)
        cur = [k, a0, a1, b0, b1, c]
    if cur is not None:
        regions.append(cur)
    return regions


def _agreeing_many(codes: np.ndarray, ia: np.ndarray, ib: np.ndarray, limit: np.ndarray, forward: bool) -> np.ndarray:
    """For every region at once, how many characters of ``codes`` (code points) agree from ``ia`` and ``ib`` on
    (``forward``), or just before them, at most ``limit``: what stepping a character at a time finds, by comparing
    windows of doubling width for the regions still agreeing.

    >>> codes = np.frombuffer("abcdxzbcdy".encode("utf-32-le"), dtype=np.uint32)
    >>> one = np.array([1]); _agreeing_many(codes, one, one + 5, np.array([4]), True).tolist()
    [3]
    >>> _agreeing_many(codes, one + 3, one + 8, np.array([4]), False).tolist()
    [3]
    """
    out = np.zeros(len(ia), dtype=np.int64)
    active = np.flatnonzero(limit > 0)
    width = 8
    while len(active):
        offsets = np.arange(width)
        still = []
        for lo in range(0, len(active), max(1, 4_000_000 // width)):  # (a window of at most 4 million characters)
            act = active[lo : lo + max(1, 4_000_000 // width)]
            steps = np.minimum(limit[act] - out[act], width)
            within = offsets < steps[:, None]
            if forward:
                pa, pb = (ia[act] + out[act])[:, None] + offsets, (ib[act] + out[act])[:, None] + offsets
            else:
                pa, pb = (ia[act] - out[act] - 1)[:, None] - offsets, (ib[act] - out[act] - 1)[:, None] - offsets
            same = within & (codes[np.where(within, pa, 0)] == codes[np.where(within, pb, 0)])
            run = np.where(same.all(axis=1), width, np.argmin(same, axis=1))
            out[act] += run
            still.append(act[(run == width) & (out[act] < limit[act])])
        active = np.concatenate(still)
        width = min(width * 2, 256)
    return out


def near_copies(
    df: pd.DataFrame,
    min_chars: int = 20,
    min_identity: float = 0.7,
    max_df: int = MAX_DF,
    gap: int = 20,
    band: int = 10,
    column: str = "text_simplified",
    block: int = 5_000,
) -> pd.DataFrame:
    """Passages that two documents share, exactly or with edits, of at least ``min_chars`` characters (Han
    characters and digits, both sides) and identity at least ``min_identity`` (matched characters over the
    longer side). Candidates come from the character 5-grams two documents share, among those in at most
    ``max_df`` documents; shared n-grams along one diagonal (within ``band`` characters, ``gap`` apart at most)
    form a region, which is extended while both sides agree (n-grams too common to index may end a passage)
    and aligned. One row per aligned pair: doc_a, doc_b (doc_a first in ``df``), start
    and end offsets in each document's ``column``, both texts (with their punctuation), length (characters
    of the longer side), matches (characters aligned) and identity. Longest first.

    Built to scale (100,000 articles in minutes, see benchmarks/README.md): the n-grams are paired a slice of
    the hash space at a time, and the pairs written to temporary files by blocks of ``block`` documents, each
    block chained and aligned on its own (the files take 16 bytes a pair of shared n-grams, about 5.5 GB in the
    system's temporary folder for 100,000 articles of People's Daily-like text); the result is that of
    :func:`near_copies_reference`, the simple version, which holds everything in memory at once.

    >>> a = "今天天气很好。会议强调，要压实四方责任，抓细抓实各项防控工作，确保人民群众生命安全。"
    >>> b = "本县召开会议。会议强调，要压紧压实四方责任，抓实各项防控工作，确保人民群众生命安全和身体健康。"
    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "text_simplified": [a, b]})
    >>> row = near_copies(toy).iloc[0]
    >>> print(row.text_a); print(row.text_b); round(float(row.identity), 2)
    会议强调，要压实四方责任，抓细抓实各项防控工作，确保人民群众生命安全
    会议强调，要压紧压实四方责任，抓实各项防控工作，确保人民群众生命安全
    0.94
    """
    import tempfile

    ids = df["doc_id"].tolist()
    texts = df[column].fillna("").tolist()
    norm = _normalised(texts)
    n = len(ids)
    h, valid, start = _all_hashes(norm)
    if not valid.any():
        return pd.DataFrame(columns=NEAR_COLUMNS)
    blocks = max(1, -(-n // block))
    parts = int(min(255, max(1, valid.sum() // GRAMS_PER_PART)))
    need = max(2, (min_chars - NGRAM + 1) // 4)
    offsets: dict[int, np.ndarray] = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="near_copies_") as tmp:
        files = [open(Path(tmp) / f"{q}.i32", "wb") for q in range(blocks)]
        try:
            for da, db, pa, pb in _gram_pairs(h, valid, start, max_df, parts):
                q = da // block
                o = np.argsort(q, kind="stable")
                bounds = np.searchsorted(q[o], np.arange(blocks + 1))
                packed = np.stack([da[o], db[o], pa[o], pb[o]], axis=1)
                for b in np.flatnonzero(np.diff(bounds)):
                    packed[bounds[b] : bounds[b + 1]].tofile(files[b])
        finally:
            for f in files:
                f.close()
        del h, valid
        codes = _code_points(norm)  # (made again, not kept meanwhile)
        lengths = np.diff(start)
        for q in range(blocks):
            pairs = np.fromfile(Path(tmp) / f"{q}.i32", dtype=np.int32).reshape(-1, 4)
            (Path(tmp) / f"{q}.i32").unlink()
            if len(pairs) == 0:
                continue
            runs = _runs(pairs[:, 0], pairs[:, 1], pairs[:, 2], pairs[:, 3], n, need, gap, band)
            del pairs
            regions = np.array(_merge_run_lists(runs, gap), dtype=np.int64).reshape(-1, 6)
            del runs
            da_all, db_all = np.divmod(regions[:, 0], n)
            a0s, a1s, b0s, b1s = regions[:, 1], regions[:, 2] + NGRAM, regions[:, 3], regions[:, 4] + NGRAM
            # n-grams too common to index, at the ends: each region extended while both texts agree
            ga, gb = start[da_all], start[db_all]
            room = np.minimum(lengths[da_all] - a1s, lengths[db_all] - b1s)
            run = _agreeing_many(codes, ga + a1s, gb + b1s, room, True)
            a1s, b1s = a1s + run, b1s + run
            run = _agreeing_many(codes, ga + a0s, gb + b0s, np.minimum(a0s, b0s), False)
            a0s, b0s = a0s - run, b0s - run
            long_enough = (a1s - a0s >= min_chars) & (b1s - b0s >= min_chars)
            kept = (x[long_enough].tolist() for x in (da_all, db_all, a0s, a1s, b0s, b1s))
            for da, db, a0, a1, b0, b1 in zip(*kept, strict=True):
                sa, sb = norm[da], norm[db]
                x0, x1, y0, y1, matched = align(sa[a0:a1], sb[b0:b1])
                la, lb = x1 - x0, y1 - y0
                longer = max(la, lb)
                if min(la, lb) < min_chars or matched / longer < min_identity:
                    continue
                for d in (da, db):
                    if d not in offsets:
                        offsets[d] = normalise_for_reuse(texts[d])[1]
                offa, offb = offsets[da], offsets[db]
                a_s, a_e = int(offa[a0 + x0]), int(offa[a0 + x1 - 1]) + 1
                b_s, b_e = int(offb[b0 + y0]), int(offb[b0 + y1 - 1]) + 1
                rows.append((ids[da], ids[db], a_s, a_e, b_s, b_e, texts[da][a_s:a_e], texts[db][b_s:b_e],
                             longer, matched, matched / longer))  # fmt: skip
    out = pd.DataFrame(rows, columns=NEAR_COLUMNS)
    order = ["length", "identity", "doc_a", "doc_b", "start_a"]
    return out.sort_values(order, ascending=[False, False, True, True, True], ignore_index=True)


def near_copies_reference(
    df: pd.DataFrame,
    min_chars: int = 20,
    min_identity: float = 0.7,
    max_df: int = MAX_DF,
    gap: int = 20,
    band: int = 10,
    column: str = "text_simplified",
) -> pd.DataFrame:
    """Passages that two documents share, exactly or with edits, of at least ``min_chars`` characters (Han
    characters and digits, both sides) and identity at least ``min_identity`` (matched characters over the
    longer side). Candidates come from the character 5-grams two documents share, among those in at most
    ``max_df`` documents; shared n-grams along one diagonal (within ``band`` characters, ``gap`` apart at most)
    form a region, which is extended while both sides agree (n-grams too common to index may end a passage)
    and aligned. One row per aligned pair: doc_a, doc_b (doc_a first in ``df``), start
    and end offsets in each document's ``column``, both texts (with their punctuation), length (characters
    of the longer side), matches (characters aligned) and identity. Longest first.

    The simple version of :func:`near_copies`, every n-gram and pair in memory at once (about 2 GB per 10,000
    articles): kept as the reference the scalable one is tested against.

    >>> a = "今天天气很好。会议强调，要压实四方责任，抓细抓实各项防控工作，确保人民群众生命安全。"
    >>> b = "本县召开会议。会议强调，要压紧压实四方责任，抓实各项防控工作，确保人民群众生命安全和身体健康。"
    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "text_simplified": [a, b]})
    >>> row = near_copies_reference(toy).iloc[0]
    >>> print(row.text_a); print(row.text_b); round(float(row.identity), 2)
    会议强调，要压实四方责任，抓细抓实各项防控工作，确保人民群众生命安全
    会议强调，要压紧压实四方责任，抓实各项防控工作，确保人民群众生命安全
    0.94
    """
    ids = df["doc_id"].tolist()
    texts = df[column].fillna("").tolist()
    norm = [normalise_for_reuse(t) for t in texts]
    hashes, docs, pos = [], [], []
    for d, (s, _) in enumerate(norm):
        if len(s) < NGRAM:
            continue
        h = _ngram_hashes(np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64))
        hashes.append(h)
        docs.append(np.full(len(h), d, dtype=np.int64))
        pos.append(np.arange(len(h), dtype=np.int64))
    if not hashes:
        return pd.DataFrame(columns=NEAR_COLUMNS)
    h, doc, p = np.concatenate(hashes), np.concatenate(docs), np.concatenate(pos)
    del hashes, docs, pos
    order = np.lexsort((doc, h))
    hs, ds = h[order], doc[order]
    new_hash = np.ones(len(hs), dtype=bool)
    new_hash[1:] = hs[1:] != hs[:-1]
    starts = np.flatnonzero(new_hash)
    sizes = np.diff(np.append(starts, len(hs)))
    new_doc = new_hash.copy()
    new_doc[1:] |= ds[1:] != ds[:-1]
    n_docs = np.add.reduceat(new_doc.astype(np.int64), starts)
    keep = (n_docs >= 2) & (n_docs <= max_df) & (sizes <= 2 * max_df)
    i, j = _pairs_of_groups(order, starts[keep], sizes[keep])
    del order, hs, ds
    i, j = i[doc[i] != doc[j]], j[doc[i] != doc[j]]
    swap = doc[i] > doc[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    n = len(ids)
    key = doc[i] * n + doc[j]
    # pairs of documents sharing too few n-grams to hold a passage of min_chars are dropped before chaining
    need = max(2, (min_chars - NGRAM + 1) // 4)
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    enough = counts[inverse] >= need
    runs = _chains(key[enough], p[i][enough], p[j][enough], gap, band)
    rows = []
    for k, a0, a1, b0, b1, _c in _merge_runs(runs, gap):
        da, db = divmod(k, n)
        (sa, offa), (sb, offb) = norm[da], norm[db]
        a1, b1 = a1 + NGRAM, b1 + NGRAM
        while a1 < len(sa) and b1 < len(sb) and sa[a1] == sb[b1]:  # n-grams too common to index, at the ends
            a1, b1 = a1 + 1, b1 + 1
        while a0 > 0 and b0 > 0 and sa[a0 - 1] == sb[b0 - 1]:
            a0, b0 = a0 - 1, b0 - 1
        if a1 - a0 < min_chars or b1 - b0 < min_chars:
            continue
        x0, x1, y0, y1, matched = align(sa[a0:a1], sb[b0:b1])
        la, lb = x1 - x0, y1 - y0
        longer = max(la, lb)
        if min(la, lb) < min_chars or matched / longer < min_identity:
            continue
        a_s, a_e = int(offa[a0 + x0]), int(offa[a0 + x1 - 1]) + 1
        b_s, b_e = int(offb[b0 + y0]), int(offb[b0 + y1 - 1]) + 1
        rows.append((ids[da], ids[db], a_s, a_e, b_s, b_e, texts[da][a_s:a_e], texts[db][b_s:b_e],
                     longer, matched, matched / longer))  # fmt: skip
    out = pd.DataFrame(rows, columns=NEAR_COLUMNS)
    order = ["length", "identity", "doc_a", "doc_b", "start_a"]
    return out.sort_values(order, ascending=[False, False, True, True, True], ignore_index=True)


def mark_edits(a: str, b: str) -> tuple[str, str]:
    """The two sides of a near-copy with their differences marked: text only in ``a`` as ［…］ in the first,
    text only in ``b`` as ［…］ in the second (replacements marked on both sides).

    >>> mark_edits("压实四方责任", "压紧压实属地责任")
    ('压实［四方］责任', '［压紧］压实［属地］责任')
    """
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    for op, i0, i1, j0, j1 in sm.get_opcodes():
        if op == "equal":
            left.append(a[i0:i1])
            right.append(b[j0:j1])
            continue
        if i1 > i0:
            left.append(f"［{a[i0:i1]}］")
        if j1 > j0:
            right.append(f"［{b[j0:j1]}］")
    return "".join(left), "".join(right)


def marked_excerpt(a: str, b: str, width: int = 160, before: int = 20) -> tuple[str, str]:
    """:func:`mark_edits` of two long passages, each cut to ``width`` characters from ``before`` characters
    ahead of its first edit (so that a long copy shows where it was edited, not its unchanged beginning).

    >>> marked_excerpt("甲" * 50 + "压实四方责任", "甲" * 50 + "压实属地责任", width=12, before=2)
    ('…压实［四方］责任', '…压实［属地］责任')
    """
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    first = next((i0 for op, i0, _, _, _ in sm.get_opcodes() if op != "equal"), 0)  # a[:first] == b[:first]
    cut = max(0, first - before)
    out = [("…" if cut else "") + m[:width] + ("…" if len(m) > width else "") for m in mark_edits(a[cut:], b[cut:])]
    return out[0], out[1]


def edited_examples(pairs: pd.DataFrame, dates: dict, n: int = 5, below: float = 0.97) -> pd.DataFrame:
    """The first ``n`` copies of :func:`near_copies` that were edited (those below ``below`` identity when
    there are such), the earlier document first (when both are dated), each cut around its first edit by
    :func:`marked_excerpt`. Columns: earlier, later, identity, earlier_text, later_text.

    >>> pairs = pd.DataFrame({"doc_a": ["b"], "doc_b": ["a"], "identity": [0.9],
    ...                       "text_a": ["压实属地责任"], "text_b": ["压实四方责任"]})
    >>> ex = edited_examples(pairs, {"a": pd.Timestamp("2022-03-17"), "b": pd.Timestamp("2022-03-19")})
    >>> ex.earlier.tolist(), ex.earlier_text.tolist(), ex.later_text.tolist()
    (['a'], ['压实［四方］责任'], ['压实［属地］责任'])
    """
    edited = pairs[pairs["identity"] < 1]
    if (edited["identity"] < below).any():
        edited = edited[edited["identity"] < below]
    rows = []
    for row in edited.head(max(n, 1)).itertuples():
        a, b = (row.doc_a, row.text_a), (row.doc_b, row.text_b)
        da, db = dates.get(a[0]), dates.get(b[0])
        if pd.notna(da) and pd.notna(db) and db < da:
            a, b = b, a
        left, right = marked_excerpt(a[1], b[1])
        rows.append((a[0], b[0], row.identity, left, right))
    return pd.DataFrame(rows, columns=["earlier", "later", "identity", "earlier_text", "later_text"])


# --------------------------------------------------------------------------- boilerplate
BOILERPLATE = ECHO_BOILERPLATE  # (patterns.py: every regular expression in one place)


def is_boilerplate(passage: str) -> bool:
    """Whether a passage (Han characters and digits, as :func:`directives.reuse.normalise_for_reuse` gives)
    is furniture: mostly (half its characters or more) a dateline, a standard opening or closing line, an
    addressee line, a signature with its date, a leader's string of titles. A dateline before a relayed paragraph
    is not furniture.

    >>> is_boilerplate("新华社北京10月1日电"), is_boilerplate("国务院办公厅2016年8月8日")
    (True, True)
    >>> is_boilerplate("压紧压实四方责任"), is_boilerplate("新华社北京10月1日电会议强调要压紧压实四方责任抓细抓实")
    (False, False)
    >>> is_boilerplate("中共中央政治局委员国务院副总理孙春兰"), is_boilerplate("副总理孙春兰强调要压紧压实四方责任")
    (True, False)
    """
    return sum(len(m.group(0)) for m in BOILERPLATE.finditer(passage)) >= 0.5 * len(passage) > 0


# --------------------------------------------------------------------------- echoes
ECHO_COLUMNS = [
    "passage", "source", "source_date", "source_kind", "source_level", "source_region", "doc_id", "date", "level",
    "region", "lag_days",
    "start", "end", "length", "identity", "text", "source_text", "n_docs", "boilerplate",
]  # fmt: skip


def _reference_frame(reference, df: pd.DataFrame) -> pd.DataFrame:
    """The reference corpus as a table with doc_ids that cannot collide with ``df``'s."""
    if reference is None:
        return df.iloc[:0]
    if isinstance(reference, (str, Path)):
        from .corpus import load_corpus

        reference = load_corpus(reference)
    ref = reference.copy()
    ref["doc_id"] = "ref:" + ref["doc_id"].astype(str)
    return ref


def _spots(pairs: pd.DataFrame, overlap: float = 0.5) -> tuple[list[tuple[str, int, int]], list[int]]:
    """Occurrences (doc_id, start, end) of the pairs (those of row i at i and i + len(pairs)), and for each its
    spot: occurrences in one document overlapping by ``overlap`` of the shorter are one spot, named by its first
    occurrence in the document's order (start, end). Each occurrence joins the spot of the one before it reaching
    furthest, whose spot is already final: one pass, no union-find (a test keeps it equal to one)."""
    columns = {c: pairs[c].tolist() for c in ("doc_a", "start_a", "end_a", "doc_b", "start_b", "end_b")}
    occ = list(zip(columns["doc_a"], columns["start_a"], columns["end_a"], strict=True))
    occ += list(zip(columns["doc_b"], columns["start_b"], columns["end_b"], strict=True))
    spot = list(range(len(occ)))
    by_doc = defaultdict(list)
    for x, (d, s, e) in enumerate(occ):
        by_doc[d].append((s, e, x))
    for spans in by_doc.values():
        spans.sort()
        b_start, b_end, b_x = -1, -1, -1  # the occurrence reaching furthest so far
        for s, e, x in spans:
            if b_end > s and (b_end if b_end < e else e) - s >= overlap * min(e - s, b_end - b_start):
                spot[x] = spot[b_x]
            if e > b_end:
                b_start, b_end, b_x = s, e, x
    return occ, spot


def echoes(
    df: pd.DataFrame,
    reference: pd.DataFrame | str | Path | None = None,
    pairs: pd.DataFrame | None = None,
    column: str = "text_simplified",
    **near: object,
) -> pd.DataFrame:
    """Every passage of a document of ``df`` that it shares (exactly or with edits, :func:`near_copies`) with
    another document, and where it came from. The occurrences of one document that overlap are one spot; a
    spot's source is, among the documents it is directly paired with that are not dated after it, and itself,
    a document of ``reference`` (central texts, as a table or a path :func:`directives.corpus.load_corpus`
    reads) if any, else one of ``level == "central"``, else any; the earliest of them (a missing date counts
    as latest; ties go to the first document of the table). A spot that is its own source is not an echo, so
    a local document earlier than the central ones that share its wording is a source, not their echo.
    One row per echo: passage (numbered by source passage, so the documents repeating one passage share it),
    source, source_date, source_kind (``reference``, ``central`` or ``local``), source_level, source_region, doc_id,
    date, level, region,
    lag_days (missing when either date is), start and end in the document, length (characters), identity with
    the source's text, text, source_text (the source's side of the pair), n_docs (documents holding the
    passage, its source included) and boilerplate (either side :func:`is_boilerplate`, or under 40 characters
    at the very start or end of both documents: a dateline, a standard lead). ``pairs`` reuses a
    :func:`near_copies` result for ``df`` (without
    reference); other keywords go to :func:`near_copies`.

    >>> text = "会议强调，要压实四方责任，抓细抓实各项防控工作，确保人民群众生命安全。"
    >>> toy = pd.DataFrame({"doc_id": ["county", "centre"], "level": ["county", "central"], "region": ["甲县", "中央"],
    ...     "date": pd.to_datetime(["2022-03-20", "2022-03-17"]), "text_simplified": ["本县" + text, text]})
    >>> echoes(toy)[["source", "doc_id", "source_kind", "lag_days"]].values.tolist()
    [['centre', 'county', 'central', 3.0]]
    >>> none = echoes(toy.assign(text_simplified=["天地玄黄", "宇宙洪荒"])); len(none[~none.boilerplate].columns)
    19
    """
    ref = _reference_frame(reference, df)
    both = pd.concat([df, ref], ignore_index=True) if len(ref) else df.reset_index(drop=True)
    if pairs is None or len(ref):
        pairs = near_copies(both, column=column, **near)
    if pairs.empty:
        return _echo_frame([])
    texts = dict(zip(both["doc_id"], both[column].fillna(""), strict=True))
    meta = both.set_index("doc_id")
    dates = pd.to_datetime(meta["date"]) if "date" in meta else pd.Series(pd.NaT, index=meta.index)
    level = (meta["level"] if "level" in meta else pd.Series("", index=meta.index)).fillna("unknown")
    region = (meta["region"] if "region" in meta else pd.Series("", index=meta.index)).fillna("unknown")
    dates, level, region = dates.to_dict(), level.to_dict(), region.to_dict()  # (a dict's get is 50x a Series')
    ref_ids = set(ref["doc_id"])
    position = {d: i for i, d in enumerate(both["doc_id"])}
    dated = {d: v.value for d, v in dates.items() if pd.notna(v)}  # nanoseconds: compared as the dates are
    far = pd.Timestamp.max.value
    # reference, then central, then any; earliest; first in the table
    ranks = {d: (0 if d in ref_ids else 1 if level.get(d) == "central" else 2, dated.get(d, far), i)
             for d, i in position.items()}  # fmt: skip
    rank = ranks.__getitem__

    occ, spot = _spots(pairs)
    half = len(pairs)
    links = defaultdict(list)  # spot -> (other spot, own occurrence, other occurrence)
    for x in range(half):
        links[spot[x]].append((spot[x + half], x, x + half))
        links[spot[x + half]].append((spot[x], x + half, x))
    chosen = {}  # spot -> (source spot, own occurrence, source occurrence)
    for sp, linked in links.items():
        mine = dated.get(occ[sp][0])
        if mine is None:
            before = linked
        else:  # undated documents may be the source of any
            before = [t for t in linked if (other := dated.get(occ[t[0]][0])) is None or other <= mine]
        if not before:
            continue  # everything it shares came later: it is a source, not an echo
        best = min(before, key=lambda t: (rank(occ[t[0]][0]), -(occ[t[1]][2] - occ[t[1]][1])))
        if rank(occ[best[0]][0]) < rank(occ[sp][0]):
            chosen[sp] = best
    # passages: the source spots, each with the echoes it has
    by_source = defaultdict(list)
    for src, own, other in chosen.values():
        by_source[src].append((own, other))
    order = sorted(by_source, key=lambda s: (-len({occ[o][0] for o, _ in by_source[s]}), position[occ[s][0]], s))
    rows = []
    for number, src in enumerate(order):
        members = by_source[src]
        s_doc = occ[src][0]
        docs = {occ[own][0] for own, _ in members}
        of_doc = defaultdict(list)  # (each document's own, in the order of members)
        for o, x in members:
            of_doc[occ[o][0]].append((o, x))
        for d in sorted(docs, key=position.get):
            if d in ref_ids:
                continue
            own, other = max(of_doc[d], key=lambda t: occ[t[0]][2] - occ[t[0]][1])
            (_, s, e), (_, s0, e0) = occ[own], occ[other]
            text, src_text = texts[d][s:e], texts[s_doc][s0:e0]
            norm, src_norm = _normalised([text, src_text])
            if norm == src_norm and norm:  # a copy (the commonest case): every character aligned
                identity = 1.0
            else:
                sm = difflib.SequenceMatcher(None, src_norm, norm, autojunk=False)
                identity = sum(m.size for m in sm.get_matching_blocks()) / max(len(src_norm), len(norm), 1)
            short_at_edges = len(norm) < 40 and _at_edge(texts[d], s, e) and _at_edge(texts[s_doc], s0, e0)
            boiler = is_boilerplate(norm) or is_boilerplate(src_norm) or short_at_edges
            known = pd.notna(dates.get(d)) and pd.notna(dates.get(s_doc))
            lag = (dates.get(d) - dates.get(s_doc)).days if known else np.nan
            kind = ("reference", "central", "local")[rank(s_doc)[0]]
            rows.append((number, s_doc, dates.get(s_doc), kind, level.get(s_doc), region.get(s_doc), d, dates.get(d),
                         level.get(d), region.get(d),
                         lag, s, e, len(norm), identity, text, src_text, len(docs) + 1, boiler))  # fmt: skip
    return _echo_frame(rows)


def _echo_frame(rows: list[tuple]) -> pd.DataFrame:
    """The rows of :func:`echoes` as a table, with the same dtypes when there are none (an empty ``boilerplate``
    column of objects would make ``found[~found.boilerplate]`` select columns, not rows)."""
    out = pd.DataFrame(rows, columns=ECHO_COLUMNS)
    out = out.astype({"lag_days": float, "boilerplate": bool, "passage": int, "length": int, "identity": float,
                      "n_docs": int, "start": int, "end": int})  # fmt: skip
    return out.sort_values(["passage", "lag_days", "doc_id"], ignore_index=True)


def _at_edge(text: str, start: int, end: int, within: int = 5) -> bool:
    """Whether ``text[start:end]`` begins within ``within`` characters (Han and digits) of the text's start or
    ends within as many of its end."""
    return _few_kept(text[:start], within, nearest_last=True) or _few_kept(text[end:], within, nearest_last=False)


def _few_kept(part: str, within: int, nearest_last: bool) -> bool:
    """Whether ``part`` holds at most ``within`` characters that :func:`directives.reuse.normalise_for_reuse`
    keeps (the length of its result). The 64 characters nearest the passage are looked at first: a cut can only
    lose a match there (a decimal point beside the cut), so more than ``within`` in them settles it."""
    near = part[-64:] if nearest_last else part[:64]
    if len(near) < len(part) and len(_REUSE_CHAR.findall(near)) > within:
        return False
    return len(_REUSE_CHAR.findall(part)) <= within


# --------------------------------------------------------------------------- summaries
def source_shares(df: pd.DataFrame, found: pd.DataFrame, column: str = "text_simplified") -> pd.DataFrame:
    """For each document of ``df``: its characters (Han characters and digits), the share of them in passages
    it repeats from a central (or reference) source, from another local document, and its own (the rest).
    Boilerplate and echoes that predate their source are not counted. Columns: doc_id, chars, central,
    local, own.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "text_simplified": ["一二三四五六七八九十", "一二三四"]})
    >>> e = pd.DataFrame({"doc_id": ["a"], "start": [0], "end": [5], "source_kind": ["central"],
    ...                   "boilerplate": [False], "lag_days": [1.0]})
    >>> source_shares(toy, e).round(2).values.tolist()
    [['a', 10, 0.5, 0.0, 0.5], ['b', 4, 0.0, 0.0, 1.0]]
    """
    counted = found[~found["boilerplate"].astype(bool) & ~(found["lag_days"] < 0)]
    spans = defaultdict(list)
    for d, s, e, k in zip(counted["doc_id"], counted["start"], counted["end"], counted["source_kind"], strict=True):
        spans[d].append((s, e, "local" if k == "local" else "central"))
    rows = []
    for d, text in zip(df["doc_id"], df[column].fillna(""), strict=True):
        han = normalise_for_reuse(text)[1]
        mask = np.zeros(len(han), dtype=np.int8)  # 0 own, 1 local, 2 central (central wins an overlap)
        for s, e, k in spans.get(d, ()):
            lo, hi = np.searchsorted(han, s), np.searchsorted(han, e)
            mask[lo:hi] = np.maximum(mask[lo:hi], 2 if k == "central" else 1)
        total = max(len(han), 1)
        rows.append((d, len(han), (mask == 2).sum() / total, (mask == 1).sum() / total, (mask == 0).sum() / total))
    return pd.DataFrame(rows, columns=["doc_id", "chars", "central", "local", "own"])


def lags_by_unit(found: pd.DataFrame, by: tuple[str, ...] = ("level", "region")) -> pd.DataFrame:
    """The lags (days) of the echoes in each unit (by default level and region of the repeating document),
    boilerplate and echoes without a date left out: echoes, documents, passages, median, quartiles, the
    share within 7 and within 30 days, and the share that predate their (central) source. Most echoes first.

    >>> e = pd.DataFrame({"level": ["county"] * 3, "region": ["甲县"] * 3, "doc_id": ["a", "a", "b"],
    ...     "passage": [0, 1, 0], "lag_days": [1.0, 3.0, 40.0], "boilerplate": [False] * 3})
    >>> lags_by_unit(e)[["region", "echoes", "median", "within_7"]].values.tolist()
    [['甲县', 3, 3.0, 0.6666666666666666]]
    """
    cols = [*by, "echoes", "documents", "passages", "median", "q25", "q75", "within_7", "within_30", "before_source"]
    f = found[~found["boilerplate"].astype(bool) & found["lag_days"].notna()]
    if f.empty:
        return pd.DataFrame(columns=cols)
    g = f.groupby(list(by), dropna=False)
    out = g.agg(
        echoes=("lag_days", "size"), documents=("doc_id", "nunique"), passages=("passage", "nunique"),
        median=("lag_days", "median"), q25=("lag_days", lambda x: x.quantile(0.25)),
        q75=("lag_days", lambda x: x.quantile(0.75)), within_7=("lag_days", lambda x: x.between(0, 7).mean()),
        within_30=("lag_days", lambda x: x.between(0, 30).mean()), before_source=("lag_days", lambda x: (x < 0).mean()),
    ).reset_index()  # fmt: skip
    return out.sort_values(["echoes", *by], ascending=[False, *[True] * len(by)], ignore_index=True)[cols]


def travelling(found: pd.DataFrame, top: int | None = 10) -> pd.DataFrame:
    """The passages repeated by the most documents (boilerplate left out), with their source and path: the
    regions in the order they took it up. Columns: passage, source, source_kind, source_date, documents,
    regions, median_lag, path, text. The first ``top`` passages (``None``: every one).

    >>> e = pd.DataFrame({"passage": [0, 0], "source": ["c", "c"], "source_kind": ["central"] * 2,
    ...     "source_date": pd.to_datetime(["2022-03-17"] * 2), "doc_id": ["x", "y"], "region": ["乙", "甲"],
    ...     "lag_days": [5.0, 2.0], "source_text": ["压实责任"] * 2, "boilerplate": [False] * 2})
    >>> travelling(e).path.tolist()
    ['甲 (2 d) → 乙 (5 d)']
    """
    cols = ["passage", "source", "source_kind", "source_date", "documents", "regions", "median_lag", "path", "text"]
    f = found[~found["boilerplate"].astype(bool)]
    if top is not None and len(f):  # rank every passage by the counts alone, describe only the first ``top``
        g = f.groupby("passage")
        ranked = pd.DataFrame({"documents": g["doc_id"].nunique(), "regions": g["region"].nunique()})
        ranked = ranked.reset_index().sort_values(["documents", "regions", "passage"], ascending=[False, False, True])
        f = f[f["passage"].isin(ranked["passage"].head(top))]
    rows = []
    for p, g in f.groupby("passage"):
        g = g.sort_values("lag_days", kind="stable")
        first = g.groupby("region", sort=False)["lag_days"].first()
        path = " → ".join(f"{r} ({lag:.0f} d)" if pd.notna(lag) else f"{r}" for r, lag in first.items())
        rows.append((p, g.source.iloc[0], g.source_kind.iloc[0], g.source_date.iloc[0], g.doc_id.nunique(),
                     len(first), g.lag_days.median(), path, g.source_text.iloc[0]))  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["documents", "regions", "passage"], ascending=[False, False, True], ignore_index=True).head(
        top
    )


def _first_uses(occ: pd.DataFrame, key: str) -> pd.DataFrame:
    """For each ``key`` (passage or formula), the date on which each unit first used it, in order, with the
    cumulative number of units and the days since the first use. Input columns: key, date, unit."""
    occ = occ.dropna(subset=["date", "unit"])
    first = occ.groupby([key, "unit"], sort=False)["date"].min().reset_index()
    first = first.sort_values([key, "date", "unit"], ignore_index=True)
    first["units"] = first.groupby(key).cumcount() + 1
    first["days"] = (first["date"] - first.groupby(key)["date"].transform("min")).dt.days
    return first[[key, "date", "unit", "units", "days"]]


def diffusion(found: pd.DataFrame, passage: int | None = None, by: str = "region") -> pd.DataFrame:
    """How passages spread (all of them, or one): for each passage of :func:`echoes` (boilerplate left out), the
    date on which each unit (``by``: region or level) first used it, its source's unit at the source's date
    first, with the cumulative number of units using it and the days since the source. Undated uses are left
    out. Columns: passage, date, unit, units, days.

    >>> e = pd.DataFrame({"passage": [0, 0, 0], "source_date": pd.to_datetime(["2022-03-17"] * 3),
    ...     "source_region": ["甲"] * 3, "date": pd.to_datetime(["2022-03-18", "2022-03-18", "2022-03-25"]),
    ...     "region": ["甲", "乙", "丙"], "boilerplate": [False] * 3})
    >>> diffusion(e, 0)[["unit", "units", "days"]].values.tolist()
    [['甲', 1, 0], ['乙', 2, 1], ['丙', 3, 8]]
    """
    f = found[~found["boilerplate"].astype(bool)] if "boilerplate" in found else found
    if passage is not None:
        f = f[f["passage"] == passage]
    source = f.drop_duplicates("passage")[["passage", "source_date", f"source_{by}"]]
    names = ["passage", "date", "unit"]
    occ = pd.concat([source.set_axis(names, axis=1), f[["passage", "date", by]].set_axis(names, axis=1)])
    return _first_uses(occ.astype({"date": "datetime64[ns]"}), "passage")


def formula_diffusion(formulas: pd.DataFrame, df: pd.DataFrame, by: str = "region") -> pd.DataFrame:
    """How formulas (提法) spread: for each formula of :func:`directives.reuse.find_formulas`, the date on which
    each unit (``by`` column of ``df``: region or level) first used it, with the cumulative number of units
    and the days since its first use. Documents without a date or unit are left out. Columns: formula, date,
    unit, units, days.

    >>> df = pd.DataFrame({"doc_id": ["a", "b", "c"], "region": ["甲", "乙", "甲"],
    ...                    "date": pd.to_datetime(["2022-03-17", "2022-03-20", "2022-03-15"])})
    >>> f = pd.DataFrame({"doc_id": ["a", "b", "c"], "formula": ["四早", "四早", "四早"]})
    >>> formula_diffusion(f, df)[["unit", "units", "days"]].values.tolist()
    [['甲', 1, 0], ['乙', 2, 5]]
    """
    meta = df.set_index("doc_id")
    occ = pd.DataFrame({
        "formula": formulas["formula"].to_numpy(),
        "date": pd.to_datetime(formulas["doc_id"].map(meta["date"])).to_numpy(),
        "unit": formulas["doc_id"].map(meta[by]).to_numpy(),
    })  # fmt: skip
    return _first_uses(occ, "formula")


def spread_summary(curves: pd.DataFrame, key: str = "passage") -> pd.DataFrame:
    """Per item of a diffusion table (:func:`diffusion` or :func:`formula_diffusion`): the units it reached, the
    days until half of them (rounded up) used it and the days until the last did. Widest first.

    >>> curves = pd.DataFrame({"passage": [0, 0, 0, 1], "units": [1, 2, 3, 1], "days": [0, 2, 9, 0]})
    >>> spread_summary(curves).values.tolist()
    [[0, 3, 2, 9], [1, 1, 0, 0]]
    """
    cols = [key, "units", "days_to_half", "days_to_all"]
    if curves.empty:
        return pd.DataFrame(columns=cols)
    g = curves.groupby(key, sort=False)
    out = pd.DataFrame({"units": g["units"].max(), "days_to_all": g["days"].max()})
    half = curves.assign(half=curves.groupby(key)["units"].transform("max").add(1) // 2)
    out["days_to_half"] = half[half["units"] >= half["half"]].groupby(key)["days"].min()
    out = out.reset_index()[cols]
    return out.sort_values(["units", "days_to_all", key], ascending=[False, True, True], ignore_index=True)


# --------------------------------------------------------------------------- evaluation on planted copies
def score_planted(
    docs: pd.DataFrame, truth: pd.DataFrame, pairs: pd.DataFrame, found: pd.DataFrame | None = None
) -> dict[str, float]:
    """Recall, precision and direction of :func:`near_copies` (and :func:`echoes`) on a corpus with planted
    near-copies (:func:`directives.synthetic.plant_near_copies`). A planted copy is found when one row joins
    its two documents with spans covering at least half of each planted passage; a row is right when at least
    half of each of its spans lies in one plant's passages; the direction is right when :func:`echoes` (given
    as ``found``) lists the target with the planted source as the source.

    >>> from directives.synthetic import plant_near_copies
    >>> import random; rng = random.Random(0)
    >>> sents = ["".join(chr(0x4E00 + rng.randrange(5000)) for _ in range(30)) + "。" for _ in range(400)]
    >>> docs, truth = plant_near_copies(sents, n_docs=20, n_plants=6, per_doc=12, rate=0.0)
    >>> score = score_planted(docs, truth, near_copies(docs))
    >>> score["recall"], score["precision"]
    (1.0, 1.0)
    """
    texts = dict(zip(docs["doc_id"], docs["text"], strict=True))
    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)  # doc -> (plant, start, end)
    planted = []
    for r in truth.itertuples():
        s = texts[r.source].find(r.source_text)
        t = texts[r.target].find(r.target_text)
        planted.append((r.plant, r.source, (s, s + len(r.source_text)), r.target, (t, t + len(r.target_text))))
        spans[r.source].append((r.plant, s, s + len(r.source_text)))
        spans[r.target].append((r.plant, t, t + len(r.target_text)))
    spans = {d: list(set(v)) for d, v in spans.items()}

    def plants_holding(doc, a, b):  # plants whose passage holds at least half of [a, b)
        return {p for p, x, y in spans.get(doc, ()) if min(b, y) - max(a, x) >= 0.5 * (b - a)}

    def covers(doc, a, b, x, y):  # [a, b) covers at least half of [x, y)
        return min(b, y) - max(a, x) >= 0.5 * (y - x)

    right = sum(
        bool(plants_holding(r.doc_a, r.start_a, r.end_a) & plants_holding(r.doc_b, r.start_b, r.end_b))
        for r in pairs.itertuples()
    )
    by_pair = defaultdict(list)
    for r in pairs.itertuples():
        by_pair[r.doc_a, r.doc_b].append((r.start_a, r.end_a, r.start_b, r.end_b))
        by_pair[r.doc_b, r.doc_a].append((r.start_b, r.end_b, r.start_a, r.end_a))
    hits = sum(
        any(covers(s, a0, a1, *ss) and covers(t, b0, b1, *ts) for a0, a1, b0, b1 in by_pair.get((s, t), ()))
        for _, s, ss, t, ts in planted
    )
    score = {"planted": len(planted), "found": len(pairs), "recall": hits / max(len(planted), 1),
             "precision": right / max(len(pairs), 1)}  # fmt: skip
    if found is not None:
        src = set(zip(found["doc_id"], found["source"], strict=True))
        score["direction"] = sum((t, s) in src for _, s, _, t, _ in planted) / max(len(planted), 1)
    return score


# --------------------------------------------------------------------------- per unit, and figures
def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an s when ``n`` is not 1.

    >>> plural(1, "article"), plural(1200, "region")
    ('1 article', '1,200 regions')
    """
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def shares_by_unit(shares: pd.DataFrame, unit: pd.Series) -> pd.DataFrame:
    """:func:`source_shares` per unit (``unit`` maps doc_id to unit, as
    :func:`directives.analysis.document_units` gives; documents without a unit left out), weighted by
    characters: the share of the unit's characters from central sources, from other local documents and
    its own, with its documents and characters. Most characters from central sources first.

    >>> s = pd.DataFrame({"doc_id": ["a", "b"], "chars": [10, 30], "central": [1.0, 0.0], "local": [0.0, 0.5],
    ...                   "own": [0.0, 0.5]})
    >>> shares_by_unit(s, pd.Series({"a": "甲", "b": "甲"})).round(3).to_dict("index")
    {'甲': {'documents': 2, 'chars': 40, 'central': 0.25, 'local': 0.375, 'own': 0.375}}
    """
    s = shares.assign(unit=shares["doc_id"].map(unit)).dropna(subset=["unit"])
    weighted = s[["central", "local", "own"]].mul(s["chars"], axis=0).assign(unit=s["unit"], chars=s["chars"])
    g = weighted.groupby("unit")
    out = g[["central", "local", "own"]].sum().div(g["chars"].sum().clip(lower=1), axis=0)
    out.insert(0, "chars", g["chars"].sum())
    out.insert(0, "documents", g.size())
    out.index.name = "unit"
    return out.sort_values(["central", "local"], ascending=False, kind="stable")


def plot_source_shares(table: pd.DataFrame, labels: dict, title: str) -> plt.Figure:
    """Stacked horizontal bars: for each unit (row of :func:`shares_by_unit`), the share of its characters
    from central sources, from other local documents and its own.

    >>> t = pd.DataFrame({"central": [0.2], "local": [0.1], "own": [0.7]}, index=["甲"])
    >>> fig = plot_source_shares(t, {"甲": "甲县"}, "Where the wording comes from"); fig.axes[0].get_title()
    'Where the wording comes from'
    >>> plt.close(fig)
    """
    from .plotting import use_cjk_font

    use_cjk_font()
    # constrained layout puts the legend in its own row under the axes, whatever the number of units
    fig, ax = plt.subplots(figsize=(10, 1.6 + 0.3 * max(len(table), 1)), layout="constrained")
    names = [labels.get(u, str(u)) for u in table.index]
    left = np.zeros(len(table))
    for part, colour, label in (("central", "tab:red", "from a central source"),
                                ("local", "tab:orange", "from another local document"),
                                ("own", "lightgray", "own wording")):  # fmt: skip
        values = table[part].to_numpy(dtype=float)
        ax.barh(names, values, left=left, color=colour, label=label)
        left += values
    ax.set_ylim(max(len(table), 1) - 0.5, -0.5)  # the first unit on top
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("share of characters (Han characters and digits)")
    fig.legend(loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    ax.set_title(title)
    return fig


def plot_lags(found: pd.DataFrame, unit: pd.Series, labels: dict, title: str, top: int = 15) -> plt.Figure:
    """The lag (days from the source's date) of every dated echo that is not boilerplate, by unit of the
    repeating document (``unit`` maps doc_id to unit): one row of points per unit with its median marked, the
    ``top`` units with the most echoes. Echoes that predate their source are left of zero.

    >>> e = pd.DataFrame({"doc_id": ["a", "b"], "lag_days": [1.0, 9.0], "boilerplate": [False, False]})
    >>> fig = plot_lags(e, pd.Series({"a": "甲", "b": "乙"}), {}, "Lags"); fig.axes[0].get_title()
    'Lags'
    >>> plt.close(fig)
    """
    from .plotting import use_cjk_font

    use_cjk_font()
    f = found[~found["boilerplate"].astype(bool) & found["lag_days"].notna()]
    f = f.assign(unit=f["doc_id"].map(unit)).dropna(subset=["unit"])
    units = f["unit"].value_counts().head(top).index.tolist()
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.4 * max(len(units), 1)))
    rng = np.random.default_rng(0)
    for y, u in enumerate(units):
        lags = f.loc[f["unit"] == u, "lag_days"].to_numpy()
        ax.scatter(lags, y + rng.uniform(-0.2, 0.2, len(lags)), s=10, alpha=0.5, color="tab:blue")
        ax.plot([np.median(lags)] * 2, [y - 0.35, y + 0.35], color="tab:red", lw=2)
    ax.set_yticks(range(len(units)), [f"{labels.get(u, u)} ({(f.unit == u).sum():,})" for u in units])
    ax.invert_yaxis()
    ax.axvline(0, color="gray", lw=0.8)
    if not units:
        ax.text(0.5, 0.5, "no dated echoes", ha="center", va="center", transform=ax.transAxes, fontsize=14)
    ax.set_xlabel("days after the source (red: median; in brackets: echoes)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_diffusion(curves: pd.DataFrame, items: list, labels: dict, title: str, key: str = "passage") -> plt.Figure:
    """Diffusion curves (a table of :func:`diffusion` or :func:`formula_diffusion`): for each of ``items`` (values
    of ``key``), the cumulative number of units using it against the days since its first use, as steps;
    ``labels`` maps items to legend labels (the legend sits below the axes, one line per item).

    >>> curves = pd.DataFrame({"passage": [0, 0], "units": [1, 2], "days": [0, 8]})
    >>> fig = plot_diffusion(curves, [0], {0: "压实责任"}, "Spread"); fig.axes[0].get_title()
    'Spread'
    >>> plt.close(fig)
    """
    from .plotting import use_cjk_font

    use_cjk_font()
    fig, ax = plt.subplots(figsize=(10, 4.2 + 0.22 * len(items)), layout="constrained")
    longest = max(int(curves["days"].max()), 1) if len(curves) else 1
    for i, item in enumerate(items):
        c = curves[curves[key] == item]
        if len(c):
            x = [*c["days"], longest]  # held at its last value to the end of the axis
            shift = 0.05 * (i - (len(items) - 1) / 2)  # equal curves side by side, not hidden under each other
            y = [u + shift for u in [*c["units"], c["units"].iloc[-1]]]
            ax.step(
                x, y, where="post", marker="o", ms=3, markevery=list(range(len(c))), label=labels.get(item, str(item))
            )
    if items and len(curves):
        fig.legend(loc="outside lower center", ncol=1, fontsize=8, frameon=False)
    else:
        ax.text(0.5, 0.5, "nothing is repeated", ha="center", va="center", transform=ax.transAxes, fontsize=14)
    ax.yaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_xlim(left=-0.02 * longest)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("days since the first use (the source's date for a passage)")
    ax.set_ylabel("units using it (cumulative; lines offset a little)")
    ax.set_title(title)
    return fig
