"""Counting words: term counts, keyness, keyword in context, collocations. Each returns a DataFrame.

All functions take a corpus with a ``tokens`` column (see :func:`directives.tokens.add_tokens`): one
space-joined string per document, or a list of tokens.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .tokens import ensure_tokens, token_list, token_string
from .units import MAX_LABELLED, units_of


def term_counts(df: pd.DataFrame, by_doc: bool = False, column: str = "tokens") -> pd.DataFrame:
    """Term counts with relative frequency (per 1,000 tokens), overall or per document. Counted by Arrow
    (see :func:`directives.counting.token_counts`), so it takes seconds on 100,000 articles.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["责任", "防控"], ["责任"]]})
    >>> term_counts(toy).to_dict("records")[0]
    {'term': '责任', 'count': 2, 'per_1000': 666.6666666666666, 'docs': 2}
    """
    df = ensure_tokens(df)
    from .counting import token_counts

    X, vocab = token_counts(df[column])
    if by_doc:
        coo = X.tocoo()
        out = pd.DataFrame({
            "doc_id": df["doc_id"].to_numpy()[coo.row],
            "term": pd.Series(vocab[coo.col], dtype="str"),
            "count": coo.data.astype(np.int64),
        })  # fmt: skip
        totals = out.groupby("doc_id")["count"].transform("sum")
        out["per_1000"] = out["count"] / totals * 1000
        return out.sort_values(["doc_id", "count", "term"], ascending=[True, False, True], ignore_index=True)
    counts = np.asarray(X.sum(axis=0, dtype=np.float64)).ravel().astype(np.int64)
    docs = np.bincount(X.indices, minlength=len(vocab)).astype(np.int64)
    out = pd.DataFrame({"term": pd.Series(vocab, dtype="str"), "count": counts, "docs": docs})
    out["per_1000"] = out["count"] / max(int(counts.sum()), 1) * 1000
    out = out[["term", "count", "per_1000", "docs"]]
    return out.sort_values(["count", "term"], ascending=[False, True], ignore_index=True)


def _is_counts(df: pd.DataFrame) -> bool:
    """True when ``df`` holds counts already (doc_id, term, count) rather than tokens."""
    return {"term", "count"} <= set(df.columns) and "tokens" not in df.columns


def _g2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Signed log-likelihood G² of counts a (target) and b (reference) with corpus sizes c and d."""
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    g2 = 2 * (t1 + t2)
    return np.where(a / c >= b / d, g2, -g2)


def keyness(df: pd.DataFrame, column: str = "tokens", min_count: int = 2) -> pd.DataFrame:
    """Keyness of every term in each document against the rest of the corpus: signed log-likelihood
    G² (positive: over-used in the document, negative: under-used), as in quanteda's textstat_keyness.
    ``df`` is a frame of tokens, or counts already made (doc_id, term, count: ``term_counts(df, by_doc=True)``
    or :meth:`directives.scale.Corpus.unit_counts`, exact for a corpus of any size).

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["责任"] * 3 + ["防控"], ["防控"] * 3 + ["责任"]]})
    >>> k = keyness(toy, min_count=1).set_index(["doc_id", "term"])
    >>> round(float(k.loc[("a", "责任"), "g2"]), 3), round(float(k.loc[("a", "防控"), "g2"]), 3)
    (1.046, -1.046)
    >>> keyness(term_counts(toy, by_doc=True), min_count=1).equals(keyness(toy, min_count=1))
    True
    """
    by_doc = df if _is_counts(df) else term_counts(ensure_tokens(df), by_doc=True, column=column)
    counts = by_doc.pivot_table(index="term", columns="doc_id", values="count", fill_value=0)
    totals = counts.sum(axis=0)
    overall = counts.sum(axis=1)
    grand = float(totals.sum())
    rows = []
    for doc in counts.columns:
        a = counts[doc].to_numpy(dtype=float)
        b = overall.to_numpy(dtype=float) - a
        c, d = float(totals[doc]), grand - float(totals[doc])
        if c == 0 or d == 0:
            continue
        g2 = _g2(a, b, c, d)
        part = pd.DataFrame({"doc_id": doc, "term": counts.index, "count": a.astype(int), "count_rest": b.astype(int)})
        part["g2"] = g2
        rows.append(part[(part["count"] + part["count_rest"]) >= min_count])
    if not rows:
        return pd.DataFrame(columns=["doc_id", "term", "count", "count_rest", "g2"])
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["doc_id", "g2"], ascending=[True, False], ignore_index=True)


def kwic(df: pd.DataFrame, pattern: str, window: int = 5, regex: bool = False) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``pattern`` (a word or phrase, matched in the text, so
    across token boundaries) with ``window`` tokens either side. Columns: doc_id, position, left, match, right.

    >>> toy = pd.DataFrame({"doc_id": ["a"], "all_tokens": [["要", "压实", "四方责任", "。"]]})
    >>> kwic(toy, "实四").to_dict("records")
    [{'doc_id': 'a', 'position': 2, 'left': '要 压', 'match': '实四', 'right': '方责任 。'}]
    """
    df = ensure_tokens(df)
    if regex:
        return _kwic_regex(df, re.compile(pattern), window)
    rx = re.compile(" ?".join(map(re.escape, pattern)))  # a token boundary may fall anywhere in the phrase
    rows = []
    for doc, toks in zip(df["doc_id"], df["all_tokens"], strict=True):
        spaced = token_string(toks)
        for m in rx.finditer(spaced):
            a, b = m.start(), m.end()
            head, tail = spaced[:a], spaced[b:]
            n_left = window + (head != "" and not head.endswith(" "))  # + the part of a token cut by the match
            n_right = window + (tail != "" and not tail.startswith(" "))
            head, tail = head.removesuffix(" "), tail.removeprefix(" ")
            before = head.rsplit(" ", n_left) if head else []
            left = before[max(0, len(before) - n_left) :] if n_left else []
            right = tail.split(" ", n_right)[:n_right] if tail else []
            rows.append({
                "doc_id": doc, "position": a - spaced.count(" ", 0, a),
                "left": " ".join(t for t in left if t), "match": m.group(0).replace(" ", ""),
                "right": " ".join(t for t in right if t),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=["doc_id", "position", "left", "match", "right"])


def _kwic_regex(df: pd.DataFrame, rx: re.Pattern, window: int) -> pd.DataFrame:
    rows = []
    for doc, toks in zip(df["doc_id"], df["all_tokens"], strict=True):
        toks = token_list(toks)
        text = "".join(toks)
        starts = np.cumsum([0] + [len(t) for t in toks])
        for m in rx.finditer(text):
            i = int(np.searchsorted(starts, m.start(), side="right") - 1)
            j = int(np.searchsorted(starts, m.end(), side="left"))
            left_part = text[starts[i] : m.start()]
            right_part = text[m.end() : starts[j]] if j < len(starts) else ""
            left = [*toks[max(0, i - window) : i], left_part] if left_part else toks[max(0, i - window) : i]
            right = [right_part, *toks[j : j + window]] if right_part else toks[j : j + window]
            rows.append({"doc_id": doc, "position": m.start(), "left": " ".join(left), "match": m.group(0),
                         "right": " ".join(right)})  # fmt: skip
    return pd.DataFrame(rows, columns=["doc_id", "position", "left", "match", "right"])


def collocations(df: pd.DataFrame, column: str = "tokens", min_count: int = 2, top: int = 30) -> pd.DataFrame:
    """Pairs of adjacent tokens that occur together more than chance: count and PMI (log2); ties in
    count and PMI in the order of the two terms. Counted with Arrow and NumPy, a piece of the corpus at
    a time, so it suits a corpus of any size.

    >>> toy = pd.DataFrame({"tokens": [["压实", "责任", "压实", "责任", "防控"]]})
    >>> collocations(toy, top=1)[["first", "second", "count"]].to_dict("records")
    [{'first': '压实', 'second': '责任', 'count': 2}]
    """
    df = ensure_tokens(df)
    import pyarrow as pa
    import pyarrow.compute as pc

    from .counting import COUNT_CHUNK_ROWS, split_piece, token_column, token_counts

    X, vocab = token_counts(df[column])
    unigrams = np.asarray(X.sum(axis=0, dtype=np.float64)).ravel()
    n, size = max(unigrams.sum(), 1.0), np.int64(len(vocab))
    words = pa.array(vocab.tolist(), pa.large_string())
    column_arrow = token_column(df[column])
    keys, counts = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for start in range(0, len(column_arrow), COUNT_CHUNK_ROWS):
        lists, encoded = split_piece(column_arrow.slice(start, COUNT_CHUNK_ROWS))
        where = pc.index_in(encoded.dictionary, value_set=words).to_numpy(zero_copy_only=False)
        codes = where[encoded.indices.to_numpy(zero_copy_only=False)]
        rows = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        real = ~np.isnan(codes)  # "" between two spaces is no token
        codes, rows = codes[real].astype(np.int64), rows[real]
        same = rows[1:] == rows[:-1]
        k, c = np.unique(codes[:-1][same] * size + codes[1:][same], return_counts=True)
        keys.append(k)
        counts.append(c)
    keys_all = np.concatenate(keys)
    order = np.argsort(keys_all, kind="stable")
    keys_all, counts_all = keys_all[order], np.concatenate(counts)[order]
    starts = np.flatnonzero(np.r_[True, keys_all[1:] != keys_all[:-1]]) if len(keys_all) else np.zeros(0, int)
    pair_keys, pair_counts = keys_all[starts], np.add.reduceat(counts_all, starts) if len(starts) else counts_all
    nb = max(int(pair_counts.sum()), 1)
    keep = pair_counts >= min_count
    first, second, c = pair_keys[keep] // size, pair_keys[keep] % size, pair_counts[keep]
    with np.errstate(divide="ignore"):
        pmi = np.log2((c / nb) / ((unigrams[first] / n) * (unigrams[second] / n)))
    out = pd.DataFrame({
        "first": pd.Series(vocab[first], dtype="str"), "second": pd.Series(vocab[second], dtype="str"),
        "count": c.astype(np.int64), "pmi": pmi,
    })  # fmt: skip
    out = out.sort_values(["count", "pmi", "first", "second"], ascending=[False, False, True, True], ignore_index=True)
    return out.head(top)


def term_positions(df: pd.DataFrame, terms: list[str]) -> pd.DataFrame:
    """Where each term occurs in each text, as a fraction of the text's length (0 = start, 1 = end):
    the data of a dispersion (x-ray) plot. Columns: doc_id, term, position.

    >>> toy = pd.DataFrame({"doc_id": ["a"], "all_tokens": [["压实", "责任", "防控", "责任"]]})
    >>> term_positions(toy, ["责任"]).position.tolist()
    [0.25, 0.75]
    """
    df = ensure_tokens(df)
    rows = []
    for doc, toks in zip(df["doc_id"], df["all_tokens"], strict=True):
        text = token_string(toks).replace(" ", "")  # tokens never hold a space
        for term in terms:
            rows += [{"doc_id": doc, "term": term, "position": m.start() / max(len(text), 1)}
                     for m in re.finditer(re.escape(term), text)]  # fmt: skip
    return pd.DataFrame(rows, columns=["doc_id", "term", "position"])


def analysis_units(df: pd.DataFrame, max_units: int = MAX_LABELLED, by: str = "region") -> pd.DataFrame:
    """The units to show one panel each, with their pooled tokens: ``units_of(df, by, max_units).pooled(df)``
    (see :mod:`directives.units`). The result has doc_id, label and the token columns.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "region": ["甲", "甲"], "date": [pd.NaT, pd.NaT],
    ...                     "tokens": [["x"], ["y"]], "all_tokens": [["x"], ["y"]]})
    >>> analysis_units(toy, max_units=1)[["doc_id", "tokens"]].to_dict("records")
    [{'doc_id': '甲', 'tokens': 'x y'}]
    """
    return units_of(df, by, max_units).pooled(df)


def document_units(
    df: pd.DataFrame, max_units: int = MAX_LABELLED, by: str = "region"
) -> tuple[pd.Series, dict[str, str]]:
    """Each document's unit and the units' labels (``units_of(df, by, max_units)``'s ``of`` and ``labels``).

    >>> toy = pd.DataFrame({"doc_id": ["a", "b", "c"], "region": ["甲", "甲", "乙"], "date": [pd.NaT] * 3})
    >>> unit, labels = document_units(toy, max_units=2)
    >>> unit.tolist(), labels
    (['甲', '甲', '乙'], {'甲': '甲 (2 articles)', '乙': '乙 (1 article)'})
    """
    units = units_of(df, by, max_units)
    return units.of, units.labels


def sample_documents(df: pd.DataFrame, max_docs: int, seed: int = 0) -> pd.DataFrame:
    """``df`` itself when it has at most ``max_docs`` rows, else a seeded random sample of ``max_docs``
    rows in their original order: for the analyses whose cost grows faster than the corpus.

    >>> toy = pd.DataFrame({"doc_id": list("abcde")})
    >>> sample_documents(toy, 3).doc_id.tolist(), len(sample_documents(toy, 10))
    (['a', 'b', 'c'], 5)
    """
    if len(df) <= max_docs:
        return df
    return df.sample(max_docs, random_state=seed).sort_index()


def unit_name(df: pd.DataFrame, max_units: int = MAX_LABELLED, by: str = "region") -> str:
    """What one panel or column stands for, in titles: ``article``, or ``by`` (``region``) when there are
    more than ``max_units`` articles (``units_of(df, by, max_units).name``).

    >>> many = pd.DataFrame({"doc_id": range(50), "level": "central"})
    >>> unit_name(pd.DataFrame({"doc_id": range(3)})), unit_name(many, by="level")
    ('article', 'level')
    """
    return units_of(df, by, max_units).name
