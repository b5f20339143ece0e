"""Reading a corpus file's bytes: UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK, Big5.

>>> decode_bytes("疫情防控".encode("gb18030"))
('疫情防控', 'gb18030')
"""

from __future__ import annotations

import codecs
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import patterns as P


def decode_bytes(data: bytes, problems: list[str] | None = None) -> tuple[str, str]:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else the encoding that
    charset-normalizer detects (GBK and GB2312 are read as their superset GB18030).
    Raises ``ValueError`` for empty, binary or undecodable input.

    With a ``problems`` list, a file that is UTF-8, GB18030 or Big5 (or UTF-16 with its byte-order mark) but for a
    few bytes (a character cut at the end of a truncated file, a stray byte) is read whole: each run of bytes the
    encoding cannot decode becomes U+FFFD, and what was replaced is appended to ``problems`` (see
    :func:`decode_with_replacement`); without one, such a file is undecodable, as before.

    >>> decode_bytes("疫情防控".encode("gb18030"))
    ('疫情防控', 'gb18030')
    >>> said = []
    >>> text, enc = decode_bytes("各地疫情防控工作有序推进，".encode("gb18030") * 3 + b"\\xd6", said)
    >>> text.endswith("推进，\ufffd"), enc, said
    (True, 'gb18030', ['1 byte(s) not valid GB18030 at byte 78, each run read as U+FFFD'])
    """
    if not data.strip():
        raise ValueError("empty file")
    for mark, encoding, name in ((b"\xff\xfe", "utf-16", "utf-16"), (b"\xfe\xff", "utf-16", "utf-16"),
                                 (b"\xef\xbb\xbf", "utf-8", "utf-8-sig")):  # fmt: skip
        if not data.startswith(mark):
            continue
        body = data if encoding == "utf-16" else data[len(mark) :]  # (the UTF-16 codec reads its own mark)
        try:
            return body.decode(encoding), name
        except UnicodeDecodeError:
            text, runs = _replacing(body, encoding)  # the mark names the encoding: a few bad bytes are only that
            if problems is None or sum(end - start for start, end in runs) > _replaced_limit(data):
                raise
            shift = len(data) - len(body)  # (offsets in the file)
            problems.append(_replaced_problem([(start + shift, end + shift) for start, end in runs], encoding))
            return text, name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        if (text := _utf16_without_bom(data)) is not None:
            return text
        raise ValueError("binary file (NUL bytes), not text")
    # GB18030 (a superset of GBK and GB2312), then Big5: a strict decoding whose Han characters are common
    # words is confirmed at once, with no detector (which costs several times the decoding)
    for enc in _legacy_order():
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _confirmed(text):
            _LAST_CONFIRMED[0] = enc
            return text, enc
    if problems is not None and (found := decode_with_replacement(data)) is not None:
        text, enc, problem = found
        problems.append(problem)
        return text, enc
    from charset_normalizer import from_bytes

    candidates = {m.encoding for m in from_bytes(data, cp_isolation=list(_CJK_ENCODINGS))}
    candidates = {"gb18030" if e in ("gb2312", "gbk", "gb18030") else e for e in candidates}
    decoded = {}
    for enc in sorted(candidates | set(_LEGACY_FIRST)):  # the strict legacy decodings always compete
        try:
            decoded[enc] = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    if len(data) % 2 == 0 and (utf16 := _utf16_without_bom(data)) is not None:
        decoded[utf16[1]] = utf16[0]  # UTF-16 with no BOM competes with the others on common characters
    if not decoded:
        raise ValueError("undecodable bytes: not UTF-8, GB18030, Big5 or UTF-16")
    # short texts fool any detector: among the decodings that work, keep the one of common characters
    # (ties go to the decoding with more Han characters: 欢庆 in GB18030 is 辣④ in Big5)
    encoding = max(decoded, key=lambda e: (_common_char_share(decoded[e]), count_han(decoded[e][:2000])))
    text = decoded[encoding]
    if not _printable(text):
        raise ValueError(f"binary file (decodes as {encoding} to mostly unprintable characters)")
    return text, encoding


def _printable(text: str) -> bool:
    """Text, not binary: at least 95% printable characters or white space of any kind (U+3000 and U+00A0,
    which indent and align Chinese text, are white space, not control characters).

    >>> _printable("压实\\u3000责任\\r\\n"), _printable("\\x01\\x02压实")
    (True, False)
    """
    if _all_printable(text):
        return True  # (one pass in C; the count below is 30 times slower)
    return sum(c.isprintable() or c.isspace() for c in text) >= 0.95 * len(text)


@lru_cache(maxsize=2)
def _han_classes(common: bool = False) -> np.ndarray:
    """One class for each of the 65,536 UTF-16 code units: 0 not a Han character, 1 a Han character
    (``patterns.HAN``), and with ``common`` 2 a Han character whose simplified form is a common word on its own
    (:func:`_lm.common_chars`, built from jieba's dictionary only when asked; each character simplified on its
    own, in one call of the converter). The characters outside the Basic Multilingual Plane, two units each, are
    none of them, as in ``patterns.HAN``."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for first, last in P.HAN_RANGES:
        table[first : last + 1] = 1
    if common:
        from . import _lm
        from .convert import to_simplified

        han = [chr(u) for u in np.flatnonzero(table)]
        simplified = to_simplified("\n".join(han)).split("\n")  # (no conversion crosses a line break)
        words = _lm.common_chars()
        table[[ord(c) for c, s in zip(han, simplified, strict=True) if s in words]] = 2
    return table


def _units(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype="<u2")


def count_han(text: str) -> int:
    """How many Han characters ``text`` holds (``patterns.HAN``), counted by a table of UTF-16 code units rather
    than by a regular expression's runs (the same count).

    >>> count_han("压实责任 COVID-19，𠀀")
    4
    """
    return int(np.count_nonzero(_han_classes()[_units(text)]))


def han_counts(text: str) -> tuple[int, int]:
    """How many Han characters ``text`` holds, and how many of them are, simplified, common words on their own:
    one table look-up over its UTF-16 code units (the same Han count as the class's regular expression; a legacy
    encoding is confirmed file by file with them, so they must be cheap).

    >>> han_counts("壓實责任 COVID-19，𠀀龘")
    (5, 4)
    """
    counts = np.bincount(_han_classes(common=True)[_units(text)], minlength=3)
    return int(counts[1] + counts[2]), int(counts[2])


def _all_printable(text: str) -> bool:
    """Every character printable or white space (``split()`` drops exactly those ``isspace()`` is true of).

    >>> _all_printable("压实\\u3000责任\\r\\n"), _all_printable("压实\\ue000")
    (True, False)
    """
    return "".join(text.split()).isprintable()


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 with no BOM: the byte order whose decoding is printable text with common Han characters."""
    best = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _printable(text):
            continue
        score = _common_char_share(text)
        if score > 0.5 and (best is None or score > best[0]):
            best = (score, text, enc)
    return (best[1], best[2]) if best else None


_LEGACY_FIRST = ("gb18030", "big5")
# The files of one corpus share their encoding: the legacy encoding confirmed last (in this process) is tried
# first, so a Big5 corpus is not decoded as GB18030 and rejected file after file. Every file is still confirmed
# on its own (a wrong decoding's common-character share is far below the threshold), so the order never
# changes what a file decodes to, only how soon.
_LAST_CONFIRMED = ["gb18030"]
# A decoding is confirmed when at least this share of its Han characters are common words on their own: on
# People's Daily (its files of 20 Han characters or more) the right GB18030 or Big5 decoding has 0.90 or more
# (0.97 for 99% of the files), its Big5 copy read as GB18030 at most 0.78 (0.53 for half of them). Shorter texts
# than _CONFIRM_MIN_HAN Han characters go to the detector.
_CONFIRMED_SHARE = 0.9
_CONFIRM_MIN_HAN = 20
_CJK_ENCODINGS = ("gb18030", "big5", "utf_16", "utf_8")


def _legacy_order() -> list[str]:
    """The legacy encodings, the one confirmed last in this process first."""
    return sorted(_LEGACY_FIRST, key=lambda e: e != _LAST_CONFIRMED[0])


def _confirmed(text: str) -> bool:
    """Whether a legacy decoding is the file's: enough Han characters, most of them common words on their own, and
    printable (the costliest test last: one pass in C, the exact count only for a text with an unprintable character).

    >>> _confirmed("各地疫情防控工作有序推进，" * 3), _confirmed("各地疫情")
    (True, False)
    """
    return (
        count_han(text[:2000]) >= _CONFIRM_MIN_HAN and _common_char_share(text) >= _CONFIRMED_SHARE and _printable(text)
    )


def _common_char_share(text: str) -> float:
    """Share of the Han characters of ``text`` (its first 2,000 characters) whose simplified form is a common word
    on its own in jieba's dictionary.

    >>> _common_char_share("壓實責任，龘")
    0.8
    """
    n_han, n_common = han_counts(text[:2000])
    return n_common / n_han if n_han else 0.0


# A file is read whole with its undecodable bytes replaced (decode_with_replacement) when they are at most this share
# of its bytes (and at least _REPLACED_MIN_BYTES may always be), and its decoding is otherwise confirmed: UTF-8 by
# at least _UTF8_VALID_PER_BAD Han characters for each bad run (and _CONFIRM_MIN_HAN in all), or by being valid but
# for a character cut at its end; GB18030 and Big5 as a strict decoding is (common characters, printable). A file
# that fails these goes on to the detector.
_REPLACED_MAX_SHARE = 0.005
_REPLACED_MIN_BYTES = 2
_UTF8_VALID_PER_BAD = 50


def _replaced_limit(data: bytes) -> float:
    """How many undecodable bytes ``data`` may hold and still be read with them replaced."""
    return max(_REPLACED_MIN_BYTES, _REPLACED_MAX_SHARE * len(data))


_RUNS: list[tuple[int, int]] = []  # the runs of undecodable bytes of the decoding under way (one at a time a process)


def _replace_and_remember(exc: UnicodeDecodeError) -> tuple[str, int]:
    _RUNS.append((exc.start, exc.end))
    return "\ufffd", exc.end


codecs.register_error("directives-replace", _replace_and_remember)


def _replacing(data: bytes, encoding: str) -> tuple[str, list[tuple[int, int]]]:
    """``data`` decoded with each run of undecodable bytes read as U+FFFD, and the runs (start, end) in bytes."""
    _RUNS.clear()
    text = data.decode(encoding, errors="directives-replace")
    runs = _RUNS.copy()
    _RUNS.clear()
    return text, runs


_LABELS = {"utf-8": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030", "big5": "Big5"}


def _replaced_problem(runs: list[tuple[int, int]], encoding: str) -> str:
    n = sum(end - start for start, end in runs)
    where = f"at byte {runs[0][0]}" if len(runs) == 1 else f"in {len(runs)} places, the first at byte {runs[0][0]}"
    return f"{n} byte(s) not valid {_LABELS.get(encoding, encoding)} {where}, each run read as U+FFFD"


def decode_with_replacement(data: bytes) -> tuple[str, str, str] | None:
    """``(text, encoding, problem)`` for bytes that are UTF-8, GB18030 or Big5 but for a few undecodable bytes (a file
    cut inside a character, a stray byte): each run of them is read as U+FFFD, and ``problem`` says how many and
    where. None when no encoding decodes them with few enough replacements and is otherwise confirmed (see
    ``_REPLACED_MAX_SHARE``): such bytes are left to the detector, as any other.

    >>> text, enc, problem = decode_with_replacement("疫情防控工作".encode() * 10 + "中".encode()[:2])
    >>> text.endswith("防控工作\ufffd"), enc, problem
    (True, 'utf-8', '2 byte(s) not valid UTF-8 at byte 180, each run read as U+FFFD')
    """
    limit = _replaced_limit(data)
    text, runs = _replacing(data, "utf-8")
    bad = sum(end - start for start, end in runs)
    cut = len(runs) == 1 and runs[0][1] == len(data) and bad < 4  # valid UTF-8 that ends inside a character
    if runs and bad <= limit and (cut or count_han(text) >= max(_CONFIRM_MIN_HAN, _UTF8_VALID_PER_BAD * len(runs))):
        if _printable(text):
            return text, "utf-8", _replaced_problem(runs, "utf-8")
    for enc in _legacy_order():
        text, runs = _replacing(data, enc)
        if not runs or sum(end - start for start, end in runs) > limit:
            continue  # (a strict decoding was tried before)
        if _confirmed(text):
            return text, enc, _replaced_problem(runs, enc)
    return None


def read_text_file(path: str | Path, problems: list[str] | None = None) -> tuple[str, str]:
    """Read one article file exactly as it is (no newline translation); returns (text, encoding). With a
    ``problems`` list, a file with a few undecodable bytes is read whole (see :func:`decode_bytes`).

    >>> from directives import paths
    >>> text, enc = read_text_file(paths.SEEDS_DIR / "002_24643090ae82cad5.txt")
    >>> enc, text[:4]
    ('utf-8', '發(fā')
    """
    return decode_bytes(Path(path).read_bytes(), problems)


def derived_lines(path: str | Path, header: str) -> list[str] | None:
    """The lines of a data file derived from a pinned package (``data/country_names_zh.txt`` …) after its first line,
    or None when that line is not ``header`` (the file was made from other data) or the file cannot be read: the
    caller derives the list again.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "d.txt"
    >>> _ = f.write_text("# from x\\na\\nb\\n", "utf-8")
    >>> derived_lines(f, "# from x\\n"), derived_lines(f, "# from y\\n")
    (['a', 'b'], None)
    """
    try:
        with open(path, encoding="utf-8") as fh:
            if fh.readline() != header:
                return None
            return [line.rstrip("\n") for line in fh]
    except OSError:
        return None
