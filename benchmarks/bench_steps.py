"""The notebooks' slow steps, before and after a change, side by side in one run (issue 19).

    .venv/bin/python benchmarks/bench_steps.py --corpus /tmp/c100k --before main [--steps char near_copies]

Each step is what a notebook cell calls, on the same inputs as the notebook at that corpus size (the corpus
opened as the notebooks open it, ``MAX_ARTICLES_IN_MEMORY`` = 5,000). ``--before`` is a git ref: its ``lib``
is exported to a temporary folder and run in its own processes, beside this checkout's ``lib``; the two
alternate (before, after, before, after … ``--repeat`` times), each in a fresh process, and the step's CPU
seconds (the process and the workers it waited for) and wall seconds are the median of the repeats. A digest
of each step's result (its rows, or its arrays, to the bit) shows that the two give the same answer. The
corpus and the cache (``DIRECTIVES_CACHE``) must be ready: the dataset is read, not built (a first run builds
the aggregates each version keys by its own code, outside the timing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_IN_MEMORY = 5_000


def _digest(obj) -> str:
    """A digest of a result: a frame's values to the bit, or the arrays of a fitted model."""
    import numpy as np
    import pandas as pd

    h = hashlib.sha256()
    if isinstance(obj, pd.DataFrame):
        h.update(pd.util.hash_pandas_object(obj, index=True).to_numpy().tobytes())
        h.update(repr(list(obj.columns)).encode())
    elif isinstance(obj, tuple | list):
        for part in obj:
            h.update(_digest(part).encode())
    elif isinstance(obj, np.ndarray):
        h.update(np.ascontiguousarray(obj).tobytes())
    else:
        h.update(repr(obj).encode())
    return h.hexdigest()[:16]


def _open(corpus: str, columns: list[str]):
    from directives.scale import open_corpus

    return open_corpus(corpus, columns=columns, kinds=["article"], max_articles=MAX_IN_MEMORY)


# Each step: (setup, run). setup(corpus) -> inputs (not timed); run(inputs) -> result (timed, digested).
def _char_setup(corpus):
    df = _open(corpus, ["tokens", "text_simplified"]).frame
    return df.sample(2000, random_state=0) if len(df) > 2000 else df  # notebook 03, MAX_MATRIX


def _char_run(sample):
    from directives.tfidf import TfidfModel

    m = TfidfModel("char").fit(sample)
    return (m.matrix_.data, m.matrix_.indices, m.matrix_.indptr, m.vocabulary_, m.idf_)


def _units_setup(corpus):
    from directives.units import MAX_LABELLED, units_of

    opened = _open(corpus, ["tokens", "all_tokens"])
    return opened, units_of(opened.meta, max_units=MAX_LABELLED)  # notebooks 02 and 05


def _units_run(inputs):
    corpus, units = inputs
    return corpus.unit_counts(units)


def _text_setup(corpus):
    return _open(corpus, ["text_simplified"]).frame


def _passages_run(df):
    from directives.reuse import reuse_by_document, shared_passages

    passages = shared_passages(df, min_chars=8)
    return passages.drop(columns=["docs", "occurrences"]), reuse_by_document(df, passages)  # notebook 06


def _responsibility_run(df):
    from directives.reuse import responsibility_kinds

    return responsibility_kinds(df)  # notebook 06


def _near_run(df):
    from directives.echoes import near_copies

    return near_copies(df, min_chars=12, min_identity=0.7)  # notebook 07


def _found_setup(corpus):
    import pandas as pd

    return _text_setup(corpus), pd.read_parquet(Path(os.environ["BENCH_STEPS_DIR"]) / "echoes.parquet")


def _shares_run(inputs):
    from directives.echoes import source_shares

    return source_shares(*inputs)


def _travelling_run(inputs):
    from directives.echoes import travelling

    return travelling(inputs[1], top=20)


STEPS = {
    "char": (_char_setup, _char_run, "03 character n-gram TF-IDF (sample of 2,000)"),
    "unit_counts": (_units_setup, _units_run, "02, 05 term counts of the 40 largest regions (each notebook)"),
    "passages": (_text_setup, _passages_run, "06 shared passages and reuse by article"),
    "responsibility": (_text_setup, _responsibility_run, "06 kinds of responsibility"),
    "near_copies": (_text_setup, _near_run, "07 near-copies"),
    "source_shares": (_found_setup, _shares_run, "07 sources by article"),
    "travelling": (_found_setup, _travelling_run, "07 passages that travel furthest"),
}
WARM_UP = {"unit_counts"}  # steps whose first run fills the cache a notebook reads (02 fills, 05 reads)


def prepare(corpus: str) -> None:
    """The echoes of notebook 07's sample, the input of the steps that follow them (made once, by this code)."""
    from directives.echoes import echoes, near_copies

    df = _text_setup(corpus)
    found = echoes(df, pairs=near_copies(df, min_chars=12, min_identity=0.7), min_chars=12, min_identity=0.7)
    found.to_parquet(Path(os.environ["BENCH_STEPS_DIR"]) / "echoes.parquet")


def child(step: str, corpus: str) -> dict:
    setup, run, _ = STEPS[step]
    inputs = setup(corpus)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    result = run(inputs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB, the process's peak (inputs included)
    return {"cpu": cpu, "wall": wall, "peak_mb": peak, "digest": _digest(result)}


def _export(ref: str, into: Path) -> Path:
    """The ``lib`` (and pyproject.toml) of ``ref``, exported into ``into``: a tree to run the old code from."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "lib", "pyproject.toml"], check=True,
                             capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "lib"


def _in_process(lib: Path, step: str, corpus: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(lib),
        "DIRECTIVES_QUIET": "1",
        "BENCH_STEPS_DIR": os.environ["BENCH_STEPS_DIR"],
    }
    out = subprocess.run([sys.executable, __file__, "--child", step, "--corpus", corpus], env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--before", default=None, help="git ref of the code before (default: where main meets HEAD)")
    parser.add_argument("--steps", nargs="*", default=list(STEPS))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        prepare(args.corpus)
        return
    if args.child:
        print(json.dumps(child(args.child, args.corpus)))
        return
    before = args.before or subprocess.run(["git", "-C", str(ROOT), "merge-base", "main", "HEAD"], check=True,
                                           capture_output=True, text=True).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench_steps_") as tmp:
        os.environ["BENCH_STEPS_DIR"] = tmp
        old_lib, new_lib = _export(before, Path(tmp)), ROOT / "lib"
        if {"source_shares", "travelling"} & set(args.steps):
            env = {**os.environ, "PYTHONPATH": str(new_lib), "DIRECTIVES_QUIET": "1"}
            subprocess.run([sys.executable, __file__, "--child", "prepare", "--corpus", args.corpus], env=env,
                           check=True)  # fmt: skip
        print(f"corpus {args.corpus}; before: {before[:10]}; after: {new_lib} (HEAD and edits); {args.repeat} repeats")
        print("| step | before CPU s | after CPU s | CPU ratio | before wall s | after wall s | peak MB before, after "
              "| same result |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for step in args.steps:
            if step in WARM_UP:
                _in_process(old_lib, step, args.corpus), _in_process(new_lib, step, args.corpus)
            runs = {"before": [], "after": []}
            for _ in range(args.repeat):
                runs["before"].append(_in_process(old_lib, step, args.corpus))
                runs["after"].append(_in_process(new_lib, step, args.corpus))
            med = {
                k: {m: statistics.median(r[m] for r in v) for m in ("cpu", "wall", "peak_mb")} for k, v in runs.items()
            }
            digests = {r["digest"] for v in runs.values() for r in v}
            b, a = med["before"], med["after"]
            print(f"| {STEPS[step][2]} | {b['cpu']:.2f} | {a['cpu']:.2f} | {b['cpu'] / max(a['cpu'], 1e-9):.1f}x | "
                  f"{b['wall']:.2f} | {a['wall']:.2f} | {b['peak_mb']:,.0f}, {a['peak_mb']:,.0f} | {'yes' if len(digests) == 1 else 'NO: ' + str(digests)} |",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
