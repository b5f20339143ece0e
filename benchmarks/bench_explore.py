"""Benchmark the explorers of ``directives.explore`` on a large corpus: the index built once, then the time of
one answer of the term explorer and of the article viewer.

    .venv/bin/python benchmarks/bench_explore.py [--sizes 100000]

For each size: synthetic articles (``directives.synthetic.make_articles``; raw text = the generated text, so
the article viewer replays the whole cleaning) segmented in a first subprocess and written as Parquet (not
timed: see bench_pipeline.py); a second, fresh subprocess reads them, builds the :class:`ExploreIndex` (each
part timed) and answers terms and articles. Beside the term explorer's count (one RE2 pass of
``pyarrow.compute``) it times the naive way, Python's ``re`` over every text, on the same corpus. Results go
into benchmarks/README.md between the explore markers.
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

TERMS = [("意识", False), ("疫情防控", False), ("压实|压紧", True), ("第[一二三四五]", True), ("不存在的词语", False)]


def prepare(n: int, path: str) -> None:
    import warnings

    warnings.simplefilter("ignore")
    import pandas as pd
    from directives.synthetic import make_articles
    from directives.tokens import add_tokens

    df = make_articles(n, seed=11)
    df = df.assign(text_raw=df.text, text_simplified=df.text, date=pd.to_datetime(df.date))
    df["n_han"] = df.text.str.count(r"[\u4e00-\u9fff]")
    add_tokens(df, cache_dir=None).to_parquet(path)


def stage(path: str) -> dict:
    import re
    import warnings

    warnings.simplefilter("ignore")
    import numpy as np
    import pandas as pd
    from directives.explore import ExploreIndex, article_report, term_report

    df = pd.read_parquet(path)
    out = {"n": len(df), "mb": df.text_simplified.str.len().sum() * 3 / 1e6}
    index = ExploreIndex(df)
    for part in ("texts", "units", "unit_labels", "periods", "labels", "token_totals", "model"):
        t = time.perf_counter()
        getattr(index, part)
        out[f"build_{part}"] = time.perf_counter() - t
    out["terms"] = []
    for term, regex in TERMS:
        t = time.perf_counter()
        r = term_report(index, term, regex=regex)
        seconds = time.perf_counter() - t
        rx = re.compile(term if regex else re.escape(term))
        t = time.perf_counter()
        fast = index.counts(rx)
        fast_s = time.perf_counter() - t
        t = time.perf_counter()
        naive = np.array([len(rx.findall(s)) for s in df.text_simplified])
        naive_s = time.perf_counter() - t
        same = bool((fast == naive).all()) and int(naive.sum()) == int(r["dispersion"]["matches"].sum())
        out["terms"].append({"term": term, "regex": regex, "seconds": seconds, "count": fast_s, "naive_count": naive_s,
                             "matches": int(naive.sum()), "articles": int((naive > 0).sum()), "same": bool(same)})  # fmt: skip
    out["articles"] = []
    rng = np.random.default_rng(0)
    for doc in df.doc_id.to_numpy()[rng.choice(len(df), 5, replace=False)]:
        t = time.perf_counter()
        r = article_report(index, doc)
        out["articles"].append({"doc_id": doc, "seconds": time.perf_counter() - t, "changes": len(r["changes"]),
                                "shared": len(r["shared"])})  # fmt: skip
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.sizes[0], args.prepare)
        return
    if args.stage:
        print(json.dumps(stage(args.stage)))
        return
    env = {**os.environ, "DIRECTIVES_QUIET": "1"}
    me = [sys.executable, str(Path(__file__).resolve())]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = str(Path(tmp) / f"explore_{n}.parquet")
            subprocess.run([*me, "--sizes", str(n), "--prepare", path], check=True, env=env)
            done = subprocess.run([*me, "--stage", path], check=True, env=env, capture_output=True, text=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    lines = [
        f"Command: `python benchmarks/bench_explore.py --sizes {' '.join(map(str, args.sizes))}`, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; seconds.",
        "",
        "| articles | MB | index: text (Arrow) | units + periods + labels | token totals | TF-IDF model | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['n']:,} | {r['mb']:.0f} | {r['build_texts']:.1f} | "
            f"{r['build_units'] + r['build_unit_labels'] + r['build_periods'] + r['build_labels']:.1f} | {r['build_token_totals']:.1f} | "
            f"{r['build_model']:.1f} | {r['rss_mb']:,.0f} |"
        )
    lines += [
        "",
        "| articles | term explorer: term | matches (articles) | whole answer | of which the count (RE2) "
        "| naive count (Python `re`) | ratio of counts | same counts |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        for t in r["terms"]:
            name = f"`{t['term']}`" + (" (regex)" if t["regex"] else "")
            lines.append(
                f"| {r['n']:,} | {name} | {t['matches']:,} ({t['articles']:,}) | {t['seconds']:.2f} | "
                f"{t['count']:.2f} | {t['naive_count']:.2f} | {t['naive_count'] / t['count']:.1f}× | {'yes' if t['same'] else 'NO'} |"
            )
    lines += [
        "",
        "| articles | article viewer: article | changes | passages shared | seconds |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in results:
        for a in r["articles"]:
            lines.append(f"| {r['n']:,} | {a['doc_id']} | {a['changes']} | {a['shared']} | {a['seconds']:.2f} |")
    table = "\n".join(lines)
    print(table)
    heading = (
        "## Explorers (bench_explore.py)\n\n"
        "The term explorer and the article viewer of `directives.explore` on synthetic articles: the index built\n"
        "once per corpus (each part when first needed), then one answer each. A term's whole answer (counts in\n"
        "every article by one RE2 pass, keywords in context, dispersion, use over time, collocates) beside the\n"
        "naive count alone (Python `re` over every text); an article's whole answer (metadata, cleaning replayed\n"
        "and marked, nearest neighbours by one sparse product, passages shared among its 20 nearest neighbours)."
    )
    write_results("explore", table, heading)


if __name__ == "__main__":
    main()
