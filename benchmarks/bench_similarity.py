"""Benchmark similarity at scale (notebook 03's large-corpus path) on the synthetic corpus of bench_pipeline.py.

    .venv/bin/python benchmarks/bench_similarity.py [--sizes 10000 100000]

For each size: synthetic articles (``directives.synthetic.make_articles``, 50 topics, 10 regions), segmented
and fitted once (not timed here: see bench_pipeline.py), then each step a reader sees is timed: clusters
(latent space, the choice of k by silhouette on a sample, k-means on every article), their labels (top terms
and the share of each region), the similarity of regions (centroid cosine), and the two figures (map and
clusters) drawn and saved. Results go into benchmarks/README.md between the similarity markers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from _readme import write_results  # benchmarks/_readme.py: one way to write results


def stage(n: int) -> dict:
    import warnings

    warnings.simplefilter("ignore")
    from directives.clusters import DocumentClusters, latent_space, unit_similarity
    from directives.plotting import plot_clusters, plot_document_map, save_figure
    from directives.synthetic import make_articles
    from directives.tfidf import TfidfModel
    from directives.tokens import add_tokens

    df = add_tokens(make_articles(n, seed=11).rename(columns={"text": "text_simplified"}), cache_dir=None)
    model = TfidfModel().fit(df)
    of = df.set_index("doc_id")["region"]
    out, t = {"n": n, "terms": int(model.matrix_.shape[1])}, time.perf_counter()
    latent_space(model.matrix_)
    out["latent"] = time.perf_counter() - t
    t = time.perf_counter()
    clusters = DocumentClusters().fit(model)
    out["clusters"], out["k"] = time.perf_counter() - t, clusters.n_clusters_
    t = time.perf_counter()
    summary = clusters.summary(of)
    table = clusters.units_table(of)
    out["labels"] = time.perf_counter() - t
    t = time.perf_counter()
    sims = unit_similarity(model, of)
    out["units"], out["n_units"] = time.perf_counter() - t, len(sims)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        names = dict(zip(summary.cluster, summary.terms, strict=True))
        path = save_figure(plot_document_map(clusters.map_, clusters.labels_, names, f"{n:,} articles"), "map", tmp)
        out["map"], out["map_kb"] = time.perf_counter() - t, path.stat().st_size / 1e3
        t = time.perf_counter()
        save_figure(plot_clusters(summary, table, f"{n:,} articles"), "clusters", tmp)
        out["figure"] = time.perf_counter() - t
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", type=int)
    ap.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    a = ap.parse_args()
    if a.stage:
        print(json.dumps(stage(a.stage)))
        return
    lines = [f"Command: `{' '.join([sys.executable.split('/')[-1], 'benchmarks/bench_similarity.py', *sys.argv[1:]])}`, "
             f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; seconds per step.\n",
             "| articles | terms | clusters: fit incl. latent space (of which latent space) | k chosen | top terms + unit shares "
             "| region similarity (centroid cosine) | map figure (PNG kB) | clusters figure |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for n in a.sizes:
        res = subprocess.run([sys.executable, __file__, "--stage", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        lines.append(f"| {n:,} | {r['terms']:,} | {r['clusters']:.1f} ({r['latent']:.1f}) | {r['k']} | {r['labels']:.1f} "
                     f"| {r['units']:.2f} ({r['n_units']} regions) | {r['map']:.1f} ({r['map_kb']:.0f}) | {r['figure']:.1f} |")  # fmt: skip
    table = "\n".join(lines)
    print(table)
    write_results("similarity", table)


if __name__ == "__main__":
    main()
