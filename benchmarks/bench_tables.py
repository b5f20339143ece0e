"""A table corpus (one ``.csv.gz`` or ``.jsonl.gz`` of many articles) built into the partitioned dataset: time and
the peak memory of the whole process tree at two sizes, this version against an older one (``--baseline``, a
folder holding another version's ``directives`` package, for instance from ``git archive``), side by side.

Before, a table was read whole (its bytes decompressed, decoded, parsed into one DataFrame and turned into a
list of every row) before its partitions were made, so memory grew with the table; now it is read as a stream,
a chunk of rows at a time, and partitions are handed to the workers as they fill.

    .venv/bin/python benchmarks/bench_tables.py --sizes 20000 100000 --baseline /tmp/base/lib

The tables are written once, streaming (``directives.synthetic.stream_articles``), into ``--workdir``. Each build
is a fresh subprocess with an empty cache; the driver samples the resident memory of that process and its
children every 0.2 s. Results are printed and written into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _readme import write_results
from bench_scale import tree_rss

HEADING = "## A table corpus read as a stream (bench_tables.py)"
ROOT = Path(__file__).resolve().parents[1]


def stage(table: str, cache: str) -> None:
    """In a child: build the dataset of ``table`` in ``cache`` and print what it holds."""
    from directives.dataset import build_dataset

    t = time.perf_counter()
    ds = build_dataset(table, cache_dir=Path(cache), problems=[])
    print(json.dumps({"s": time.perf_counter() - t, "rows": len(ds), "partitions": len(ds.partitions)}))


def write_table(n: int, path: Path) -> Path:
    """``n`` synthetic articles as one gzip-compressed CSV or JSON Lines file, written a batch at a time."""
    import gzip

    from directives.synthetic import stream_articles

    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", newline="") as out:
        for number, batch in enumerate(stream_articles(n, seed=7, batch=10_000)):
            if path.name.endswith(".csv.gz"):
                batch.to_csv(out, index=False, header=number == 0)
            else:
                batch.to_json(out, orient="records", lines=True, force_ascii=False)
                out.write("\n")
    os.replace(tmp, path)
    return path


def run_one(table: Path, lib: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(lib), "DIRECTIVES_QUIET": "1", "DIRECTIVES_CACHE_MAX_GB": "50"}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, __file__, "--stage", str(table), cache], stdout=out, env=env)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)
        if proc.returncode:
            raise RuntimeError(f"build of {table} with {lib} failed")
        out.seek(0)
        result = json.loads(out.read().strip().splitlines()[-1])
    return result | {"peak_mb": peak / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stage", nargs=2)
    ap.add_argument("--sizes", nargs="+", type=int, default=[20_000, 100_000])
    ap.add_argument("--formats", nargs="+", default=["csv.gz"], choices=["csv.gz", "jsonl.gz"])
    ap.add_argument("--baseline", type=Path, help="a folder holding another version's directives package")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bench_tables")
    ap.add_argument("--no-readme", action="store_true")
    args = ap.parse_args()
    if args.stage:
        stage(*args.stage)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    libs = [("this version", ROOT / "lib")] + ([("baseline", args.baseline)] if args.baseline else [])
    lines = [
        f"Command: `python benchmarks/bench_tables.py --sizes {' '.join(map(str, args.sizes))}"
        f"{' --baseline <the previous version>' if args.baseline else ''}`, {platform.machine()}, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}. Building the partitioned dataset from one compressed "
        "table, empty cache; peak resident memory of the whole process tree (parent and workers).\n",
        "| table | articles | MB compressed | version | partitions | seconds | peak tree MB | time / baseline | "
        "memory / baseline |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n in args.sizes:
        for fmt in args.formats:
            table = write_table(n, args.workdir / f"articles_{n}.{fmt}")
            results = {name: run_one(table, lib) for name, lib in libs}
            base = results.get("baseline")
            for name, r in results.items():
                ratio = mem = ""
                if base and name != "baseline":
                    ratio, mem = f"{r['s'] / base['s']:.2f}x", f"{r['peak_mb'] / base['peak_mb']:.2f}x"
                row = (f"| {table.name} | {r['rows']:,} | {table.stat().st_size / 1e6:.0f} | {name} | "
                       f"{r['partitions']} | {r['s']:.1f} | {r['peak_mb']:,.0f} | {ratio} | {mem} |")  # fmt: skip
                print(row, flush=True)
                lines.append(row)
    text = "\n".join(lines)
    print(text)
    if not args.no_readme:
        write_results("tables", text, HEADING)


if __name__ == "__main__":
    main()
