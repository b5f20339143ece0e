"""The corpus at any size (directives.scale.open_corpus): above the size kept in memory, the counts, units,
keyness, TF-IDF, changes and per-partition results over the dataset equal those of the whole frame in memory,
and the frame is a seeded sample that says it is one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from directives import cache, load_corpus
from directives.analysis import keyness, term_counts
from directives.clouds import count_weights, tfidf_weights
from directives.corpus import cleaning_report
from directives.reuse import find_formulas
from directives.scale import META_COLUMNS, open_corpus
from directives.tfidf import TfidfModel
from directives.tokens import add_tokens
from directives.units import units_of


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """600 synthetic articles in 10 regions, opened with 100 in memory and partitions of 150 (four of them),
    beside the same corpus whole in memory."""
    from directives.synthetic import make_articles, write_as_files

    folder = write_as_files(make_articles(600, seed=7), tmp_path_factory.mktemp("scale") / "corpus")
    corpus = open_corpus(folder, columns=["tokens", "text_simplified"], max_articles=100, partition_rows=150)
    corpus.path = folder
    return corpus, add_tokens(load_corpus(folder))


def test_metadata_is_every_article_in_date_order(synthetic):
    corpus, full = synthetic
    assert len(corpus.dataset.partitions) == 4
    pd.testing.assert_frame_equal(corpus.meta, full[META_COLUMNS])


def test_frame_is_a_seeded_sample_that_says_so(synthetic):
    corpus, full = synthetic
    frame = corpus.frame
    assert corpus.sampled and len(frame) == 100 and frame.attrs["sample"] == {"rows": 100, "of": 600, "seed": 0}
    assert corpus.scope() == "a random sample of 100 (seed 0) of the 600 articles"
    assert corpus.sample_note() == " (a random sample of 100 of 600 articles)"
    assert frame.doc_id.is_unique and frame.date.is_monotonic_increasing  # date order, as load_corpus gives
    ref = full.set_index("doc_id").loc[frame.doc_id]
    assert (ref.text_simplified.to_numpy() == frame.text_simplified.to_numpy()).all()
    assert (ref.tokens.to_numpy() == frame.tokens.to_numpy()).all()


def test_counts_units_keyness_and_clouds_are_exact(synthetic):
    corpus, full = synthetic
    pd.testing.assert_frame_equal(corpus.term_counts(), term_counts(full))
    units = units_of(corpus.meta, max_units=6)  # the 6 largest regions of 10: some articles in no unit
    assert units.name == "region" and units.partial and len(units.labels) == 6
    pooled = units.pooled(full)
    by_unit = corpus.unit_counts(units)
    pd.testing.assert_frame_equal(by_unit, term_counts(pooled, by_doc=True))
    pd.testing.assert_frame_equal(keyness(by_unit), keyness(pooled))
    exact, aggregated = tfidf_weights(pooled), tfidf_weights(by_unit)
    assert exact.keys() == aggregated.keys()
    for unit, weights in exact.items():
        assert weights.keys() == aggregated[unit].keys()
        assert np.allclose([weights[t] for t in weights], [aggregated[unit][t] for t in weights], atol=1e-6)
    assert {u: dict(sorted(w.items())) for u, w in count_weights(pooled).items()} == {
        u: dict(sorted(w.items())) for u, w in count_weights(by_unit).items()
    }


def test_unit_counts_are_kept_in_the_cache_by_their_units(synthetic):
    corpus, full = synthetic
    folder = cache.cache_dir(corpus.cache_dir)
    for units in (
        units_of(corpus.meta, max_units=6),
        units_of(corpus.meta, max_units=3),
        units_of(corpus.meta, "level"),
    ):
        want = term_counts(units.pooled(full), by_doc=True)
        before = set(folder.glob("unit_counts*"))
        made, read = corpus.unit_counts(units), corpus.unit_counts(units)  # the second read back from the cache
        assert len(set(folder.glob("unit_counts*")) - before) <= 1  # one entry for each grouping (or already kept)
        pd.testing.assert_frame_equal(made, want)
        pd.testing.assert_frame_equal(read, want)  # the same values and dtypes after Parquet
        assert set(read.doc_id) <= set(units.labels)
    regrouped = units_of(corpus.meta.assign(region=corpus.meta.region.iloc[::-1].to_numpy()), max_units=6)
    pd.testing.assert_frame_equal(corpus.unit_counts(regrouped), term_counts(regrouped.pooled(full), by_doc=True))


def test_tfidf_changes_and_partitions_are_exact(synthetic):
    corpus, full = synthetic
    model, direct = corpus.tfidf(), TfidfModel().fit(full)
    assert (model.doc_ids_ == direct.doc_ids_).all() and (model.vocabulary_ == direct.vocabulary_).all()
    assert (model.matrix_ != direct.matrix_).nnz == 0
    pd.testing.assert_frame_equal(corpus.changes(), cleaning_report(full))
    pd.testing.assert_frame_equal(corpus.map_partitions(find_formulas, ["text_simplified"]), find_formulas(full))
    formulas = find_formulas(full)
    assert len(formulas) > 0 and formulas.doc_id.nunique() > 1
    pd.testing.assert_frame_equal(corpus.formulas(), formulas)  # computed on all cores, then kept in the cache
    assert len(list(cache.cache_dir().glob("formulas-*.parquet"))) >= 1
    pd.testing.assert_frame_equal(corpus.formulas(), formulas)  # read back from the cache
    some = full.doc_id.iloc[[5, 300, 599]]
    rows = corpus.rows(some, ["text_raw"])
    assert rows.text_raw.tolist() == full.set_index("doc_id").loc[rows.doc_id, "text_raw"].tolist()


def test_another_seed_another_sample_and_whole_below_the_limit(synthetic):
    corpus, full = synthetic
    other = open_corpus(corpus.path, max_articles=100, partition_rows=150, seed=1)
    same = open_corpus(corpus.path, max_articles=100, partition_rows=150)
    assert set(other.frame.doc_id) != set(corpus.frame.doc_id)
    assert same.frame.doc_id.tolist() == corpus.frame.doc_id.tolist()
    whole = open_corpus(corpus.path, columns=["tokens"], partition_rows=150)
    assert not whole.sampled and whole.scope() == "all 600 articles" and whole.sample_note() == ""
    pd.testing.assert_frame_equal(whole.frame[["doc_id", "tokens"]], full[["doc_id", "tokens"]])


def test_every_notebook_declares_the_one_threshold():
    """Each notebook's MAX_ARTICLES_IN_MEMORY parameter defaults to the library's, so a report run on a large
    corpus takes the same path in all of them."""
    import ast

    import nbformat
    from directives.report import list_notebooks
    from directives.scale import MAX_ARTICLES_IN_MEMORY

    for nb_path in list_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        [params] = [c.source for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        found = {node.targets[0].id: node.value for node in ast.parse(params).body if isinstance(node, ast.Assign)}
        assert "MAX_ARTICLES_IN_MEMORY" in found, nb_path.name
        assert ast.literal_eval(found["MAX_ARTICLES_IN_MEMORY"]) == MAX_ARTICLES_IN_MEMORY, nb_path.name
