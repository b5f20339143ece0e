"""TF-IDF fitted once on a corpus, in scikit-learn's manner, and everything that follows from it: the
similarity of documents (a full matrix for small corpora, top-k neighbours that never build n × n for large
ones), the terms that make two documents alike, each document's distinctive terms, new documents projected
into the same space.

>>> import pandas as pd
>>> toy = pd.DataFrame({"doc_id": ["a", "b", "c"], "tokens": ["压实 责任", "压实 防控", "会议"]})
>>> model = TfidfModel().fit(toy)
>>> round(float(model.similarity().loc["a", "b"]), 2), model.shared_terms("a", "b").term.tolist()
(0.37, ['压实'])
>>> model.transform(pd.DataFrame({"tokens": ["压实 新词"]})).nnz  # a word it never saw adds nothing
1
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from . import cache
from ._progress import progress
from .counting import column_digest, tfidf_in_place, token_counts
from .patterns import NON_HAN_RUN
from .tokens import ensure_tokens

_NON_HAN = NON_HAN_RUN
BLOCK_ROWS = 2048
METHODS = ("tfidf", "char")


EXACT_MAX = 20_000  # up to this many documents, neighbours are exact; above, SVD candidates re-ranked exactly
SVD_FIT_ROWS = 20_000  # the SVD is fitted on a random sample of this many documents, then applied to all
BLOCK_CELLS = 16_000_000  # a block of rows × documents held dense at a time (float32: 64 MB)
PAIR_ROWS = 128  # rows re-ranked at a time: their dense copy stays in cache while candidates are gathered


def _top_k(block: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k largest values of each row, largest first (ties by index)."""
    part = np.argpartition(-block, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(block, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)
    return np.take_along_axis(part, order, axis=1)


def _pair_dots(X: sparse.csr_matrix, start: int, rows: int, cand: np.ndarray) -> np.ndarray:
    """Exact dot products of rows start..start+rows with their candidate rows (rows × c), by gathering
    the candidates' non-zeros against the block's rows held dense."""
    dense = X[start : start + rows].toarray()
    sub = X[cand.ravel()]
    owner = np.repeat(np.repeat(np.arange(rows), cand.shape[1]), np.diff(sub.indptr))
    products = sub.data * dense[owner, sub.indices]
    sums = np.zeros(sub.shape[0], dtype=np.float64)
    nonempty = np.diff(sub.indptr) > 0
    sums[nonempty] = np.add.reduceat(products, sub.indptr[:-1][nonempty]) if products.size else 0.0
    return sums.reshape(cand.shape)


_CODE_BITS = 21  # a Unicode code point fits in 21 bits: three of them in one 63-bit key


def char_ngram_counts(texts: pd.Series, ngram_range: tuple[int, int] = (2, 3)) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Counts of the character n-grams of the Han characters of ``texts`` (every other run of characters one
    space), and the n-grams in sorted order: the same matrix, to the order of each row's entries, as
    scikit-learn's ``CountVectorizer(analyzer="char", ngram_range=…, dtype=np.float32)`` fitted on those texts
    (which :class:`TfidfModel` ``("char")`` used), counted with numpy instead of a Python loop over every n-gram.
    A row's entries are in the order in which the corpus first used each n-gram, as scikit-learn leaves them (its
    row norms sum in that order). n-grams longer than three characters are left to scikit-learn.

    >>> X, vocab = char_ngram_counts(pd.Series(["压实责任，压实", "责任"]))
    >>> vocab.tolist()
    [' 压', ' 压实', '任 ', '任 压', '压实', '压实责', '实责', '实责任', '责任', '责任 ']
    >>> X.toarray().astype(int).tolist()
    [[1, 1, 1, 1, 2, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]]
    """
    lo, hi = ngram_range
    docs = [_NON_HAN.sub(" ", t) for t in texts.fillna("")]
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    if not 1 <= lo <= hi <= 3 or not (lengths >= lo).any():  # (no n-gram at all: scikit-learn's own error)
        from sklearn.feature_extraction.text import CountVectorizer

        vec = CountVectorizer(analyzer="char", ngram_range=ngram_range, dtype=np.float32)
        X = vec.fit_transform(docs)
        return sparse.csr_matrix(X), vec.get_feature_names_out().astype(str)
    codes = np.frombuffer("".join(docs).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    per_n = [np.maximum(lengths - n + 1, 0) for n in range(lo, hi + 1)]  # n-grams of each length, per document
    per_doc = np.sum(per_n, axis=0)
    total = int(per_doc.sum())
    doc_first = np.concatenate([[0], np.cumsum(per_doc)[:-1]])  # where a document's n-grams begin in the sequence
    keys = np.empty(total, dtype=np.uint64)
    before = np.zeros(len(docs), dtype=np.int64)  # the document's n-grams of the shorter lengths, listed first
    for n, count in zip(range(lo, hi + 1), per_n, strict=True):
        doc = np.repeat(np.arange(len(docs)), count)
        pos = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)  # i in doc
        at = np.repeat(starts, count) + pos
        key = np.zeros(len(at), dtype=np.uint64)
        for j in range(n):  # character j of the n-gram in bits 42, 21, 0: sorted keys are sorted strings
            key |= codes[at + j] << np.uint64(_CODE_BITS * (2 - j))
        keys[doc_first[doc] + before[doc] + pos] = key
        before += count
        del doc, pos, at, key
    del codes  # (arrays of every n-gram are let go as soon as they are used: a sample's peak memory)
    sorted_keys, first, term = np.unique(keys, return_index=True, return_inverse=True)
    del keys
    n_terms = len(sorted_keys)
    order = np.argsort(first, kind="stable")  # the n-grams in the order of their first use in the corpus
    insertion = np.empty(n_terms, dtype=np.int64)
    insertion[order] = np.arange(n_terms)
    pair_keys = np.repeat(np.arange(len(docs), dtype=np.int64) * n_terms, per_doc)
    pair_keys += insertion[term.ravel()]
    del term, first
    pairs, counts = np.unique(pair_keys, return_counts=True)  # by row, then by first use
    del pair_keys
    index_type = np.int32 if max(len(pairs), n_terms) < 2**31 else np.int64
    indptr = np.zeros(len(docs) + 1, dtype=index_type)
    np.cumsum(np.bincount(pairs // n_terms, minlength=len(docs)), out=indptr[1:])
    indices = order[pairs % n_terms].astype(index_type)  # back to the sorted n-grams' columns
    X = sparse.csr_matrix((counts.astype(np.float32), indices, indptr), shape=(len(docs), n_terms))
    mask = np.uint64((1 << _CODE_BITS) - 1)
    chars = np.stack([(sorted_keys >> np.uint64(_CODE_BITS * (2 - j))) & mask for j in range(3)], axis=1)
    vocab = np.ascontiguousarray(chars.astype(np.uint32)).view("<U3").ravel()  # trailing NULs end a string
    return X, vocab


class TfidfModel:
    """TF-IDF (sublinear tf, smoothed idf, L2-normalised rows) fitted once on a corpus.

    ``method="tfidf"`` weighs the segmented words of the ``tokens`` column (segmenting ``text_simplified``
    first when the frame has no tokens); ``method="char"`` weighs character n-grams (``ngram_range``) of
    the Han characters of ``text_simplified``, with no segmentation at all. After :meth:`fit`, the model
    holds ``doc_ids_``, ``vocabulary_``, ``idf_`` and ``matrix_`` (one row per fitted document), and every
    method below works in that one space: cosines from :meth:`similarity` on a sample are the same numbers
    as those of :meth:`nearest_neighbours` on the whole corpus, and :meth:`transform` projects new
    documents with the fitted idf. With ``cache_dir``, the fitted matrix is kept in the cache
    (:mod:`directives.cache`), keyed by the tokens.

    >>> import pandas as pd
    >>> m = TfidfModel().fit(pd.DataFrame({"doc_id": ["a", "b"], "tokens": ["压实 责任", "压实 防控"]}))
    >>> m.vocabulary_.tolist(), m.matrix_.shape
    (['压实', '责任', '防控'], (2, 3))
    """

    def __init__(
        self, method: str = "tfidf", ngram_range: tuple[int, int] = (2, 3), cache_dir: str | Path | None = None
    ):
        if method not in METHODS:
            raise ValueError(f"method must be 'tfidf' or 'char', not {method!r}")
        self.method, self.ngram_range, self.cache_dir = method, tuple(ngram_range), cache_dir

    # ------------------------------------------------------------------ fitting
    def fit(self, df: pd.DataFrame) -> TfidfModel:
        """Fit on the documents of ``df`` (its ``doc_id`` names them; a row number when there is none)."""
        if self.method == "tfidf":
            df = ensure_tokens(df)
        column = "tokens" if self.method == "tfidf" else "text_simplified"
        self.doc_ids_ = df["doc_id"].to_numpy() if "doc_id" in df.columns else np.arange(len(df))
        folder = cache.cache_dir(self.cache_dir)
        entry = None
        if folder is not None:
            key = cache.cache_key("tfidf", self.method, self.ngram_range, column_digest(df[column]))
            entry = cache.entry_path(folder, "tfidf", key, "npz")
            cached = cache.read_entry(entry, _read_fitted)
            if cached is not None:
                self.matrix_, self.vocabulary_, self.idf_ = cached
                self._index = None
                return self
        if self.method == "tfidf":
            from sklearn.feature_extraction.text import TfidfTransformer  # (imported when used: 1 s of every import)

            X, vocab = token_counts(df["tokens"])
            idf = TfidfTransformer(sublinear_tf=True).fit(X).idf_
            tfidf_in_place(X, idf)
        else:
            from sklearn.feature_extraction.text import TfidfTransformer

            counts, vocab = char_ngram_counts(df["text_simplified"], self.ngram_range)
            transformer = TfidfTransformer(sublinear_tf=True).fit(counts)  # as TfidfVectorizer does, after counting
            X, idf = transformer.transform(counts, copy=False), transformer.idf_
        self.matrix_ = sparse.csr_matrix(X, dtype=np.float32)
        self.vocabulary_, self.idf_ = np.asarray(vocab, dtype=str), np.asarray(idf, dtype=np.float64)
        self._index = None
        if entry is not None:
            cache.write_entry(entry, lambda tmp: _write_fitted(tmp, self.matrix_, self.vocabulary_, self.idf_))
        return self

    def transform(self, df: pd.DataFrame) -> sparse.csr_matrix:
        """Rows of TF-IDF for the documents of ``df`` in the fitted space (the fitted vocabulary and idf;
        terms the corpus never had are left out)."""
        self._check_fitted()
        if self.method == "tfidf":
            counts, vocab = token_counts(ensure_tokens(df)["tokens"])
            where = np.searchsorted(self.vocabulary_, vocab)
            where = np.minimum(where, len(self.vocabulary_) - 1)
            known = self.vocabulary_[where] == vocab if len(vocab) else np.zeros(0, bool)
            pick = sparse.csr_matrix(
                (np.ones(int(known.sum()), np.float32), (np.flatnonzero(known), where[known])),
                shape=(len(vocab), len(self.vocabulary_)),
            )
            X = sparse.csr_matrix(counts @ pick, dtype=np.float32)
            X.sort_indices()
        else:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vec = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True, dtype=np.float32)
            vec.vocabulary_ = {t: i for i, t in enumerate(self.vocabulary_)}
            vec.idf_ = self.idf_
            return sparse.csr_matrix(vec.transform(_NON_HAN.sub(" ", t) for t in df["text_simplified"].fillna("")))
        tfidf_in_place(X, self.idf_)
        return X

    def subset(self, ids) -> TfidfModel:
        """The same fitted space (vocabulary, idf) with only the rows of the documents ``ids``, in that order:
        neighbours or similarities among a sample, weighted by the whole corpus.

        >>> m = TfidfModel().fit(pd.DataFrame({"doc_id": ["a", "b", "c"], "tokens": ["压实 责任", "压实", "防控"]}))
        >>> sub = m.subset(["c", "a"]); sub.doc_ids_.tolist(), sub.matrix_.shape, m.matrix_.shape
        (['c', 'a'], (2, 3), (3, 3))
        """
        import copy

        self._check_fitted()
        rows = self._rows(ids)
        sub = copy.copy(self)
        sub.matrix_, sub.doc_ids_, sub._index = self.matrix_[rows], np.asarray(self.doc_ids_)[rows], None
        return sub

    def _check_fitted(self) -> None:
        if not hasattr(self, "matrix_"):
            raise RuntimeError("this TfidfModel is not fitted yet: call fit(df) first")

    def _rows(self, ids) -> np.ndarray:
        if self._index is None:
            self._index = pd.Index(self.doc_ids_)
        where = self._index.get_indexer(list(ids))
        if (where < 0).any():
            missing = [i for i, w in zip(ids, where, strict=True) if w < 0]
            raise KeyError(f"not among the fitted documents: {missing[:5]}")
        return where

    # ------------------------------------------------------------------ what follows from the fit
    def similarity(self, ids=None) -> pd.DataFrame:
        """Square DataFrame of cosine similarities among the fitted documents (or those of ``ids``, a
        sample say), indexed both ways by doc_id. For a corpus too large for n × n, see
        :meth:`nearest_neighbours`."""
        self._check_fitted()
        rows = np.arange(len(self.doc_ids_)) if ids is None else self._rows(ids)
        X = self.matrix_[rows].astype(np.float64)
        sims = (X @ X.T).toarray()
        np.fill_diagonal(sims, [1.0 if X[i].nnz else 0.0 for i in range(X.shape[0])])
        labels = self.doc_ids_[rows]
        return pd.DataFrame(np.clip(sims, 0, 1), index=labels, columns=labels)

    def shared_terms(self, a, b, top: int = 10) -> pd.DataFrame:
        """The terms that contribute most to the similarity of documents ``a`` and ``b`` (the products of
        their weights, which sum to their cosine). Columns: term, contribution, share."""
        self._check_fitted()
        i, j = self._rows([a, b])
        prod = self.matrix_[i].multiply(self.matrix_[j]).tocoo()
        out = pd.DataFrame({"term": self.vocabulary_[prod.col], "contribution": prod.data})
        total = out["contribution"].sum()
        out["share"] = out["contribution"] / total if total else 0.0
        return out.sort_values(["contribution", "term"], ascending=[False, True], ignore_index=True).head(top)

    def distinctive_terms(self, top: int = 10, ids=None) -> pd.DataFrame:
        """The highest-weighted terms of each fitted document (or of ``ids``). Columns: doc_id, rank,
        term, weight."""
        self._check_fitted()
        rows = []
        for i in range(len(self.doc_ids_)) if ids is None else self._rows(ids):
            row = self.matrix_[i]
            order = sorted(zip(-row.data, self.vocabulary_[row.indices], strict=True))[:top]
            rows += [(self.doc_ids_[i], r + 1, term, -w) for r, (w, term) in enumerate(order)]
        return pd.DataFrame(rows, columns=["doc_id", "rank", "term", "weight"])

    def nearest_neighbours(
        self, k: int = 10, exact: bool | None = None, dims: int = 256, candidates: int = 100
    ) -> pd.DataFrame:
        """The ``k`` most similar other documents of every fitted document, never through an n × n matrix.

        Up to ``EXACT_MAX`` documents (or with ``exact=True``) the cosines are exact, computed block by
        block as sparse products. Above, each document's ``candidates`` nearest neighbours in a
        ``dims``-dimensional truncated SVD of the matrix (found by faiss's exact inner-product search, BLAS
        on all cores) are re-ranked by their exact cosine. Columns: doc_id, rank (1 = most similar),
        neighbour, similarity (always the exact cosine)."""
        self._check_fitted()
        X, ids = self.matrix_, self.doc_ids_
        n = X.shape[0]
        k = min(k, n - 1)
        if k < 1:
            return pd.DataFrame(columns=["doc_id", "rank", "neighbour", "similarity"])
        exact = n <= EXACT_MAX if exact is None else exact
        docs, nbrs, sims = [], [], []
        if exact:
            XT = X.T.tocsc()
            rows = max(1, min(BLOCK_ROWS, BLOCK_CELLS // max(n, 1)))
            blocks = range(0, n, rows)
            for start in progress(blocks, total=len(blocks), desc="neighbours"):
                block = (X[start : start + rows] @ XT).toarray()
                block[np.arange(block.shape[0]), np.arange(start, start + block.shape[0])] = -1.0
                top = _top_k(block, k)
                docs.append(np.repeat(np.arange(start, start + block.shape[0]), k))
                nbrs.append(top.ravel())
                sims.append(np.take_along_axis(block, top, axis=1).ravel())
        else:
            import faiss
            from sklearn.decomposition import TruncatedSVD

            dims = max(2, min(dims, X.shape[1] - 1, n - 1))
            fit_rows = np.random.default_rng(0).choice(n, size=min(n, SVD_FIT_ROWS), replace=False)
            svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=4, random_state=0).fit(X[fit_rows])
            Z = np.asarray(X @ svd.components_.T, dtype=np.float32)
            Z /= np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
            index = faiss.IndexFlatIP(dims)  # exact inner products in the reduced space, BLAS on all cores
            index.add(Z)
            c = min(max(candidates, k), n - 1)
            rows = 4096
            blocks = range(0, n, rows)
            for start in progress(blocks, total=len(blocks), desc="neighbours"):
                stop = min(start + rows, n)
                _, found = index.search(Z[start:stop], c + 1)
                me = np.arange(start, stop)[:, None]
                found = np.where(found < 0, me, found)  # fewer than c + 1 results: pad with self, dropped below
                keep = found != me
                cand = np.array([
                    row[m][:c] if m.sum() >= c else np.resize(row[m], c) for row, m in zip(found, keep, strict=True)
                ])  # fmt: skip
                exact_sims = np.vstack([
                    _pair_dots(X, s, min(PAIR_ROWS, stop - s), cand[s - start : s - start + PAIR_ROWS])
                    for s in range(start, stop, PAIR_ROWS)
                ])  # fmt: skip
                order = _top_k(exact_sims, k)
                docs.append(np.repeat(np.arange(start, stop), k))
                nbrs.append(np.take_along_axis(cand, order, axis=1).ravel())
                sims.append(np.take_along_axis(exact_sims, order, axis=1).ravel())
        doc_idx, nbr_idx = np.concatenate(docs), np.concatenate(nbrs)
        return pd.DataFrame({
            "doc_id": ids[doc_idx], "rank": np.tile(np.arange(1, k + 1), n), "neighbour": ids[nbr_idx],
            "similarity": np.concatenate(sims).astype(np.float64),
        })  # fmt: skip


def _read_fitted(path: Path) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as arrays:
        X = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=tuple(arrays["shape"]))
        X.check_format(full_check=False)
        return X, arrays["vocab"], arrays["idf"]


def _write_fitted(path: Path, X: sparse.csr_matrix, vocab: np.ndarray, idf: np.ndarray) -> None:
    with open(path, "wb") as fh:  # a file object: np.savez would add .npz to the temporary name
        np.savez(fh, data=X.data, indices=X.indices, indptr=X.indptr, shape=np.array(X.shape), vocab=vocab, idf=idf)


# --------------------------------------------------------------------------- one-call verbs
def tfidf_vectors(
    df: pd.DataFrame, method: str = "tfidf", ngram_range: tuple[int, int] = (2, 3), cache_dir: str | Path | None = None
):
    """The fitted matrix (L2-normalised rows) and vocabulary of ``df``: ``TfidfModel(...).fit(df)``'s
    ``matrix_`` and ``vocabulary_``.

    >>> X, vocab = tfidf_vectors(pd.DataFrame({"tokens": ["压实 责任", "压实 防控"]}))
    >>> X.shape, vocab.tolist()
    ((2, 3), ['压实', '责任', '防控'])
    """
    model = TfidfModel(method, ngram_range, cache_dir).fit(df)
    return model.matrix_, model.vocabulary_


def similarity(df: pd.DataFrame, method: str = "tfidf", **options) -> pd.DataFrame:
    """Square DataFrame of cosine similarities of the documents of ``df`` (a frame from
    :func:`~directives.load_corpus`, segmented when it has no tokens). To compare several views of one
    corpus in the same space, fit a :class:`TfidfModel` once instead.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": ["压实 责任", "压实 防控"]})
    >>> similarity(toy).round(2).loc["a", "b"]
    np.float64(0.34)
    """
    return TfidfModel(method, **options).fit(df).similarity()


def nearest_neighbours(
    df: pd.DataFrame,
    k: int = 10,
    method: str = "tfidf",
    exact: bool | None = None,
    dims: int = 256,
    candidates: int = 100,
    cache_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Top-k neighbours of every document of ``df`` (see :meth:`TfidfModel.nearest_neighbours`).

    >>> toy = pd.DataFrame({"doc_id": list("abc"), "tokens": [["x", "y"], ["x", "y"], ["z"]]})
    >>> nearest_neighbours(toy, k=1).neighbour.tolist()
    ['b', 'a', 'a']
    """
    model = TfidfModel(method, cache_dir=cache_dir).fit(df)
    return model.nearest_neighbours(k, exact=exact, dims=dims, candidates=candidates)


def shared_terms(df: pd.DataFrame, a: str, b: str, top: int = 10, method: str = "tfidf") -> pd.DataFrame:
    """The terms that make documents ``a`` and ``b`` of ``df`` alike (see :meth:`TfidfModel.shared_terms`).

    >>> toy = pd.DataFrame({"doc_id": ["a", "b", "c"], "tokens": [["压实", "责任"], ["压实", "防控"], ["会议"]]})
    >>> shared_terms(toy, "a", "b").term.tolist()
    ['压实']
    """
    return TfidfModel(method).fit(df).shared_terms(a, b, top)


def distinctive_terms(df: pd.DataFrame, top: int = 10, method: str = "tfidf") -> pd.DataFrame:
    """The highest-weighted terms of each document of ``df`` (see :meth:`TfidfModel.distinctive_terms`).

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["压实", "责任"], ["压实", "防控"]]})
    >>> distinctive_terms(toy, top=1).term.tolist()
    ['责任', '防控']
    """
    return TfidfModel(method).fit(df).distinctive_terms(top)


def neighbour_recall(approx: pd.DataFrame, exact: pd.DataFrame) -> float:
    """Share of the exact top-k neighbours that an approximate answer found.

    >>> e = pd.DataFrame({"doc_id": ["a", "a"], "neighbour": ["b", "c"]})
    >>> neighbour_recall(e.iloc[:1], e)
    0.5
    """
    got = set(zip(approx["doc_id"], approx["neighbour"], strict=True))
    want = list(zip(exact["doc_id"], exact["neighbour"], strict=True))
    return sum(p in got for p in want) / max(len(want), 1)


def similar_pairs(sims: pd.DataFrame) -> pd.DataFrame:
    """Every unordered pair of a similarity matrix, most similar first. Columns: a, b, similarity.

    >>> sims = pd.DataFrame([[1, 0.2], [0.2, 1]], index=["a", "b"], columns=["a", "b"])
    >>> similar_pairs(sims).to_dict("records")
    [{'a': 'a', 'b': 'b', 'similarity': 0.2}]
    """
    ids = sims.index.to_numpy()
    iu = np.triu_indices(len(ids), k=1)
    out = pd.DataFrame({"a": ids[iu[0]], "b": ids[iu[1]], "similarity": sims.to_numpy()[iu]})
    return out.sort_values("similarity", ascending=False, ignore_index=True)


def clustered_order(sims: pd.DataFrame) -> list[str]:
    """doc_ids in the leaf order of an average-linkage clustering on 1 - similarity.

    >>> sims = pd.DataFrame([[1, 0.1, 0.9], [0.1, 1, 0.2], [0.9, 0.2, 1]], index=list("abc"), columns=list("abc"))
    >>> clustered_order(sims)
    ['b', 'a', 'c']
    """
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    if len(sims) < 3:
        return list(sims.index)
    dist = squareform(1 - sims.to_numpy(), checks=False)
    return list(sims.index[leaves_list(linkage(np.clip(dist, 0, None), "average"))])
