"""How alike documents are: cosine similarity of TF-IDF vectors (scikit-learn), on tokens or on
character n-grams, as a full matrix for small corpora and as top-k neighbours for large ones.

>>> import pandas as pd
>>> toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["压实", "责任"], ["压实", "责任"]]})
>>> round(float(similarity(toy).loc["a", "b"]), 6)
1.0
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_NON_HAN = re.compile(r"[^\u3400-\u9fff]+")
BLOCK_ROWS = 2048


def _identity(tokens):
    return tokens


def tfidf_vectors(df: pd.DataFrame, method: str = "tfidf", ngram_range: tuple[int, int] = (2, 3)):
    """L2-normalised TF-IDF rows (sublinear tf) and the vocabulary.

    ``method="tfidf"`` uses the ``tokens`` column (segmented words); ``method="char"`` uses character
    n-grams of the Han characters of ``text_simplified`` (no segmentation at all).
    """
    if method == "tfidf":
        vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        X = vec.fit_transform(df["tokens"])
    elif method == "char":
        vec = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True)
        X = vec.fit_transform(_NON_HAN.sub(" ", t) for t in df["text_simplified"])
    else:
        raise ValueError(f"method must be 'tfidf' or 'char', not {method!r}")
    return sparse.csr_matrix(X, dtype=np.float64), vec.get_feature_names_out()


def similarity(df: pd.DataFrame, method: str = "tfidf", **options) -> pd.DataFrame:
    """Square DataFrame of cosine similarities, indexed both ways by doc_id. For corpora too large
    to hold n × n, use :func:`nearest_neighbours`."""
    X, _ = tfidf_vectors(df, method, **options)
    sims = (X @ X.T).toarray()
    np.fill_diagonal(sims, [1.0 if X[i].nnz else 0.0 for i in range(X.shape[0])])
    return pd.DataFrame(np.clip(sims, 0, 1), index=df["doc_id"].to_numpy(), columns=df["doc_id"].to_numpy())


def nearest_neighbours(df: pd.DataFrame, k: int = 10, method: str = "tfidf", **options) -> pd.DataFrame:
    """The ``k`` most similar other documents of every document, computed block by block (sparse
    products of ``BLOCK_ROWS`` rows at a time), never as an n × n matrix.
    Columns: doc_id, rank (1 = most similar), neighbour, similarity.

    >>> toy = pd.DataFrame({"doc_id": list("abc"), "tokens": [["x", "y"], ["x", "y"], ["z"]]})
    >>> nearest_neighbours(toy, k=1).neighbour.tolist()
    ['b', 'a', 'a']
    """
    X, _ = tfidf_vectors(df, method, **options)
    ids = df["doc_id"].to_numpy()
    n = X.shape[0]
    k = min(k, n - 1)
    XT = X.T.tocsc()
    rows = []
    for start in range(0, n, BLOCK_ROWS):
        block = (X[start : start + BLOCK_ROWS] @ XT).toarray()
        for i in range(block.shape[0]):
            block[i, start + i] = -1.0  # not its own neighbour
        top = np.argpartition(-block, k - 1, axis=1)[:, :k] if k > 0 else np.empty((block.shape[0], 0), int)
        for i, cand in enumerate(top):
            order = cand[np.lexsort((cand, -block[i, cand]))]
            rows += [(ids[start + i], r + 1, ids[j], float(block[i, j])) for r, j in enumerate(order)]
    return pd.DataFrame(rows, columns=["doc_id", "rank", "neighbour", "similarity"])


def shared_terms(df: pd.DataFrame, a: str, b: str, top: int = 10, method: str = "tfidf") -> pd.DataFrame:
    """The terms that contribute most to the similarity of documents ``a`` and ``b`` (the products of
    their TF-IDF weights, which sum to the cosine similarity). Columns: term, contribution, share.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b", "c"], "tokens": [["压实", "责任"], ["压实", "防控"], ["会议"]]})
    >>> shared_terms(toy, "a", "b").term.tolist()
    ['压实']
    """
    X, vocab = tfidf_vectors(df, method)
    pos = {d: i for i, d in enumerate(df["doc_id"])}
    prod = X[pos[a]].multiply(X[pos[b]]).tocoo()
    out = pd.DataFrame({"term": vocab[prod.col], "contribution": prod.data})
    total = out["contribution"].sum()
    out["share"] = out["contribution"] / total if total else 0.0
    return out.sort_values(["contribution", "term"], ascending=[False, True], ignore_index=True).head(top)


def distinctive_terms(df: pd.DataFrame, top: int = 10, method: str = "tfidf") -> pd.DataFrame:
    """The highest-weighted TF-IDF terms of each document. Columns: doc_id, rank, term, weight.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["压实", "责任"], ["压实", "防控"]]})
    >>> distinctive_terms(toy, top=1).term.tolist()
    ['责任', '防控']
    """
    X, vocab = tfidf_vectors(df, method)
    rows = []
    for i, doc in enumerate(df["doc_id"]):
        row = X[i]
        order = sorted(zip(-row.data, vocab[row.indices], strict=True))[:top]
        rows += [(doc, r + 1, term, -w) for r, (w, term) in enumerate(order)]
    return pd.DataFrame(rows, columns=["doc_id", "rank", "term", "weight"])


def similar_pairs(sims: pd.DataFrame) -> pd.DataFrame:
    """Every unordered pair of a similarity matrix, most similar first. Columns: a, b, similarity."""
    ids = sims.index.to_numpy()
    iu = np.triu_indices(len(ids), k=1)
    out = pd.DataFrame({"a": ids[iu[0]], "b": ids[iu[1]], "similarity": sims.to_numpy()[iu]})
    return out.sort_values("similarity", ascending=False, ignore_index=True)


def clustered_order(sims: pd.DataFrame) -> list[str]:
    """doc_ids in the leaf order of an average-linkage clustering on 1 - similarity."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    if len(sims) < 3:
        return list(sims.index)
    dist = squareform(1 - sims.to_numpy(), checks=False)
    return list(sims.index[leaves_list(linkage(np.clip(dist, 0, None), "average"))])
