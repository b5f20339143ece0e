"""Counting tokens: the document-term matrix of a token column, counted by Arrow in C, and the
TF-IDF weighting of counts. The fitted model (:class:`directives.tfidf.TfidfModel`), term counts,
collocations and topic models all count through here.

>>> counts, vocab = token_counts(pd.Series(["压实 责任 压实", "责任"]))
>>> counts.toarray().tolist(), vocab.tolist()
([[2.0, 1.0], [0.0, 1.0]], ['压实', '责任'])
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy import sparse

from .tokens import token_string


def column_digest(column: pd.Series) -> str:
    """A hash of a text (or token-list) column's content, independent of how its memory is chunked.
    An Arrow-backed column is hashed from its buffers (lengths and bytes), with no Python string made.

    >>> a = pd.Series(["压实 责任", None], dtype="str")
    >>> column_digest(a) == column_digest(pd.Series(["压实 责任", ""], dtype=object))
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


def token_column(tokens: pd.Series):
    """A token column as Arrow large strings (missing as ""): zero-copy for an Arrow-backed column,
    lists of tokens joined with spaces.

    >>> token_column(pd.Series([["压实", "责任"], None])).to_pylist()
    ['压实 责任', '']
    """
    import pyarrow as pa

    if isinstance(tokens.dtype, pd.StringDtype) and tokens.dtype.storage == "pyarrow":
        column = pa.array(tokens.array).cast(pa.large_string())  # zero-copy: Arrow memory already
    else:
        column = pa.array([token_string(v) for v in tokens], pa.large_string())
    return column.fill_null("")


def split_piece(piece):
    """One slice of a token column (see :func:`_token_column`) split into its documents' token lists, and
    those tokens dictionary-encoded. Tokens are split as :func:`~directives.tokens.token_list` splits them;
    the column's own form (one space between tokens) takes the fast path.

    >>> lists, encoded = split_piece(token_column(pd.Series(["压实 责任", "责任"])))
    >>> lists.to_pylist(), encoded.dictionary.to_pylist()
    ([['压实', '责任'], ['责任']], ['压实', '责任'])
    """
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

    lists, encoded = split_piece(piece)
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

    column = token_column(tokens)
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


def tfidf_in_place(X: sparse.csr_matrix, idf: np.ndarray) -> None:
    """Counts to L2-normalised sublinear TF-IDF, in place: what ``TfidfTransformer(sublinear_tf=True)``
    returns, without its two copies of the matrix (the idf comes from the fitted transformer).

    >>> X = sparse.csr_matrix(np.array([[1.0, 0.0], [1.0, 1.0]], np.float32))
    >>> tfidf_in_place(X, np.array([1.0, 2.0])); X.toarray().astype(float).round(3).tolist()
    [[1.0, 0.0], [0.447, 0.894]]
    """
    from sklearn.preprocessing import normalize

    np.log(X.data, out=X.data)
    X.data += 1
    X.data *= idf.astype(np.float32)[X.indices]
    normalize(X, copy=False)
