"""Benchmark near-copies (notebook 07): time and memory at 10,000 and 100,000 articles beside the simple version
and a naive all-pairs baseline, and recall, precision and direction on planted near-copies of People's Daily
sentences.

    .venv/bin/python benchmarks/bench_echoes.py [--sizes 10000 100000] [--reference-up-to 10000] [--naive 100]

The corpus (``directives.synthetic.relay_corpus``, needs ../shared/corpora): articles of about 1,000 characters
written by a word-bigram model of People's Daily (October 2019), so that the vocabulary, word frequencies and
common phrases are those of real news while no two articles share a sentence by construction, and relayed
passages: two or three consecutive real People's Daily sentences carried by a source article and repeated, each
character edited at 5%, by 1 to 50 later articles (Zipf), until 30% of the articles repeat one. Each size is
written to a temporary Parquet file by one process, then read by a fresh process per method, which times
``near_copies`` (wall and CPU seconds) and reports the peak resident memory of that process (the corpus loaded
included); recall and precision are of the relayed passages (``directives.echoes.score_planted``).
``near_copies_reference`` is the simple version (every n-gram and pair in memory at once), run up to
``--reference-up-to`` articles. The baseline aligns every pair of ``--naive`` articles whole with ``difflib``
and keeps matching blocks of at least 20 characters: the quadratic method the index avoids. The planted corpus
(``plant_near_copies``: 1,000 documents of distinct People's Daily sentences, 300 passages copied into later
documents with each character edited at the rate shown) measures accuracy under heavier edits. Results go into
benchmarks/README.md between the echoes markers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _readme import write_results  # benchmarks/_readme.py: one way to write results


def make(n: int, folder: str) -> dict:
    from directives import evaluate
    from directives.synthetic import relay_corpus

    t = time.perf_counter()
    docs, truth = relay_corpus(evaluate.peoples_daily_sentences(), n, rate=0.05, seed=13)
    docs.to_parquet(Path(folder) / f"docs{n}.parquet")
    truth.to_parquet(Path(folder) / f"truth{n}.parquet")
    return {"n": n, "seconds": time.perf_counter() - t, "mchars": docs.text.str.len().sum() / 1e6,
            "relayed": int(truth.plant.nunique()), "copies": len(truth)}  # fmt: skip


def stage(n: int, folder: str, method: str) -> dict:
    import pandas as pd
    from directives import echoes

    docs = pd.read_parquet(Path(folder) / f"docs{n}.parquet")
    truth = pd.read_parquet(Path(folder) / f"truth{n}.parquet")
    run = echoes.near_copies if method == "near_copies" else echoes.near_copies_reference
    cpu = time.process_time()
    t = time.perf_counter()
    pairs = run(docs)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    score = echoes.score_planted(docs, truth, pairs)
    pairs.to_parquet(Path(folder) / f"pairs{n}_{method}.parquet")
    return {"n": n, "seconds": seconds, "cpu": cpu, "peak_mb": peak, "pairs": len(pairs), **score}


def naive(n: int) -> dict:
    import difflib

    from directives import evaluate
    from directives.echoes import near_copies
    from directives.reuse import normalise_for_reuse
    from directives.synthetic import relay_corpus

    df, _ = relay_corpus(evaluate.peoples_daily_sentences(), n, rate=0.05, seed=13)
    norm = [normalise_for_reuse(t)[0] for t in df.text]
    t = time.perf_counter()
    linked = set()
    for i in range(n):
        for j in range(i + 1, n):
            sm = difflib.SequenceMatcher(None, norm[i], norm[j], autojunk=False)
            if any(b.size >= 20 for b in sm.get_matching_blocks()):
                linked.add((i, j))
    seconds = time.perf_counter() - t
    t = time.perf_counter()
    pairs = near_copies(df)
    indexed = time.perf_counter() - t
    ids = {d: i for i, d in enumerate(df.doc_id)}
    found = {tuple(sorted((ids[a], ids[b]))) for a, b in zip(pairs.doc_a, pairs.doc_b, strict=True)}
    return {"n": n, "seconds": seconds, "pairs": len(linked), "indexed": indexed,
            "covered": len(linked & found) / max(len(linked), 1)}  # fmt: skip


def planted(rate: float) -> dict:
    from directives import evaluate
    from directives.echoes import echoes, near_copies, score_planted
    from directives.synthetic import plant_near_copies

    sentences = evaluate.peoples_daily_sentences()
    docs, truth = plant_near_copies(sentences, n_docs=1000, n_plants=300, rate=rate, seed=1)
    t = time.perf_counter()
    pairs = near_copies(docs)
    found = echoes(docs, pairs=pairs)
    return {"rate": rate, "seconds": time.perf_counter() - t, **score_planted(docs, truth, pairs, found)}


def run(*args: str) -> dict:
    res = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def same(folder: str, n: int) -> bool:
    import pandas as pd

    a, b = (pd.read_parquet(Path(folder) / f"pairs{n}_{m}.parquet") for m in ("near_copies", "reference"))
    return a.equals(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--make", type=int)
    ap.add_argument("--stage", type=int)
    ap.add_argument("--method", default="near_copies")
    ap.add_argument("--folder")
    ap.add_argument("--naive-stage", type=int)
    ap.add_argument("--planted-stage", type=float)
    ap.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    ap.add_argument("--reference-up-to", type=int, default=10_000)
    ap.add_argument("--naive", type=int, default=100)
    a = ap.parse_args()
    if a.make:
        print(json.dumps(make(a.make, a.folder)))
        return
    if a.stage:
        print(json.dumps(stage(a.stage, a.folder, a.method)))
        return
    if a.naive_stage:
        print(json.dumps(naive(a.naive_stage)))
        return
    if a.planted_stage is not None:
        print(json.dumps(planted(a.planted_stage)))
        return
    from directives import evaluate

    if not evaluate.PEOPLES_DAILY.is_file():
        sys.exit("bench_echoes needs ../shared/corpora (People's Daily) beside the clone")
    command = " ".join([sys.executable.split("/")[-1], "benchmarks/bench_echoes.py", *sys.argv[1:]])
    load = os.getloadavg()[0]
    lines = [f"Command: `{command}`, {os.cpu_count()} cores (load average {load:.1f} at the start), "
             f"{time.strftime('%Y-%m-%d')}.\n",
             "| articles | million characters | relayed passages (copies) | method | seconds (CPU seconds) | "
             "peak memory (MB) | pairs of passages | recall | precision |",
             "|---:|---:|---:|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    notes = []
    with tempfile.TemporaryDirectory(prefix="bench_echoes_") as folder:
        for n in a.sizes:
            made = run("--make", str(n), "--folder", folder)
            methods = ["near_copies"] + (["reference"] if n <= a.reference_up_to else [])
            results = {m: run("--stage", str(n), "--folder", folder, "--method", m) for m in methods}
            for m, r in results.items():
                lines.append(f"| {n:,} | {made['mchars']:.1f} | {made['relayed']:,} ({made['copies']:,}) | "
                             f"`{'near_copies' if m == 'near_copies' else 'near_copies_reference'}` | "
                             f"{r['seconds']:.1f} ({r['cpu']:.1f}) | {r['peak_mb']:,.0f} | {r['pairs']:,} | "
                             f"{r['recall']:.3f} | {r['precision']:.3f} |")  # fmt: skip
            if len(results) == 2:
                new, ref = results["near_copies"], results["reference"]
                notes.append(f"At {n:,} articles `near_copies` took {new['seconds'] / ref['seconds']:.2f}× the time "
                             f"and {new['peak_mb'] / ref['peak_mb']:.2f}× the peak memory of the simple version, "
                             f"with {'the same rows' if same(folder, n) else 'DIFFERENT rows'}.")  # fmt: skip
    r = run("--naive-stage", str(a.naive))
    lines += ["", *notes, "",
              f"Naive baseline on {a.naive} articles: every pair aligned whole (difflib) in {r['seconds']:.1f} s, "
              f"{r['pairs']:,} pairs of articles sharing a block of 20 characters or more; near_copies on the same "
              f"articles {r['indexed']:.2f} s, finding {r['covered']:.1%} of those pairs."]  # fmt: skip
    lines += ["", "| planted edit rate | planted copies | pairs found | recall | precision | source right | seconds |",
              "|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for rate in (0.0, 0.05, 0.10, 0.15):
        r = run("--planted-stage", str(rate))
        lines.append(f"| {rate:.0%} | {r['planted']} | {r['found']} | {r['recall']:.3f} | {r['precision']:.3f} "
                     f"| {r['direction']:.3f} | {r['seconds']:.1f} |")  # fmt: skip
    table = "\n".join(lines)
    print(table)
    write_results("echoes", table)


if __name__ == "__main__":
    main()
