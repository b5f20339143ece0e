"""Coding dictionaries and term networks: what a coder's categories find where, and how the key terms of a
corpus connect within sentences.

A coding dictionary is a CSV with the columns ``category``, ``term`` (a literal word or phrase), ``pattern``
(a regular expression, instead of a term) and ``note`` (why the entry is there, or its source). The example
shipped for this genre, :data:`EXAMPLE_DICTIONARY`, is a starting point to edit, not a validated instrument.

>>> import pandas as pd
>>> toy = pd.DataFrame({"doc_id": ["a"], "text_simplified": ["压实主体责任，严肃问责。"]})
>>> d = pd.DataFrame({"category": ["责任", "惩戒"], "term": ["主体责任", "问责"], "pattern": [None, None]})
>>> code_dictionary(toy, d)[["category", "count"]].to_dict("records")
[{'category': '责任', 'count': 1}, {'category': '惩戒', 'count': 1}]
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from . import paths
from .tokens import ensure_tokens, token_list

EXAMPLE_DICTIONARY = paths.PROJECT_ROOT / "lib" / "directives" / "data" / "coding_dictionary_example.csv"
PER_CHARS = 10_000
SENTENCE_END = frozenset("。！？；!?;")
NETWORK_CHUNK = 5_000  # term_network reads this many documents at a time: memory stays flat at any size


def read_dictionary(source: str | Path | pd.DataFrame = EXAMPLE_DICTIONARY) -> pd.DataFrame:
    """A coding dictionary as a frame with category, term, pattern and note (a CSV path or a frame; a row
    needs a category and a term or a pattern; duplicates are dropped).

    >>> read_dictionary().category.unique().tolist()[:2]
    ['responsibility', 'mobilisation']
    """
    table = source.copy() if isinstance(source, pd.DataFrame) else pd.read_csv(source, dtype=str, comment="#")
    for col in ("term", "pattern", "note"):
        if col not in table.columns:
            table[col] = None
    if "category" not in table.columns:
        raise KeyError("a coding dictionary needs a 'category' column")
    table = table.replace({"": None}).astype(object).where(table.notna(), None)
    bad = table[table["category"].isna() | (table["term"].isna() & table["pattern"].isna())]
    if len(bad):
        raise ValueError(f"rows without a category, or without a term or a pattern: {bad.index.tolist()[:5]}")
    return table[["category", "term", "pattern", "note"]].drop_duplicates(["category", "term", "pattern"])


def _automaton(terms: dict[str, list[str]]):
    import ahocorasick

    auto = ahocorasick.Automaton()
    for term, cats in terms.items():
        auto.add_word(term, (term, cats))
    auto.make_automaton()
    return auto


def code_dictionary(
    df: pd.DataFrame, dictionary: str | Path | pd.DataFrame = EXAMPLE_DICTIONARY, on: str = "text"
) -> pd.DataFrame:
    """Counts and rates per document of each category of a coding dictionary.

    ``on="text"`` matches the terms in ``text_simplified``, the longest term first and never two matches over
    the same characters (责任 inside 主体责任 counts once, for 主体责任), with one Aho-Corasick automaton for
    all terms; patterns (regular expressions) are counted beside them. ``on="tokens"`` counts the words of
    ``all_tokens`` that are a term exactly (a segmentation decides; patterns must match a whole token). A
    term listed under two categories counts for both. Columns: doc_id, category, count, chars (the
    document's characters), per_10k (count per 10,000 characters); one row per document and category, zeros
    included, categories in the dictionary's order.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "text_simplified": ["落实主体责任和责任", "维护稳定"],
    ...                     "all_tokens": ["落实 主体责任 和 责任", "维护 稳定"]})
    >>> d = pd.DataFrame({"category": ["r", "r", "s"], "term": ["责任", "主体责任", None],
    ...                   "pattern": [None, None, "维护.?稳定"]})
    >>> code_dictionary(toy, d)["count"].tolist(), code_dictionary(toy, d, on="tokens")["count"].tolist()
    ([2, 0, 0, 1], [2, 0, 0, 0])
    """
    table = read_dictionary(dictionary)
    categories = list(dict.fromkeys(table["category"]))
    col = {c: i for i, c in enumerate(categories)}
    terms: dict[str, list[str]] = {}
    for cat, term in zip(table["category"], table["term"], strict=True):
        if term is not None:
            terms.setdefault(term, []).append(cat)
    patterns = [(re.compile(p), c) for c, p in zip(table["category"], table["pattern"], strict=True) if p is not None]
    if on == "text":
        texts = df["text_simplified"].fillna("").astype(str).tolist()
    elif on == "tokens":
        texts = [token_list(t) for t in ensure_tokens(df)["all_tokens"]]
    else:
        raise ValueError(f"on must be 'text' or 'tokens', not {on!r}")
    counts = np.zeros((len(texts), len(categories)), dtype=np.int64)
    auto = _automaton(terms) if terms and on == "text" else None
    for i, text in enumerate(texts):
        row = counts[i]
        if on == "text":
            if auto is not None:
                for _, (_, cats) in auto.iter_long(text):
                    for c in cats:
                        row[col[c]] += 1
            for rx, c in patterns:
                row[col[c]] += sum(1 for _ in rx.finditer(text))
        else:
            for tok in text:
                for c in terms.get(tok, ()):
                    row[col[c]] += 1
                for rx, c in patterns:
                    row[col[c]] += rx.fullmatch(tok) is not None
    chars = df["text_simplified"].fillna("").astype(str).str.len().to_numpy() if "text_simplified" in df else None
    if chars is None:
        chars = np.array([sum(len(t) for t in toks) for toks in texts])
    ids = df["doc_id"].to_numpy() if "doc_id" in df.columns else np.arange(len(df))
    out = pd.DataFrame({
        "doc_id": np.repeat(ids, len(categories)), "category": np.tile(categories, len(texts)),
        "count": counts.ravel(), "chars": np.repeat(chars, len(categories)),
    })  # fmt: skip
    out["per_10k"] = out["count"] / out["chars"].where(out["chars"] > 0) * PER_CHARS
    return out


def codes_by_unit(codes: pd.DataFrame, of: pd.Series) -> pd.DataFrame:
    """A :func:`code_dictionary` table summed over units: ``of`` maps doc_id → unit (region, level, period;
    missing values are left out). Columns: unit, category, articles, with (articles with at least one
    match), count, chars, per_10k (matches per 10,000 characters of the unit).

    >>> codes = pd.DataFrame({"doc_id": ["a", "b"], "category": ["r", "r"], "count": [2, 0], "chars": [10, 10]})
    >>> codes_by_unit(codes, pd.Series(["甲", "甲"], index=["a", "b"]))[["with", "count", "per_10k"]].to_dict("records")
    [{'with': 1, 'count': 2, 'per_10k': 1000.0}]
    """
    unit = codes["doc_id"].map(of)
    part = codes.assign(unit=unit.to_numpy(), hit=(codes["count"] > 0).astype(int))[unit.notna().to_numpy()]
    g = part.groupby(["unit", "category"], sort=False)
    out = g.agg(articles=("doc_id", "size"), with_=("hit", "sum"), count=("count", "sum"), chars=("chars", "sum"))
    out = out.rename(columns={"with_": "with"}).reset_index()
    out["per_10k"] = out["count"] / out["chars"].where(out["chars"] > 0) * PER_CHARS
    return out


def dictionary_kwic(
    df: pd.DataFrame,
    dictionary: str | Path | pd.DataFrame = EXAMPLE_DICTIONARY,
    per_category: int = 5,
    window: int = 6,
) -> pd.DataFrame:
    """Keywords in context for a coder to check the matches: up to ``per_category`` lines of each category
    (its terms in turn, the documents in their order). Columns: category, term, doc_id, left, match, right.

    >>> toy = pd.DataFrame({"doc_id": ["a"], "all_tokens": ["要 压实 主体责任 。"]})
    >>> d = pd.DataFrame({"category": ["r"], "term": ["主体责任"]})
    >>> dictionary_kwic(toy, d)[["category", "left", "match"]].to_dict("records")
    [{'category': 'r', 'left': '要 压实', 'match': '主体责任'}]
    """
    from .analysis import kwic

    table = read_dictionary(dictionary)
    df = ensure_tokens(df)
    frames = []
    for cat, entries in table.groupby("category", sort=False):
        got = 0
        for term, pattern in zip(entries["term"], entries["pattern"], strict=True):
            if got >= per_category:
                break
            for start in range(0, len(df), 200):  # a few documents at a time: stop when enough are found
                part = df.iloc[start : start + 200]
                lines = kwic(part, pattern, window, regex=True) if term is None else kwic(part, term, window)
                lines = lines.head(per_category - got)
                got += len(lines)
                frames.append(lines.assign(category=cat, term=term if term is not None else pattern))
                if got >= per_category:
                    break
    cols = ["category", "term", "doc_id", "left", "match", "right"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


# --------------------------------------------------------------------------- term networks
def _sentence_words(all_tokens: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Each distinct word of each sentence (sentences end at the tokens 。！？；!?; and at the end of a
    document), by Arrow and NumPy with no loop over tokens: (sentence numbers, word codes, the words, the
    number of sentences)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .counting import token_column

    lists = pc.split_pattern(token_column(all_tokens), " ")
    flat = pc.list_flatten(lists)
    doc = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    ends = pc.is_in(flat, value_set=pa.array(sorted(SENTENCE_END))).to_numpy(zero_copy_only=False)
    starts = np.r_[True, doc[1:] != doc[:-1]] if len(doc) else np.zeros(0, bool)
    after_end = np.r_[False, ends[:-1]] if len(ends) else ends
    sentence = np.cumsum(starts | after_end) - 1
    encoded = pc.dictionary_encode(flat).combine_chunks() if isinstance(flat, pa.ChunkedArray) else None
    encoded = encoded if encoded is not None else pc.dictionary_encode(flat)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    words = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    real = ~ends & (codes != (words.tolist().index("") if "" in words else -1))
    keys = np.sort(sentence[real] * np.int64(len(words) + 1) + codes[real])  # sorted, then unique (np.unique
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys  # hashes: many times slower here)
    n_sentences = int(sentence.max()) + 1 if len(sentence) else 0
    return keys // (len(words) + 1), keys % (len(words) + 1), words, n_sentences


def term_network(
    df: pd.DataFrame, terms: list[str] | None = None, top: int = 40, min_count: int = 3, max_edges: int = 80
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Co-occurrence of key terms within sentences (the ``all_tokens`` between 。！？；), weighted by the Dice
    coefficient (2 × sentences with both ÷ (sentences with one + sentences with the other)), with PMI beside
    it. ``terms`` defaults to the ``top`` words of ``tokens`` in the most sentences. Returns ``nodes``
    (term, sentences) and ``edges`` (a, b, count, dice, pmi): the ``max_edges`` pairs with the highest Dice
    among those in at least ``min_count`` sentences, strongest first.

    >>> toy = pd.DataFrame({"tokens": ["压实 责任 防控 疫情"],
    ...                     "all_tokens": ["压实 责任 。 防控 疫情 。 压实 责任 。"]})
    >>> nodes, edges = term_network(toy, min_count=1)
    >>> edges[["a", "b", "count", "dice"]].to_dict("records")
    [{'a': '压实', 'b': '责任', 'count': 2, 'dice': 1.0}, {'a': '疫情', 'b': '防控', 'count': 1, 'dice': 1.0}]
    """
    from .counting import token_counts

    df = ensure_tokens(df)
    pieces = [df["all_tokens"].iloc[i : i + NETWORK_CHUNK] for i in range(0, len(df), NETWORK_CHUNK)]
    first = _sentence_words(pieces[0]) if pieces else None
    if terms is None:  # the words in the most sentences: counted a piece of the corpus at a time
        counts = []
        for n, piece in enumerate(pieces):
            sentence, code, words, _ = first if n == 0 else _sentence_words(piece)
            counts.append(pd.Series(np.bincount(code, minlength=len(words)), index=words))
        freq = pd.concat(counts).groupby(level=0).sum() if counts else pd.Series(dtype=np.int64)
        _, kept = token_counts(df["tokens"])  # the filtered words only: no stop words, no punctuation
        freq = freq[freq.index.isin(kept) & (freq > 0)]
        freq = freq.rename_axis("term").reset_index(name="n").sort_values(["n", "term"], ascending=[False, True])
        terms = freq["term"].head(top).tolist()
    if not len(terms) or not pieces:
        return pd.DataFrame(columns=["term", "sentences"]), pd.DataFrame(columns=["a", "b", "count", "dice", "pmi"])
    index = {t: i for i, t in enumerate(terms)}
    n_s, C, n_sentences = np.zeros(len(terms)), np.zeros((len(terms), len(terms))), 0
    for n, piece in enumerate(pieces):
        sentence, code, words, count = first if n == 0 else _sentence_words(piece)
        column = np.array([index.get(w, -1) for w in words] + [-1], dtype=np.int64)
        pick = column[code] >= 0
        B = sparse.csr_matrix(
            (np.ones(int(pick.sum())), (sentence[pick], column[code[pick]])), shape=(max(count, 1), len(terms))
        )
        n_s += np.asarray(B.sum(axis=0)).ravel()
        C += (B.T @ B).toarray()
        n_sentences += count
    nodes = pd.DataFrame({"term": terms, "sentences": n_s.astype(int)})
    iu = np.triu_indices(len(terms), k=1)
    both = C[iu]
    a, b = iu[0][both >= min_count], iu[1][both >= min_count]
    both = both[both >= min_count]
    dice = 2 * both / (n_s[a] + n_s[b])
    pmi = np.log2(both * max(n_sentences, 1) / (n_s[a] * n_s[b]))
    names = np.array(terms, dtype=object)
    first = np.where(names[a] <= names[b], names[a], names[b])
    second = np.where(names[a] <= names[b], names[b], names[a])
    edges = pd.DataFrame({"a": first, "b": second, "count": both.astype(int), "dice": dice, "pmi": pmi})
    edges = edges.sort_values(["dice", "count", "a", "b"], ascending=[False, False, True, True], ignore_index=True)
    return nodes, edges.head(max_edges)
