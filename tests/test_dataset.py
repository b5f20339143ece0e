"""The partitioned dataset: the same cleaned texts, tokens, counts and TF-IDF matrix as the one-frame path
(load_corpus, add_tokens, TfidfModel.fit), partition by partition on this machine and on a Dask LocalCluster."""

from __future__ import annotations

import itertools
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
from directives import dataset as D
from directives import evaluate, load_corpus, paths
from directives.cache import CacheWarning
from directives.corpus import CorpusError, CorpusWarning
from directives.counting import token_counts
from directives.tfidf import TfidfModel
from directives.tokens import add_tokens

TEXT_COLUMNS = ["doc_id", "source_file", "kind", "text_raw", "text", "text_simplified", "all_tokens", "tokens"]


@pytest.fixture(scope="module")
def client():
    """One LocalCluster for the module: two worker processes of one thread, as the issue asks."""
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _same_partitions(a: D.CorpusDataset, b: D.CorpusDataset) -> None:
    assert a.partitions == b.partitions and a.rows == b.rows and a.problems == b.problems
    for x, y in zip(a.read(), b.read(), strict=True):
        assert x.equals(y)


def _same_model(m: TfidfModel, ref: TfidfModel) -> None:
    assert m.vocabulary_.tolist() == ref.vocabulary_.tolist()
    np.testing.assert_array_equal(m.idf_, ref.idf_)
    assert m.matrix_.shape == ref.matrix_.shape and m.matrix_.dtype == ref.matrix_.dtype
    for attr in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(m.matrix_, attr), getattr(ref.matrix_, attr))


def _reference_model(frame: pd.DataFrame, doc_ids) -> TfidfModel:
    """TfidfModel.fit of the whole frame, rows in the dataset's order."""
    return TfidfModel().fit(frame.set_index("doc_id").loc[list(doc_ids)].reset_index())


@pytest.fixture(scope="module")
def seeds_local(tmp_path_factory):
    return D.build_dataset(paths.SEEDS_DIR, cache_dir=tmp_path_factory.mktemp("ds_cache"))


def test_seeds_as_the_frame_users_know(seeds_local):
    ref = add_tokens(load_corpus(paths.SEEDS_DIR, cache_dir=None), cache_dir=None)
    got = seeds_local.to_frame()
    assert got.columns.tolist() == ref.columns.tolist()
    pd.testing.assert_frame_equal(got, ref, check_dtype=False)


def test_seeds_on_dask_identical(seeds_local, client, tmp_path):
    on_dask = D.build_dataset(paths.SEEDS_DIR, cache_dir=tmp_path, client=client)
    _same_partitions(seeds_local, on_dask)
    assert D.term_totals(seeds_local, cache_dir=None).equals(D.term_totals(on_dask, client=client, cache_dir=None))
    ref = add_tokens(load_corpus(paths.SEEDS_DIR, cache_dir=None), cache_dir=None)
    local = D.fit_tfidf(seeds_local, cache_dir=None)
    _same_model(local, _reference_model(ref, local.doc_ids_))
    _same_model(D.fit_tfidf(on_dask, client=client, cache_dir=None), local)


def test_term_totals_are_the_counts_of_the_whole_column(seeds_local):
    frame = seeds_local.to_frame(["tokens"])
    counts, vocab = token_counts(frame["tokens"])
    want = pd.DataFrame({
        "term": vocab, "count": np.asarray(counts.sum(axis=0)).ravel().astype(np.int64),
        "documents": np.asarray((counts > 0).sum(axis=0)).ravel().astype(np.int64),
    }).sort_values(["count", "term"], ascending=[False, True], ignore_index=True)  # fmt: skip
    got = D.term_totals(seeds_local, cache_dir=None)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got["documents"].max() <= len(frame) and (got["count"] >= got["documents"]).all()


def test_scheduler_from_the_environment(client, monkeypatch):
    monkeypatch.setenv(D.SCHEDULER_ENV, client.scheduler.address)
    found = D.dask_client()
    try:
        assert found.scheduler.address == client.scheduler.address
        assert D.dask_client() is found  # one client per address, not one per call
    finally:
        found.close()
    monkeypatch.delenv(D.SCHEDULER_ENV)
    assert D.dask_client() is None


def test_partitions_bound_rows_and_characters():
    sizes = [10, 10, 10, 50, 5, 5, 5, 5, 5]
    bounds = D._partitions(list(range(len(sizes))), sizes, rows=3, chars=30)
    assert [b for _, b in bounds][-1] == len(sizes) and bounds[0][0] == 0
    assert all(a < b for a, b in bounds) and all(x[1] == y[0] for x, y in itertools.pairwise(bounds))
    for a, b in bounds:
        assert b - a <= 3
        assert b - a == 1 or sum(sizes[a:b]) <= 30  # a single item larger than the bound is a partition alone
    assert bounds == [(0, 3), (3, 4), (4, 7), (7, 9)]


def test_damaged_partition_is_reported_and_rebuilt(tmp_path):
    corpus, folder = tmp_path / "corpus", tmp_path / "cache"
    shutil.copytree(paths.SEEDS_DIR, corpus)
    first = D.build_dataset(corpus, cache_dir=folder)
    part = first.files[0]
    data = part.read_bytes()
    part.write_bytes(bytes(reversed(data)))  # the same size: caught by its footer
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = D.build_dataset(corpus, cache_dir=folder)
    assert any(issubclass(w.category, CacheWarning) and "damaged dataset" in str(w.message) for w in caught)
    assert again.cpu_seconds  # rebuilt, not read back
    assert again.to_frame().equals(first.to_frame())
    assert not D.build_dataset(corpus, cache_dir=folder).cpu_seconds  # and now read back


def test_bad_files_warned_by_name_or_raised_when_strict(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(paths.SEEDS_DIR, corpus)
    (corpus / "blank.txt").write_text("   \n", encoding="utf-8")
    with pytest.warns(CorpusWarning, match=r"blank\.txt"):
        ds = D.build_dataset(corpus, cache_dir=None)
    assert "blank" not in ds.to_frame(["doc_id"], kinds=None).doc_id.tolist()
    with pytest.raises(CorpusError, match=r"blank\.txt"):
        D.build_dataset(corpus, cache_dir=None, strict=True)


# --------------------------------------------------------------------------- a real corpus
@pytest.fixture(scope="module")
def peoples_daily_folder(tmp_path_factory):
    if not evaluate.PEOPLES_DAILY.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    return evaluate.unpack_peoples_daily(tmp_path_factory.mktemp("pd_dataset"))


def test_peoples_daily_partitioned_locally_and_on_dask(peoples_daily_folder, peoples_daily_tokens, client):
    """2,109 files in partitions of 500: duplicates across partitions dropped as load_corpus drops them, and
    the texts, tokens, counts and TF-IDF matrix of the local path, of Dask and of the one-frame path identical."""
    local_problems, dask_problems, ref_problems = [], [], []
    local = D.build_dataset(peoples_daily_folder, cache_dir=None, partition_rows=500, problems=local_problems)
    on_dask = D.build_dataset(peoples_daily_folder, cache_dir=None, partition_rows=500, client=client,
                              problems=dask_problems)  # fmt: skip
    assert len(local.partitions) == 5
    _same_partitions(local, on_dask)
    load_corpus(peoples_daily_folder, cache_dir=None, problems=ref_problems)
    assert local_problems == dask_problems == ref_problems
    assert sum("duplicate of" in p for _, p in local_problems) > 0
    ref = peoples_daily_tokens
    got = local.to_frame(TEXT_COLUMNS).set_index("doc_id").loc[ref.doc_id].reset_index()
    pd.testing.assert_frame_equal(got, ref[TEXT_COLUMNS].reset_index(drop=True), check_dtype=False)
    totals = D.term_totals(local, cache_dir=None)
    assert totals.equals(D.term_totals(on_dask, client=client, cache_dir=None))
    model = D.fit_tfidf(local, cache_dir=None)
    _same_model(model, _reference_model(ref, model.doc_ids_))
    _same_model(D.fit_tfidf(on_dask, client=client, cache_dir=None), model)
    assert int(totals["count"].sum()) == int(ref["tokens"].str.split().str.len().sum())
    assert int(totals["documents"].sum()) == model.matrix_.nnz


def test_unit_totals_are_each_units_counts(seeds_local, client):
    frame = seeds_local.to_frame(["region", "tokens"])
    got = D.unit_totals(seeds_local, by="region")
    assert set(got.unit) == set(frame.region)
    for region, part in frame.groupby("region"):
        counts, vocab = token_counts(part["tokens"])
        want = dict(zip(vocab, np.asarray(counts.sum(axis=0)).ravel().astype(int), strict=True))
        docs = dict(zip(vocab, np.asarray((counts > 0).sum(axis=0)).ravel().astype(int), strict=True))
        mine = got[got.unit == region]
        assert dict(zip(mine.term, mine["count"], strict=True)) == want
        assert dict(zip(mine.term, mine["documents"], strict=True)) == docs
    pd.testing.assert_frame_equal(D.unit_totals(seeds_local, by="region", client=client), got)


def test_a_sample_says_it_is_one(tmp_path):
    ds = D.build_dataset(paths.SEEDS_DIR, cache_dir=None, partition_rows=2)
    assert len(ds.partitions) == 3
    everything = ds.to_frame(["doc_id", "region"])
    s = D.sample_frame(ds, 3, seed=4, columns=["doc_id", "region"])
    assert len(s) == 3 and s.doc_id.is_unique and set(s.doc_id) <= set(everything.doc_id)
    assert s.attrs["sample"] == {"rows": 3, "of": len(everything), "seed": 4}
    assert s.doc_id.tolist() == [d for d in everything.doc_id if d in set(s.doc_id)]  # corpus order
    assert D.sample_frame(ds, 3, seed=4, columns=["doc_id"]).doc_id.tolist() == s.doc_id.tolist()
    whole = D.sample_frame(ds, 10, columns=["doc_id"])
    assert whole.attrs["sample"] is None and whole.doc_id.tolist() == everything.doc_id.tolist()


def test_a_dataset_outside_the_cache_removes_its_folder_when_discarded():
    import gc

    ds = D.build_dataset(paths.SEEDS_DIR, cache_dir=None)
    folder = ds.folder.parent
    assert folder.is_dir() and len(ds) > 0
    del ds
    gc.collect()
    assert not folder.exists()


def test_a_first_build_digests_in_the_workers_and_finds_itself_again(tmp_path):
    """A corpus never built in this cache is digested by the workers (no file read twice); the key they
    give is the key the parent computes when it has to read the files itself (index gone, dataset kept)."""
    corpus, folder = tmp_path / "corpus", tmp_path / "cache"
    shutil.copytree(paths.SEEDS_DIR, corpus)
    (corpus / "empty.txt").write_bytes(b"")  # a file that is read but gives no article has a digest too
    first = D.build_dataset(corpus, cache_dir=folder, problems=[])
    assert first.cpu_seconds and first.key
    (index,) = folder.glob("fileindex-*.parquet")
    index.unlink()  # the index lost, the dataset kept: the parent hashes every file, and finds the dataset
    again = D.build_dataset(corpus, cache_dir=folder, problems=[])
    assert not again.cpu_seconds and again.key == first.key and again.folder == first.folder
    outside = D.build_dataset(corpus, cache_dir=None, problems=[])  # no cache: digested by the workers too
    assert outside.key == first.key
    (corpus / "empty.txt").write_bytes(b" ")
    assert D.build_dataset(corpus, cache_dir=folder, problems=[]).key != first.key


def test_counts_and_tfidf_on_all_cores_are_those_of_one_process(seeds_local, tmp_path, monkeypatch):
    """From AGGREGATE_MIN_PARTITIONS partitions the counts and the TF-IDF rows are made by a process pool, in
    order: the same totals and matrix as one partition in one process."""
    monkeypatch.setattr(D, "AGGREGATE_MIN_PARTITIONS", 2)
    monkeypatch.setattr(D.os, "cpu_count", lambda: 2)
    many = D.build_dataset(paths.SEEDS_DIR, cache_dir=tmp_path, partition_rows=1)
    assert len(many.partitions) == len(seeds_local) >= 2 and D._aggregate_processes(len(many.partitions)) == 2
    pd.testing.assert_frame_equal(D.term_totals(many, cache_dir=None), D.term_totals(seeds_local, cache_dir=None))
    _same_model(D.fit_tfidf(many, cache_dir=None), D.fit_tfidf(seeds_local, cache_dir=None))
    pd.testing.assert_frame_equal(D.unit_totals(many), D.unit_totals(seeds_local))


# --------------------------------------------------------------------------- tables read as a stream
def _read_table_whole(path, problem):
    """The reference reading: the whole table's bytes decompressed and decoded at once, then parsed (as loading
    read tables before they were streamed). None, reported, when it cannot be read."""
    import io
    import json

    from directives.corpus import _open_table, _table_format
    from directives.reading import decode_bytes

    suffix, compression = _table_format(path)
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        with _open_table(path, compression) as stream:
            text, _encoding = decode_bytes(stream.read())
        if suffix == ".csv":
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        rows = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problem(f"{path} line {n}", f"malformed JSON ({exc.msg}), line skipped")
                continue
            if isinstance(obj, dict):
                rows.append(obj)
            else:
                problem(f"{path} line {n}", f"a JSON {type(obj).__name__}, not an object, line skipped")
        return pd.DataFrame(rows)
    except Exception as exc:
        problem(path, f"unreadable table ({type(exc).__name__}: {exc})")
        return None


def _rows_whole(path, problem):
    """The reference: the table read whole, its rows made as the streamed reading makes them."""
    from directives.corpus import _table_rows

    table = _read_table_whole(path, problem)
    return list(_table_rows(path, problem, frames=[] if table is None else [table]))


def test_a_table_read_as_a_stream_gives_the_rows_of_the_whole_table(tmp_path, monkeypatch):
    from directives import corpus as C

    if not evaluate.POLICIES.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    monkeypatch.setattr(C, "TABLE_CHUNK_ROWS", 17)  # many chunks, one cut inside the sniffed head
    monkeypatch.setattr(C, "_SNIFF_BYTES", 1000)
    policies = pd.read_csv(evaluate.POLICIES, dtype=str, keep_default_na=False)
    policies.loc[3, "text"] = ""  # a row with no text, reported by number in both readings
    jsonl = tmp_path / "p.jsonl.gz"
    policies.to_json(jsonl, orient="records", lines=True, force_ascii=False, compression="gzip")
    gbk = tmp_path / "p.csv"
    policies.head(40).to_csv(gbk, index=False, encoding="gb18030", errors="xmlcharrefreplace")
    for path, n in ((evaluate.POLICIES, len(policies)), (jsonl, len(policies) - 1), (gbk, 39)):
        whole, streamed = [], []
        reference = _rows_whole(path, lambda w, m, met=whole: met.append((str(w), m)))
        got = list(C._table_rows(path, lambda w, m, met=streamed: met.append((str(w), m))))
        assert got == reference and streamed == whole, path.name
        assert len(got) == n, path.name
    parts = list(C._table_partitions(evaluate.POLICIES, print, rows=50, chars=10**9))
    assert [len(p) for p in parts] == [50, 50, 50, 50, 21]  # 221 rows


def test_a_table_that_changes_encoding_keeps_every_row_and_says_so(tmp_path, monkeypatch):
    from directives import corpus as C

    monkeypatch.setattr(C, "_SNIFF_BYTES", 200)
    article = "某县召开会议，要求压实四方责任，坚决克服麻痹思想、松劲心态和侥幸心理，抓细抓实各项防控措施。"
    head = "doc_id,text\n" + "".join(f"u{i},{article}{i}\n" for i in range(5))
    tail = "".join(f"g{i},{article}{i}\n" for i in range(5))
    path = tmp_path / "mixed.csv"
    path.write_bytes(head.encode("utf-8") + tail.encode("gb18030"))
    met = []
    rows = list(C._table_rows(path, lambda w, m: met.append((str(w), m))))
    assert [item[0] for item, _ in rows] == [f"u{i}" for i in range(5)] + [f"g{i}" for i in range(5)]
    assert rows[0][0][2] == article + "0" and rows[-1][0][2] == article + "4"  # both halves read right
    said = "not in utf-8 throughout: line 7 and others read as gb18030"
    assert any(w.endswith("mixed.csv") and said in m for w, m in met), met


def test_a_table_dataset_is_built_a_partition_at_a_time(tmp_path, monkeypatch):
    from directives import corpus as C

    monkeypatch.setattr(C, "TABLE_CHUNK_ROWS", 3)
    article = "某县召开会议，要求压实四方责任，坚决克服麻痹思想、松劲心态和侥幸心理，抓细抓实各项防控措施。"
    rows = [{"doc_id": f"d{i}", "text": f"{article}第{i}次。", "region": "甲县"} for i in range(23)]
    rows[7]["text"] = rows[6]["text"]  # an exact duplicate, dropped across the stream as in memory
    path = tmp_path / "t.jsonl"
    pd.DataFrame(rows).to_json(path, orient="records", lines=True, force_ascii=False)
    seen_parts = []
    real = C._table_partitions

    def spy(*args, **kw):
        for part in real(*args, **kw):
            seen_parts.append(len(part))
            yield part

    monkeypatch.setattr(D, "_table_partitions", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        ds = D.build_dataset(path, cache_dir=tmp_path / "cache", partition_rows=5, processes=1)
        frame = load_corpus(path, cache_dir=None)
    assert seen_parts == [5, 5, 5, 5, 3] and len(ds.partitions) == 5
    got = ds.to_frame(["doc_id", "text"])
    assert got.doc_id.tolist() == frame.doc_id.tolist() and got.text.tolist() == frame.text.tolist()
    assert "d7" not in set(got.doc_id)


def _package_imports(module: str) -> set[str]:
    """The package's modules that ``module`` imports (anywhere in it: functions import lazily)."""
    import ast

    tree = ast.parse((paths.PACKAGE_DIR / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
    return {m for m in found if (paths.PACKAGE_DIR / f"{m}.py").is_file()}


def test_the_dataset_key_names_every_module_that_makes_its_contents(tmp_path, monkeypatch):
    """Every module whose code runs while a dataset is built (traced), and every module those import (their
    constants: patterns, paths), is in DATASET_MODULES; dataset.py's own imports for the aggregates (counting,
    tfidf) are analysis, so an edit there keeps the dataset. An edit of a listed module is a new key, one of
    an analysis module is not."""
    import sys
    import threading
    from pathlib import Path

    from directives import cache

    ran: set[str] = set()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(str(paths.PACKAGE_DIR)):
            ran.add(Path(frame.f_code.co_filename).stem)

    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        D.build_dataset(paths.SEEDS_DIR, cache_dir=tmp_path / "cache", processes=1)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    assert {"clean", "corpus", "tokens", "places", "dates", "convert"} <= ran  # the trace saw the build
    assert ran - {"__init__"} <= set(D.DATASET_MODULES), f"missing from DATASET_MODULES: {ran - set(D.DATASET_MODULES)}"
    for module in set(D.DATASET_MODULES) - {"dataset"}:
        missing = _package_imports(module) - set(D.DATASET_MODULES)
        assert not missing, f"{module} imports {missing}, missing from DATASET_MODULES"
    built = {p.name for p in (tmp_path / "cache").glob("dataset-*")}
    real = cache.code_version.__wrapped__

    def edited(target):
        return lambda modules=None: real(modules) + ("x" if modules is None or target in modules else "")

    monkeypatch.setattr(cache, "code_version", edited("reuse"))
    D.build_dataset(paths.SEEDS_DIR, cache_dir=tmp_path / "cache", processes=1)
    assert {p.name for p in (tmp_path / "cache").glob("dataset-*")} == built  # analysis edited: the same dataset
    monkeypatch.setattr(cache, "code_version", edited("clean"))
    D.build_dataset(paths.SEEDS_DIR, cache_dir=tmp_path / "cache", processes=1)
    assert len({p.name for p in (tmp_path / "cache").glob("dataset-*")} - built) == 1  # cleaning edited: rebuilt
