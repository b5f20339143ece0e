"""How alike documents are: cosine similarity of TF-IDF vectors (scikit-learn), on tokens or on
character n-grams, as a full matrix for small corpora and as top-k neighbours for large ones.

>>> import pandas as pd
>>> toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["压实", "责任"], ["压实", "责任"]]})
>>> round(float(similarity(toy).loc["a", "b"]), 6)
1.0
"""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from . import cache
from ._progress import progress
from .tokens import token_string

_NON_HAN = re.compile(r"[^\u3400-\u9fff]+")
BLOCK_ROWS = 2048


def tfidf_vectors(
    df: pd.DataFrame,
    method: str = "tfidf",
    ngram_range: tuple[int, int] = (2, 3),
    cache_dir: str | Path | None = None,
):
    """L2-normalised TF-IDF rows (sublinear tf) and the vocabulary.

    ``method="tfidf"`` uses the ``tokens`` column (segmented words); ``method="char"`` uses character
    n-grams of the Han characters of ``text_simplified`` (no segmentation at all). With ``cache_dir``,
    the matrix and its vocabulary are kept there (:mod:`directives.cache`, one ``.npz``, never pickle),
    keyed by the tokens, so a re-run reads it back instead of fitting again.

    >>> X, vocab = tfidf_vectors(pd.DataFrame({"tokens": ["压实 责任", "压实 防控"]}))
    >>> X.shape, vocab.tolist()
    ((2, 3), ['压实', '责任', '防控'])
    """
    if method not in ("tfidf", "char"):
        raise ValueError(f"method must be 'tfidf' or 'char', not {method!r}")
    column = "tokens" if method == "tfidf" else "text_simplified"
    folder = cache.cache_dir(cache_dir)
    entry = None
    if folder is not None:
        key = cache.cache_key("tfidf", method, ngram_range, _column_digest(df[column]))
        entry = cache.entry_path(folder, "tfidf", key, "npz")
        cached = cache.read_entry(entry, _read_matrix)
        if cached is not None:
            return cached
    if method == "tfidf":
        X, vocab = token_counts(df["tokens"])
        _tfidf_in_place(X, TfidfTransformer(sublinear_tf=True).fit(X).idf_)
    else:
        vec = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True, dtype=np.float32)
        X = vec.fit_transform(_NON_HAN.sub(" ", t) for t in df["text_simplified"].fillna(""))
        vocab = vec.get_feature_names_out().astype(str)
    X = sparse.csr_matrix(X, dtype=np.float32)
    if entry is not None:
        cache.write_entry(entry, lambda tmp: _write_matrix(tmp, X, vocab))
    return X, vocab


def _write_matrix(path: Path, X: sparse.csr_matrix, vocab: np.ndarray) -> None:
    with open(path, "wb") as fh:  # a file object: np.savez would add .npz to the temporary name
        np.savez(fh, data=X.data, indices=X.indices, indptr=X.indptr, shape=np.array(X.shape), vocab=vocab.astype(str))


def _read_matrix(path: Path) -> tuple[sparse.csr_matrix, np.ndarray]:
    with np.load(path, allow_pickle=False) as arrays:
        shape = tuple(arrays["shape"])
        X = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)
        X.check_format(full_check=False)
        return X, arrays["vocab"]


def _column_digest(column: pd.Series) -> str:
    """A hash of a text (or token-list) column's content, independent of how its memory is chunked.
    An Arrow-backed column is hashed from its buffers (lengths and bytes), with no Python string made.

    >>> a = pd.Series(["压实 责任", None], dtype="str")
    >>> _column_digest(a) == _column_digest(pd.Series(["压实 责任", ""], dtype=object))
    True
    """
    import pyarrow as pa

    lengths, data = hashlib.sha1(), hashlib.sha1()
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        arrow = pa.array(column.array)
        for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
            chunk = chunk.cast(pa.large_string()).fill_null("")
            offsets = np.frombuffer(chunk.buffers()[1], np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
            lengths.update(np.diff(offsets).tobytes())
            if offsets[-1] > offsets[0]:
                data.update(memoryview(chunk.buffers()[2])[offsets[0] : offsets[-1]])
    else:
        for value in column:
            encoded = token_string(value).encode("utf-8")
            lengths.update(np.int64(len(encoded)).tobytes())
            data.update(encoded)
    return lengths.hexdigest() + data.hexdigest()


COUNT_CHUNK_ROWS = 4_000  # documents counted at a time (bounds the memory of the per-token arrays)


def _token_column(tokens: pd.Series):
    """A token column as Arrow large strings (missing as ""): zero-copy for an Arrow-backed column,
    lists of tokens joined with spaces."""
    import pyarrow as pa

    if isinstance(tokens.dtype, pd.StringDtype) and tokens.dtype.storage == "pyarrow":
        column = pa.array(tokens.array).cast(pa.large_string())  # zero-copy: Arrow memory already
    else:
        column = pa.array([token_string(v) for v in tokens], pa.large_string())
    return column.fill_null("")


def _split_piece(piece):
    """One slice of a token column (see :func:`_token_column`) split into its documents' token lists, and
    those tokens dictionary-encoded. Tokens are split as :func:`~directives.tokens.token_list` splits them;
    the column's own form (one space between tokens) takes the fast path."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(piece, pa.ChunkedArray):
        piece = piece.combine_chunks()
    lists = pc.split_pattern(piece, " ")
    encoded = lists.flatten().dictionary_encode()
    if any(len(w.split()) > 1 or w.isspace() for w in encoded.dictionary.to_pylist()):
        lists = pc.utf8_split_whitespace(piece)  # other white space: split on any run of it
        encoded = lists.flatten().dictionary_encode()
    return lists, encoded


def _piece_counts(piece) -> tuple[sparse.csr_matrix, object]:
    """Counts of one slice of the token column against its own word list (an Arrow string array)."""
    import pyarrow.compute as pc

    lists, encoded = _split_piece(piece)
    # the piece's words in sorted order, so that numbering them in the whole vocabulary keeps each row's
    # column indices sorted (no sort of the whole matrix afterwards)
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    rows = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    empty = rank[i] if (i := encoded.dictionary.index("").as_py()) >= 0 else -1
    if empty >= 0:  # two spaces in a row, or an empty document
        rows, codes = rows[codes != empty], codes[codes != empty]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(piece)))]).astype(np.int64)
    local = sparse.csr_matrix((np.ones(len(codes), np.float32), codes, indptr), (len(piece), len(encoded.dictionary)))
    local.sum_duplicates()
    return local, encoded.dictionary.take(order)


def token_counts(tokens: pd.Series) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Document-term count matrix (float32 CSR) and its vocabulary in sorted order, from a column of
    space-joined tokens (or lists of tokens): what scikit-learn's ``CountVectorizer`` gives with the
    tokens as they are, but counted by Arrow in C instead of a Python loop over every token.

    >>> counts, vocab = token_counts(pd.Series(["压实 责任 压实", "", "责任"]))
    >>> counts.toarray().tolist(), vocab.tolist()
    ([[2.0, 1.0], [0.0, 0.0], [0.0, 1.0]], ['压实', '责任'])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    column = _token_column(tokens)
    slices = [column.slice(i, COUNT_CHUNK_ROWS) for i in range(0, len(column), COUNT_CHUNK_ROWS)]
    with ThreadPoolExecutor(min(4, os.cpu_count() or 1)) as pool:  # Arrow and scipy release the GIL
        parts = list(pool.map(_piece_counts, slices))
    vocab = pc.unique(pa.concat_arrays([words for _, words in parts] or [pa.array([], pa.large_string())]))
    vocab = vocab.filter(pc.not_equal(vocab, ""))
    vocab = vocab.take(pc.sort_indices(vocab))  # UTF-8 byte order is code point order, as sorted() gives
    nnz = sum(local.nnz for local, _ in parts)
    data, indices = np.empty(nnz, np.float32), np.empty(nnz, np.int32)
    indptr, at = [np.zeros(1, np.int64)], 0
    while parts:  # each piece's own word numbers to the vocabulary's, into one matrix, freeing as it goes
        local, words = parts.pop(0)
        where = pc.index_in(words, value_set=vocab).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int32)
        data[at : at + local.nnz], indices[at : at + local.nnz] = local.data, where[local.indices]
        indptr.append(local.indptr[1:] + at)
        at += local.nnz
    counts = sparse.csr_matrix((data, indices, np.concatenate(indptr)), shape=(len(column), len(vocab)))
    return counts, np.asarray(vocab.to_pylist(), dtype=str)


def _tfidf_in_place(X: sparse.csr_matrix, idf: np.ndarray) -> None:
    """Counts to L2-normalised sublinear TF-IDF, in place: what ``TfidfTransformer(sublinear_tf=True)``
    returns, without its two copies of the matrix (the idf comes from the fitted transformer)."""
    from sklearn.preprocessing import normalize

    np.log(X.data, out=X.data)
    X.data += 1
    X.data *= idf.astype(np.float32)[X.indices]
    normalize(X, copy=False)


def similarity(df: pd.DataFrame, method: str = "tfidf", **options) -> pd.DataFrame:
    """Square DataFrame of cosine similarities, indexed both ways by doc_id. For corpora too large
    to hold n × n, use :func:`nearest_neighbours`.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": ["压实 责任", "压实 防控"]})
    >>> similarity(toy).round(2).loc["a", "b"]
    np.float64(0.34)
    """
    X, _ = tfidf_vectors(df, method, **options)
    X = X.astype(np.float64)
    sims = (X @ X.T).toarray()
    np.fill_diagonal(sims, [1.0 if X[i].nnz else 0.0 for i in range(X.shape[0])])
    return pd.DataFrame(np.clip(sims, 0, 1), index=df["doc_id"].to_numpy(), columns=df["doc_id"].to_numpy())


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


def nearest_neighbours(
    df: pd.DataFrame,
    k: int = 10,
    method: str = "tfidf",
    exact: bool | None = None,
    dims: int = 256,
    candidates: int = 100,
    cache_dir: Path | None = None,
) -> pd.DataFrame:
    """The ``k`` most similar other documents of every document, never through an n × n matrix.

    Up to ``EXACT_MAX`` documents (or with ``exact=True``) the cosines are exact, computed block by
    block as sparse products. Above, each document's ``candidates`` nearest neighbours in a
    ``dims``-dimensional truncated SVD of the TF-IDF matrix (found by faiss's exact inner-product
    search, BLAS on all cores) are re-ranked by their exact cosine. Columns: doc_id, rank (1 = most similar), neighbour,
    similarity (always the exact cosine).

    >>> toy = pd.DataFrame({"doc_id": list("abc"), "tokens": [["x", "y"], ["x", "y"], ["z"]]})
    >>> nearest_neighbours(toy, k=1).neighbour.tolist()
    ['b', 'a', 'a']
    """
    X, _ = tfidf_vectors(df, method, cache_dir=cache_dir)
    ids = df["doc_id"].to_numpy()
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


def neighbour_recall(approx: pd.DataFrame, exact: pd.DataFrame) -> float:
    """Share of the exact top-k neighbours that an approximate answer found.

    >>> e = pd.DataFrame({"doc_id": ["a", "a"], "neighbour": ["b", "c"]})
    >>> neighbour_recall(e.iloc[:1], e)
    0.5
    """
    got = set(zip(approx["doc_id"], approx["neighbour"], strict=True))
    want = list(zip(exact["doc_id"], exact["neighbour"], strict=True))
    return sum(p in got for p in want) / max(len(want), 1)


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
