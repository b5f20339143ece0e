"""The whole collection on both real corpora of ../shared/corpora (People's Daily unpacked to a temporary folder,
the policy table read where it is), and what must hold for any corpus: every notebook runs, figures under 1 MB,
reports under 3 MB, every table shown is written as CSV, rankings by how many documents share an item, more than
one unit for more than one place, no period without articles given a rate of zero, and no report naming a seed
region that its corpus never names."""

from __future__ import annotations

import ast
import re
import warnings

import pandas as pd
import pytest
from directives import evaluate, load_corpus, paths
from directives.plotting import MAX_PNG_BYTES
from directives.report import MAX_REPORT_BYTES, list_notebooks, run_collection

CORPORA = ["peoples_daily", "policies"]
# the seeds' regions, in both scripts: a report on another corpus names them only if that corpus does
SEED_REGIONS = ["永州", "宁夏", "寧夏", "桃源", "漳州", "天津"]


@pytest.fixture(scope="module", params=CORPORA)
def real_run(request, tmp_path_factory):
    """Each corpus through the whole collection once (People's Daily about 5 minutes, the policies 2)."""
    if not (evaluate.PEOPLES_DAILY.is_file() and evaluate.POLICIES.is_file()):
        pytest.skip("../shared/corpora is not beside the clone")
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "peoples_daily":
        corpus = evaluate.unpack_peoples_daily(tmp / "corpus")
    else:
        corpus = evaluate.POLICIES  # a compressed table, read in place (never written)
    out = tmp / "out"
    run_collection(corpus, out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        everything = load_corpus(corpus, kinds=None)
    df = everything[everything.kind == "article"].reset_index(drop=True)
    return request.param, everything, out, df


def _reports(out):
    return sorted((out / "reports").glob("*.html"))


def test_every_notebook_runs_and_makes_every_figure(real_run):
    _name, _corpus, out, _df = real_run
    for nb in list_notebooks():
        assert (out / "reports" / f"{nb.stem}.html").stat().st_size > 10_000, nb.name
    produced = {p.name for p in (out / "figures").glob("*.png")}
    assert produced == {p.name for p in paths.FIGURES_DIR.glob("*.png")}


def test_no_figure_over_1_mb_and_no_report_over_3_mb(real_run):
    _name, _corpus, out, _df = real_run
    figures = list((out / "figures").glob("*.png"))
    assert figures and all(p.stat().st_size <= MAX_PNG_BYTES for p in figures), [
        (p.name, p.stat().st_size) for p in figures if p.stat().st_size > MAX_PNG_BYTES
    ]
    reports = _reports(out)
    assert len(reports) == len(list_notebooks()) + 1  # and the index
    assert all(p.stat().st_size <= MAX_REPORT_BYTES for p in reports), [(p.name, p.stat().st_size) for p in reports]


_CELL = re.compile(r'<div\b[^>]*class="[^"]*jp-CodeCell[^"]*"', re.I)


def test_every_table_shown_is_written_as_csv(real_run):
    _name, _corpus, out, _df = real_run
    tables = {p.stem: p for p in (out / "tables").glob("*.csv")}
    for report in _reports(out):
        if report.stem == "index":
            continue
        cells = _CELL.split(report.read_text(encoding="utf-8"))[1:]
        shown = [c for c in cells if 'class="dataframe' in c]
        for cell in shown:  # a cell that shows a table writes it through save_table
            assert "save_table" in re.sub(r"<[^>]+>", "", cell), (report.name, re.sub(r"<[^>]+>", "", cell)[:300])
        written = [t for t in tables if t.startswith(report.stem[:3])]
        assert len(written) >= len(shown), (report.name, written)
    assert "01_warnings" in tables and "06_reuse_pairs" in tables
    for path in tables.values():  # each one reads back as a table
        pd.read_csv(path, encoding="utf-8")


def test_problems_summarised_once_per_kind_with_the_full_list(real_run):
    name, _corpus, out, _df = real_run
    full = pd.read_csv(out / "tables" / "01_warnings.csv")
    by_kind = pd.read_csv(out / "tables" / "01_warnings_by_kind.csv")
    assert by_kind["items"].sum() == len(full) and by_kind.kind.is_unique
    if name == "peoples_daily":
        assert len(full) > 50 and by_kind.kind.tolist() == ["duplicate of …, skipped"]  # pages printed twice
    for report in _reports(out):  # a warning line per kind of problem at most, never one per file
        assert report.read_text(encoding="utf-8").count("CorpusWarning") <= max(len(by_kind), 1) * 2, report.name


def test_rankings_by_how_many_documents_share_an_item(real_run):
    from directives.reuse import find_formulas, responsibility_kinds

    _name, _corpus, out, df = real_run
    shown = pd.read_csv(out / "tables" / "06_formulas.csv", index_col=0)
    documents = find_formulas(df).groupby("formula").doc_id.nunique()
    assert len(shown) > 3 and documents.reindex(shown.index).is_monotonic_decreasing
    kinds = pd.read_csv(out / "tables" / "06_responsibility.csv", index_col=0)
    documents = responsibility_kinds(df).groupby("kind").doc_id.nunique()
    assert len(kinds) > 3 and documents.reindex(kinds.index).is_monotonic_decreasing
    reuse = pd.read_csv(out / "tables" / "06_reuse_by_article.csv")
    pairs = pd.read_csv(out / "tables" / "06_reuse_pairs.csv")
    assert reuse.shared_chars.is_monotonic_decreasing and pairs.shared_chars.is_monotonic_decreasing
    assert len(pairs) and pairs.shared_chars.iloc[0] >= 100  # reprinted text, not a caption
    passages = pd.read_csv(out / "tables" / "06_widespread_passages.csv")
    assert passages.n_docs.is_monotonic_decreasing


def test_articles_are_named_by_title_in_the_reuse_tables(real_run):
    _name, _corpus, out, df = real_run
    pairs = pd.read_csv(out / "tables" / "06_reuse_pairs.csv")
    titles = df.set_index("doc_id").title.dropna()
    named = pairs[pairs.a.isin(titles.index)].head(10)
    assert len(named)
    for doc, label in zip(named.a, named.article_a, strict=True):
        title = " ".join(titles[doc].split())
        assert label.startswith(title[:10]) and doc not in label.split(" (")[0], (doc, label)


def test_more_than_one_unit_when_there_is_more_than_one_place(real_run):
    _name, _corpus, out, df = real_run
    assert df.region.nunique() > 1
    formulas = pd.read_csv(out / "tables" / "06_formulas.csv", index_col=0)
    assert formulas.shape[1] > 1 and (formulas.sum() > 0).sum() > 1
    keyness = pd.read_csv(out / "tables" / "02_keyness.csv")
    assert keyness.doc_id.nunique() > 1


def test_no_period_without_articles_has_a_rate_of_zero(real_run):
    import papermill as pm
    from directives.timeline import choose_period, counts_by_period, phrase_rates_by_period

    _name, _corpus, _out, df = real_run
    declared = pm.inspect_notebook(str(paths.NOTEBOOKS_DIR / "04_timeline.ipynb"))
    default = declared.get("PHRASES", {}).get("default", "None")
    phrases = ast.literal_eval(default) if default not in ("None", "") else None
    phrases = phrases if isinstance(phrases, list) and phrases else ["责任", "发展"]
    period = choose_period(df)
    counts = counts_by_period(df, period).set_index("period").articles
    rates = phrase_rates_by_period(df, phrases, period)
    empty = rates[rates.period.map(counts) == 0]
    assert empty.per_10k.isna().all()  # a gap, never a zero
    assert rates[rates.period.map(counts) > 0].per_10k.notna().all()
    if _name == "policies":  # 2013 to 2024 by month: many months without a document
        assert len(empty) > 0


def test_no_report_names_a_seed_region_its_corpus_never_names(real_run):
    _name, everything, out, _df = real_run
    text = "\n".join(everything.text_raw.fillna("")) + "\n".join(everything.text_simplified.fillna(""))
    absent = [r for r in SEED_REGIONS if r not in text]
    for report in _reports(out):
        page = report.read_text(encoding="utf-8")
        named = [r for r in absent if r in page]
        assert not named, (report.name, named)


def test_echoes_have_sources_and_no_echo_comes_before_its_source(real_run):
    name, _corpus, out, df = real_run
    found = pd.read_csv(out / "tables" / "07_echoes.csv")
    assert len(found) > 100 and found.source.notna().all()
    assert (found.lag_days.dropna() >= 0).all()
    relayed = found[(found.source_kind == "central") & ~found.boilerplate]
    assert relayed.doc_id.nunique() > 20  # central wording repeated by many documents of either corpus
    if name == "policies":  # Shandong documents implement central plans
        local = relayed[relayed.doc_id.map(df.set_index("doc_id").level) != "central"]
        assert len(local) > 10 and local.lag_days.median() > 0
    shares = pd.read_csv(out / "tables" / "07_sources_by_unit.csv")
    assert shares[["central", "local", "own"]].sum(axis=1).round(6).eq(1).all()
