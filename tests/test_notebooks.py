"""Every notebook runs top to bottom from a fresh kernel (papermill), writing its figures to a temp folder."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from directives import paths
from directives.report import list_notebooks, run_collection
from PIL import Image

NOTEBOOKS = list_notebooks()


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.png"))}


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    before = _digest(paths.FIGURES_DIR)
    html = run_collection(paths.SEEDS_DIR, out)
    return out, html, before


def test_there_are_numbered_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "01_corpus.ipynb"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_makes_its_figures(collection, nb):
    out, _html, _ = collection
    assert (out / "reports" / f"{nb.stem}.html").stat().st_size > 10_000
    figures = sorted((out / "figures").glob(f"{nb.name[:2]}_*.png"))
    assert figures, f"{nb.name} saved no figure"
    for fig in figures:
        pixels = np.asarray(Image.open(fig).convert("L"), dtype=float)
        assert pixels.std() > 5, f"{fig.name} is blank"
        assert min(pixels.shape) > 200


def test_repo_figures_untouched_and_committed_for_every_notebook(collection):
    out, _, before = collection
    assert _digest(paths.FIGURES_DIR) == before
    produced = {p.name for p in (out / "figures").glob("*.png")}
    assert produced <= set(before), f"figures/ lacks {sorted(produced - set(before))}: run make report"


def test_notebooks_are_committed_without_outputs():
    import nbformat

    for nb_path in NOTEBOOKS:
        nb = nbformat.read(nb_path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), nb_path.name
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{nb_path.name} needs exactly one cell tagged parameters"
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.fixture(scope="module")
def larger_run(tmp_path_factory):
    """The collection on a synthetic corpus above the small-multiples limit (40), told to keep 50 articles in
    memory: the branches a large corpus takes (aggregates over the dataset, a labelled sample), at a size a
    test can afford; and the notebooks whose exact results do not depend on the sample, in memory."""
    from directives.synthetic import make_articles, write_as_files

    tmp = tmp_path_factory.mktemp("larger")
    corpus = write_as_files(make_articles(60, seed=5), tmp / "corpus")
    run_collection(corpus, tmp / "out", parameters={"MAX_ARTICLES_IN_MEMORY": 50})
    exact = [nb for nb in NOTEBOOKS if nb.name[:2] in EXACT_TABLES]
    run_collection(corpus, tmp / "in_memory", notebooks=exact)
    return tmp / "out"


# What the at-scale path computes over every article (a partition at a time), equal to the in-memory path's.
EXACT_TABLES = {
    "01": ["01_articles", "01_kinds", "01_summary", "01_places_by_basis", "01_changes", "01_changes_by_rule"],
    "02": ["02_term_counts", "02_keyness"],
    "03": ["03_clusters", "03_cluster_units", "03_similar_pairs", "03_distinctive_terms"],
    "08": ["08_dictionary_by_unit"],
}
EXACT_FIGURES = ["01_cleaning_changes", "02_top_terms", "02_top_terms_by_article", "02_keyness", "03_clusters",
                 "03_document_map", "03_similarity_heatmap", "03_dendrogram"]  # fmt: skip


def test_at_scale_the_counts_equal_those_in_memory(larger_run):
    in_memory = larger_run.parent / "in_memory"
    for name in [t for tables in EXACT_TABLES.values() for t in tables]:
        scaled, whole = (larger_run / "tables" / f"{name}.csv").read_bytes(), (in_memory / "tables" / f"{name}.csv")
        assert scaled == whole.read_bytes(), f"{name}.csv differs between the two paths"
    for name in EXACT_FIGURES:
        assert _digest(larger_run / "figures").get(f"{name}.png") == _digest(in_memory / "figures")[f"{name}.png"], name


def test_at_scale_the_sample_says_it_is_one(larger_run):
    sample = "a random sample of 50 (seed 0) of the 60 articles"
    for nb in ("02_term_frequency", "03_tfidf_similarity", "06_shared_phrases", "07_echoes", "08_topics"):
        page = (larger_run / "reports" / f"{nb}.html").read_text(encoding="utf-8")
        assert sample in page, f"{nb} does not say that it read a sample"
    summary = (larger_run / "reports" / "01_corpus.html").read_text(encoding="utf-8")
    assert "60 of 60 items are analysed" in summary  # notebook 01 reads every article's metadata, never a sample


def test_collection_takes_the_large_corpus_branches(larger_run):
    figures = {p.name for p in (larger_run / "figures").glob("*.png")}
    assert figures == set(_digest(paths.FIGURES_DIR)), "the same figures as for the seeds"
    for fig in (larger_run / "figures").glob("*.png"):
        assert np.asarray(Image.open(fig).convert("L"), dtype=float).std() > 5, f"{fig.name} is blank"
    page = (larger_run / "reports" / "06_shared_phrases.html").read_text(encoding="utf-8")
    assert "in a random sample of 50 (seed 0) of the 60 articles" in page
    assert " articles)" in page  # formula and responsibility tables per region: "南京市 (7 articles)"
