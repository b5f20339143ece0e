"""GBK repair on damage it was not written for: real People's Daily sentences (../shared/corpora, not the
seeds) put into the seeds' script and damaged the seeds' way from their bytes (synthetic.damage_like_seeds),
in every variant the damage takes. The sentences come from files the repair was not tuned on (the tuning
used every 7th file from the first; these are every 7th from the fourth), with a fixed random seed."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from directives import evaluate
from directives.gbk import ILLEGIBLE, repair_gbk_damage
from directives.patterns import FOLLOWING_READING, PINYIN_ANNOTATION
from directives.synthetic import damage_like_seeds, seed_script

SENTENCE = re.compile(r"(?<=[。！？；])")
LEFT_READING = re.compile(r"(?<![(（])\b[a-zàáèéìíòóùúüāēěīōūǎǐǒǔǘǚǜ]{1,7}\)")
SAMPLE = 400


@pytest.fixture(scope="module")
def sentences(tmp_path_factory):
    if not evaluate.PEOPLES_DAILY.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    folder = evaluate.unpack_peoples_daily(tmp_path_factory.mktemp("pd"))
    out = []
    for path in sorted(folder.rglob("*.txt"))[3::7]:
        for s in SENTENCE.split(path.read_text(encoding="utf-8")):
            s = s.strip()
            if 15 <= len(s) <= 80 and "?" not in s and "(" not in s:
                out.append(s)
    random.Random(11).shuffle(out)
    return out


def _plain(text: str) -> str:
    """The text with the readings the cleaner removes next (the repair leaves them for that step)."""
    return PINYIN_ANNOTATION.sub("", text)


@pytest.fixture(scope="module")
def repaired(sentences):
    rng = random.Random(5)
    rows = []
    for s in sentences:
        d = damage_like_seeds(s, rng)
        if d is None or d.damaged == d.original:
            continue
        text, changes = repair_gbk_damage(d.damaged)
        rows.append((d, text, changes))
        if len(rows) == SAMPLE:
            break
    return rows


def test_damage_of_real_sentences_is_restored_exactly(repaired):
    exact = Counter()
    total = Counter()
    for d, text, _changes in repaired:
        key = "evidence" if d.evidence else "marks only"
        total[key] += 1
        exact[key] += _plain(text) == _plain(d.original)
    rates = {k: exact[k] / total[k] for k in total}
    print("\nrestored exactly:", {k: f"{exact[k]}/{total[k]} = {rates[k]:.1%}" for k in total})
    assert total["evidence"] >= 250 and total["marks only"] >= 50
    # damage that shows itself beyond a '?' (a stray reading, an ASCII byte, a misaligned pair's reading)
    assert rates["evidence"] >= 0.85
    # over every variant, including a lone '?' that looks exactly like a question mark typed in ASCII
    assert sum(exact.values()) / sum(total.values()) >= 0.72


def test_what_is_not_restored_is_marked_or_reported_and_no_reading_is_left(repaired):
    for d, text, changes in repaired:
        if _plain(text) == _plain(d.original):
            continue
        # never silently: an illegible mark, or a change that says where the damage was suspected
        assert ILLEGIBLE in text or changes, (d.damaged, text)
        assert all(c.step == "gbk_damage" and c.note for c in changes)
    for d, text, _ in repaired:
        plain = _plain(text)
        assert not LEFT_READING.search(plain), (d.damaged, plain)
        assert not FOLLOWING_READING.search(plain), (d.damaged, plain)


def test_every_variant_of_the_damage_is_generated_and_most_are_restored(repaired):
    by = Counter(d.variant for d, _, _ in repaired)
    ok = Counter(d.variant for d, text, _ in repaired if _plain(text) == _plain(d.original))
    starts = {v.split("/")[0] for v in by}
    ends = {v.split("/")[1] for v in by}
    assert starts == {"mark", "pair", "no-mark"} and ends == {"ascii-byte", "end-mark", "no-end-mark"}
    # the seeds' own forms: a mark (or a pair's reading) before the run, the reading after it
    for variant in ("mark/no-end-mark/reading", "pair/no-end-mark/reading", "pair/ascii-byte/reading"):
        assert ok[variant] >= 0.7 * by[variant], (variant, ok[variant], by[variant])


def test_real_sentences_with_question_marks_typed_in_ascii_are_left_alone(sentences):
    rng = random.Random(9)
    checked = 0
    for s in sentences[:1000]:
        t = seed_script(s)
        spots = [i for i, c in enumerate(t) if c in "，。！；" and i and "\u4e00" <= t[i - 1] <= "\u9fff"]
        if not spots:
            continue
        i = rng.choice(spots)
        for typed in (t[:i] + "?" + t[i + 1 :], t[:i] + "?" + t[i:], t[:i] + "?”" + t[i:]):
            text, changes = repair_gbk_damage(typed)
            assert text == typed, (typed, text)
            assert all(c.rule == "suspected_damage_kept" for c in changes)
            checked += 1
    assert checked > 2000
