"""Repair text damaged by a one-byte shift in a GBK byte stream.

When one byte of a GBK stream is lost, the decoder pairs each character's second byte with the
next character's first byte until an ASCII byte puts it back in step, and shows what it cannot decode
as ``?``. After a pinyin annotator has also run over the text, the damage looks like ``日?qǐng)?bào)``
(for 日報), ``壓實?崭鄯揽刎(zé)任`` (for 壓實空港防控責任) or ``河?xùn)|區`` (for 河東區).

Each piece of evidence anchors a repair: a ``?`` after Chinese text, an ASCII letter glued between
Chinese text and a reading, or a reading that cannot belong to the character before it. At an anchor,
every way the bytes can be aligned is a candidate:

* one of the marks stands for the lost first byte (marks before it are lost characters), and the run
  of characters after it was decoded one byte late; or
* there is no mark, and the run before the anchor was decoded one byte late.

Each candidate is solved from the bytes: [lost first byte] + the run's bytes + [last second byte].
A misaligned pair's reading (``?qǐng)``: the pair of the character before and the lost byte, read qǐng)
narrows the lost byte. An ASCII letter after the run is the last character's second byte, and a reading
after it fixes that character. A hidden second byte must be one the decoder could not pair with the byte
that followed. The characters that remain open are chosen with a word language model (:mod:`._lm`), in
the text's own script. Candidates are compared over the same stretch of text, and rules name them:
``misaligned_pair``, ``shifted_run`` and ``lost_lead``.

A bare ``?`` with nothing else to show damage looks exactly like a question mark typed in ASCII. It is
realigned only beside a run that then reads far better; otherwise it is kept and reported as
``suspected_damage_kept``. What the rules cannot determine is looked up in the table of known repairs
(``data/known_repairs.csv``, each row with its evidence); what is still unknown becomes ``〓`` (the
typographic mark for an illegible character) and is reported as ``gbk_unrepaired``. Nothing is dropped
silently.

>>> repair_gbk_damage("全面壓實?崭鄯揽刎(zé)任")[0]
'全面壓實空港防控責任'
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache, lru_cache
from itertools import product

from . import _lm, paths
from .changes import Change
from .convert import script_of
from .patterns import (
    ANY_READING,
    ASCII_TRAIL_BYTE,
    DAMAGE_CANDIDATE,
    DAMAGE_MARK,
    DAMAGE_START,
    FOLLOWING_READING,
    HAN_CHAR,
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
# a run with no mark before it is looked for this many characters back
_BACK_MAX = 12
# a bare '?' (no reading, no ASCII byte) is realigned only before a run this long that then reads better
# by this much log-probability per character
_UNPROVEN_MIN_RUN = 2
_UNPROVEN_GAIN = 2.5


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
    import json

    return json.loads(pinyin_dict_path().read_text("utf-8"))


def pinyin_dict_path():
    """The pinned pypinyin's character dictionary (``pinyin_dict.json``), located without importing the package.

    >>> pinyin_dict_path().name
    'pinyin_dict.json'
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("pypinyin")
    return Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"


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


def _run_end(text: str, j: int) -> int:
    """End of the run of double-byte GBK characters (a shifted decoding) starting at ``j``."""
    k = j
    while k < len(text) and text[k] not in DAMAGE_MARK and _gbk(text[k]) is not None:
        k += 1
    return k


_UNEXPLAINED = re.compile(f"[{DAMAGE_MARK}]")
_SCRIPT: ContextVar[str] = ContextVar("script", default="")


def _text_script(text: str) -> str:
    """The script a text is written in (``""`` when mixed or undecided), from its first 2,000 characters."""
    counts = Counter(script_of(c) for c in text[:2000] if "\u4e00" <= c <= "\u9fff")
    t, s = counts["traditional"], counts["simplified"]
    if t >= 3 and t > 3 * s:
        return "traditional"
    if s >= 3 and s > 3 * t:
        return "simplified"
    return ""


def _pick(cands: list[str], left: str, right: str) -> tuple[str | None, str]:
    """The candidate that makes the most probable text between left and right context (in the text's
    own script: a simplified form is not restored into traditional text, nor the other way round)."""
    script = _SCRIPT.get()
    if script and len(cands) > 1:
        other = "simplified" if script == "traditional" else "traditional"
        cands = [c for c in cands if script_of(c) != other] or cands
    if not cands:
        return None, "no candidate"
    if len(cands) == 1:
        return cands[0], "unique by bytes and reading"
    scored = sorted(cands, key=lambda c: -_lm.log_prob(left[-_CONTEXT:] + c + right[:_CONTEXT]))
    return scored[0], f"best of {len(cands)} by dictionary words with neighbours ({''.join(scored[:5])}…)"


def _first_chars(leads: list[int] | None, trail: int | None, reading: str | None) -> list[str]:
    """GBK characters whose first byte is one of ``leads`` (any when None) and second byte ``trail`` (any
    when None), read ``reading`` when one is given."""
    if reading is not None and leads is None and trail is None:
        return list(_by_reading().get(reading, ()))
    if leads is not None:
        cands = [c for lo in leads for c in ([_decode_pair(lo, trail)] if trail is not None else _chars(lead=lo)) if c]
    elif trail is not None:
        cands = _chars(trail=trail)
    else:
        cands = _chars()
    if reading is not None:
        cands = [c for c in cands if reading in _readings(c)]
    return list(dict.fromkeys(cands))


@lru_cache(maxsize=1)
def _by_reading() -> dict[str, tuple[str, ...]]:
    """The GBK characters by reading (looked up, not scanned, when a lost character has only its reading)."""
    out: dict[str, list[str]] = {}
    for c in _gbk_table().values():
        for r in _readings(c):
            out.setdefault(r, []).append(c)
    return {r: tuple(dict.fromkeys(cs)) for r, cs in out.items()}


@lru_cache(maxsize=4096)
def _unpairable(next_byte: int) -> frozenset[int]:
    """Second bytes (0x80 and up) that the decoder could not pair with ``next_byte``."""
    return frozenset(t for t in range(0x80, 0x100) if _decode_pair(t, next_byte) is None)


def _dropped_pairs(body: list[str], body_bytes: bytes, right: str, notes: list[str]) -> None:
    """Restore a byte pair the decoder dropped inside a run: [a x][y b] read as one rare character [a b]."""
    for i, c in enumerate(body):
        if c == ILLEGIBLE or _lm.word_freq(c) >= _RARE_CHAR_FREQ:
            continue
        a, b = body_bytes[2 * i], body_bytes[2 * i + 1]
        ctx_l = ("".join(body[:i]))[-_CONTEXT:]
        ctx_r = ("".join(body[i + 1 :]) + right)[:_CONTEXT]
        best, best_score = None, _lm.log_prob(ctx_l + c + ctx_r) + _DROPPED_PAIR_GAIN
        top1 = sorted(_chars(lead=a), key=lambda x: -_lm.log_prob(ctx_l + x))[:_DROPPED_PAIR_BEAM]
        top2 = sorted(_chars(trail=b), key=lambda y: -_lm.log_prob(y + ctx_r))[:_DROPPED_PAIR_BEAM]
        for x, y in product(top1, top2):
            if _decode_pair(_gbk(x)[1], _gbk(y)[0]) is not None:
                continue  # a decodable pair would not have been dropped
            s = _lm.log_prob(ctx_l + x + y + ctx_r)
            if s > best_score:
                best, best_score = x + y, s
        if best:
            notes.append(f"{c} ({a:02X} {b:02X}) read as {best}: the pair between them was undecodable and dropped")
            body[i] = best


def _last_chars(lead: int, trail: int | None, reading: str | None, following: str) -> list[str]:
    """Characters whose first byte is ``lead``: with second byte ``trail`` when it showed as ASCII; else one
    the decoder could not pair with the byte that follows (or it would have decoded the pair and stayed
    out of step), read ``reading`` when the annotator left one."""
    if trail is not None:
        return _first_chars([lead], trail, reading)
    nxt = following[:1]
    nb = (_gbk(nxt) or b"")[:1] or (nxt.encode("ascii") if nxt and nxt.isascii() else b"")
    cands = _first_chars([lead], None, reading)
    if nb:
        ok = _unpairable(nb[0])
        cands = [c for c in cands if _gbk(c)[1] in ok]
    return cands


def _realign(
    leads: list[int] | None,
    raw: bytes,
    trail: int | None,
    reading: str | None,
    left: str,
    right: str,
    following: str = "",
    dropped: bool = True,
    as_is: str | None = None,
) -> tuple[str, str] | None:
    """The characters whose GBK bytes are [lost first byte] ``raw`` [second byte], decoded one byte later.

    ``raw`` is the run as it was decoded (each character's second byte paired with the next one's first
    byte); the first byte is lost (one of ``leads`` when a misaligned pair's reading pins it down); the
    last character's second byte is ``trail`` when it shows as an ASCII letter, else unknown; ``reading``
    is the last character's reading when the annotator left it; ``following`` is the text after the
    damage (a lost second byte could not pair with its first byte); ``dropped`` looks for a byte pair
    the decoder dropped inside the run; with ``as_is`` (the run as shown, when nothing proves damage) the
    realignment stops early unless its middle reads far better. None when no text has these bytes.
    """
    notes: list[str] = []
    if not raw:
        # one character: something must narrow it down (its reading, a byte, or a Han character after it
        # that its lost second byte could not pair with)
        if leads is None and trail is None and reading is None and not HAN_CHAR.match(following[:1]):
            return None
        cands = _first_chars(leads, trail, reading)
        nb = (_gbk(following[:1]) or b"")[:1] if following else b""
        if trail is None and nb:
            ok = _unpairable(nb[0])
            cands = [c for c in cands if _gbk(c)[1] in ok]
        char, why = _pick(cands, left, right)
        if char is None:
            return None
        return char, f"one character from {'its reading ' + reading if reading else 'its bytes'}: {why}"
    body: list[str] = []
    inner = raw[1:-1]
    for i in range(0, len(inner), 2):
        c = _decode_pair(inner[i], inner[i + 1])
        if c is None:
            return None
        body.append(c)
    if as_is is not None and len(body) >= _UNPROVEN_MIN_RUN - 1:
        gain = _lm.log_prob("".join(body)) - _lm.log_prob(as_is[: len(body)])
        if gain < _UNPROVEN_GAIN * len(body):
            return None
    last_cands = _last_chars(raw[-1], trail, reading, following)
    if not last_cands:
        return None
    # the last character with the run before it, then the first with the run and that last character
    # after it, then the last again with the chosen first (a word can span the whole run: 依法治國)
    last, _ = _pick(last_cands, "".join(body), right)
    if dropped:
        _dropped_pairs(body, inner, (last or "") + right, notes)
    body_s = "".join(body)
    first, why = _pick(_first_chars(leads, raw[0], None), left, body_s + (last or "") + right)
    if first is None:
        return None
    notes.append(f"first byte lost before {raw[0]:02X}: {why}")
    last, why = _pick(last_cands, left + first + body_s, right)
    known = f"{trail:02X}" if trail is not None else "lost"
    notes.append(f"last character {raw[-1]:02X} {known}{' read ' + reading if reading else ''}: {why}")
    return first + body_s + last, "; ".join(notes)


def _is_ascii_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _is_latin(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _tail(text: str, k: int) -> tuple[int, int | None, str | None, bool, str]:
    """What ends a run at ``k``: (end, the last character's second byte if it shows as ASCII, its reading,
    whether a mark or a reading proves the damage, the text that followed the lost byte in the stream)."""
    trail, reading, marked = None, None, False
    if k < len(text) and text[k] in DAMAGE_MARK:
        m = LOST_SLOT.match(text, k)
        k, reading, marked = m.end(), m.group(1), True
    elif (t := ASCII_TRAIL_BYTE.match(text, k)) is not None and not _is_ascii_word(text[k + 1 : k + 2]):
        # one ASCII letter glued to the run (not a word in Latin letters): the last character's second byte
        trail, k = ord(t.group(0)), k + 1
    proven = marked or trail is not None
    if reading is None and (rm := FOLLOWING_READING.match(text, k)) is not None:
        # annotated text has readings everywhere: one proves damage only where it cannot belong to the
        # character before it (the annotator read a character that the damage then turned into another)
        if trail is not None or marked or (k > 0 and rm.group(1) not in _readings(text[k - 1])):
            reading, k, proven = rm.group(1), rm.end(), True
    following = "(" if reading is not None else text[k : k + 1]
    return k, trail, reading, proven or reading is not None, following


def _candidates(text: str, start: int) -> Iterator[tuple[int, int, str, str, str, bool]]:
    """Readings of the damage anchored at ``start``, one per way the bytes can be aligned:
    (begin, end, replacement, rule, note, proven); the caller keeps the most probable."""
    prev = text[start - 1]
    left = text[max(0, start - _CONTEXT) : start]
    slots: list[tuple[int, str | None]] = []  # (position, reading)
    j = start
    while j < len(text) and (m := LOST_SLOT.match(text, j)) is not None:
        slots.append((m.start(), m.group(1)))
        j = m.end()
    # forward: one of the marks stands for the lost first byte (marks before it are lost characters)
    for a, (_, pair_reading) in enumerate(slots):
        leads = _lead_bytes_from_pair(prev, pair_reading) if pair_reading else None
        if pair_reading and not leads:
            continue
        lost_text = ILLEGIBLE * a
        after = slots[a + 1][0] if a + 1 < len(slots) else j
        k = _run_end(text, after)
        run = text[after:k]
        end, trail, reading, proven, following = _tail(text, k)
        if not run and a == 0 and reading is None and not pair_reading and _is_ascii_word(text[k : k + 1]):
            proven = False  # 嗎?A股: one bare '?' before a Latin letter is a question mark as often as damage
        raw = b"".join(_gbk(c) or b"" for c in run)
        right = text[end : end + _CONTEXT]
        unproven = not (proven or pair_reading)
        if unproven and len(run) < _UNPROVEN_MIN_RUN:
            continue
        got = _realign(leads, raw, trail, reading, left + lost_text, right, following, as_is=run if unproven else None)
        if got is not None:
            rule = "shifted_run" if run else "misaligned_pair" if pair_reading else "lost_lead"
            yield start, end, lost_text + got[0], rule, got[1], proven or pair_reading is not None
    # backward: the mark (or an ASCII letter before a reading) ends a run whose lost first byte left no mark
    end, trail, reading, proven, following = _tail(text, start)
    unproven = trail is None and reading is None
    if unproven and not HAN_CHAR.match(following[:1]):
        return  # a bare '?' at the end of a sentence or before ASCII: a question mark as often as damage
    right = text[end : end + _CONTEXT]
    if trail is not None:  # the ASCII letter alone: a character whose first byte was lost
        got = _realign(None, b"", trail, reading, left, right, following)
        if got is not None:
            yield start, end, got[0], "lost_lead", got[1], True
    s = start
    while s > 0 and start - s < _BACK_MAX and text[s - 1] not in DAMAGE_MARK and _gbk(text[s - 1]):
        s -= 1
        raw = b"".join(_gbk(c) for c in text[s:start])
        got = _realign(
            None,
            raw,
            trail,
            reading,
            text[max(0, s - _CONTEXT) : s],
            right,
            following,
            dropped=False,
            as_is=text[s:start] if unproven else None,
        )
        if got is not None:
            note = got[1] + f"; no mark before the run of {start - s}"
            yield s, end, got[0], "shifted_run", note, not unproven


def _choose(text: str, start: int, pos: int) -> tuple[int, int, str, str, str]:
    """The most probable reading of the damage at ``start`` (not reaching back before ``pos``)."""
    cands = [c for c in _candidates(text, start) if c[0] >= pos]
    lo = max(pos, min((c[0] for c in cands), default=start) - _CONTEXT)
    hi = max((c[1] for c in cands), default=start + 1) + _CONTEXT

    def score(c: tuple[int, int, str, str, str, bool], mark: str = ILLEGIBLE) -> float:
        # every candidate scored over the same stretch of text, readings and ASCII left out; a mark the
        # candidate leaves unexplained costs what an unknown character costs (against the text as it is,
        # what a question mark costs)
        window = _UNEXPLAINED.sub(mark, text[lo : c[0]]) + c[2] + _UNEXPLAINED.sub(mark, text[c[1] : hi])
        return _lm.log_prob(ANY_READING.sub("", window))

    proven = [c for c in cands if c[5]]
    if proven:
        best = max(proven, key=score)
        return best[0], best[1], best[2], best[3], best[4]
    m = LOST_SLOT.match(text, start)
    if m is None:
        return start, start + 1, text[start], "not_damage", ""
    # a bare '?' with nothing to prove damage is as often a question mark typed in ASCII: re-decoding the
    # text beside it would make characters up (群眾問：“責任到底在誰?” became …在誰小贝), so it is realigned
    # only beside a run of two or more characters that then reads far better than as it is
    as_is = _lm.log_prob(ANY_READING.sub("", _UNEXPLAINED.sub("？", text[lo:hi])))
    unproven = [c for c in cands if len(c[2]) > _UNPROVEN_MIN_RUN and "?" not in c[2] and ILLEGIBLE not in c[2]]
    if unproven:
        best = max(unproven, key=score)
        if (score(best, "？") - as_is) / (best[1] - best[0]) > _UNPROVEN_GAIN:
            note = best[4] + "; no reading: realigned because it reads far better than as it is"
            return best[0], best[1], best[2], best[3], note
    slots, j = [], start
    while (sm := LOST_SLOT.match(text, j)) is not None:
        slots.append(sm.group(1) or "?")
        j = sm.end()
    if any(r != "?" for r in slots):
        note = f"lost characters read {', '.join(slots)}; nothing determines them"
        return start, j, ILLEGIBLE * len(slots), "gbk_unrepaired", note
    if _run_end(text, m.end()) > m.end() or not _is_latin(text[m.end() : m.end() + 1]):
        # kept as it is, but reported (not before Latin letters: 什么樣?AIGC is a question)
        return start, m.end(), text[start : m.end()], "suspected_damage_kept", "an ASCII '?' after Chinese text"
    return start, m.end(), text[start : m.end()], "not_damage", ""


def damage_start(text: str, pos: int = 0) -> re.Match | None:
    """``DAMAGE_START.search(text, pos)``, trying the pattern only where it can match: at a mark (``?``, U+FFFD), at a
    ``(`` or just before one (a test keeps the two equal; on text full of parentheses this is several times faster).

    >>> damage_start("会议。永州日?qǐng)").start()
    6
    """
    while (c := DAMAGE_CANDIDATE.search(text, pos)) is not None:
        q = c.start()
        if q > pos and text[q] == "(" and (m := DAMAGE_START.match(text, q - 1)) is not None:
            return m
        if (m := DAMAGE_START.match(text, q)) is not None:
            return m
        pos = q + 1
    return None


def repair_gbk_damage(text: str) -> tuple[str, list[Change]]:
    """Repair GBK one-byte-shift damage; every repair (and every failure) is reported.

    >>> repair_gbk_damage("永州日?qǐng)?bào)")[0]
    '永州日報'
    """
    if ("?" not in text and "\ufffd" not in text and "(" not in text) or damage_start(text) is None:
        return text, []
    token = _SCRIPT.set(_text_script(text))
    try:
        return _repair(text)
    finally:
        _SCRIPT.reset(token)


def _repair(text: str) -> tuple[str, list[Change]]:
    out, changes, pos = [], [], 0
    while (m := damage_start(text, pos)) is not None:
        begin, end, repl, rule, note = _choose(text, m.start(), pos)
        if repl == text[begin:end]:  # nothing to repair
            if rule == "suspected_damage_kept":
                changes.append(Change(STEP, rule, text[begin:end], repl, begin, note))
            out.append(text[pos:end])
            pos = end
            continue
        if ILLEGIBLE in repl:
            window = text[begin - 1 : end + 1]
            for row in known_repairs():
                if row["damaged"] == window:
                    note = f"{row['evidence']} (general rules gave {repl!r})"
                    repl, rule = row["repaired"][1:-1], "known_repair"
                    break
            else:
                rule = "gbk_unrepaired" if rule != "known_repair" else rule
        out.append(text[pos:begin])
        out.append(repl)
        changes.append(Change(STEP, rule, text[begin:end], repl, begin, note))
        pos = end
    out.append(text[pos:])
    return "".join(out), changes
