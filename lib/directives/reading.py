"""Reading a corpus file's bytes: UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK, Big5.

>>> decode_bytes("疫情防控".encode("gb18030"))
('疫情防控', 'gb18030')
"""

from __future__ import annotations

from pathlib import Path

from . import patterns as P


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else the encoding that
    charset-normalizer detects (GBK and GB2312 are read as their superset GB18030).
    Raises ``ValueError`` for empty, binary or undecodable input.

    >>> decode_bytes("疫情防控".encode("gb18030"))
    ('疫情防控', 'gb18030')
    """
    if not data.strip():
        raise ValueError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        if (text := _utf16_without_bom(data)) is not None:
            return text
        raise ValueError("binary file (NUL bytes), not text")
    from charset_normalizer import from_bytes

    candidates = {m.encoding for m in from_bytes(data, cp_isolation=list(_CJK_ENCODINGS))}
    candidates = {"gb18030" if e in ("gb2312", "gbk", "gb18030") else e for e in candidates}
    decoded = {}
    for enc in sorted(candidates):
        try:
            decoded[enc] = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    if len(data) % 2 == 0 and (utf16 := _utf16_without_bom(data)) is not None:
        decoded[utf16[1]] = utf16[0]  # UTF-16 with no BOM competes with the others on common characters
    if not decoded:
        raise ValueError("undecodable bytes: not UTF-8, GB18030, Big5 or UTF-16")
    # short texts fool any detector: among the decodings that work, keep the one of common characters
    encoding = max(decoded, key=lambda e: _common_char_share(decoded[e]))
    text = decoded[encoding]
    if sum(c.isprintable() or c in "\n\r\t" for c in text) < 0.95 * len(text):
        raise ValueError(f"binary file (decodes as {encoding} to mostly unprintable characters)")
    return text, encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 with no BOM: the byte order whose decoding is printable text with common Han characters."""
    best = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if sum(c.isprintable() or c in "\n\r\t" for c in text) < 0.95 * len(text):
            continue
        score = _common_char_share(text)
        if score > 0.5 and (best is None or score > best[0]):
            best = (score, text, enc)
    return (best[1], best[2]) if best else None


_CJK_ENCODINGS = ("gb18030", "big5", "utf_16", "utf_8")


def _common_char_share(text: str) -> float:
    """Share of the Han characters that are common words on their own in jieba's dictionary."""
    from . import _lm

    han = P.HAN_CHAR.findall(text[:2000])
    if not han:
        return 0.0
    return sum(_lm.word_freq(c) > 100 for c in han) / len(han)


def read_text_file(path: str | Path) -> tuple[str, str]:
    """Read one article file exactly as it is (no newline translation); returns (text, encoding).

    >>> from directives import paths
    >>> text, enc = read_text_file(paths.SEEDS_DIR / "002_24643090ae82cad5.txt")
    >>> enc, text[:4]
    ('utf-8', '發(fā')
    """
    return decode_bytes(Path(path).read_bytes())
