"""Benchmark notebook 08 at scale: topic models, the choice of k, prevalence, dictionary coding and the term network.

    .venv/bin/python benchmarks/bench_topics.py [--sizes 10000 100000] [--lda-max 10000]

For each size: synthetic articles (``directives.synthetic.make_articles``, 50 topics, 10 regions) segmented once
in a first subprocess and written as Parquet (not timed: see bench_pipeline.py); a second, fresh subprocess reads
them and times each step. Its peak RSS is the memory of the steps with the corpus's text and tokens loaded. LDA
is timed up to ``--lda-max`` articles. Results go into benchmarks/README.md between the topics markers.
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

K = 20


def prepare(n: int, path: str) -> None:
    import warnings

    warnings.simplefilter("ignore")
    from directives.synthetic import make_articles
    from directives.tokens import add_tokens

    df = add_tokens(make_articles(n, seed=11).rename(columns={"text": "text_simplified"}), cache_dir=None)
    df.to_parquet(path)


def stage(path: str, lda: bool) -> dict:
    import warnings

    warnings.simplefilter("ignore")
    import pandas as pd
    from directives.coding import code_dictionary, codes_by_unit, term_network
    from directives.topics import TopicModel, choose_k, topic_prevalence

    df = pd.read_parquet(path)
    of = df.set_index("doc_id")["region"]
    out = {"n": len(df)}
    t = time.perf_counter()
    model = TopicModel(k=K, seed=0).fit(df)
    out["nmf"], out["terms"] = time.perf_counter() - t, len(model.vocabulary_)
    out["rss_nmf_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    model.summary()
    topic_prevalence(model, of)
    out["prevalence"] = time.perf_counter() - t
    t = time.perf_counter()
    out["k"] = int(choose_k(df, ks=(5, 8, 10, 12, 15)).query("chosen").k.iloc[0])
    out["choose"] = time.perf_counter() - t
    if lda:
        t = time.perf_counter()
        TopicModel(k=K, method="lda", seed=0).fit(df)
        out["lda"] = time.perf_counter() - t
    t = time.perf_counter()
    codes = code_dictionary(df)
    codes_by_unit(codes, of)
    out["dictionary"] = time.perf_counter() - t
    out["matches"] = int(codes["count"].sum())
    t = time.perf_counter()
    term_network(df)
    out["network"] = time.perf_counter() - t
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prepare", nargs=2)
    ap.add_argument("--stage")
    ap.add_argument("--lda", action="store_true")
    ap.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    ap.add_argument("--lda-max", type=int, default=10_000)
    a = ap.parse_args()
    if a.prepare:
        prepare(int(a.prepare[0]), a.prepare[1])
        return
    if a.stage:
        print(json.dumps(stage(a.stage, a.lda)))
        return
    lines = [f"Command: `{' '.join(['python', 'benchmarks/bench_topics.py', *sys.argv[1:]])}`, "
             f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; seconds per step, k = {K} unless chosen.\n",
             "| articles | terms kept | NMF fit | LDA fit (3 starts up to 5,000 articles, 1 above) | choose k on a sample of 1,500 (k chosen) "
             "| summary + prevalence by region (bootstrap) | dictionary coding (matches) | term network "
             "| peak RSS MB (after the NMF fit / at the end) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for n in a.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "tokens.parquet")
            subprocess.run([sys.executable, __file__, "--prepare", str(n), path], check=True, capture_output=True)
            cmd = [sys.executable, __file__, "--stage", path, *(["--lda"] if n <= a.lda_max else [])]
            res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        lda = f"{r['lda']:.1f}" if "lda" in r else "–"
        lines.append(f"| {n:,} | {r['terms']:,} | {r['nmf']:.1f} | {lda} | {r['choose']:.1f} ({r['k']}) "
                     f"| {r['prevalence']:.1f} | {r['dictionary']:.1f} ({r['matches']:,}) | {r['network']:.1f} "
                     f"| {r['rss_nmf_mb']:,.0f} / {r['rss_mb']:,.0f} |")  # fmt: skip
        print(lines[-1], flush=True)
    table = "\n".join(lines)
    print(table)
    write_results("topics", table)


if __name__ == "__main__":
    main()
