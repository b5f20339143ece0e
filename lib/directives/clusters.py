"""Similarity at scale: clusters of documents labelled by their terms and their units, the similarity of
units (regions, levels) to one another, and a 2-D map of the documents, each in seconds at 100,000 articles.

Everything starts from a fitted :class:`~directives.tfidf.TfidfModel` (or its matrix). Documents are
reduced to a latent semantic space (a truncated SVD of the TF-IDF matrix, fitted on a sample, rows
re-normalised), clustered there with k-means (the number of clusters chosen by the silhouette of a sample),
and each cluster is described by the terms whose TF-IDF weight is higher inside it than outside, and by
the share of each unit among its documents. Units are compared by the cosine of their centroids (the mean
of their documents' TF-IDF rows), which never needs an n × n matrix.

>>> import pandas as pd
>>> from directives.tfidf import TfidfModel
>>> toy = pd.DataFrame({"doc_id": list("abcdef"), "tokens": ["疫情 防控 核酸", "疫情 防控 隔离", "疫情 核酸 隔离",
...                     "经济 增长 投资", "经济 投资 消费", "经济 增长 消费"]})
>>> model = TfidfModel().fit(toy)
>>> clusters = DocumentClusters().fit(model)
>>> clusters.n_clusters_, clusters.labels_.tolist()
(2, [0, 0, 0, 1, 1, 1])
>>> clusters.top_terms(top=1).term.tolist()
['疫情', '经济']
>>> of = pd.Series(["甲", "甲", "乙", "乙", "乙", "乙"], index=list("abcdef"))
>>> unit_similarity(model, of).round(2).to_dict()
{'乙': {'乙': 1.0, '甲': 0.25}, '甲': {'乙': 0.25, '甲': 1.0}}
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

LSA_DIMS = 100  # dimensions of the latent space the documents are clustered and mapped in
SVD_FIT_ROWS = 20_000  # the SVD is fitted on a random sample of this many documents, then applied to all
K_MAX = 10  # at most this many clusters (on real text the silhouette tends to grow with k: a reader's limit)
SELECT_ROWS = 4_000  # the number of clusters is chosen on a random sample of this many documents


def _matrix(source) -> tuple[sparse.csr_matrix, np.ndarray | None, np.ndarray | None]:
    """The TF-IDF matrix, vocabulary and doc_ids of a fitted TfidfModel, or a bare matrix (no names)."""
    if hasattr(source, "matrix_"):
        return sparse.csr_matrix(source.matrix_), np.asarray(source.vocabulary_), np.asarray(source.doc_ids_)
    return sparse.csr_matrix(source), None, None


def latent_space(X: sparse.spmatrix, dims: int = LSA_DIMS, random_state: int = 0) -> np.ndarray:
    """Rows of ``X`` in a ``dims``-dimensional truncated SVD (fitted on at most ``SVD_FIT_ROWS`` rows),
    L2-normalised again, as float32: latent semantic analysis. Fewer dimensions for a small corpus.

    >>> X = sparse.csr_matrix([[1, 1, 0, 0], [1, 0.5, 0, 0], [0, 0, 1, 1], [0, 0, 0.5, 1]])
    >>> Z = latent_space(X, dims=2); Z.shape, bool(np.allclose(np.linalg.norm(Z, axis=1), 1))
    ((4, 2), True)
    """
    from sklearn.decomposition import TruncatedSVD

    n, v = X.shape
    dims = max(1, min(dims, n - 1, v - 1))
    if n < 2 or v < 2:
        return np.ones((n, 1), dtype=np.float32)
    rows = np.random.default_rng(random_state).choice(n, size=min(n, SVD_FIT_ROWS), replace=False)
    rows.sort()
    svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=5, random_state=random_state)
    svd.fit(X[rows])
    Z = np.asarray(X @ svd.components_.T, dtype=np.float32)
    Z /= np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
    return Z


def _kmeans(Z: np.ndarray, k: int, random_state: int, n_init: int = 3):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(Z)


class DocumentClusters:
    """k-means clusters of documents in the latent space of their TF-IDF vectors, scikit-learn style.

    ``n_clusters=None`` chooses k between 2 and ``k_max`` (never more than half the documents) by the
    mean silhouette on a random sample of ``SELECT_ROWS`` documents; the scores are kept in
    ``silhouette_``. After :meth:`fit`: ``labels_`` (cluster of each document, 0 the largest cluster),
    ``n_clusters_``, ``sizes_``, ``doc_ids_``, ``embedding_`` (the latent space), ``map_`` (two
    coordinates per document: the first two principal components of the latent space, for a 2-D map) and
    ``map_variance_`` (the share of the latent space's variance those two components carry).

    >>> import pandas as pd
    >>> from directives.tfidf import TfidfModel
    >>> toy = pd.DataFrame({"doc_id": list("abcd"), "tokens": ["疫情 防控", "疫情 核酸", "经济 投资", "经济 消费"]})
    >>> c = DocumentClusters(n_clusters=2).fit(TfidfModel().fit(toy))
    >>> c.labels_.tolist(), c.sizes_.tolist(), c.map_.shape
    ([0, 0, 1, 1], [2, 2], (4, 2))
    """

    def __init__(self, n_clusters: int | None = None, k_max: int = K_MAX, dims: int = LSA_DIMS, random_state: int = 0):
        self.n_clusters, self.k_max, self.dims, self.random_state = n_clusters, k_max, dims, random_state

    def fit(self, source) -> DocumentClusters:
        """Cluster the documents of a fitted :class:`~directives.tfidf.TfidfModel` (or the rows of a
        TF-IDF matrix, then named by row number)."""
        from sklearn.decomposition import PCA
        from sklearn.metrics import silhouette_score

        X, vocab, ids = _matrix(source)
        n = X.shape[0]
        self.matrix_ = X
        self.vocabulary_ = vocab if vocab is not None else np.arange(X.shape[1]).astype(str)
        self.doc_ids_ = ids if ids is not None else np.arange(n)
        Z = latent_space(X, self.dims, self.random_state)
        self.embedding_ = Z
        self.silhouette_: dict[int, float] = {}
        rng = np.random.default_rng(self.random_state)
        if n < 3:
            labels, k = np.zeros(n, dtype=int), 1
        elif self.n_clusters is not None:
            k = max(1, min(int(self.n_clusters), n))
            labels = _kmeans(Z, k, self.random_state).labels_ if k > 1 else np.zeros(n, dtype=int)
        else:
            sample = np.sort(rng.choice(n, size=min(n, SELECT_ROWS), replace=False))
            Zs = Z[sample]
            distinct = len(np.unique(Zs.round(5), axis=0))
            for k in range(2, min(self.k_max, len(sample) // 2, distinct) + 1):  # two documents a cluster at least
                got = _kmeans(Zs, k, self.random_state, n_init=2).labels_
                if len(np.unique(got)) > 1:
                    self.silhouette_[k] = float(silhouette_score(Zs, got, metric="euclidean"))
            if self.silhouette_:
                k = max(self.silhouette_, key=lambda kk: (round(self.silhouette_[kk], 3), -kk))
                labels = _kmeans(Z, k, self.random_state).labels_
            else:
                labels, k = np.zeros(n, dtype=int), 1
        # clusters numbered by size, largest first (ties: the cluster of the earlier document first)
        sizes = np.bincount(labels, minlength=k)
        first = np.array([np.flatnonzero(labels == c)[0] if sizes[c] else n for c in range(k)])
        order = np.lexsort((first, -sizes))
        rank = np.empty(k, dtype=int)
        rank[order] = np.arange(k)
        self.labels_ = rank[labels]
        self.n_clusters_ = len(np.unique(self.labels_))
        self.sizes_ = np.bincount(self.labels_, minlength=self.n_clusters_)
        if Z.shape[1] >= 2 and n >= 2:
            pca = PCA(n_components=2, random_state=self.random_state).fit(Z)
            self.map_ = pca.transform(Z).astype(np.float32)
            self.map_variance_ = float(pca.explained_variance_ratio_.sum())
        else:
            self.map_variance_ = 1.0
            self.map_ = np.column_stack([Z[:, 0] if Z.shape[1] else np.zeros(n), np.zeros(n)]).astype(np.float32)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise RuntimeError("these DocumentClusters are not fitted yet: call fit(model) first")

    def _membership(self) -> sparse.csr_matrix:
        n = len(self.labels_)
        return sparse.csr_matrix((np.ones(n), (self.labels_, np.arange(n))), shape=(self.n_clusters_, n))

    def top_terms(self, top: int = 8) -> pd.DataFrame:
        """The terms that characterise each cluster: highest mean TF-IDF weight inside the cluster minus
        outside it (so a term every cluster uses does not label them all). Columns: cluster, rank, term,
        weight (that difference), docs (the cluster's documents that contain the term), share (docs over
        the cluster's size). Every term occurs in at least one document of its cluster.

        >>> import pandas as pd
        >>> from directives.tfidf import TfidfModel
        >>> toy = pd.DataFrame({"doc_id": list("abcd"), "tokens": ["疫情 防控", "疫情 核酸", "经济 投资", "经济 消费"]})
        >>> DocumentClusters(2).fit(TfidfModel().fit(toy)).top_terms(1)[["cluster", "term", "docs"]].values.tolist()
        [[0, '疫情', 2], [1, '经济', 2]]
        """
        self._check_fitted()
        M = self._membership()
        X = self.matrix_
        sums = np.asarray((M @ X).toarray(), dtype=np.float64)
        binary = X.copy()
        binary.data = np.ones_like(binary.data)
        docs = np.asarray((M @ binary).toarray())
        total = sums.sum(axis=0)
        n = X.shape[0]
        rows = []
        for c in range(self.n_clusters_):
            size = self.sizes_[c]
            inside = sums[c] / max(size, 1)
            outside = (total - sums[c]) / max(n - size, 1) if n > size else np.zeros_like(inside)
            score = inside - outside
            ok = np.flatnonzero((docs[c] > 0) & (score > 0))
            best = ok[np.lexsort((self.vocabulary_[ok], -score[ok]))][:top]
            for r, j in enumerate(best):
                rows.append((c, r + 1, str(self.vocabulary_[j]), float(score[j]), int(docs[c, j]), docs[c, j] / size))
        return pd.DataFrame(rows, columns=["cluster", "rank", "term", "weight", "docs", "share"])

    def units_table(self, of: pd.Series, top: int | None = None) -> pd.DataFrame:
        """The share of each unit among each cluster's documents: one row per cluster, one column per unit
        (largest unit of the corpus first; ``top`` of them, the rest summed as ``(other)``), plus ``articles``.
        ``of`` maps doc_id to unit (a region, a level …; a document missing from it counts as ``(unknown)``).

        >>> import pandas as pd
        >>> from directives.tfidf import TfidfModel
        >>> toy = pd.DataFrame({"doc_id": list("abcd"), "tokens": ["疫情 防控", "疫情 核酸", "经济 投资", "经济 消费"]})
        >>> c = DocumentClusters(2).fit(TfidfModel().fit(toy))
        >>> c.units_table(pd.Series(["甲", "乙", "乙", "乙"], index=list("abcd"))).to_dict("index")
        {0: {'articles': 2, '乙': 0.5, '甲': 0.5}, 1: {'articles': 2, '乙': 1.0, '甲': 0.0}}
        """
        self._check_fitted()
        unit = pd.Series(of).reindex(self.doc_ids_).fillna("(unknown)").astype(str).to_numpy()
        order = pd.Series(unit).value_counts(sort=True)
        order = order.sort_index().sort_values(ascending=False, kind="stable").index.tolist()
        keep = order if top is None else order[:top]
        unit = np.where(np.isin(unit, keep), unit, "(other)")
        if len(keep) < len(order):
            keep = [*keep, "(other)"]
        table = pd.crosstab(pd.Series(self.labels_, name="cluster"), pd.Series(unit, name="unit"))
        table = table.reindex(index=range(self.n_clusters_), columns=keep, fill_value=0)
        shares = table.div(table.sum(axis=1).replace(0, 1), axis=0)
        shares.insert(0, "articles", table.sum(axis=1).astype(int))
        shares.columns.name = None
        return shares

    def summary(self, of: pd.Series | None = None, terms: int = 6, units: int = 3) -> pd.DataFrame:
        """One row per cluster: cluster, articles, share of the corpus, its top ``terms`` and, given ``of``,
        its ``units`` largest units with their shares (``中央 62% · 北京市 5%``).

        >>> import pandas as pd
        >>> from directives.tfidf import TfidfModel
        >>> toy = pd.DataFrame({"doc_id": list("abcd"), "tokens": ["疫情 防控", "疫情 核酸", "经济 投资", "经济 消费"]})
        >>> DocumentClusters(2).fit(TfidfModel().fit(toy)).summary(terms=1).terms.tolist()
        ['疫情', '经济']
        """
        self._check_fitted()
        tops = self.top_terms(terms).groupby("cluster")["term"].agg("、".join)
        out = pd.DataFrame({
            "cluster": np.arange(self.n_clusters_), "articles": self.sizes_,
            "share": self.sizes_ / max(len(self.labels_), 1),
            "terms": [tops.get(c, "") for c in range(self.n_clusters_)],
        })  # fmt: skip
        if of is not None:
            table = self.units_table(of).drop(columns="articles")
            out["units"] = [
                " · ".join(
                    f"{u} {s:.0%}"
                    for u, s in row.sort_values(ascending=False, kind="stable").head(units).items()
                    if s > 0
                )
                for _, row in table.iterrows()
            ]
        return out


# --------------------------------------------------------------------------- units
def unit_centroids(source, of: pd.Series) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
    """The L2-normalised centroid (mean TF-IDF row) of each unit, the units (largest first, ties by
    name) and their sizes. ``of`` maps doc_id to unit; documents without a unit are left out.

    >>> from directives.tfidf import TfidfModel
    >>> m = TfidfModel().fit(pd.DataFrame({"doc_id": ["a", "b"], "tokens": ["压实 责任", "压实 防控"]}))
    >>> C, units, sizes = unit_centroids(m, pd.Series(["甲", "甲"], index=["a", "b"])); units, sizes.tolist()
    (['甲'], [2])
    """
    X, _vocab, ids = _matrix(source)
    ids = ids if ids is not None else np.arange(X.shape[0])
    unit = pd.Series(of).reindex(ids)
    known = unit.notna().to_numpy()
    counts = unit[known].astype(str).value_counts()
    units = counts.sort_index().sort_values(ascending=False, kind="stable").index.tolist()
    code = pd.Index(units).get_indexer(unit[known].astype(str))
    rows = np.flatnonzero(known)
    M = sparse.csr_matrix((np.ones(len(rows)), (code, rows)), shape=(len(units), X.shape[0]))
    C = sparse.csr_matrix(M @ X, dtype=np.float64)
    norms = np.sqrt(np.asarray(C.multiply(C).sum(axis=1)).ravel())
    C = sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ C)
    return C, units, counts.reindex(units).to_numpy()


def unit_similarity(source, of: pd.Series) -> pd.DataFrame:
    """Cosine similarity of the units' centroids (regions, levels …; the documents themselves when each is
    its own unit): a square DataFrame, symmetric, 1 on the diagonal, units largest first. Never builds a
    document × document matrix, so it takes seconds at 100,000 documents.

    >>> from directives.tfidf import TfidfModel
    >>> m = TfidfModel().fit(pd.DataFrame({"doc_id": list("abc"), "tokens": ["压实 责任", "压实 防控", "会议"]}))
    >>> unit_similarity(m, pd.Series(["甲", "甲", "乙"], index=list("abc"))).round(2).values.tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    C, units, _ = unit_centroids(source, of)
    sims = np.clip((C @ C.T).toarray(), 0, 1)
    nonempty = np.asarray(C.getnnz(axis=1)) > 0
    np.fill_diagonal(sims, np.where(nonempty, 1.0, 0.0))
    return pd.DataFrame(sims, index=units, columns=units)


def unit_terms(source, of: pd.Series, top: int = 8) -> pd.DataFrame:
    """The highest-weighted terms of each unit's centroid (for an article, its own distinctive terms).
    Columns: unit, rank, term, weight; units largest first.

    >>> from directives.tfidf import TfidfModel
    >>> m = TfidfModel().fit(pd.DataFrame({"doc_id": list("abc"), "tokens": ["压实 责任", "压实 防控", "会议"]}))
    >>> unit_terms(m, pd.Series(["甲", "甲", "乙"], index=list("abc")), top=1).term.tolist()
    ['压实', '会议']
    """
    C, units, _ = unit_centroids(source, of)
    _, vocab, _ = _matrix(source)
    vocab = vocab if vocab is not None else np.arange(C.shape[1]).astype(str)
    rows = []
    for i, unit in enumerate(units):
        row = C[i]
        terms = vocab[row.indices].astype(str)
        order = np.lexsort((terms, -row.data))[:top]
        rows += [(unit, r + 1, terms[j], float(row.data[j])) for r, j in enumerate(order)]
    return pd.DataFrame(rows, columns=["unit", "rank", "term", "weight"])


def unit_shared_terms(source, of: pd.Series, a: str, b: str, top: int = 10) -> pd.DataFrame:
    """The terms that make units ``a`` and ``b`` alike: the products of their centroids' weights, which
    sum to the units' cosine. Columns: term, contribution, share.

    >>> from directives.tfidf import TfidfModel
    >>> m = TfidfModel().fit(pd.DataFrame({"doc_id": list("abc"), "tokens": ["压实 责任", "压实 防控", "会议"]}))
    >>> unit_shared_terms(m, pd.Series(list("xyz"), index=list("abc")), "x", "y").term.tolist()
    ['压实']
    """
    C, units, _ = unit_centroids(source, of)
    _, vocab, _ = _matrix(source)
    vocab = vocab if vocab is not None else np.arange(C.shape[1]).astype(str)
    i, j = units.index(str(a)), units.index(str(b))
    prod = C[i].multiply(C[j]).tocoo()
    out = pd.DataFrame({"term": vocab[prod.col].astype(str), "contribution": prod.data})
    total = out["contribution"].sum()
    out["share"] = out["contribution"] / total if total else 0.0
    return out.sort_values(["contribution", "term"], ascending=[False, True], ignore_index=True).head(top)
