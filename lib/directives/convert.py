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
