"""Cleaning: small steps, each taking text and returning the new text and the changes it made.

The steps, in the order :func:`clean_article` runs them:

1. :func:`normalize_newlines_and_invisibles` - BOM, CRLF, zero-width characters
2. :func:`strip_html` - tags and entities of scraped input
3. :func:`repair_gbk_damage` - one-byte-shift GBK damage (see :mod:`directives.gbk`)
4. :func:`remove_pinyin_annotations` - ``實(shí)`` -> ``實``
5. :func:`split_run_on_paragraphs` - a body stored on one physical line becomes paragraphs
6. :func:`strip_furniture` - header, title, byline, footers, link lists (their content goes into fields)
7. :func:`normalize_whitespace` - indents, spaces, full-width ASCII; paragraphs kept

Each step also has a plain ``str -> str`` form (``*_text``) for use in a pipeline of your own.

>>> clean_article("壓實(shí)責(zé)任").text
'壓實責任'
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from . import patterns as P
from .changes import Change
from .gbk import pinyin_dict, pinyin_dict_path, repair_gbk_damage

StepResult = tuple[str, list[Change]]
# Shortcuts that skip work whose outcome is known beforehand (a rule whose words a text lacks, a search that cannot
# succeed) and whole-text forms of per-line steps: the same output, faster. False runs the reference path, every
# rule on every line (the tests compare the two on real corpora).
FAST = True

__all__ = [
    "ArticleParts",
    "Change",
    "clean_article",
    "clean_text",
    "normalize_newlines_and_invisibles",
    "normalize_text",
    "normalize_whitespace",
    "remove_pinyin_annotations",
    "repair_gbk_damage",
    "split_run_on_paragraphs",
    "strip_furniture",
    "strip_html",
]


# --------------------------------------------------------------------------- 1. invisibles
def normalize_newlines_and_invisibles(text: str) -> StepResult:
    """Turn CRLF/CR into LF and remove a BOM and zero-width characters, reporting each removal.

    >>> normalize_newlines_and_invisibles("責\\u200b任\\r\\n")[0]
    '責任\\n'
    """
    changes = [
        Change("invisibles", "zero_width", m.group(0), "", m.start(), f"U+{ord(m.group(0)):04X}")
        for m in P.ZERO_WIDTH.finditer(text)
    ]
    if changes:
        text = P.ZERO_WIDTH.sub("", text)
    if "\r" in text:
        changes.append(Change("invisibles", "line_endings", "\\r\\n", "\\n", text.index("\r"), "CRLF/CR to LF"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, changes


# --------------------------------------------------------------------------- 2. html
_FORMS_TAG = re.compile(r"[A-Za-z/!?]")
_FORMS_ENTITY = re.compile(r"#?[A-Za-z0-9]{1,31};")


def _unescape_entity(m: re.Match) -> str:
    """One entity decoded, unless that would make markup a second pass would act on: ``&lt;`` before a
    letter (a tag) or ``&amp;`` before an entity's name stays as it is."""
    decoded = html.unescape(m.group(0))
    after = m.string[m.end() : m.end() + 32]
    if (decoded == "<" and _FORMS_TAG.match(after)) or (decoded == "&" and _FORMS_ENTITY.match(after)):
        return m.group(0)
    return decoded


def strip_html(text: str) -> StepResult:
    """Remove HTML tags (script and style with their content) and decode entities.

    >>> strip_html("<p>防控&amp;責任</p>")[0]
    '\\n防控&責任\\n'
    """
    changes: list[Change] = []
    if "<" in text:
        for m in P.HTML_TAG.finditer(text):
            changes.append(Change("html", "tag", m.group(0), "", m.start()))
        text = P.HTML_TAG.sub(lambda m: "\n" if re.match(r"</?(p|br|div)\b", m.group(0), re.I) else "", text)
    if "&" in text:
        # decode entities, but never into markup that a second pass would strip or decode again
        unescaped = P.HTML_ENTITY.sub(_unescape_entity, text)
        if unescaped != text:
            changes.append(Change("html", "entities", text, unescaped, 0, "HTML entities decoded"))
            text = unescaped
    return text, changes


# --------------------------------------------------------------------------- 3b. run-on paragraphs
def split_run_on_paragraphs(text: str) -> StepResult:
    """Start a new line where a paragraph indent (two or more ideographic spaces) follows the end of a
    sentence inside one physical line, so that a body stored on one line is read as paragraphs.

    >>> split_run_on_paragraphs("第一段。\\u3000\\u3000第二段。")[0]
    '第一段。\\n\\u3000\\u3000第二段。'
    """
    if "\u3000\u3000" not in text or (FAST and not P.RUN_ON_CANDIDATE.search(text)):
        return text, []
    first = P.RUN_ON_PARAGRAPH.search(text)
    if first is None:
        return text, []
    new, n = P.RUN_ON_PARAGRAPH.subn("\n", text)
    return new, [Change("whitespace", "run_on_paragraphs", "", "\n", first.start(), f"{n} paragraph breaks")]


# --------------------------------------------------------------------------- 4. pinyin
def pinyin_syllables_from_pypinyin() -> frozenset[str]:
    """Every reading in pypinyin's character dictionary, toned and toneless (from its data file, without
    importing the package: see :func:`directives.gbk.pinyin_dict`); about 0.03 s, which every worker that met a
    reading paid: :func:`write_pinyin_syllables` keeps the result in ``data/pinyin_syllables.txt``.

    >>> s = pinyin_syllables_from_pypinyin()
    >>> "shí" in s, "shi" in s, "ge" in s
    (True, True, True)
    """
    readings = {r for v in pinyin_dict().values() for r in v.split(",")}
    toned = {unicodedata.normalize("NFC", r) for r in readings}
    # the neutral tone is written without a mark (個(ge)): add every syllable's toneless form
    toneless = {"".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)) for s in toned}
    return frozenset(toned | {unicodedata.normalize("NFC", s) for s in toneless})


def _syllables_header() -> str:
    source = pinyin_dict_path()
    return (
        f"# derived from pypinyin's {source.name} (pypinyin, MIT licence, pinned in requirements.txt), "
        f"{source.stat().st_size} bytes, by clean.pinyin_syllables_from_pypinyin\n"
    )


def write_pinyin_syllables(path=None) -> None:
    """Write :func:`pinyin_syllables_from_pypinyin` to ``data/pinyin_syllables.txt`` (or ``path``), one a line, sorted,
    under a header naming the data file it was derived from (its size tells another pypinyin's data).

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "s.txt"
    >>> write_pinyin_syllables(out)
    >>> out.read_text("utf-8").startswith("# derived from pypinyin")
    True
    """
    from . import paths

    text = _syllables_header() + "".join(f"{s}\n" for s in sorted(pinyin_syllables_from_pypinyin()))
    (path or paths.PINYIN_SYLLABLES).write_text(text, "utf-8")


@lru_cache(maxsize=1)
def _pinyin_syllables() -> frozenset[str]:
    """The syllables of :func:`pinyin_syllables_from_pypinyin`, read from ``data/pinyin_syllables.txt`` (kept equal by
    a test), or derived again when the installed pypinyin's data is not the one the file was made from."""
    from . import paths
    from .reading import derived_lines

    syllables = derived_lines(paths.PINYIN_SYLLABLES, _syllables_header())
    return frozenset(syllables) if syllables is not None else pinyin_syllables_from_pypinyin()


def remove_pinyin_annotations(text: str) -> StepResult:
    """Remove a pinyin reading glued after a Han character; real parentheticals stay.

    >>> remove_pinyin_annotations("壓實(shí)責(zé)任 社區(村) (COVID-19)")[0]
    '壓實責任 社區(村) (COVID-19)'
    """
    if ("(" not in text and "（" not in text) or (FAST and not P.PINYIN_OPENING.search(text)):
        return text, []
    if not P.PINYIN_ANNOTATION.search(text):
        return text, []  # nothing in brackets looks like a reading: pypinyin is not even loaded
    syllables = _pinyin_syllables()
    changes: list[Change] = []

    def _sub(m: re.Match) -> str:
        reading = unicodedata.normalize("NFC", m.group(1))
        # readings are lower case; a bare a/e/o is a list label, not a reading
        if reading in syllables and not (len(reading) == 1 and reading.isascii()):
            changes.append(Change("pinyin", "pinyin_annotation", m.group(0), "", m.start()))
            return ""
        return m.group(0)

    while True:  # 實(shí)(shí): removing one reading can glue the next to the character
        before = len(changes)
        text = P.PINYIN_ANNOTATION.sub(_sub, text)
        if len(changes) == before:
            return text, changes


# --------------------------------------------------------------------------- 5. furniture
@dataclass
class ArticleParts:
    """What :func:`clean_article` returns: the cleaned text, the changes, and fields taken from furniture."""

    text: str
    changes: list[Change] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


_FIELD_NAMES = {
    "發布時間": "date", "发布时间": "date", "時間": "date", "时间": "date",
    "發布日期": "date", "发布日期": "date", "日期": "date",
    "來源": "outlet", "来源": "outlet", "信息來源": "outlet", "信息来源": "outlet",
    "編輯": "editor", "编辑": "editor", "責編": "editor", "责编": "editor",
    "作者": "author",
    "瀏覽量": "views", "浏览量": "views", "訪問次數": "views", "访问次数": "views",
    "閱讀": "views", "阅读": "views", "點擊": "views", "点击": "views",
}  # fmt: skip
_HEADER_ZONE_LINES = 8
_TITLE_MAX_CHARS = 60
_TITLE_MAX_LINES = 4
_EXCLAIMED_TITLE_MAX_CHARS = 24  # kicker, title, subtitle and one more at most


_HEADER_MAX_CHARS = 160  # a header line is short: a longer line is body that happens to hold a key


def _parse_header_line(line: str) -> dict[str, str] | None:
    """Fields of a header line (``2022-03-19 12:17:56 來源:… | 編輯:…``), or None if it is not one.
    A line with more than a few characters besides its fields is a sentence, never a header."""
    if len(line.strip()) > _HEADER_MAX_CHARS:
        return None
    if FAST and P.HEADER_DATETIME.search(line) is None and P.HEADER_KEY.search(line) is None:
        return None  # neither a date nor a key: no field, so no header (as the steps below conclude)
    fields: dict[str, str] = {}
    for m in P.HEADER_FIELD.finditer(line):
        name, value = _FIELD_NAMES[m.group("key")], m.group("value").strip()
        if name == "views" and value and not re.search(r"\d", value):
            name = "author"  # a counter filled by script leaves the names that followed it
        if value and name not in fields:
            fields[name] = value
    dm = P.HEADER_DATETIME.search(line)
    rest = P.HEADER_FIELD.sub("", line.strip())
    if dm:
        rest = P.HEADER_DATETIME.sub("", rest, count=1)
    if len(re.sub(r"[\s|｜:：]", "", rest)) > 12:
        return None  # a sentence that happens to hold a date or a key
    keyed = "date" in fields and P.HEADER_DATETIME.search(fields["date"]) is not None
    if not keyed:
        fields.pop("date", None)
    if dm and not fields and not dm.group("time") and re.sub(r"[\s|｜:：]", "", rest):
        return None  # 2019年10月22日 中国·吴江: the date and place of an event, not a publication line
    if dm and (fields or dm.start() == len(line) - len(line.lstrip())):
        if not keyed:
            fields["date"] = dm.group("date") + (" " + dm.group("time") if dm.group("time") else "")
        fields["date_line"] = "keyed" if keyed else "header"
        return fields
    if keyed:
        fields["date_line"] = "keyed"
    return fields or None


def _line_spans(text: str) -> list[tuple[int, str]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, line))
        pos += len(line) + 1
    return spans


_ROLE_PREFIX = re.compile(r"^.*?(?:記者|记者|通訊員|通讯员|實習生|实习生)\s*")


def _names(who: str) -> str:
    """``光明日報全媒體記者王建宏 張文攀`` -> ``王建宏 張文攀``."""
    return _ROLE_PREFIX.sub("", who.strip()).strip() or who.strip()


def _spaced_names(who: str) -> str:
    """Names as typeset: ``张  枨`` (a two-character name padded to three) is 张枨; ``王某 李某`` two names."""
    parts = who.replace("\u3000", " ").replace("、", " ").split()
    return "".join(parts) if all(len(p) == 1 for p in parts) else " ".join(parts)


def _is_sentence(line: str) -> bool:
    """A line of running text: it holds a full stop or semicolon, or an exclamation or question mark in a
    line too long for a title (收莲藕喽！ and 向上！向上！ are titles), or it is longer than any title."""
    stripped = line.strip()
    if re.search(r"[。；]", stripped) or len(stripped) > _TITLE_MAX_CHARS:
        return True
    return bool(re.search(r"[！？!?]", stripped)) and len(stripped) > _EXCLAIMED_TITLE_MAX_CHARS


_END_ZONE_LINES = 14


def _last_kept(lines: list[tuple[int, str]], keep: list[bool], n: int) -> list[int]:
    """The indices of the last ``n`` kept lines that are not blank, in order (read from the end).

    >>> _last_kept([(0, "a"), (2, " "), (4, "b"), (6, "c")], [True, True, True, False], 2)
    [0, 2]
    """
    out = []
    for i in range(len(lines) - 1, -1, -1):
        if keep[i] and lines[i][1].strip():
            out.append(i)
            if len(out) == n:
                break
    return out[::-1]


def _strip_document_end(lines: list[tuple[int, str]], keep: list[bool], drop, fields: dict[str, str]) -> None:
    """The end of an official document: contact, attachment and distribution lines (抄送, …印发), and the
    signature, that is issuer lines above a date line (``山东省人民政府`` / ``2019年5月17日``). Their content
    goes into ``issuer``, ``signed`` and ``printed``."""
    ends = _last_kept(lines, keep, _END_ZONE_LINES)
    j = len(ends) - 1
    while j >= 0:
        line = lines[ends[j]][1]
        if P.CONTACT_LINE.match(line) or P.ATTACHMENT_LINE.match(line):
            drop(ends[j], "document_end")
        elif P.DISTRIBUTION_LINE.match(line):
            if (dm := P.HEADER_DATETIME.search(line)) is not None:
                fields.setdefault("printed", dm.group("date"))
            drop(ends[j], "document_end")
        elif (dm := P.DATE_ONLY_LINE.match(line)) is not None:
            issuers = []
            k = j - 1
            while k >= 0 and j - k <= 6 and P.ISSUER_LINE.match(lines[ends[k]][1]):
                issuers.insert(0, "".join(lines[ends[k]][1].split()))
                k -= 1
            if issuers or j == len(ends) - 1 or "printed" in fields:
                fields.setdefault("signed", dm.group("date"))
                if issuers:
                    fields.setdefault("issuer", "、".join(issuers))
                for m in range(k + 1, j + 1):
                    drop(ends[m], "signature")
            break
        else:
            break
        j -= 1


def _lines_with(words: re.Pattern, text: str, lines: list[tuple[int, str]]) -> list[int]:
    """The indices of the ``lines`` (offset, line) of ``text`` that hold a match of ``words``, in order."""
    starts = [off for off, _line in lines]
    found = {bisect_right(starts, m.start()) - 1 for m in words.finditer(text)}
    return sorted(found)


def _count_matches(rx: re.Pattern, lines: list[tuple[int, str]], enough: int) -> int:
    """How many of ``lines`` ``rx`` matches at their start, counting no further than ``enough``."""
    n = 0
    for _off, line in lines:
        if rx.match(line):
            n += 1
            if n >= enough:
                break
    return n


def strip_furniture(text: str) -> tuple[str, list[Change], dict[str, str]]:
    """Take page furniture out of the body: header lines, title lines, bylines and datelines, footers,
    app prompts and link lists. Returns the body, the changes and the fields found
    (``title``, ``subtitle``, ``date``, ``date_line``, ``outlet``, ``editor``, ``author``, ``views``,
    ``dateline``, ``addressee``, ``issuer``, ``signed``, ``printed``).

    >>> body, _, fields = strip_furniture("標題\\n2022-03-19 12:17:56 來源:永州日報\\n正文，內容。\\n責編:何璐")
    >>> body, fields["title"], fields["date"], fields["outlet"], fields["editor"]
    ('正文，內容。', '標題', '2022-03-19 12:17:56', '永州日報', '何璐')
    """
    changes: list[Change] = []
    fields: dict[str, str] = {}
    lines = _line_spans(text)
    keep = [True] * len(lines)

    def drop(i: int, rule: str, note: str = "") -> None:
        keep[i] = False
        if lines[i][1].strip():
            changes.append(Change("furniture", rule, lines[i][1], "", lines[i][0], note))

    # link lists: a head line and every item under it (to the end of the list)
    in_list = False
    for i, (_off, line) in enumerate(lines if not FAST or P.LINK_LIST_WORDS.search(text) else ()):
        head = P.LINK_LIST_HEAD.search(line)
        if head:
            before = line[: head.start()]
            in_list = True
            if P.FOOTER_INLINE.sub("", before).strip():
                continue  # text before the head is body; leave the line, the head is cut below
            drop(i, "link_list", head.group(1))
        elif in_list and (P.LINK_ITEM.match(line) or not line.strip()):
            drop(i, "link_list_item")
        else:
            in_list = False
    # footers, app prompts, sign-offs, 原标题 and topic links, anywhere (only in lines holding a word each rule needs)
    for i in _lines_with(P.LINE_FURNITURE_WORDS, text, lines) if FAST else range(len(lines)):
        off, line = lines[i]
        if not keep[i]:
            continue
        if P.FOOTER_INLINE.search(line):
            fm = P.FOOTER_INLINE.search(line)
            fields.setdefault("editor", re.split(r"[:：]", fm.group(0), maxsplit=1)[1].strip(" ]"))
            cut = [*P.FOOTER_INLINE.finditer(line)]
            rest = P.FOOTER_INLINE.sub("", line)
            head = P.LINK_LIST_HEAD.search(rest)
            if head is not None:
                rest = rest[: head.start()] + rest[head.end() :]
            if rest.strip():  # record exactly what was cut, where it stood
                changes.extend(Change("furniture", "footer", m.group(0), "", off + m.start()) for m in cut)
                if head is not None:
                    changes.append(Change("furniture", "link_list", head.group(0), "", off + line.find(head.group(0))))
                lines[i] = (off, rest)
            else:
                drop(i, "footer")
            continue
        if P.FOOTER_LINE.match(line) and len(line.strip()) <= 40 and i > 0:
            key, value = re.split(r"[:：]", line.strip(" ["), maxsplit=1)
            name = _FIELD_NAMES.get(key.strip())
            if name:
                fields.setdefault(name, value.strip(" ]"))
            drop(i, "footer")
        elif P.APP_PROMPT.match(line) or P.SIGNOFF_LINE.match(line):
            drop(i, "app_prompt_or_signoff")
        elif (rm := P.REPORTER_LINE.match(line)) is not None:
            if not rm.group("photo"):
                fields.setdefault("author", _spaced_names(rm.group("who")))
            drop(i, "byline")
        elif P.ORIGINAL_TITLE.match(line) or P.TOPIC_LINK.match(line):
            drop(i, "original_title_or_topic_link")
        elif (im := P.INLINE_FURNITURE.search(line)) is not None:
            rest = P.INLINE_FURNITURE.sub("", line)
            changes.append(Change("furniture", "original_title_or_topic_link", im.group(0), "", off + im.start()))
            if rest.strip():
                lines[i] = (off, rest)
            else:
                drop(i, "original_title_or_topic_link")
    # the head of the article: title lines (and a subtitle), header lines, an author line. Where the
    # paragraphs are indented, an indented line is body, never title; a line that ends as a clause
    # does (，：) or an addressee line (各市人民政府，…：) starts the body.
    indented = _count_matches(P.INDENTED_LINE, lines, 2) >= 2
    title_lines: list[str] = []
    header_seen = False
    for i, (_off, line) in enumerate(lines[:_HEADER_ZONE_LINES]):
        if not keep[i] or not line.strip():
            continue
        hdr = _parse_header_line(line)
        if hdr is not None:
            keyed = hdr.get("date_line") == "keyed" and fields.get("date_line") != "keyed"
            for k, v in hdr.items():
                if keyed and k in ("date", "date_line"):
                    fields[k] = v  # 发布时间：… names the publication date; a bare timestamp does not
                else:
                    fields.setdefault(k, v)
            drop(i, "header")
            header_seen = True
            continue
        if (
            (indented and P.INDENTED_LINE.match(line))
            or _is_sentence(line)
            or P.CLAUSE_END.search(line)
            or P.TITLE_STOP.search(line)
        ):
            break
        if P.SUBTITLE_LINE.match(line) and title_lines:
            fields.setdefault("subtitle", line.strip())
            drop(i, "subtitle")
            continue
        if P.AUTHOR_LINE.match(line) and title_lines:
            fields.setdefault("author", " ".join(line.split()))
            drop(i, "author_line")
            continue
        if (header_seen and title_lines) or len(title_lines) >= _TITLE_MAX_LINES:
            break
        title_lines.append(line.strip())
        drop(i, "title")
    if title_lines and not any(k and line.strip() for (off, line), k in zip(lines, keep, strict=True)):
        # nothing but short lines: they are the text, not a title
        for i, (_off, line) in enumerate(lines):
            if line.strip() in title_lines:
                keep[i] = True
        changes = [c for c in changes if c.rule != "title"]
        title_lines = []
        fields.pop("subtitle", None)
    if title_lines:
        fields["title"] = " ".join(title_lines)
    # an addressee line (各市人民政府，…：) at the start of the body
    for i, (_off, line) in enumerate(lines):
        if not keep[i] or not line.strip():
            continue
        if (am := P.ADDRESSEE_LINE.match(line)) is not None:
            fields.setdefault("addressee", am.group(0).strip())
            if line[am.end() :].strip():  # the body goes on after the addressee, on the same line
                changes.append(Change("furniture", "addressee", am.group(0), "", lines[i][0] + am.start()))
                lines[i] = (lines[i][0], line[am.end() :])
            else:
                drop(i, "addressee")
        break
    # dateline with byline at the start of the body, trailing byline at a paragraph's end
    for i, (off, line) in enumerate(lines):
        if not keep[i]:
            continue
        if (dm := P.DATELINE.match(line.lstrip("\u3000 "))) is not None:
            lead = len(line) - len(line.lstrip("\u3000 "))
            fields.setdefault("dateline", dm.group("lead").strip())
            if dm.group("who"):
                fields.setdefault("author", _names(dm.group("who")))
            changes.append(Change("furniture", "dateline_byline", dm.group(0), "", off + lead))
            lines[i] = (off, line[:lead] + line[lead + dm.end() :])
            break
        if line.strip():
            break
    _strip_document_end(lines, keep, drop, fields)
    ends = _last_kept(lines, keep, 2)
    for i in ends:
        off, line = lines[i]
        if (tm := P.TRAILING_DATELINE.search(line)) is not None:
            fields.setdefault("dateline", tm.group("lead"))
            changes.append(Change("furniture", "dateline_byline", tm.group(0), "", off + tm.start()))
            lines[i] = (off, line[: tm.start()])
            if not lines[i][1].strip():
                keep[i] = False
    for i, (off, line) in enumerate(lines):
        # every byline at the end, at once (a line that does not end in a bracket holds none: not searched)
        while keep[i] and (not FAST or line.rstrip().endswith((")", "）"))) and (bm := P.BYLINE_PAREN.search(line)):
            fields.setdefault("author", _names(bm.group("who")))
            changes.append(Change("furniture", "byline", bm.group(0), "", off + bm.start()))
            line = line[: bm.start()]
            lines[i] = (off, line)
    body = "\n".join(line for (off, line), k in zip(lines, keep, strict=True) if k)
    return body, changes, fields


# --------------------------------------------------------------------------- 6. whitespace and width
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}


_HAS_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _fullwidth_ascii_to_half(text: str) -> str:
    return text.translate(_FULLWIDTH_ALNUM) if _HAS_FULLWIDTH_ALNUM.search(text) else text


def normalize_whitespace(text: str) -> StepResult:
    """Full-width letters and digits to ASCII; indents, runs of spaces and blank lines collapsed;
    spaces between Chinese characters removed; one paragraph per line.

    >>> normalize_whitespace("\\u3000\\u3000第１９次 會議\\n\\n\\n疫情 防控")[0]
    '第19次會議\\n疫情防控'
    """
    before = text
    text = _fullwidth_ascii_to_half(text)
    if FAST:  # each line stripped first (the same: a run of spaces at its ends goes either way), then the runs
        text = P.HORIZONTAL_SPACE.sub(" ", "\n".join(filter(None, map(str.strip, text.split("\n")))))
    else:
        lines = [P.HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
    if " " in text:
        text = (P.CJK_SPACE_CJK_FAST if FAST else P.CJK_SPACE_CJK).sub("", text)
    note = f"{len(before) - len(text)} characters of spacing removed"
    changes = [Change("whitespace", "whitespace_and_width", "", "", 0, note)] if text != before else []
    return text, changes


# --------------------------------------------------------------------------- pipeline
TEXT_STEPS: tuple[Callable[[str], StepResult], ...] = (
    normalize_newlines_and_invisibles,
    strip_html,
    repair_gbk_damage,
    remove_pinyin_annotations,
    split_run_on_paragraphs,
)


def clean_article(raw: str) -> ArticleParts:
    """Run every cleaning step on one raw article.

    >>> parts = clean_article("標題\\n2021-10-22 21:33:52 來源:光明日報客戶端\\n壓實(shí)責(zé)任。")
    >>> parts.text, parts.fields["outlet"], [c.rule for c in parts.changes][:2]
    ('壓實責任。', '光明日報客戶端', ['pinyin_annotation', 'pinyin_annotation'])
    """
    changes: list[Change] = []
    text = raw
    for step in TEXT_STEPS:
        text, ch = step(text)
        changes.extend(ch)
    text, ch, fields = strip_furniture(text)
    changes.extend(ch)
    spaced = text
    text, ch = normalize_whitespace(text)
    changes.extend(ch)
    if text != spaced and _unsettled(text):  # the character steps again, to the same fixed point as normalize_text
        text, ch = normalize_text(text)
        changes.extend(ch)
    if "title" in fields:
        fields["title"] = P.HORIZONTAL_SPACE.sub(" ", _fullwidth_ascii_to_half(fields["title"])).strip()
    return ArticleParts(text, changes, fields)


def normalize_text(raw: str) -> StepResult:
    """The character-level steps only (no furniture removal): invisibles, HTML, GBK damage, pinyin,
    whitespace. Idempotent: ``normalize_text(normalize_text(x)[0])[0] == normalize_text(x)[0]``.

    >>> normalize_text("實(shí)(shí)　 在")[0]
    '實在'
    """
    changes: list[Change] = []
    for _round in range(_SETTLE_ROUNDS):
        before = raw
        for step in (*TEXT_STEPS, normalize_whitespace):
            raw, ch = step(raw)
            changes.extend(ch)
        if raw == before or not _unsettled(raw):
            break
    return raw, changes


_SETTLE_ROUNDS = 3


def _unsettled(text: str) -> bool:
    """Whether the steps may read ``text`` again differently: it keeps a damage mark, and joining its lines or
    spaces may have put that mark beside a run it did not touch before (é?下 下? became é?下下?)."""
    return "?" in text or "\ufffd" in text


def clean_text(raw: str) -> str:
    """The cleaned body of one raw article (``clean_article(raw).text``).

    >>> clean_text("\\u3000\\u3000疫情防控(fáng)。")
    '疫情防控。'
    """
    return clean_article(raw).text
