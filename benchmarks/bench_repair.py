"""Benchmark the GBK repair inside the character-level cleaning steps: is it linear in the text, and what
does damage cost beside clean text? Side by side in one run, each at 1x and 10x:

* clean:   People's Daily sentences in the seeds' script (traditional, readings glued after characters)
* damaged: the same sentences, one in four damaged the seeds' way (synthetic.damage_like_seeds)
* dense:   the seeds' own damaged sentence repeated (two repairs in every 47 characters)
* typed:   the clean sentences with a question mark typed in ASCII in one in four

    .venv/bin/python benchmarks/bench_repair.py

Results go into benchmarks/README.md between the repair markers (skipped with a message when
../shared/corpora is not beside the checkout).
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
from pathlib import Path

from _readme import write_results  # benchmarks/_readme.py: one way to write results

HERE = Path(__file__).resolve().parent
DENSE = "當前疫情防控形勢嚴峻，各級要全面壓實?崭鄯揽刎(zé)任，永州日?qǐng)?bào)報道。\n"


def _texts() -> dict[str, str]:
    from directives import evaluate
    from directives.synthetic import damage_like_seeds, seed_script

    with tempfile.TemporaryDirectory() as tmp:
        folder = evaluate.unpack_peoples_daily(tmp)
        sentences = [
            s.strip()
            for p in sorted(folder.rglob("*.txt"))[::5]
            for s in re.split(r"(?<=[。！？；])", p.read_text(encoding="utf-8"))
            if 15 <= len(s.strip()) <= 80
        ][:4000]
    rng = random.Random(1)
    clean, damaged, typed = [], [], []
    for i, s in enumerate(sentences):
        t = seed_script(s)
        clean.append(t)
        d = damage_like_seeds(s, rng) if i % 4 == 0 else None
        damaged.append(d.damaged if d else t)
        typed.append(t.replace("，", "?", 1) if i % 4 == 0 else t)
    n = len("".join(clean))
    dense = DENSE * (n // len(DENSE))
    return {"clean": "\n".join(clean), "damaged": "\n".join(damaged), "dense": dense, "typed": "\n".join(typed)}


def _time(text: str) -> float:
    from directives.clean import clean_text

    start = time.process_time()
    clean_text(text)
    return time.process_time() - start


def main() -> int:
    sys.path.insert(0, str(HERE.parent / "lib"))
    from directives import evaluate
    from directives.clean import clean_text

    if not evaluate.PEOPLES_DAILY.is_file():
        print("../shared/corpora is not beside the checkout: nothing to measure")
        return 0
    texts = _texts()
    clean_text(DENSE)  # tables and dictionary loaded before timing
    rows = []
    base = None
    for name, text in texts.items():
        one = _time(text)
        ten = _time("\n".join([text] * 10))
        mb = len(text.encode("utf-8")) / 1e6
        base = base or one
        rows.append(
            f"| {name} | {mb:.2f} | {mb / one:.2f} | {10 * mb / ten:.2f} | {ten / one:.1f}x | {one / base:.2f}x |"
        )
    table = "\n".join(
        [
            "| text | MB (1x) | MB/s at 1x | MB/s at 10x | time 10x / 1x | time / clean at 1x |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    print(table)
    write_results(
        "repair",
        table,
        "## GBK repair (bench_repair.py)\n\nCharacter-level cleaning (`clean_text`) on one core, CPU time; "
        "a ratio of 10x / 1x near 10 is linear.",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
