"""Repair text damaged by a one-byte shift in a GBK byte stream.

When one byte of a GBK stream is lost, the decoder pairs each character's second byte with the
next character's first byte until it falls back into step. What comes out, after a pinyin
annotator has also run over it, looks like ``日?qǐng)?bào)`` (for 日報) or ``壓實?崭鄯揽刎(zé)任``
(for 壓實空港防控責任). The rules here undo that from the bytes themselves:

* ``misaligned_pair``  ``P?R1)?R2)``: the first lost character was a misaligned pair made of P's
  second byte and the true character's first byte; its reading R1 pins that byte down, and R2 is
  the reading of the true character.
* ``shifted_run``  ``P?R) RUN`` or ``P? RUN (R)``: RUN was decoded one byte out of step. Encoding it
  in GBK, putting the lost byte back in front and decoding again restores it; the lost byte comes
  from the misaligned pair's reading when there is one, otherwise from the candidates that make the
  best words with their neighbours (jieba's dictionary as a language model). A dangling last byte
  is completed the same way, using a following ``(R)`` reading when there is one; a pair of bytes
  the decoder dropped inside the run is restored when that makes far better words.
* ``lost_lead``  ``P??h委``: an ASCII letter in the GBK trail-byte range between damage and Han text
  is the second byte of a character whose first byte was lost.

What the rules cannot determine is looked up in the table of known repairs (``data/known_repairs.csv``,
each row with its evidence); what is still unknown becomes ``〓`` (the typographic mark for an
illegible character) and is reported as ``gbk_unrepaired``. Nothing is dropped silently.

>>> repair_gbk_damage("全面壓實?崭鄯揽刎(zé)任")[0]
'全面壓實空港防控責任'
"""

from __future__ import annotations

import csv
from functools import cache, lru_cache
from itertools import product

from . import _lm, paths
from .changes import Change
from .patterns import (
    ASCII_TRAIL_BYTE,
    DAMAGE_START,
    FOLLOWING_READING,
    GBK_DOUBLE_RUN,
    LOST_SLOT,
)

STEP = "gbk_damage"
ILLEGIBLE = "〓"
_CONTEXT = 4
# a dropped byte pair inside a shifted run is looked for only at a rare character (jieba frequency below
# this) and restored only when the two characters read better than the one by this much log-probability
_RARE_CHAR_FREQ = 200
_DROPPED_PAIR_GAIN = 3.0
_DROPPED_PAIR_BEAM = 30


def _decode_pair(lead: int, trail: int) -> str | None:
    try:
        s = bytes((lead, trail)).decode("gbk")
    except UnicodeDecodeError:
        return None
    return s if len(s) == 1 and ord(s) > 0x7F else None


@lru_cache(maxsize=1)
def _gbk_table() -> dict[tuple[int, int], str]:
    table = {}
    for lead in range(0x81, 0xFF):
        for trail in [*range(0x40, 0x7F), *range(0x80, 0xFF)]:
            c = _decode_pair(lead, trail)
            if c:
                table[(lead, trail)] = c
    return table


@lru_cache(maxsize=1)
def _by_byte() -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """The GBK characters by first byte and by second byte (looked up, not scanned, at every repair)."""
    by_lead: dict[int, list[str]] = {}
    by_trail: dict[int, list[str]] = {}
    for (lo, tr), c in _gbk_table().items():
        by_lead.setdefault(lo, []).append(c)
        by_trail.setdefault(tr, []).append(c)
    return by_lead, by_trail


def _chars(lead: int | None = None, trail: int | None = None) -> list[str]:
    by_lead, by_trail = _by_byte()
    if lead is not None and trail is not None:
        c = _gbk_table().get((lead, trail))
        return [c] if c else []
    if lead is not None:
        return list(by_lead.get(lead, ()))
    if trail is not None:
        return list(by_trail.get(trail, ()))
    return list(_gbk_table().values())


@lru_cache(maxsize=1)
def pinyin_dict() -> dict[str, str]:
    """pypinyin's character readings (code point as a decimal string -> comma-separated readings), read from
    its data file; the package is not imported (its import loads the phrase dictionary too: 0.4-0.9 s in
    every process, against 0.03 s for the file).

    >>> pinyin_dict()[str(ord("实"))]
    'shí'
    """
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pypinyin")
    return json.loads((Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json").read_text("utf-8"))


@cache
def _readings(char: str) -> tuple[str, ...]:
    r = pinyin_dict().get(str(ord(char)))
    return tuple(r.split(",")) if r else ()


def _gbk(char: str) -> bytes | None:
    try:
        b = char.encode("gbk")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 else None


def _best(cands: list[str], left: str, right: str) -> tuple[str | None, str]:
    """The candidate that makes the most probable text between left and right context."""
    if not cands:
        return None, "no candidate"
    if len(cands) == 1:
        return cands[0], "unique by bytes and reading"
    scored = sorted(cands, key=lambda c: -_lm.log_prob(left[-_CONTEXT:] + c + right[:_CONTEXT]))
    return scored[0], f"best of {len(cands)} by dictionary words with neighbours ({''.join(scored[:5])}…)"


def _lead_bytes_from_pair(prev: str, reading: str | None) -> list[int]:
    """Possible first bytes of the true character, from a misaligned pair [prev's 2nd byte, x] read as ``reading``."""
    pb = _gbk(prev)
    if pb is None or reading is None:
        return []
    return [_gbk(c)[1] for c in _chars(lead=pb[1]) if reading in _readings(c)]


@lru_cache(maxsize=1)
def known_repairs() -> list[dict[str, str]]:
    """Rows of the known-repairs table: ``damaged`` (one character of context each side), ``repaired``, ``evidence``.

    >>> {"damaged", "repaired", "evidence"} <= set(known_repairs()[0])
    True
    """
    with open(paths.KNOWN_REPAIRS_CSV, encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if not row["damaged"].startswith("#")]


def _realign(first_leads: list[int] | None, raw: bytes, left: str, right: str, right_reading: str | None):
    """Decode ``raw`` one byte later: [lead raw0] [raw1 raw2] …; returns text and notes."""
    notes = []
    body_bytes = raw[1:]
    dangling = None
    if len(body_bytes) % 2:
        dangling, body_bytes = body_bytes[-1], body_bytes[:-1]
    body = []
    for i in range(0, len(body_bytes), 2):
        body.append(_decode_pair(body_bytes[i], body_bytes[i + 1]) or ILLEGIBLE)
    body_s = "".join(body)
    # restore a byte pair the decoder dropped inside the run: [a x][y b] for a char [a b] that makes poor words
    for i, c in enumerate(body):
        if c == ILLEGIBLE or _lm.word_freq(c) >= _RARE_CHAR_FREQ:
            continue
        a, b = body_bytes[2 * i], body_bytes[2 * i + 1]
        ctx_l = ("".join(body[:i]))[-_CONTEXT:]
        ctx_r = ("".join(body[i + 1 :]) + right)[:_CONTEXT]
        base = _lm.log_prob(ctx_l + c + ctx_r)
        best, best_score = None, base + _DROPPED_PAIR_GAIN
        firsts = _chars(lead=a)
        seconds = _chars(trail=b)
        # score each half with its own side first, keep the top few, then score pairs
        top1 = sorted(firsts, key=lambda x: -_lm.log_prob(ctx_l + x))[:_DROPPED_PAIR_BEAM]
        top2 = sorted(seconds, key=lambda y: -_lm.log_prob(y + ctx_r))[:_DROPPED_PAIR_BEAM]
        for x, y in product(top1, top2):
            if _decode_pair(_gbk(x)[1], _gbk(y)[0]) is not None:
                continue  # a decodable pair would not have been dropped
            s = _lm.log_prob(ctx_l + x + y + ctx_r)
            if s > best_score:
                best, best_score = x + y, s
        if best:
            notes.append(f"{c} ({a:02X} {b:02X}) read as {best}: the pair between them was undecodable and dropped")
            body[i] = best
    body_s = "".join(body)
    # the first character: lost first byte + raw[0]
    if first_leads:
        cands = [c for lo in first_leads if (c := _decode_pair(lo, raw[0]))]
    else:
        cands = _chars(trail=raw[0])
    first, why = _best(cands, left, body_s + right)
    notes.append(f"first byte lost before {raw[0]:02X}: {why}")
    last = ""
    if dangling is not None:
        cands = _chars(lead=dangling)
        if right_reading:
            cands = [c for c in cands if right_reading in _readings(c)] or cands
        last, why = _best(cands, left + (first or "") + body_s, right)
        notes.append(f"second byte lost after {dangling:02X}: {why}")
        last = last or ILLEGIBLE
    return (first or ILLEGIBLE) + body_s + last, "; ".join(notes)


def _repair_zone(text: str, start: int) -> tuple[int, str, str, str]:
    """Repair the damage starting at ``start``; returns (end, replacement, rule, note)."""
    prev = text[start - 1]
    left = text[max(0, start - _CONTEXT) : start]
    slots: list[str | None] = []
    j = start
    while (m := LOST_SLOT.match(text, j)) is not None:
        slots.append(m.group(1))
        j = m.end()
    run_m = GBK_DOUBLE_RUN.match(text, j)
    run = run_m.group(0) if run_m else ""
    k = j + len(run)
    trail_m = ASCII_TRAIL_BYTE.match(text, k)
    trail = trail_m.group(0) if trail_m else ""

    # misaligned pair, then the lost true character with its reading
    if len(slots) == 2 and all(slots):
        leads = _lead_bytes_from_pair(prev, slots[0])
        cands = [c for lo in leads for c in _chars(lead=lo) if slots[1] in _readings(c)]
        char, why = _best(cands, left, text[j : j + _CONTEXT])
        if char:
            return j, char, "misaligned_pair", f"?{slots[0]}) is [{prev}'s 2nd byte + 1st byte of {char}]; {why}"

    # a shifted run (possibly just an ASCII trail byte), after a misaligned pair with reading or a bare '?'.
    # Only a pinyin reading proves the damage (before the run or after it): a bare '?' before Han text is
    # as often a question mark typed in ASCII, and re-decoding what follows it would make characters up
    # (群眾問：“責任到底在誰?” became …在誰小贝), so it is kept and reported instead.
    unproven = not slots or not slots[0]
    suspected = unproven and bool(run) and not FOLLOWING_READING.match(text, j + len(run))
    if suspected:
        run, trail = "", ""
    if len(slots) == 1 and (run or trail):
        end = j + len(run) + len(trail)
        raw = b"".join(_gbk(c) or b"" for c in run) + trail.encode("ascii")
        if len(raw) == len(run) * 2 + len(trail):
            right_reading = None
            if not trail and (rm := FOLLOWING_READING.match(text, end)):
                right_reading, end = rm.group(1), rm.end()  # the reading of the dangling last character
            leads = _lead_bytes_from_pair(prev, slots[0]) if slots[0] else None
            right = text[end : end + _CONTEXT]
            fixed, note = _realign(leads, raw, left, right, right_reading)
            as_is = text[start:end]
            # with no reading to prove damage, realign only when that reads better than the text as it is
            proven = bool(slots[0]) or right_reading is not None
            if ILLEGIBLE not in fixed and (
                proven or _lm.log_prob(left + fixed + right) > _lm.log_prob(left + as_is.lstrip("?\ufffd") + right)
            ):
                return end, fixed, "shifted_run", note

    # two or more bare '?'s then an ASCII trail byte: the last '?' is the lost first byte of [? trail]
    if len(slots) >= 2 and not any(slots) and trail and not run:
        end = j + 1
        char, why = _best(_chars(trail=ord(trail)), "", text[end : end + _CONTEXT])
        lost = ILLEGIBLE * (len(slots) - 1)
        return end, lost + (char or ILLEGIBLE), "lost_lead", f"{trail!r} is the 2nd byte of {char}: {why}"

    if not any(slots) and not run and not suspected:
        return j, text[start:j], "not_damage", ""  # a question mark before ASCII, a space or the end
    if not any(slots):
        # a bare question mark with nothing to prove damage: kept as it is, but reported
        return j, text[start:j], "suspected_damage_kept", "an ASCII '?' after Chinese text; no reading or byte evidence"
    readings = ", ".join(s or "?" for s in slots)
    return j, ILLEGIBLE * len(slots), "gbk_unrepaired", f"lost characters read {readings}; no rule could determine them"


def repair_gbk_damage(text: str) -> tuple[str, list[Change]]:
    """Repair GBK one-byte-shift damage; every repair (and every failure) is reported.

    >>> repair_gbk_damage("永州日?qǐng)?bào)")[0]
    '永州日報'
    """
    if "?" not in text and "\ufffd" not in text:
        return text, []
    out, changes, pos = [], [], 0
    while (m := DAMAGE_START.search(text, pos)) is not None:
        start = m.start()
        end, repl, rule, note = _repair_zone(text, start)
        if repl == text[start:end]:  # nothing to repair
            if rule == "suspected_damage_kept":
                changes.append(Change(STEP, rule, text[start:end], repl, start, note))
            out.append(text[pos:end])
            pos = end
            continue
        if ILLEGIBLE in repl:
            ctx_start = start - 1
            window = text[ctx_start : end + 1]
            for row in known_repairs():
                if row["damaged"] == window:
                    note = f"{row['evidence']} (general rules gave {repl!r})"
                    repl, rule = row["repaired"][1:-1], "known_repair"
                    break
        out.append(text[pos:start])
        out.append(repl)
        changes.append(Change(STEP, rule, text[start:end], repl, start, note))
        pos = end
    out.append(text[pos:])
    return "".join(out), changes
