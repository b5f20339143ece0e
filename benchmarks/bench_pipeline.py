"""Benchmark the pipeline at growing corpus sizes against the naive baseline, side by side.

    make bench                                   # 1k, 10k and 100k articles
    .venv/bin/python benchmarks/bench_pipeline.py --sizes 1000 10000

For each size a synthetic corpus (seed sentences mixed with Zipf-sampled dictionary words; seeded) is
written as .txt files to a temporary folder. Each measured run is a fresh subprocess, so peak memory
(RSS of the process and, separately, of its largest worker) belongs to that run alone. The naive
baseline (``df.text.apply(jieba.lcut)``, ``TfidfVectorizer``, ``cosine_similarity`` on the full matrix)
is measured in the same run up to ``--baseline-max`` articles and scaled linearly above (marked ~).
Results are printed as a table and written into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _readme import write_results  # benchmarks/_readme.py: one way to write results

HERE = Path(__file__).resolve().parent


def _peaks() -> dict:
    return {
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


# --------------------------------------------------------------------------- stages (run in a child)
def stage_pipeline(corpus: str, cache: str) -> dict:
    t0 = time.perf_counter()
    from directives import load_corpus
    from directives.tfidf import tfidf_vectors
    from directives.tokens import add_tokens

    t_import = time.perf_counter()
    df = load_corpus(corpus, cache_dir=Path(cache))
    t_load = time.perf_counter()
    df = add_tokens(df, cache_dir=Path(cache))
    t_seg = time.perf_counter()
    X, vocab = tfidf_vectors(df, cache_dir=Path(cache))
    t_tfidf = time.perf_counter()
    mb = df.text_raw.str.len().sum() * 3 / 1e6  # about 3 bytes a character in UTF-8
    return {
        "articles": len(df), "mb": float(mb), "import_s": t_import - t0, "load_clean_convert_s": t_load - t_import,
        "segment_s": t_seg - t_load, "tfidf_s": t_tfidf - t_seg, "total_s": t_tfidf - t0,
        "vocabulary": len(vocab), "nnz": int(X.nnz), **_peaks(),
    }  # fmt: skip


def stage_neighbours(corpus: str, cache: str, exact: str) -> dict:
    from directives import load_corpus
    from directives.tfidf import nearest_neighbours
    from directives.tokens import add_tokens

    df = add_tokens(load_corpus(corpus, cache_dir=Path(cache)), cache_dir=Path(cache))
    t = time.perf_counter()
    nn = nearest_neighbours(df, k=10, exact={"auto": None, "yes": True, "no": False}[exact], cache_dir=Path(cache))
    out = {"neighbours_s": time.perf_counter() - t, **_peaks()}
    nn.to_parquet(Path(cache) / f"nn-{exact}.parquet")
    return out


def stage_baseline(corpus: str, full_cosine: str) -> dict:
    import jieba
    import pandas as pd
    from directives import load_corpus
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    df = load_corpus(corpus, cache_dir=None)
    t = time.perf_counter()
    jieba.initialize()
    tokens = df.text_simplified.apply(jieba.lcut)
    t_seg = time.perf_counter()
    X = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True).fit_transform(tokens)
    t_tfidf = time.perf_counter()
    out = {"segment_s": t_seg - t, "tfidf_s": t_tfidf - t_seg, "mb": float(df.text_raw.str.len().sum() * 3 / 1e6)}
    if full_cosine == "yes":
        t = time.perf_counter()
        cosine_similarity(X)
        out["cosine_full_s"] = time.perf_counter() - t
    out.update(_peaks())
    del pd
    return out


def stage_throughput() -> dict:
    """Single-core MB/s of cleaning+conversion and of segmentation, fast path against reference."""
    import jieba
    from directives.clean import clean_article
    from directives.convert import to_simplified
    from directives.synthetic import make_articles
    from directives.tokens import segmenter

    texts = make_articles(600, seed=7).text.tolist()
    mb = sum(len(t.encode()) for t in texts) / 1e6
    t = time.perf_counter()
    cleaned = [clean_article(x).text for x in texts]
    t_clean = time.perf_counter() - t
    t = time.perf_counter()
    simple = [to_simplified(x) for x in cleaned]
    t_conv = time.perf_counter() - t
    fast = segmenter("rjieba")
    fast.cut("预热")
    t = time.perf_counter()
    for x in simple:
        fast.cut(x)
    t_fast = time.perf_counter() - t
    jieba.initialize()
    t = time.perf_counter()
    for x in simple:
        jieba.lcut(x)
    t_ref = time.perf_counter() - t
    return {"mb": mb, "clean_mb_s": mb / t_clean, "convert_mb_s": mb / t_conv, "clean_convert_mb_s": mb / (t_clean + t_conv),
            "rjieba_mb_s": mb / t_fast, "jieba_mb_s": mb / t_ref}  # fmt: skip


def stage_import() -> dict:
    t = time.perf_counter()
    import directives  # noqa: F401
    from directives.tokens import segmenter

    segmenter().cut("压实责任")
    ours = time.perf_counter() - t
    return {"import_and_dictionary_s": ours}


def stage_import_jieba() -> dict:
    t = time.perf_counter()
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return {"import_and_dictionary_s": time.perf_counter() - t}


STAGES = {
    "pipeline": stage_pipeline, "neighbours": stage_neighbours, "baseline": stage_baseline,
    "throughput": stage_throughput, "import": stage_import, "import_jieba": stage_import_jieba,
}  # fmt: skip


def child(stage: str, *args: str) -> dict:
    env = {**os.environ, "DIRECTIVES_QUIET": "1"}
    proc = subprocess.run([sys.executable, __file__, "--stage", stage, *args], capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(f"stage {stage} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- driver
def run(sizes: list[int], baseline_max: int, recall_size: int) -> str:
    from directives.synthetic import make_articles, write_as_files

    rows = []
    lines = []
    imp, imp_j = child("import"), child("import_jieba")
    thr = child("throughput")
    baseline_ref = None
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus, cache = Path(tmp) / "corpus", Path(tmp) / "cache"
            write_as_files(make_articles(n, seed=11), corpus)
            cold = child("pipeline", str(corpus), str(cache))
            warm = child("pipeline", str(corpus), str(cache))
            nn = child("neighbours", str(corpus), str(cache), "auto")
            recall = None
            if n == recall_size:
                approx = child("neighbours", str(corpus), str(cache), "no")
                import pandas as pd
                from directives.tfidf import neighbour_recall

                recall = neighbour_recall(pd.read_parquet(cache / "nn-no.parquet"), pd.read_parquet(cache / "nn-yes.parquet")
                                          if (cache / "nn-yes.parquet").exists() else pd.read_parquet(cache / "nn-auto.parquet"))  # fmt: skip
                nn["approx_s"] = approx["neighbours_s"]
            if n <= baseline_max:
                base = child("baseline", str(corpus), "yes" if n <= 10_000 else "no")
                baseline_ref = (n, base)
                scaled = ""
            else:
                ref_n, ref = baseline_ref
                base = {k: v * n / ref_n for k, v in ref.items() if k.endswith("_s") and k != "cosine_full_s"}
                scaled = "~"
        rows.append((n, cold, warm, nn, base, scaled, recall))
    # the table
    lines.append(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                 f"{time.strftime('%Y-%m-%d')}. Command: `{' '.join(['make bench', *sys.argv[1:]])}`.\n")  # fmt: skip
    lines.append(
        "| articles | MB | stage | ours (s) | naive baseline (s) | ratio | peak RSS MB (process / largest worker) |"
    )
    lines.append("|---:|---:|---|---:|---:|---:|---|")
    for n, cold, warm, nn, base, scaled, recall in rows:
        mb = cold["mb"]
        peak = f"{cold['rss_mb']:.0f} / {cold['worker_rss_mb']:.0f}"

        def line(stage, ours, ref, peak_s="", n=n, mb=mb, scaled=scaled):
            ratio = f"{scaled}{ref / ours:.1f}×" if ref and ours else ""
            ref_s = f"{scaled}{ref:.1f}" if ref else "–"
            lines.append(f"| {n:,} | {mb:.0f} | {stage} | {ours:.2f} | {ref_s} | {ratio} | {peak_s} |")

        line("load + clean + convert (cold)", cold["load_clean_convert_s"], None, peak)
        line("segment (cold)", cold["segment_s"], base.get("segment_s"))
        line("TF-IDF (cold)", cold["tfidf_s"], base.get("tfidf_s"))
        line("pipeline total, cold", cold["total_s"], None, peak)
        line("pipeline total, warm cache", warm["total_s"], None, f"{warm['rss_mb']:.0f} / {warm['worker_rss_mb']:.0f}")
        nn_ref = base.get("cosine_full_s") if not scaled else None
        line("top-10 neighbours" + (" (exact)" if n <= 20_000 else " (SVD + exact re-rank)"), nn["neighbours_s"], nn_ref,
             f"{nn['rss_mb']:.0f}")  # fmt: skip
        if recall is not None:
            line(f"top-10 neighbours, SVD path (recall {recall:.3f} vs exact)", nn["approx_s"], None)
    lines.append("")
    lines.append("| single core | ours | reference | ratio |")
    lines.append("|---|---:|---:|---:|")
    lines.append(f"| segmentation MB/s (rjieba vs jieba.lcut) | {thr['rjieba_mb_s']:.1f} | {thr['jieba_mb_s']:.2f} | "
                 f"{thr['rjieba_mb_s'] / thr['jieba_mb_s']:.0f}× |")  # fmt: skip
    lines.append(f"| cleaning MB/s | {thr['clean_mb_s']:.1f} | | |")
    lines.append(f"| OpenCC t2s MB/s | {thr['convert_mb_s']:.1f} | | |")
    lines.append(f"| cleaning + conversion MB/s | {thr['clean_convert_mb_s']:.1f} | | |")
    lines.append(f"| import + dictionary load s (directives+rjieba vs jieba) | {imp['import_and_dictionary_s']:.2f} | "
                 f"{imp_j['import_and_dictionary_s']:.2f} | {imp_j['import_and_dictionary_s'] / imp['import_and_dictionary_s']:.1f}× |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage")
    ap.add_argument("args", nargs="*")
    ap.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000, 100_000])
    ap.add_argument("--baseline-max", type=int, default=10_000)
    ap.add_argument("--recall-size", type=int, default=10_000)
    ap.add_argument("--no-readme", action="store_true")
    a = ap.parse_args()
    if a.stage:
        print(json.dumps(STAGES[a.stage](*[x for x in a.args if x != "-"])))
        return
    table = run(a.sizes, a.baseline_max, a.recall_size)
    print(table)
    if not a.no_readme:
        write_results("results", table)


if __name__ == "__main__":
    main()
