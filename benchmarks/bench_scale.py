"""A million articles: the partitioned pipeline (load, clean, convert, segment, count, TF-IDF) on this machine's
process pool and on a Dask LocalCluster, side by side, cold and warm, with the peak memory of the whole
process tree.

    make bench                                              # 100,000 and 1,000,000 articles
    .venv/bin/python benchmarks/bench_scale.py --sizes 100000 --engines local dask

The corpus is written once, streaming (``directives.synthetic.write_corpus``: batches of 10,000 ``.txt``
files with their ``metadata.csv``, never all in memory), for the largest size; a smaller size is a folder of
links to its first batches. Each run is a fresh subprocess (the Dask run starts its own
``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` inside it); the driver samples the
resident memory of that process and all its children (workers, nannies) every 0.2 s and keeps the peak of
the sum, and adds up the CPU time of the whole tree (every process it started and waited for). The cold
run starts from an empty cache folder, the warm run repeats it on the same folder (its files' digests come
from the cache's file index, so only what changed is read). The
local and Dask runs of a size are compared by digests of every partition's texts and tokens, the term
totals and the TF-IDF matrix. Results are printed and written into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _readme import write_results

BATCH = 10_000
SCALE_HEADING = "## A million articles (bench_scale.py)"


# --------------------------------------------------------------------------- one run (in a child)
def stage_run(corpus: str, cache: str, engine: str) -> dict:
    t0 = time.perf_counter()
    from directives.dataset import build_dataset, fit_tfidf, term_totals

    client = cluster = None
    t_cluster = 0.0
    if engine == "dask":
        from distributed import Client, LocalCluster

        t = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        t_cluster = time.perf_counter() - t
    t_import = time.perf_counter()
    ds = build_dataset(corpus, cache_dir=Path(cache), client=client, problems=[])
    t_build = time.perf_counter()
    totals = term_totals(ds, client=client, cache_dir=Path(cache))
    t_count = time.perf_counter()
    model = fit_tfidf(ds, client=client, cache_dir=Path(cache))
    t_tfidf = time.perf_counter()
    digest = hashlib.sha1()
    for table in ds.read(["doc_id", "text", "text_simplified", "all_tokens", "tokens"], kinds=None):
        for column in table.columns:
            for chunk in column.chunks:
                for buf in chunk.buffers():
                    if buf is not None:
                        digest.update(buf)
    X = model.matrix_
    matrix = hashlib.sha1()  # fed the arrays' memory as it is (a copy of a million articles' matrix is 3 GB)
    for array in (X.data, X.indices, X.indptr):
        matrix.update(memoryview(array).cast("B"))
    matrix.update("\n".join(model.vocabulary_).encode() + "\n".join(map(str, model.doc_ids_)).encode())
    counts = hashlib.sha1(totals.to_csv(index=False).encode())
    mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(corpus, followlinks=True) for f in fs) / 1e6
    out = {
        "articles": len(ds), "mb": mb, "partitions": len(ds.partitions), "terms": len(model.vocabulary_),
        "nnz": int(X.nnz), "start_s": t_import - t0, "cluster_s": t_cluster, "build_s": t_build - t_import,
        "count_s": t_count - t_build, "tfidf_s": t_tfidf - t_count, "total_s": t_tfidf - t0,
        "cpu": ds.cpu_seconds, "dataset_digest": digest.hexdigest(), "tfidf_digest": matrix.hexdigest(),
        "counts_digest": counts.hexdigest(),
    }  # fmt: skip
    if client is not None:
        client.close()
        cluster.close()
    return out


def key_run(corpus: str, cache: str) -> dict:
    """The cache key of the corpus side by side in one process: listing its files, the key reading every
    file, and the key from the cache's file index (after a warm run: nothing changed, nothing read)."""
    from directives.corpus import _corpus_key, _list_folder

    path = Path(corpus)
    t = time.perf_counter()
    listing, _ = _list_folder(path)
    t_list = time.perf_counter() - t
    rows = []
    for _ in range(3):
        t = time.perf_counter()
        every = _corpus_key(path, listing, None)
        t_every = time.perf_counter() - t
        t = time.perf_counter()
        indexed = _corpus_key(path, listing, Path(cache))
        rows.append((t_every, time.perf_counter() - t))
        assert every == indexed, "the index gives another key"
    index_mb = sum(p.stat().st_size for p in Path(cache).glob("fileindex-*")) / 1e6
    every_s, index_s = sorted(r[0] for r in rows)[1], sorted(r[1] for r in rows)[1]
    return {"files": len(listing), "listing_s": t_list, "every_s": every_s, "index_s": index_s, "index_mb": index_mb}


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 when it is gone)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def child(corpus: Path, cache: Path, engine: str) -> dict:
    # a million articles' dataset and TF-IDF matrix take more than the cache's default bound (5 GB): a user
    # with such a corpus raises it too, or the warm run would find its dataset evicted
    env = {
        **os.environ,
        "DIRECTIVES_QUIET": "1",
        "DIRECTIVES_CACHE_MAX_GB": os.environ.get("DIRECTIVES_CACHE_MAX_GB", "50"),
    }
    cmd = [sys.executable, __file__, "--stage", str(corpus), str(cache), engine]
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)
        out.seek(0), err.seek(0)
        if proc.returncode:
            raise RuntimeError(f"{engine} run failed:\n{err.read()[-3000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run and every process it started and waited for
    result["peak_tree_mb"] = peak / 1e6
    result["tree_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


# --------------------------------------------------------------------------- driver
def corpus_of(size: int, full: Path, workdir: Path) -> Path:
    """The first ``size`` articles of the written corpus: itself, or a folder of links to its batches."""
    batches = sorted(p for p in full.iterdir() if p.is_dir())
    if size >= len(batches) * BATCH:
        return full
    part = workdir / f"corpus_{size}"
    part.mkdir(exist_ok=True)
    for b in batches[: -(-size // BATCH)]:
        link = part / b.name
        if not link.exists():
            link.symlink_to(b, target_is_directory=True)
    return part


def run(sizes: list[int], engines: list[str], workdir: Path) -> str:
    from directives.synthetic import write_corpus

    full = workdir / f"corpus_{max(sizes)}"
    t = time.perf_counter()
    if not (full / "done").exists():
        shutil.rmtree(full, ignore_errors=True)
        write_corpus(max(sizes), full, seed=11, batch=BATCH)
        (full / "done").write_text("")
    print(f"corpus of {max(sizes):,} articles written in {time.perf_counter() - t:.0f} s", flush=True)
    store = workdir / "results.json"  # runs of other sizes or engines with this workdir join the table
    done = json.loads(store.read_text()) if store.exists() else {}
    for n in sorted(sizes):
        corpus = corpus_of(n, full, workdir)
        for engine in engines:
            cache = workdir / f"cache_{n}_{engine}"
            shutil.rmtree(cache, ignore_errors=True)
            cold = child(corpus, cache, engine)
            print(n, engine, "cold", json.dumps(cold), flush=True)
            warm = child(corpus, cache, engine)
            print(n, engine, "warm", json.dumps(warm), flush=True)
            if engine == "local":
                cmd = [sys.executable, __file__, "--key-stage", str(corpus), str(cache)]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                warm["key"] = json.loads(out.strip().splitlines()[-1])
                print(n, "key", json.dumps(warm["key"]), flush=True)
            shutil.rmtree(cache, ignore_errors=True)
            done.setdefault(str(n), {})[engine] = [cold, warm]
            store.write_text(json.dumps(done))
    rows = [(int(n), {e: done[n][e] for e in ("local", "dask") if e in done[n]}) for n in sorted(done, key=int)]
    return table(rows, sorted(int(n) for n in done), engines)


def table(rows, sizes, engines) -> str:
    lines = [
        f"Command: `python benchmarks/bench_scale.py --sizes {' '.join(map(str, sizes))} --engines {' '.join(engines)}`, "
        f"{platform.machine()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}. Seconds; peak memory of the "
        "whole process tree (driver, workers, nannies) sampled every 0.2 s.\n",
        "| articles | MB | partitions | engine | run | start (of which cluster) | load + clean + convert + segment | "
        "count | TF-IDF | total | CPU s of the tree | peak tree MB | time / local | results |",
        "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    for _n, results in rows:
        local = results.get("local")
        for engine, (cold, warm) in results.items():
            for run_name, r in (("cold", cold), ("warm", warm)):
                ref = local[0 if run_name == "cold" else 1] if local else None
                ratio = f"{r['total_s'] / ref['total_s']:.2f}x" if ref and engine != "local" else ""
                same = ""
                if ref and engine != "local":
                    keys = ("dataset_digest", "counts_digest", "tfidf_digest")
                    same = "identical" if all(r[k] == ref[k] for k in keys) else "DIFFERENT"
                tree_cpu = f"{r['tree_cpu_s']:.0f}" if "tree_cpu_s" in r else "–"
                lines.append(
                    f"| {r['articles']:,} | {r['mb']:.0f} | {r['partitions']} | {engine} | {run_name} | "
                    f"{r['start_s']:.1f} ({r['cluster_s']:.1f}) | {r['build_s']:.1f} | {r['count_s']:.1f} | "
                    f"{r['tfidf_s']:.1f} | {r['total_s']:.1f} | {tree_cpu} | {r['peak_tree_mb']:,.0f} | {ratio} | "
                    f"{same} |"
                )
    cpu_lines = []
    for n, results in rows:
        for engine, (cold, _) in results.items():
            c = cold["cpu"]
            if c:
                other = f"{c['other_threads']:.0f}" if "other_threads" in c else "–"
                cpu_lines.append(f"| {n:,} | {engine} | {c['load_clean_convert']:.0f} | {c['segment']:.0f} | "
                                 f"{c['write']:.0f} | {other} | {cold['terms']:,} | {cold['nnz']:,} |")  # fmt: skip
    key_lines = [
        f"| {n:,} | {k['files']:,} | {k['listing_s']:.1f} | {k['every_s']:.1f} | {k['index_s']:.1f} | "
        f"{k['every_s'] / k['index_s']:.1f}x | {k['index_mb']:.0f} |"
        for n, results in rows
        if "local" in results and (k := results["local"][1].get("key"))
    ]
    if key_lines:
        lines += ["", "The cache key after the warm run, in one process (median of 3; the files are in the page "
                  "cache then, so reading them costs less than on a first run):", "",
                  "| articles | files | listing | key reading every file | key from the file index | ratio | "
                  "index MB |", "|---:|---:|---:|---:|---:|---:|---:|", *key_lines]  # fmt: skip
    if cpu_lines:
        lines += ["", "| articles | engine | worker CPU s: load + clean + convert | segment | write Parquet | "
                  "of these, the worker's other threads | terms | TF-IDF non-zeros |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|", *cpu_lines]  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", nargs=3)
    ap.add_argument("--key-stage", nargs=2)
    ap.add_argument("--sizes", nargs="+", type=int, default=[100_000, 1_000_000])
    ap.add_argument("--engines", nargs="+", default=["local", "dask"], choices=["local", "dask"])
    ap.add_argument(
        "--workdir", type=Path, help="where the corpus and caches go (default: a temporary folder, removed)"
    )
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--table-only", action="store_true", help="the table of the runs recorded in --workdir")
    a = ap.parse_args()
    if a.stage:
        print(json.dumps(stage_run(*a.stage)))
        return
    if a.key_stage:
        print(json.dumps(key_run(*a.key_stage)))
        return
    if a.table_only:
        done = json.loads((a.workdir / "results.json").read_text())
        rows = [(int(n), {e: done[n][e] for e in ("local", "dask") if e in done[n]}) for n in sorted(done, key=int)]
        result = table(rows, sorted(int(n) for n in done), a.engines)
        print(result)
        if not a.no_readme:
            write_results("scale", result, SCALE_HEADING)
        return
    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = run(a.sizes, a.engines, workdir)
    finally:
        if a.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(result)
    if not a.no_readme:
        write_results("scale", result, SCALE_HEADING)


if __name__ == "__main__":
    main()
