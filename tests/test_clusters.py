"""Similarity at scale: clusters labelled by their terms and units, unit similarity, the map; on People's Daily
(../shared/corpora) and on the seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from directives.clusters import DocumentClusters, unit_shared_terms, unit_similarity, unit_terms
from directives.plotting import plot_clusters, plot_document_map, save_figure
from directives.tfidf import TfidfModel
from directives.tokens import add_tokens
from PIL import Image


@pytest.fixture(scope="module")
def pd_fitted(peoples_daily_tokens):
    df = peoples_daily_tokens
    model = TfidfModel().fit(df)
    return df, model, DocumentClusters().fit(model)


def test_more_than_one_cluster_each_of_several_articles(pd_fitted):
    df, _model, clusters = pd_fitted
    assert 2 <= clusters.n_clusters_ <= 10
    assert clusters.sizes_.sum() == len(df) and clusters.sizes_.min() >= 5
    assert list(clusters.sizes_) == sorted(clusters.sizes_, reverse=True), "clusters numbered largest first"
    assert set(clusters.silhouette_) >= {2, 3}


def test_clusters_are_labelled_by_terms_that_occur_in_their_documents(pd_fitted):
    df, _model, clusters = pd_fitted
    tops = clusters.top_terms(8)
    tokens = df.set_index("doc_id").tokens.str.split().map(set)
    for row in tops.itertuples():
        members = clusters.doc_ids_[clusters.labels_ == row.cluster]
        having = sum(row.term in tokens[d] for d in members)
        assert having == row.docs >= 1, (row.cluster, row.term)
    # the labels tell clusters apart: no term labels every cluster
    assert tops.groupby("term").cluster.nunique().max() < clusters.n_clusters_


def test_clusters_are_deterministic(pd_fitted):
    _df, model, clusters = pd_fitted
    again = DocumentClusters().fit(model)
    assert np.array_equal(again.labels_, clusters.labels_)


def test_units_table_shares_sum_to_one_and_some_cluster_leans_to_a_level(pd_fitted):
    df, _model, clusters = pd_fitted
    of = df.set_index("doc_id").level
    table = clusters.units_table(of)
    assert (table.articles.to_numpy() == clusters.sizes_).all()
    assert np.allclose(table.drop(columns="articles").sum(axis=1), 1)
    overall = of.fillna("(unknown)").value_counts(normalize=True)
    shares = table.drop(columns="articles")
    # units describe clusters: some cluster's share of a level is well above the corpus's
    assert (shares - overall.reindex(shares.columns).to_numpy()).to_numpy().max() > 0.15


@pytest.mark.parametrize("by", ["level", "region"])
def test_unit_similarity_is_symmetric_with_one_on_the_diagonal(pd_fitted, by):
    df, model, _ = pd_fitted
    sims = unit_similarity(model, df.set_index("doc_id")[by])
    m = sims.to_numpy()
    assert len(sims) > 1 and np.allclose(m, m.T) and np.allclose(np.diag(m), 1)
    assert (m >= 0).all() and (m <= 1 + 1e-9).all()
    off = m[~np.eye(len(m), dtype=bool)]
    assert off.min() < off.max() < 1, "units are not all alike"
    sizes = df[by].value_counts()
    assert set(sims.index) == set(sizes.index), "every unit with a value"
    assert sizes[sims.index].is_monotonic_decreasing, "units largest first"


def test_unit_shared_terms_sum_to_the_unit_similarity(pd_fitted):
    df, model, _ = pd_fitted
    of = df.set_index("doc_id").level
    sims = unit_similarity(model, of)
    terms = unit_shared_terms(model, of, "central", "abroad", top=100_000)
    assert terms.contribution.sum() == pytest.approx(sims.loc["central", "abroad"], abs=1e-6)


def test_map_and_cluster_figures_are_not_blank(pd_fitted, tmp_path):
    df, _model, clusters = pd_fitted
    summary = clusters.summary(df.set_index("doc_id").level)
    names = dict(zip(summary.cluster, summary.terms, strict=True))
    for name, fig in [
        ("map", plot_document_map(clusters.map_, clusters.labels_, names, "Map of People's Daily")),
        ("clusters", plot_clusters(summary, clusters.units_table(df.set_index("doc_id").level), "Clusters")),
    ]:
        path = save_figure(fig, name, tmp_path)
        pixels = np.asarray(Image.open(path).convert("L"), dtype=float)
        assert pixels.std() > 5 and path.stat().st_size < 1_000_000, name
    assert clusters.map_.shape == (len(df), 2) and clusters.map_.std(axis=0).min() > 0


def test_seeds_units_are_articles_and_their_similarity_is_the_document_matrix(seeds_df):
    df = add_tokens(seeds_df)
    model = TfidfModel().fit(df)
    of = pd.Series(df.doc_id.to_numpy(), index=df.doc_id.to_numpy())
    sims = unit_similarity(model, of)
    full = model.similarity()
    assert np.allclose(sims.loc[full.index, full.columns].to_numpy(), full.to_numpy(), atol=1e-6)
    clusters = DocumentClusters().fit(model)
    assert clusters.n_clusters_ == 2  # five articles: at most half as many clusters
    tokens = df.set_index("doc_id").tokens.str.split().map(set)
    for row in clusters.top_terms(5).itertuples():
        assert any(row.term in tokens[d] for d in clusters.doc_ids_[clusters.labels_ == row.cluster])
    distinct = unit_terms(model, of, top=3)
    assert distinct.groupby("unit").size().eq(3).all()


def test_tiny_and_degenerate_corpora():
    toy = pd.DataFrame({"doc_id": ["a", "b"], "tokens": ["压实 责任", "压实 责任"]})
    c = DocumentClusters().fit(TfidfModel().fit(toy))
    assert c.n_clusters_ == 1 and c.labels_.tolist() == [0, 0] and c.map_.shape == (2, 2)
