"""TF-IDF similarity: matrix properties, known cases, and the blocked top-k path against the full matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from directives import counting as C
from directives import tfidf as S
from directives.tokens import add_tokens


def _toy(texts: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame({"doc_id": list(texts), "text_simplified": list(texts.values())})
    return add_tokens(df, cache_dir=None)


@pytest.fixture(scope="module")
def seeds_tok(seeds_df):
    return add_tokens(seeds_df, cache_dir=None)


@pytest.mark.parametrize("method", ["tfidf", "char"])
def test_matrix_is_symmetric_with_unit_diagonal(seeds_tok, method):
    sims = S.similarity(seeds_tok, method)
    assert list(sims.index) == list(sims.columns) == seeds_tok.doc_id.tolist()
    np.testing.assert_allclose(sims.to_numpy(), sims.to_numpy().T)
    np.testing.assert_allclose(np.diag(sims.to_numpy()), 1.0)
    assert ((sims.to_numpy() >= 0) & (sims.to_numpy() <= 1 + 1e-12)).all()


def test_identical_disjoint_near_copy_unrelated():
    base = "各级党委政府要压实四方责任，坚决克服麻痹思想，落实外防输入措施，做好核酸检测和流调工作。"
    df = _toy({
        "a": base,
        "same": base,
        "near": base.replace("核酸检测", "疫苗接种"),
        "other": "今年水稻喜获丰收，农民合作社引进新品种，农业机械化水平明显提高。",
    })  # fmt: skip
    sims = S.similarity(df)
    assert sims.loc["a", "same"] == pytest.approx(1.0)
    assert sims.loc["a", "other"] == pytest.approx(0.0)
    assert sims.loc["a", "near"] > 0.5 > sims.loc["a", "other"]


def test_top_k_agrees_with_full_matrix(seeds_tok, monkeypatch):
    monkeypatch.setattr(S, "BLOCK_ROWS", 2)  # several blocks even on a small corpus
    k = len(seeds_tok) - 2
    nn = S.nearest_neighbours(seeds_tok, k=k)
    sims = S.similarity(seeds_tok)
    for doc, part in nn.groupby("doc_id"):
        row = sims.loc[doc].drop(doc).sort_values(ascending=False)
        assert part.sort_values("rank").neighbour.tolist() == row.index[:k].tolist()
        np.testing.assert_allclose(part.sort_values("rank").similarity, row.to_numpy()[:k], rtol=1e-5)


def test_seeds_tianjin_and_yongzhou_are_the_closest_pair(seeds_tok):
    for method in ("tfidf", "char"):
        top = S.similar_pairs(S.similarity(seeds_tok, method)).iloc[0]
        assert {top.a[:3], top.b[:3]} == {"000", "004"}


def test_shared_terms_sum_to_the_similarity(seeds_tok):
    a, b = seeds_tok.doc_id.iloc[0], seeds_tok.doc_id.iloc[1]
    terms = S.shared_terms(seeds_tok, a, b, top=100_000)
    assert terms.contribution.sum() == pytest.approx(S.similarity(seeds_tok).loc[a, b])
    assert terms.share.sum() == pytest.approx(1.0)


def test_distinctive_terms_per_document(seeds_tok):
    d = S.distinctive_terms(seeds_tok, top=5)
    assert d.groupby("doc_id").size().eq(5).all()
    zz = d[d.doc_id.str.startswith("003")].term.tolist()
    assert "防汛" in zz or "抗旱" in zz


def test_approximate_neighbours_recall_and_exact_similarities():
    from directives.synthetic import make_articles

    df = make_articles(400, seed=5).rename(columns={"text": "text_simplified"})
    df = add_tokens(df, cache_dir=None)
    exact = S.nearest_neighbours(df, k=10, exact=True)
    approx = S.nearest_neighbours(df, k=10, exact=False, dims=128, candidates=40)
    assert S.neighbour_recall(approx, exact) >= 0.9
    merged = approx.merge(exact, on=["doc_id", "neighbour"], suffixes=("_a", "_e"))
    np.testing.assert_allclose(merged.similarity_a, merged.similarity_e, rtol=1e-5)


def test_tfidf_cache_round_trip(seeds_tok, tmp_path):
    X1, v1 = S.tfidf_vectors(seeds_tok, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("tfidf-*.npz"))) == 1
    X2, v2 = S.tfidf_vectors(seeds_tok, cache_dir=tmp_path)
    assert (X1 != X2).nnz == 0 and list(v1) == list(v2)


def test_arrow_counting_gives_scikit_learns_tfidf(seeds_tok):
    from directives.synthetic import make_articles
    from directives.tokens import token_list
    from sklearn.feature_extraction.text import TfidfVectorizer

    synthetic = add_tokens(make_articles(60, seed=3).rename(columns={"text": "text_simplified"}), cache_dir=None)
    for df in (seeds_tok, synthetic):
        ours, vocab = S.tfidf_vectors(df)
        vec = TfidfVectorizer(analyzer=token_list, sublinear_tf=True, dtype=np.float32)
        ref = vec.fit_transform(df["tokens"])
        assert vocab.tolist() == vec.get_feature_names_out().tolist()
        assert abs(ours - ref).max() < 1e-6 and ours.has_sorted_indices
    # lists of tokens, gaps and missing values count as scikit-learn counts them
    counts, vocab = C.token_counts(pd.Series([["压实", "责任", "压实"], None, " 责任\n防控  "], dtype=object))
    assert vocab.tolist() == ["压实", "责任", "防控"]
    assert counts.toarray().tolist() == [[2, 1, 0], [0, 0, 0], [0, 1, 1]]


def test_counting_in_chunks_equals_counting_at_once(seeds_tok, monkeypatch):
    whole, vocab = C.token_counts(seeds_tok["tokens"])
    monkeypatch.setattr(C, "COUNT_CHUNK_ROWS", 2)
    chunked, vocab2 = C.token_counts(seeds_tok["tokens"])
    assert vocab.tolist() == vocab2.tolist() and (whole != chunked).nnz == 0 and whole.sum() > 0


def test_cache_key_follows_content_not_memory_layout(tmp_path):
    import pyarrow as pa

    one = pd.Series(pa.chunked_array([pa.array(["压实 责任", "", "防控"])]), dtype="str")
    three = pd.Series(pa.chunked_array([pa.array(["压实 责任"]), pa.array([""]), pa.array(["防控"])]), dtype="str")
    assert C.column_digest(one) == C.column_digest(three) == C.column_digest(pd.Series(["压实 责任", None, "防控"]))
    assert C.column_digest(one) != C.column_digest(pd.Series(["压实", "责任", "防控"], dtype="str"))
    assert C.column_digest(pd.Series(["", ""], dtype="str")) != C.column_digest(pd.Series([""], dtype="str"))


def test_one_fitted_model_serves_every_view(seeds_tok):
    model = S.TfidfModel().fit(seeds_tok)
    ids = seeds_tok.doc_id.tolist()
    whole = model.similarity()
    sample = model.similarity(ids[:3])  # a sample is compared in the corpus's own space
    np.testing.assert_allclose(sample.to_numpy(), whole.loc[ids[:3], ids[:3]].to_numpy())
    nn = model.nearest_neighbours(k=2)
    for row in nn.itertuples():
        assert abs(row.similarity - whole.loc[row.doc_id, row.neighbour]) < 1e-6
    pd.testing.assert_frame_equal(model.shared_terms(ids[0], ids[1]), S.shared_terms(seeds_tok, ids[0], ids[1]))
    # documents projected with the fitted idf land where the fit put them
    assert abs(model.transform(seeds_tok) - model.matrix_).max() < 1e-6
    with pytest.raises(KeyError, match="not among the fitted documents"):
        model.shared_terms("nope", ids[0])
    with pytest.raises(RuntimeError, match="not fitted"):
        S.TfidfModel().similarity()


def test_verbs_work_on_a_frame_straight_from_load_corpus():
    from directives import load_corpus, similarity

    sims = similarity(load_corpus())  # segments first: no KeyError for 'tokens'
    assert sims.shape == (5, 5) and np.allclose(np.diag(sims), 1)


def test_char_model_transforms_new_documents(seeds_tok):
    model = S.TfidfModel("char").fit(seeds_tok)
    assert abs(model.transform(seeds_tok) - model.matrix_).max() < 1e-6


def _char_reference(df: pd.DataFrame, ngram_range=(2, 3)):
    """TfidfModel("char")'s fit before its counts were made with numpy: scikit-learn's TfidfVectorizer."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True, dtype=np.float32)
    X = vec.fit_transform(S._NON_HAN.sub(" ", t) for t in df["text_simplified"].fillna(""))
    return X, vec.get_feature_names_out().astype(str), vec.idf_


def _assert_char_model_equals_reference(df: pd.DataFrame, ngram_range=(2, 3)) -> None:
    model = S.TfidfModel("char", ngram_range).fit(df)
    X, vocab, idf = _char_reference(df, ngram_range)
    assert model.vocabulary_.tolist() == vocab.tolist()
    np.testing.assert_array_equal(model.idf_, idf)
    # the same matrix to the bit and to the order of each row's entries (row norms are summed in that order)
    for got, want in ((model.matrix_.indptr, X.indptr), (model.matrix_.indices, X.indices)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(model.matrix_.data, X.data)
    assert model.matrix_.dtype == X.dtype == np.float32


@pytest.mark.parametrize("ngram_range", [(2, 3), (1, 3), (1, 1), (3, 3), (2, 4)])
def test_char_counts_equal_scikit_learns_on_the_seeds(seeds_tok, ngram_range):
    _assert_char_model_equals_reference(seeds_tok, ngram_range)


def test_char_counts_equal_scikit_learns_on_odd_texts():
    df = pd.DataFrame({
        "doc_id": list("abcdefg"),
        "text_simplified": [
            "压实责任，压实", "", None, "abc 123", "责", "𠀀𠀁压实𪚥 责任", "ＡＢ压实\u3000\n\t责任责任",
        ],
    })  # fmt: skip
    _assert_char_model_equals_reference(df)
    _assert_char_model_equals_reference(df, (1, 2))
    with pytest.raises(ValueError, match="empty vocabulary"):  # as scikit-learn: no n-gram in any text
        S.TfidfModel("char").fit(df.iloc[[1, 2, 3, 4]])


def test_char_counts_equal_scikit_learns_on_synthetic_articles():
    from directives.synthetic import make_articles

    _assert_char_model_equals_reference(make_articles(300, seed=3).rename(columns={"text": "text_simplified"}))


def test_char_counts_equal_scikit_learns_on_peoples_daily(peoples_daily_tokens):
    _assert_char_model_equals_reference(peoples_daily_tokens.sample(1000, random_state=0))
