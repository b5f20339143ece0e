"""Traditional-to-simplified conversion with OpenCC (the C++ binding), one converter per process.

>>> from directives.convert import to_simplified
>>> to_simplified("壓實責任")
'压实责任'
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional Chinese to simplified (OpenCC ``t2s``); other characters pass through.

    >>> to_simplified("疫情防控責任")
    '疫情防控责任'
    """
    return _converter().convert(text) if text else text


def to_simplified_many(texts: list[str]) -> list[str]:
    """``[to_simplified(t) for t in texts]`` in one call of the converter: an article's title and fields, and its body
    last (each call costs as much as converting a few hundred characters). The texts are joined at line breaks, which
    no conversion crosses or changes; where one but the last holds a line break, each is converted alone.

    >>> to_simplified_many(["標題", "", "正文\\n內容"])
    ['标题', '', '正文\\n内容']
    """
    if len(texts) < 2 or any("\n" in t for t in texts[:-1]):
        return [to_simplified(t) for t in texts]
    return to_simplified("\n".join(texts)).split("\n", len(texts) - 1)


@lru_cache(maxsize=1)
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Convert simplified Chinese to traditional (OpenCC ``s2t``).

    >>> to_traditional("压实责任")
    '壓實責任'
    """
    return _to_traditional().convert(text) if text else text


@lru_cache(maxsize=1 << 15)
def script_of(char: str) -> str:
    """``"traditional"`` for a character simplification changes, ``"simplified"`` for one that has a
    different traditional form, ``""`` for a character both scripts write alike.

    >>> script_of("責"), script_of("责"), script_of("任")
    ('traditional', 'simplified', '')
    """
    if to_simplified(char) != char:
        return "traditional"
    if _to_traditional().convert(char) != char:
        return "simplified"
    return ""
