"""Benchmark on real text, side by side in one run: People's Daily, October 2019 (../shared/corpora), loaded
from its UTF-8 files and from the same files re-encoded as GB18030, and segmented on one core.

    make bench                      # runs this after the synthetic benchmarks
    .venv/bin/python benchmarks/bench_real.py --runs 3

Each load is a fresh subprocess with the cache off, timed over ``--runs`` runs alternating UTF-8 and GB18030
(the median is reported, and the ratio pair by pair), so a machine that drifts affects both alike. The table is
printed and written into benchmarks/README.md between the ``real`` markers.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
MARK_START, MARK_END = "<!-- real:start -->", "<!-- real:end -->"

LOAD = """
import sys, warnings
warnings.simplefilter("ignore")
from directives import load_corpus
df = load_corpus(sys.argv[1], cache_dir=None, kinds=None)
print(len(df))
"""

SEGMENT = """
import sys, time
import pandas as pd
from directives import load_corpus
from directives.tokens import segment_many
df = load_corpus(sys.argv[1], cache_dir=None, kinds=None)
texts = pd.concat([df.text_simplified] * 3, ignore_index=True)
segment_many(texts.head(50), processes=1)
start = time.perf_counter()
segment_many(texts, processes=1)
seconds = time.perf_counter() - start
print(texts.str.encode("utf-8").str.len().sum() / 1e6 / seconds)
"""


def _run(code: str, arg: str) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, out.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent / "lib"))
    from directives.evaluate import PEOPLES_DAILY, unpack_peoples_daily

    if not PEOPLES_DAILY.is_file():
        print(f"{PEOPLES_DAILY} not found: nothing to measure")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        utf8 = unpack_peoples_daily(Path(tmp) / "utf8")
        gbk = Path(tmp) / "gbk"
        for p in utf8.rglob("*.txt"):
            q = gbk / p.relative_to(utf8)
            q.parent.mkdir(parents=True, exist_ok=True)
            q.write_bytes(p.read_bytes().decode("utf-8").encode("gb18030"))
        mb = sum(p.stat().st_size for p in utf8.rglob("*.txt")) / 1e6
        times_u, times_g, items = [], [], set()
        for _ in range(args.runs):
            t, n = _run(LOAD, str(utf8))
            times_u.append(t)
            items.add(("utf-8", n))
            t, n = _run(LOAD, str(gbk))
            times_g.append(t)
            items.add(("gb18030", n))
        _, speed = _run(SEGMENT, str(utf8))
    ratios = [g / u for u, g in zip(times_u, times_g, strict=True)]
    counts = dict(items)
    rows = [
        f"Command: `python benchmarks/bench_real.py --runs {args.runs}`, {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}. People's Daily, October 2019: 2,109 files, {mb:.1f} MB as UTF-8.",
        "",
        "| measure | UTF-8 | GB18030 | GB18030 / UTF-8 |",
        "|---|---:|---:|---:|",
        f"| items loaded (of 2,109 files; the other 84 are exact duplicates, reported by name) | {counts['utf-8']} | "
        f"{counts['gb18030']} | |",
        f"| load, cold, whole process (median of {args.runs}) | {statistics.median(times_u):.2f} s | "
        f"{statistics.median(times_g):.2f} s | {statistics.median(ratios):.2f}x |",
        f"| segment + filter, one core (the text three times) | {float(speed):.1f} MB/s | | |",
    ]
    table = "\n".join(rows)
    print(table)
    text = README.read_text(encoding="utf-8")
    block = f"{MARK_START}\n{table}\n{MARK_END}"
    if MARK_START in text:
        text = text[: text.index(MARK_START)] + block + text[text.index(MARK_END) + len(MARK_END) :]
    else:
        text += f"\n## Real text\n\n{block}\n"
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
