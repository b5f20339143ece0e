"""Benchmark on real text beside synthetic text, in one run: People's Daily, October 2019 (../shared/corpora),
loaded from its UTF-8 files, from the same files re-encoded as GB18030, and in traditional characters as UTF-8
and as Big5; the synthetic corpus of ``directives.synthetic`` of about the same size beside it.

    make bench                      # runs this after the synthetic benchmarks
    .venv/bin/python benchmarks/bench_real.py --runs 3

Loads are fresh subprocesses with the cache off, timed over ``--runs`` rounds that alternate the corpora (the
median is reported, and each legacy encoding's ratio to its UTF-8 copy round by round), so a machine that drifts
affects all alike. Each load reports the whole process (interpreter, imports, load) and the ``load_corpus`` call
alone; the import alone is timed in its own fresh process each round. The one-core measures run in one process
per corpus and count CPU time, so that other work on a shared machine counts less: the segmentation measures
alternate over five rounds (median, and each one's share of rjieba's speed as the median of the rounds' ratios),
beside two ceilings of any filter written in Python (rjieba's lists dropped at once, and each text's tokens only
joined into a string, which is the least work that makes the output); the others are the best of three. The table is printed and written into benchmarks/README.md between the
``real`` markers.

The Big5 copy: Big5 has no code for most simplified characters, so the articles are first written in traditional
characters (OpenCC ``s2tw``, the Taiwan forms Big5 was made for; see ``directives.evaluate.traditional_copies``);
the characters Big5 still lacks (U+00A0 and about 70 rare ones) are numeric character references in both the
UTF-8 and the Big5 copy, so the two hold the same characters and must load to the same ``text``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _readme import write_results  # benchmarks/_readme.py: one way to write results

HERE = Path(__file__).resolve().parent

LOAD = """
import sys, time, warnings
warnings.simplefilter("ignore")
from directives import load_corpus
start = time.perf_counter()
df = load_corpus(sys.argv[1], cache_dir=None, kinds=None)
print(len(df), time.perf_counter() - start)
"""

ONE_CORE = """
import json, statistics, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from directives import load_corpus
from directives.clean import clean_article
from directives.convert import to_simplified
from directives.places import gazetteer
from directives.tokens import segment_many, segmenter, tokenize

folder, rounds = sys.argv[1], 5
df = load_corpus(folder, cache_dir=None, kinds=None, processes=1)
raw, texts = df.text_raw.tolist(), df.text_simplified.tolist()
raw_mb = sum(len(t.encode("utf-8")) for t in raw) / 1e6
mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6


def cpu(fn):
    start = time.process_time()
    fn()
    return time.process_time() - start


def best(fn, runs=3):
    return min(cpu(fn) for _ in range(runs))


def rebuild():
    gazetteer.cache_clear()
    gazetteer()


cut = segmenter().cut
segment_many(texts[:50], processes=1)
[tokenize(t) for t in texts[:50]]
# the segmentation measures alternate, round by round, so that a machine that drifts affects all alike; each
# is reported as the median of its rounds and its ratio to rjieba as the median of the rounds' ratios
steps = {
    "rjieba": lambda: [cut(t) for t in texts],
    "rjieba_dropped": lambda: [len(cut(t)) for t in texts],
    "rjieba_joined": lambda: [" ".join(cut(t)) for t in texts],
    "segment_filter": lambda: segment_many(texts, processes=1),
    "tokenize": lambda: [tokenize(t) for t in texts],
}
seconds = {k: [] for k in steps}
for _ in range(rounds):
    for key, fn in steps.items():
        seconds[key].append(cpu(fn))
ten = [cpu(lambda: segment_many(texts * 10, processes=1)) for _ in range(2)]
out = {"mb": raw_mb}
out.update({k: mb / statistics.median(v) for k, v in seconds.items()})
out.update({
    f"{k}_share": statistics.median([r / x for r, x in zip(seconds["rjieba"], v)]) for k, v in seconds.items()
})
out["segment_filter_10x"] = 10 * mb / min(ten)
out["segment_filter_10x_share"] = 10 * min(seconds["rjieba"]) / min(ten)
out["clean_convert"] = raw_mb / best(lambda: [to_simplified(clean_article(t).text) for t in raw])
out["load_one_core"] = raw_mb / best(lambda: load_corpus(folder, cache_dir=None, kinds=None, processes=1), runs=2)
out["gazetteer_s"] = best(rebuild)
print(json.dumps(out))
"""

IMPORT = """
import time
start = time.perf_counter()
from directives import load_corpus
print(time.perf_counter() - start)
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
    from directives.evaluate import PEOPLES_DAILY, reencoded_copy, traditional_copies, unpack_peoples_daily
    from directives.synthetic import make_articles, write_as_files

    if not PEOPLES_DAILY.is_file():
        print(f"{PEOPLES_DAILY} not found: nothing to measure")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folders = {"utf-8": unpack_peoples_daily(Path(tmp) / "utf8")}
        folders["gb18030"] = reencoded_copy(folders["utf-8"], Path(tmp) / "gb18030", "gb18030")
        folders["traditional utf-8"], folders["big5"] = traditional_copies(folders["utf-8"], tmp)
        mb = {k: sum(p.stat().st_size for p in f.rglob("*.txt")) / 1e6 for k, f in folders.items()}
        n_synthetic = round(mb["utf-8"] * 1e6 / 4736)  # as many MB (a synthetic article is 4.7 kB)
        folders["synthetic"] = write_as_files(make_articles(n_synthetic, seed=21), Path(tmp) / "synthetic")
        mb["synthetic"] = sum(p.stat().st_size for p in folders["synthetic"].rglob("*.txt")) / 1e6
        imports: list[float] = []
        whole: dict[str, list[float]] = {k: [] for k in folders}
        call: dict[str, list[float]] = {k: [] for k in folders}
        items: dict[str, set[int]] = {k: set() for k in folders}
        for _ in range(args.runs):
            imports.append(float(_run(IMPORT, "")[1]))
            for name, folder in folders.items():
                t, line = _run(LOAD, str(folder))
                n, seconds = line.split()
                whole[name].append(t)
                call[name].append(float(seconds))
                items[name].add(int(n))
        one = {name: json.loads(_run(ONE_CORE, str(folders[name]))[1]) for name in ("utf-8", "synthetic")}
        n_files = {k: len(list(f.rglob("*.txt"))) for k, f in folders.items()}

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    def ratio(a: str, b: str) -> float:
        return med([x / y for x, y in zip(whole[a], whole[b], strict=True)])

    real, syn = one["utf-8"], one["synthetic"]
    rows = [
        f"Command: `python benchmarks/bench_real.py --runs {args.runs}`, {platform.machine()}, 2 cores, "
        f"{time.strftime('%Y-%m-%d')}. People's Daily, October 2019: {n_files['utf-8']:,} files, "
        f"{mb['utf-8']:.1f} MB as UTF-8; synthetic: {n_files['synthetic']:,} articles, {mb['synthetic']:.1f} MB.",
        "",
        "| load, cold (cache off, fresh process; median of "
        f"{args.runs}) | files | MB | items loaded | whole process | `load_corpus` call | to its UTF-8 copy |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    base = {"gb18030": "utf-8", "big5": "traditional utf-8"}
    for name in folders:
        loaded = "/".join(str(n) for n in sorted(items[name]))
        r = f"{ratio(name, base[name]):.2f}x" if name in base else ""
        rows.append(
            f"| {name} | {n_files[name]:,} | {mb[name]:.1f} | {loaded} | {med(whole[name]):.2f} s | "
            f"{med(call[name]):.2f} s | {r} |"
        )
    rows += [
        "",
        "The items loaded leave out exact duplicates (84 files of People's Daily), each reported by name. Of the "
        f"whole process, `from directives import load_corpus` took {med(imports):.2f} s (median of {args.runs}); "
        f"building the gazetteer of places, once in each process that reads places, {real['gazetteer_s']:.2f} s "
        "(CPU, best of 3).",
        "",
        "| one core (CPU time) | People's Daily | synthetic | real / synthetic |",
        "|---|---:|---:|---:|",
        f"| clean + convert, MB/s of raw text (best of 3) | {real['clean_convert']:.1f} | {syn['clean_convert']:.1f} | "
        f"{real['clean_convert'] / syn['clean_convert']:.2f} |",
        f"| whole load in one process (read, clean, convert, dates, places), MB/s (best of 2) | "
        f"{real['load_one_core']:.1f} | {syn['load_one_core']:.1f} | {real['load_one_core'] / syn['load_one_core']:.2f} |",
    ]
    for key, label in (
        ("rjieba", "rjieba alone (the segmenter's `cut`, its lists kept), MB/s"),
        ("rjieba_dropped", "ceiling: rjieba, each text's list dropped at once, MB/s"),
        ("rjieba_joined", "ceiling: rjieba, each text's tokens joined into one string, MB/s"),
        ("segment_filter", "segment + filter (`segment_many`), MB/s"),
        ("segment_filter_10x", "segment + filter, the corpus 10 times over, MB/s (best of 2)"),
        ("tokenize", "`tokenize()` one text at a time, MB/s"),
    ):
        share = "" if key == "rjieba" else f" ({real[key + '_share']:.0%} / {syn[key + '_share']:.0%})"
        rows.append(f"| {label}{share} | {real[key]:.1f} | {syn[key]:.1f} | {real[key] / syn[key]:.2f} |")
    rows += [
        "",
        "Segmentation: median of five rounds that alternate the measures; in brackets each one's speed as a share of "
        "rjieba alone (real / synthetic), the median of the rounds' ratios (the 10x row: to the fastest rjieba round).",
    ]
    table = "\n".join(rows)
    print(table)
    write_results("real", table, "## Real text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
