"""The whole notebook collection at scale: ``python -m directives.report`` on a synthetic corpus, with the wall
time of each notebook and the peak resident memory of each notebook's kernel.

    make bench                                                   # 100,000 articles
    .venv/bin/python benchmarks/bench_notebooks.py --sizes 100000 --workdir /tmp/bench-nb

The corpus is written streaming (``directives.synthetic.write_corpus``, batches of 10,000 ``.txt`` files with
their ``metadata.csv``); the collection runs in a fresh subprocess with its own empty cache folder (so the
partitioned dataset is built, before any notebook starts: the cold run), then again on the same cache (warm). The
driver samples every 0.25 s the process tree of the run: each Jupyter kernel's own resident memory (and that of
its children, the worker processes it starts), keeping the peak of each kernel; a kernel is matched to its
notebook by the ``DIRECTIVES_NOTEBOOK`` in its environment. A notebook's time is the one its ``ran`` line gives
(kernel start, the notebook, its HTML export); the dataset's, the one its ``built`` line gives, with the peak of
the whole process tree while it was built. The notebooks run two at a time (the runner's default on two cores),
so their times overlap and the total is the wall time of the whole run. Results are
printed and written into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _readme import write_results
from bench_scale import tree_rss

HEADING = """## The notebook collection at scale (bench_notebooks.py)

The eight notebooks run by `python -m directives.report` on a synthetic corpus, cold (an empty cache: the
partitioned dataset is built before any notebook starts, the `dataset` column) and warm (the same cache). The
notebooks run two at a time, longest first (`directives.report`'s default on two cores): the total is the wall time, each notebook's
seconds are its own (kernel start, run, HTML export; they overlap), and the peak resident memory of each notebook's kernel (with, in brackets, its worker
processes added). Targets of issue 19 at 100,000 articles: the whole collection under 5 minutes, no kernel
above 4 GB."""


def _cpu(proc) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def _kernels(pid: int, cpu: dict[int, float]) -> dict[int, tuple[str, int, int]]:
    """Each Jupyter kernel under ``pid``: the notebook it runs (its ``DIRECTIVES_NOTEBOOK``), its own RSS and the
    RSS of its subtree. ``cpu`` gets the CPU seconds of every process of the tree seen so far (kernels and their
    workers), by pid."""
    import psutil

    out = {}
    try:
        procs = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return out
    for p in procs:
        try:
            cpu[p.pid] = max(cpu.get(p.pid, 0.0), _cpu(p))
            if "ipykernel_launcher" not in " ".join(p.cmdline()):
                continue
            if "ipykernel_launcher" in " ".join(p.parent().cmdline()):  # a worker forked by a kernel
                continue
            own = p.memory_info().rss
            tree = own
            for c in p.children(recursive=True):
                try:
                    tree += c.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            out[p.pid] = (p.environ().get("DIRECTIVES_NOTEBOOK", "?")[:2], own, tree)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return out


def run_collection(corpus: Path, out: Path, cache: Path) -> dict:
    """Run the collection in a subprocess; return the total, each notebook's seconds and each kernel's peak."""
    env = {**os.environ, "DIRECTIVES_QUIET": "1", "DIRECTIVES_CACHE": str(cache), "DIRECTIVES_CACHE_MAX_GB": "50"}
    cmd = [sys.executable, "-m", "directives.report", "--seeds", str(corpus), "--out", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[tuple[float, str]] = []
    errors: list[str] = []

    def read(stream, into, stamp):
        for line in stream:
            into.append((time.perf_counter() - t0, line.rstrip()) if stamp else line)

    threads = [threading.Thread(target=read, args=(proc.stdout, lines, True), daemon=True),
               threading.Thread(target=read, args=(proc.stderr, errors, False), daemon=True)]  # fmt: skip
    for t in threads:
        t.start()
    peaks: dict[int, list] = {}
    cpu: dict[int, float] = {}
    load = [os.getloadavg()[0]]
    build_peak = 0
    while proc.poll() is None:
        load.append(os.getloadavg()[0])
        if not any(line.startswith(("built ", "ran ")) for _t, line in lines):  # the dataset is being built
            build_peak = max(build_peak, tree_rss(proc.pid))
        for pid, (name, own, tree) in _kernels(proc.pid, cpu).items():
            peak = peaks.setdefault(pid, [name, 0, 0])
            peak[1], peak[2] = max(peak[1], own), max(peak[2], tree)
        time.sleep(0.25)
    total = time.perf_counter() - t0
    for t in threads:
        t.join()
    if proc.returncode:
        raise RuntimeError(f"the collection failed:\n{''.join(errors)[-3000:]}")
    ran = [(t, line.split()) for t, line in lines if line.startswith("ran ")]  # ran NAME in S s -> HTML
    times = {words[1][:2]: float(words[3]) for _t, words in ran}
    for _t, line in lines:  # built the dataset of NAME in S s: before any notebook starts
        if line.startswith("built the dataset of "):
            times["dataset"] = float(line.split()[-2])
    last = max((t for t, _w in ran), default=0.0)
    memory: dict[str, tuple[float, float]] = {}
    for name, own, tree in peaks.values():
        before = memory.get(name, (0.0, 0.0))
        memory[name] = (max(before[0], own / 1e6), max(before[1], tree / 1e6))
    if "dataset" in times:  # the whole tree while the dataset was built (the report's process, its lanes, workers)
        memory["dataset"] = (build_peak / 1e6, build_peak / 1e6)
    import statistics

    return {"total_s": total, "notebooks": times, "memory_mb": memory, "index_s": total - last,
            "cpu_s": sum(cpu.values()), "load": statistics.median(load)}  # fmt: skip


def corpus_mb(corpus: Path) -> float:
    if corpus.is_file():
        return corpus.stat().st_size / 1e6
    return sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file()) / 1e6


def table(results: dict) -> str:
    lines = [
        f"Command: `python benchmarks/bench_notebooks.py --sizes {' '.join(k for k in results if k != 'seeds')}`, "
        f"{platform.machine()}, {os.cpu_count()} cores (shared), {time.strftime('%Y-%m-%d')}. Seconds; peak RSS "
        "of each notebook's kernel in MB (with its worker processes in brackets).\n",
    ]
    for runs in results.values():
        names = sorted(runs["cold"]["notebooks"])
        built = (
            "cold: the partitioned dataset built before the notebooks start (the dataset column: its seconds and "
            "the whole process tree's peak while it was built)"
            if runs.get("dataset") != "reused"
            else (
                "cold: the partitioned dataset already built (its build is benchmarked by bench_scale.py), everything "
                "else computed"
            )
        )
        lines.append(f"**{runs['label']}** ({runs['mb']:,.0f} MB; {built}; warm: the same cache again)\n")
        lines.append("| run | total | " + " | ".join(names) + " | index | largest kernel MB | CPU s | load |")
        lines.append("|---|---:|" + "---:|" * len(names) + "---:|---:|---:|---:|")
        for run in ("cold", "warm"):
            if run not in runs:
                continue
            r = runs[run]
            cells = [f"{r['notebooks'][n]:.0f} s · {r['memory_mb'][n][0]:,.0f} ({r['memory_mb'][n][1]:,.0f})"
                     if n in r["memory_mb"] else f"{r['notebooks'][n]:.0f} s" for n in names]  # fmt: skip
            largest = max((m[0] for n, m in r["memory_mb"].items() if n != "dataset"), default=0)
            lines.append(f"| {run} | {r['total_s']:.0f} s | " + " | ".join(cells)
                         + f" | {r['index_s']:.0f} s | {largest:,.0f} | {r.get('cpu_s', 0):,.0f} | "
                         f"{r.get('load', 0):.1f} |")  # fmt: skip
        lines.append("")
    return "\n".join(lines).rstrip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", type=int, default=[100_000])
    ap.add_argument("--seeds", action="store_true", help="also run the collection on the seeds (small run)")
    ap.add_argument("--workdir", type=Path, help="where the corpus, caches and outputs go (default: temporary)")
    ap.add_argument("--no-warm", action="store_true", help="only the cold run")
    ap.add_argument("--reuse-dataset", action="store_true",
                    help="keep a partitioned dataset already built in --workdir's cache (the cold run then starts "
                         "from the dataset: every other cache entry is removed)")  # fmt: skip
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--table-only", action="store_true", help="the table of the runs recorded in --workdir")
    a = ap.parse_args()
    if a.table_only:
        result = table(json.loads((a.workdir / "results.json").read_text()))
        print(result)
        if not a.no_readme:
            write_results("notebooks", result, HEADING)
        return
    from directives import paths
    from directives.synthetic import write_corpus

    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="bench-notebooks-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    try:
        corpora = [("seeds", paths.SEEDS_DIR, "the seeds")] if a.seeds else []
        for n in a.sizes:
            corpus = workdir / f"corpus_{n}"
            if not (corpus / "done").exists():
                shutil.rmtree(corpus, ignore_errors=True)
                t = time.perf_counter()
                write_corpus(n, corpus, seed=11, batch=10_000)
                (corpus / "done").write_text("")
                print(f"corpus of {n:,} articles written in {time.perf_counter() - t:.0f} s", flush=True)
            corpora.append((str(n), corpus, f"{n:,} synthetic articles"))
        for key, corpus, label in corpora:
            cache = workdir / f"cache_{key}"
            runs = {"label": label, "mb": corpus_mb(corpus)}
            for entry in cache.iterdir() if cache.is_dir() else ():
                if not (a.reuse_dataset and entry.name.startswith("dataset-")):
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            runs["dataset"] = "reused" if a.reuse_dataset and any(cache.glob("dataset-*")) else "built"
            for run in ("cold",) if a.no_warm else ("cold", "warm"):
                runs[run] = run_collection(corpus, workdir / f"out_{key}_{run}", cache)
                print(key, run, json.dumps(runs[run]), flush=True)
            results[key] = runs
        (workdir / "results.json").write_text(json.dumps(results))
    finally:
        if a.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    result = table(results)
    print(result)
    if not a.no_readme:
        write_results("notebooks", result, HEADING)


if __name__ == "__main__":
    main()
