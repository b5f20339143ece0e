"""Benchmark near-copies (notebook 07): time and memory at growing sizes, a naive all-pairs baseline, and recall,
precision and direction on planted near-copies of People's Daily sentences.

    .venv/bin/python benchmarks/bench_echoes.py [--sizes 1000 10000 100000] [--naive 100]

For each size: synthetic articles (``directives.synthetic.make_articles``: sentences of the seed articles mixed
with Zipf-sampled words, so articles share many passages), through ``directives.echoes.near_copies`` in a fresh
process (seconds, peak resident memory). The baseline aligns every pair of ``--naive`` articles whole with
``difflib`` and keeps matching blocks of at least 20 characters: the quadratic method the index avoids. The
planted corpus (``plant_near_copies``: 1,000 documents of distinct People's Daily sentences, 300 passages
copied into later documents with each character edited at the rate shown) needs ../shared/corpora. Results go
into benchmarks/README.md between the echoes markers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from _readme import write_results  # benchmarks/_readme.py: one way to write results


def stage(n: int) -> dict:
    from directives.echoes import near_copies
    from directives.synthetic import make_articles

    df = make_articles(n, seed=13)
    df["text_simplified"] = df["text"]
    t = time.perf_counter()
    pairs = near_copies(df)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {"n": n, "mchars": df.text.str.len().sum() / 1e6, "seconds": seconds, "pairs": len(pairs),
            "docs": len(set(pairs.doc_a) | set(pairs.doc_b)), "peak_mb": peak}  # fmt: skip


def naive(n: int) -> dict:
    import difflib

    from directives.echoes import near_copies
    from directives.reuse import normalise_for_reuse
    from directives.synthetic import make_articles

    df = make_articles(n, seed=13)
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
    pairs = near_copies(df.assign(text_simplified=df.text))
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", type=int)
    ap.add_argument("--naive-stage", type=int)
    ap.add_argument("--planted-stage", type=float)
    ap.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000])
    ap.add_argument("--naive", type=int, default=100)
    a = ap.parse_args()
    if a.stage:
        print(json.dumps(stage(a.stage)))
        return
    if a.naive_stage:
        print(json.dumps(naive(a.naive_stage)))
        return
    if a.planted_stage is not None:
        print(json.dumps(planted(a.planted_stage)))
        return
    command = " ".join([sys.executable.split("/")[-1], "benchmarks/bench_echoes.py", *sys.argv[1:]])
    lines = [f"Command: `{command}`, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}.\n",
             "| articles | million characters | near_copies (s) | peak memory (MB) | pairs of passages | articles in a pair |",
             "|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for n in a.sizes:
        r = run("--stage", str(n))
        lines.append(f"| {n:,} | {r['mchars']:.1f} | {r['seconds']:.1f} | {r['peak_mb']:,.0f} | {r['pairs']:,} "
                     f"| {r['docs']:,} |")  # fmt: skip
    r = run("--naive-stage", str(a.naive))
    lines += ["", f"Naive baseline on {a.naive} articles: every pair aligned whole (difflib) in {r['seconds']:.1f} s, "
              f"{r['pairs']:,} pairs of articles sharing a block of 20 characters or more; near_copies on the same "
              f"articles {r['indexed']:.2f} s, finding {r['covered']:.1%} of those pairs."]  # fmt: skip
    from directives import evaluate

    if evaluate.PEOPLES_DAILY.is_file():
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
