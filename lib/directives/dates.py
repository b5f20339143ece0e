"""Dates of articles: parsing, and choosing the publication date by evidence.

A careful reader takes, in this order: the metadata; the article's own publication line (a header line
such as ``发布时间：2022-04-16`` or ``2022-03-19 12:17:56 来源：…``); the signature date at the end of a
notice (``山东省人民政府`` / ``2019年5月17日``, or ``…2019年3月15日印发``); the date in the file name;
and last a dateline's month and day (``本报北京9月30日电``) completed with a year from the same article.
Dates inside sentences (``截至2019年12月31日``, ``于…召开``) are never the publication date. When two
sources disagree, the better one is kept and the disagreement is recorded as a change (step
``metadata``, rule ``date_conflict``).

>>> parse_date("2022年3月19日"), parse_date("2021年10月22日 21时33分")
(Timestamp('2022-03-19 00:00:00'), Timestamp('2021-10-22 21:33:00'))
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import pandas as pd

from . import patterns as P
from .changes import Change

_DATE = re.compile(
    r"^\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:[\sT]+)(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}))?[分秒]?)?\s*(?:[+-]\d{2}:?\d{2}|Z)?\s*$"
)
_CN_NUM = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_CN_DATE = re.compile(
    "^\\s*([〇零一二三四五六七八九]{4})年([〇零一二三四五六七八九十]{1,2})月([〇零一二三四五六七八九十]{1,3})日\\s*$"
)
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")


def _cn_number(s: str) -> int:
    """二十三 -> 23, 十七 -> 17, 三十 -> 30, 五 -> 5."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_NUM[tens] if tens else 1) * 10 + (_CN_NUM[ones] if ones else 0)
    return int("".join(str(_CN_NUM[c]) for c in s))


def parse_date(value: str | None) -> pd.Timestamp:
    """A Timestamp from ``2022-03-19 12:17:56``, ``2022/3/19``, ``2022年3月19日``, ``二〇一九年五月十七日`` …;
    NaT if none.

    >>> parse_date("2022-03-19 12:17:56"), parse_date("二〇一九年五月十七日"), parse_date("")
    (Timestamp('2022-03-19 12:17:56'), Timestamp('2019-05-17 00:00:00'), NaT)
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return pd.NaT
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None) if value.tzinfo else value
    if hasattr(value, "year") and hasattr(value, "month"):  # a date or datetime from a Parquet or JSON table
        return pd.Timestamp(value)
    text = str(value).strip()
    if not text:
        return pd.NaT
    parts = None
    if m := _DATE.match(text):
        parts = [int(g) if g else 0 for g in m.groups()]
    elif m := _CN_DATE.match(text):
        parts = [_cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3))]
    if parts is not None:
        try:
            return pd.Timestamp(*parts)
        except ValueError:
            return pd.NaT
    if not _ISO_TIMESTAMP.match(text):
        return pd.NaT  # 3/4/2022 (March or April?) and a bare 2022 are not dates
    ts = pd.to_datetime(text, errors="coerce")
    if pd.isna(ts):
        return pd.NaT
    ts = pd.Timestamp(ts)
    return ts.tz_localize(None) if ts.tzinfo else ts


def date_from_filename(name: str) -> pd.Timestamp:
    """The date in a file name such as ``20200131-02-06.txt``, or NaT.

    >>> date_from_filename("20200131-02-06.txt")
    Timestamp('2020-01-31 00:00:00')
    """
    m = P.FILENAME_DATE.search(_stem(name))
    return _day(*m.groups()) if m else pd.NaT


def _stem(name: str) -> str:
    """``Path(name).stem`` for a file's path in a corpus, by string operations (a third of the cost of reading a
    file name's date went into building the Path; a test keeps the two equal)."""
    base = name.rstrip("/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[:dot] if 0 < dot < len(base) - 1 else base


@lru_cache(maxsize=4096)
def _day(year: str, month: str, day: str) -> pd.Timestamp:
    """The day of a file name's date, or NaT (kept: the files of one day share it, and parsing it was most of
    the cost of reading a file name)."""
    try:
        return pd.Timestamp(f"{year}-{month}-{day}")
    except ValueError:
        return pd.NaT


def _dateline_date(dateline: str, years: list[int]) -> pd.Timestamp:
    m = _MONTH_DAY.search(dateline or "")
    if not m or not years:
        return pd.NaT
    try:
        return pd.Timestamp(years[0], int(m.group(1)), int(m.group(2)))
    except ValueError:
        return pd.NaT


def infer_date(fields: dict, source: str, text: str) -> tuple[pd.Timestamp, str | None, list[Change]]:
    """The publication date of one article from the fields cleaning took out of its furniture
    (``date`` from the publication line, ``signed``, ``printed``, ``dateline``), its file name and its text:
    (date, basis, conflicts). Metadata, when there is any, is applied by the loader on top.

    >>> infer_date({"date": "2019-10-22", "date_line": "header"}, "20191021-01-01.txt", "")[:2]
    (Timestamp('2019-10-22 00:00:00'), 'stated')
    >>> infer_date({"dateline": "本报北京9月30日电"}, "a.txt", "2019年国庆")[:2]
    (Timestamp('2019-09-30 00:00:00'), 'dateline')
    """
    candidates: list[tuple[str, pd.Timestamp, str]] = []  # (basis, date, what)
    if fields.get("date"):
        candidates.append(("stated", parse_date(fields["date"]), "publication line"))
    for key in ("signed", "printed"):
        if fields.get(key):
            candidates.append(("signature", parse_date(fields[key]), f"{key} date"))
    candidates.append(("filename", date_from_filename(source), "file name"))
    candidates = [c for c in candidates if not pd.isna(c[1])]
    if not candidates and fields.get("dateline"):
        years = [int(y) for y, _ in Counter(_YEAR_IN_TEXT.findall(text)).most_common()]
        ts = _dateline_date(fields["dateline"], years)
        if not pd.isna(ts):
            return ts, "dateline", []
    if not candidates:
        return pd.NaT, None, []
    basis, best, what = candidates[0]
    conflicts = [
        Change("metadata", "date_conflict", "", "", 0,
               f"{what} {best:%Y-%m-%d} kept; {other_what} says {other:%Y-%m-%d}")
        for _b, other, other_what in candidates[1:]
        if other.normalize() != best.normalize()
    ]  # fmt: skip
    return best, basis, conflicts
