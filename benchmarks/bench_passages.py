"""Benchmark shared-passage detection (suffix array + LCP) on the synthetic corpus of bench_pipeline.py.

    .venv/bin/python benchmarks/bench_passages.py [--sizes 1000 10000]

Each size runs in a fresh subprocess (peak RSS is that run's). There is no naive baseline to compare with
(pairwise difflib would take days at 10,000 articles); the table gives seconds, MB/s and what was found.
Results go into benchmarks/README.md between the passages markers.
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
    from directives.reuse import shared_passages
    from directives.synthetic import make_articles

    df = make_articles(n, seed=11).rename(columns={"text": "text_simplified"})
    mb = df.text_simplified.str.len().sum() * 3 / 1e6
    t = time.perf_counter()
    sp = shared_passages(df, min_chars=8)
    return {
        "n": n, "mb": float(mb), "s": time.perf_counter() - t, "passages": len(sp),
        "max_docs": int(sp.n_docs.max()) if len(sp) else 0,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", type=int)
    ap.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000])
    a = ap.parse_args()
    if a.stage:
        print(json.dumps(stage(a.stage)))
        return
    lines = [f"Command: `{' '.join([sys.executable.split('/')[-1], 'benchmarks/bench_passages.py', *sys.argv[1:]])}`, "
             f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}.\n",
             "| articles | MB | seconds | MB/s | maximal shared passages (≥ 8 characters) | most documents sharing one | peak RSS MB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for n in a.sizes:
        out = subprocess.run([sys.executable, __file__, "--stage", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        lines.append(f"| {n:,} | {r['mb']:.0f} | {r['s']:.1f} | {r['mb'] / r['s']:.1f} | {r['passages']:,} | "
                     f"{r['max_docs']:,} | {r['rss_mb']:.0f} |")  # fmt: skip
    table = "\n".join(lines)
    print(table)
    write_results("passages", table)


if __name__ == "__main__":
    main()
