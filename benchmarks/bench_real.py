"""Benchmark on real text beside synthetic text, in one run: People's Daily, October 2019 (../shared/corpora),
loaded from its UTF-8 files, from the same files re-encoded as GB18030, and in traditional characters as UTF-8
and as Big5; the synthetic corpus of ``directives.synthetic`` of about the same size beside it.

    make bench                      # runs this after the synthetic benchmarks
    .venv/bin/python benchmarks/bench_real.py --runs 3
    git archive REV lib | tar -x -C /tmp/base    # another version beside this one, in the same rounds:
    .venv/bin/python benchmarks/bench_real.py --runs 5 --baseline /tmp/base/lib

Loads are fresh subprocesses with the cache off, timed over ``--runs`` rounds that alternate the corpora (the
median is reported, and each legacy encoding's ratio to its UTF-8 copy round by round), so a machine that drifts
affects all alike. Each load reports the whole process (interpreter, imports, load), the ``load_corpus`` call
alone, and the CPU time of the process and its workers (what other work on a shared machine distorts least); the
import alone, and what the parent builds before forking its workers, are timed in their own fresh process each
round. The one-core measures run in one process
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
import os
import platform
import resource
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

folder, rounds, ten_rounds = sys.argv[1], 5, 3
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
# ten times the corpus: rjieba and segment + filter alternate in rounds of their own, and the share is taken the
# same way as at 1x (the median of the rounds' ratios), so that the two sizes compare like with like
ten_texts = texts * 10
ten = {"rjieba": [], "segment_filter": []}
for _ in range(ten_rounds):
    ten["rjieba"].append(cpu(lambda: [cut(t) for t in ten_texts]))
    ten["segment_filter"].append(cpu(lambda: segment_many(ten_texts, processes=1)))
out = {"mb": raw_mb, "mb_simplified": mb}
out.update({k: mb / statistics.median(v) for k, v in seconds.items()})
out.update({
    f"{k}_share": statistics.median([r / x for r, x in zip(seconds["rjieba"], v)]) for k, v in seconds.items()
})
out["segment_filter_10x"] = 10 * mb / statistics.median(ten["segment_filter"])
out["rjieba_10x"] = 10 * mb / statistics.median(ten["rjieba"])
out["segment_filter_10x_share"] = statistics.median([r / x for r, x in zip(*ten.values())])
out["clean_convert"] = raw_mb / best(lambda: [to_simplified(clean_article(t).text) for t in raw])
out["load_one_core"] = raw_mb / best(lambda: load_corpus(folder, cache_dir=None, kinds=None, processes=1), runs=2)
out["gazetteer_s"] = best(rebuild)
print(json.dumps(out))
"""

FIRST = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
from directives import load_corpus
from directives.tokens import segment_many, segmenter, stopwords

texts = load_corpus(sys.argv[1], cache_dir=None, kinds=None, processes=1).text_simplified.tolist()
cut = segmenter().cut
stopwords()  # built with the segmenter (both are the same in any process): what is timed is the first call


def cpu(fn):
    start = time.process_time()
    fn()
    return time.process_time() - start


first = cpu(lambda: segment_many(texts, processes=1))  # every token judged for the first time
rjieba = cpu(lambda: [cut(t) for t in texts])
print(json.dumps({"first": first, "rjieba": rjieba}))
"""

IMPORT = """
import time
start = time.perf_counter()
from directives import load_corpus
imported = time.perf_counter()
from directives.corpus import prepare_workers
cpu = time.process_time()
prepare_workers()
print(imported - start, time.perf_counter() - imported, time.process_time() - cpu)
"""


def _run(code: str, arg: str, lib: Path | None = None) -> tuple[float, str, float]:
    """Run ``code`` in a fresh interpreter (``lib`` first on its path, when given): wall seconds, the last line it
    printed, and the CPU seconds (user and system) of it and its workers."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(lib or ""), os.environ.get("PYTHONPATH")])))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, out.stdout.strip().splitlines()[-1], cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another version's lib folder (e.g. `git archive REV lib | tar -x -C /tmp/base`, then /tmp/base/lib): "
        "its cold load of the UTF-8 copy is timed in the same rounds, beside this one's",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent / "lib"))
    from directives.evaluate import PEOPLES_DAILY, reencoded_copy, traditional_copies, unpack_peoples_daily
    from directives.synthetic import make_articles, write_as_files

    if not PEOPLES_DAILY.is_file():
        print(f"{PEOPLES_DAILY} not found: nothing to measure")
        return 1
    ours = HERE.parent / "lib"
    with tempfile.TemporaryDirectory() as tmp:
        folders = {"utf-8": unpack_peoples_daily(Path(tmp) / "utf8")}
        folders["gb18030"] = reencoded_copy(folders["utf-8"], Path(tmp) / "gb18030", "gb18030")
        folders["traditional utf-8"], folders["big5"] = traditional_copies(folders["utf-8"], tmp)
        mb = {k: sum(p.stat().st_size for p in f.rglob("*.txt")) / 1e6 for k, f in folders.items()}
        n_synthetic = round(mb["utf-8"] * 1e6 / 4736)  # as many MB (a synthetic article is 4.7 kB)
        folders["synthetic"] = write_as_files(make_articles(n_synthetic, seed=21), Path(tmp) / "synthetic")
        mb["synthetic"] = sum(p.stat().st_size for p in folders["synthetic"].rglob("*.txt")) / 1e6
        runs = [(name, folder, ours) for name, folder in folders.items()]
        if args.baseline:
            runs.insert(1, ("utf-8, baseline", folders["utf-8"], args.baseline.resolve()))
            mb["utf-8, baseline"] = mb["utf-8"]
        imports: list[float] = []
        prepares: list[float] = []
        prepares_cpu: list[float] = []
        whole: dict[str, list[float]] = {name: [] for name, _f, _l in runs}
        call: dict[str, list[float]] = {name: [] for name, _f, _l in runs}
        cpu: dict[str, list[float]] = {name: [] for name, _f, _l in runs}
        items: dict[str, set[int]] = {name: set() for name, _f, _l in runs}
        for _ in range(args.runs):
            imported, prepared, prepared_cpu = map(float, _run(IMPORT, "", ours)[1].split())
            imports.append(imported)
            prepares.append(prepared)
            prepares_cpu.append(prepared_cpu)
            for name, folder, lib in runs:  # alternating, so that a machine that drifts affects all alike
                t, line, seconds_cpu = _run(LOAD, str(folder), lib)
                n, seconds = line.split()
                whole[name].append(t)
                call[name].append(float(seconds))
                cpu[name].append(seconds_cpu)
                items[name].add(int(n))
        one = {name: json.loads(_run(ONE_CORE, str(folders[name]), ours)[1]) for name in ("utf-8", "synthetic")}
        first = {name: [] for name in ("utf-8", "synthetic")}
        for _ in range(args.runs):
            for name in first:
                first[name].append(json.loads(_run(FIRST, str(folders[name]), ours)[1]))
        n_files = {k: len(list(f.rglob("*.txt"))) for k, f in folders.items()}
        n_files["utf-8, baseline"] = n_files["utf-8"]

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    def ratio(a: str, b: str, of: dict[str, list[float]]) -> float:
        return med([x / y for x, y in zip(of[a], of[b], strict=True)])

    real, syn = one["utf-8"], one["synthetic"]
    for name, values in first.items():
        one[name]["first"] = one[name]["mb_simplified"] / med([v["first"] for v in values])
        one[name]["first_share"] = med([v["rjieba"] / v["first"] for v in values])
    rows = [
        f"Command: `python benchmarks/bench_real.py --runs {args.runs}"
        f"{' --baseline …' if args.baseline else ''}`, {platform.machine()}, 2 cores, "
        f"{time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.1f} at the end. People's Daily, October "
        f"2019: {n_files['utf-8']:,} files, {mb['utf-8']:.1f} MB as UTF-8; synthetic: {n_files['synthetic']:,} "
        f"articles, {mb['synthetic']:.1f} MB.",
        "",
        f"| load, cold (cache off, fresh process; median of {args.runs}) | files | MB | items loaded | whole process "
        "| `load_corpus` call | CPU of the process and its workers | to its UTF-8 copy (wall; CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = {"gb18030": "utf-8", "big5": "traditional utf-8", "utf-8, baseline": "utf-8"}
    for name in whole:
        loaded = "/".join(str(n) for n in sorted(items[name]))
        r = f"{ratio(name, base[name], whole):.2f}x; {ratio(name, base[name], cpu):.2f}x" if name in base else ""
        rows.append(
            f"| {name} | {n_files[name]:,} | {mb[name]:.1f} | {loaded} | {med(whole[name]):.2f} s | "
            f"{med(call[name]):.2f} s | {med(cpu[name]):.2f} s | {r} |"
        )
    baseline = (
        " The baseline row is another version of the library (`--baseline`), loading the same UTF-8 files in the "
        "same rounds; its ratio is to this version's UTF-8 row."
        if args.baseline
        else ""
    )
    rows += [
        "",
        "The items loaded leave out exact duplicates (84 files of People's Daily), each reported by name. Of the "
        f"whole process, `from directives import load_corpus` took {med(imports):.2f} s (median of {args.runs}); "
        f"building what the workers need before they are forked (`prepare_workers`: converter, gazetteer, "
        f"counties, countries, segmenter) {med(prepares):.2f} s ({med(prepares_cpu):.2f} s of CPU), of which the "
        f"gazetteer {real['gazetteer_s']:.2f} s of CPU (best of 3).{baseline}",
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
        ("rjieba_10x", "rjieba alone, the corpus 10 times over, MB/s (3 rounds)"),
        ("segment_filter_10x", "segment + filter, the corpus 10 times over, MB/s (3 rounds)"),
        (
            "first",
            f"segment + filter, first call in a fresh process (every token judged anew), MB/s ({args.runs} runs)",
        ),
        ("tokenize", "`tokenize()` one text at a time, MB/s"),
    ):
        share = "" if key in ("rjieba", "rjieba_10x") else f" ({real[key + '_share']:.0%} / {syn[key + '_share']:.0%})"
        rows.append(f"| {label}{share} | {real[key]:.1f} | {syn[key]:.1f} | {real[key] / syn[key]:.2f} |")
    rows += [
        "",
        "Segmentation: median of five rounds that alternate the measures (three for the corpus ten times over, where "
        "rjieba runs on the same ten copies in the same rounds); in brackets each one's speed as a share of rjieba "
        "alone (real / synthetic), the median of the rounds' ratios. The first call: in a fresh process, "
        "segment + filter and then rjieba over the corpus once each, the median of the runs' ratios.",
    ]
    table = "\n".join(rows)
    print(table)
    write_results("real", table, "## Real text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
