"""Hostile input (issue 15): an ASCII '?' never becomes made-up characters, names collide, '$' and LaTeX are
text in every field, a corpus that needs no cleaning runs through the whole collection."""

from __future__ import annotations

import collections
import csv
import itertools
import re

import pytest
from directives import load_corpus, paths
from directives.clean import clean_text
from directives.report import run_collection

HAN = re.compile(r"[\u3400-\u9fff]")
CONTEXTS = ["群眾問：“責任到底在誰", "是嗎", "怎麼辦", "為什麼不壓實責任", "這是真的嗎", "他問道：誰負責"]
PUNCTUATION = [
    "”",
    "？",
    "！",
    "。",
    "）",
    "」",
    "』",
    "…",
    "——",
    "，",
    "；",
    "：",
    "、",
    "“",
    "》",
    "】",
    "?？",
    "!”",
    "？”",
]
AFTER = ["", "他說。", "群眾問：", "\n下一段話。", "壓實責任"]


def test_an_ascii_question_mark_never_becomes_made_up_characters():
    invented = []
    for context, punct, after in itertools.product(CONTEXTS, PUNCTUATION, AFTER):
        given = context + "?" + punct + after
        added = collections.Counter(HAN.findall(clean_text(given))) - collections.Counter(HAN.findall(given))
        if added:
            invented.append((given, "".join(added.elements())))
    assert invented == []  # 72 of these 570 were "repaired" into made-up characters before


PLAIN = "今年以来，各地认真落实防控措施，压实各方责任，抓细抓实每一个环节，确保群众生命安全和身体健康。" * 2
DOLLAR = {
    "title": "利率$5%$上调",
    "region": r"收入$\frac{1}{$元区",
    "outlet": "$x^2$日报",
    "author": "$$",
    "note": r"$\alpha$",
}


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("plain")
    for sub in ("a", "b"):
        (corpus / sub).mkdir()
        (corpus / sub / "same.txt").write_text(PLAIN.replace("今年", f"{sub}年"), encoding="utf-8")
    (corpus / "c.txt").write_text(PLAIN.replace("今年", "去年"), encoding="utf-8")
    with open(corpus / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", *DOLLAR, "date"])
        w.writerow(["c.txt", *DOLLAR.values(), "2022-04-16"])
    out = tmp_path_factory.mktemp("out")
    run_collection(corpus, out)
    return corpus, out


def test_same_names_in_two_folders_are_two_articles(plain_run):
    corpus, _out = plain_run
    df = load_corpus(corpus, cache_dir=None)
    assert sorted(df.doc_id) == ["a/same", "b/same", "c"]
    assert df.changes.map(len).sum() == 0  # nothing needed cleaning


def test_dollar_signs_and_latex_are_text_in_every_figure_and_report(plain_run):
    _corpus, out = plain_run
    for nb in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        assert (out / "reports" / f"{nb.stem}.html").stat().st_size > 10_000
    assert all(p.stat().st_size > 5_000 for p in (out / "figures").glob("*.png"))
    page = (out / "reports" / "01_corpus.html").read_text(encoding="utf-8")
    assert "利率$5%$上调" in page and r"$\frac{1}{$" in page


# --------------------------------------------------------------------------- tables, folders, metadata
ARTICLE = "某县召开会议，要求压实四方责任，坚决克服麻痹思想、松劲心态和侥幸心理，抓细抓实各项防控措施。" * 2


def _load(path, **kw):
    import warnings

    from directives import CorpusWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_corpus(path, cache_dir=None, **kw)
    return df, [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]


def test_bad_tables_warn_and_never_crash(tmp_path):
    import json

    import pandas as pd
    from directives import CorpusError

    good = json.dumps({"id": "a", "text": ARTICLE, "region": 42, "title": 3.0}, ensure_ascii=False)
    (tmp_path / "a.jsonl").write_text("\ufeff" + good + "\n{not json\n[1, 2]\n", encoding="utf-8")
    df, warned = _load(tmp_path / "a.jsonl")
    assert df.doc_id.tolist() == ["a"] and (df.region.iloc[0], df.title.iloc[0]) == ("42", "3")
    assert any("a.jsonl line 2" in m and "malformed JSON" in m for m in warned)
    assert any("a.jsonl line 3" in m and "not an object" in m for m in warned)
    pd.DataFrame({"text": [ARTICLE], "region": ["甲县"]}).to_csv(tmp_path / "g.csv", index=False, encoding="gb18030")
    assert _load(tmp_path / "g.csv")[0].region.tolist() == ["甲县"]
    (tmp_path / "e.csv").write_text("", encoding="utf-8")
    assert any("e.csv" in m and "unreadable table" in m for m in _load(tmp_path / "e.csv")[1])
    (tmp_path / "x.parquet").write_bytes(b"PAR1 this is not parquet")
    df, warned = _load(tmp_path / "x.parquet")
    assert len(df) == 0 and any("x.parquet" in m and "unreadable table" in m for m in warned)
    rows = [{"id": "d", "text": ARTICLE, "region": ["甲", "乙"]}, {"id": "d", "text": ARTICLE + "二"},
            {"id": None, "text": ARTICLE + "三"}, {"id": "l", "text": ["一", "二"]}]  # fmt: skip
    (tmp_path / "ids.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    df, warned = _load(tmp_path / "ids.jsonl")
    assert any("(l)" in m and "text is a list" in m for m in warned)
    assert sorted(df.doc_id) == ["d", "d#2", "ids-000003"]
    assert any("region is a" in m for m in warned) and any("used by an earlier row" in m for m in warned)
    pd.DataFrame({"body_text": ["x"]}).to_csv(tmp_path / "n.csv", index=False)
    assert any("no text column" in m for m in _load(tmp_path / "n.csv")[1])
    with pytest.raises(CorpusError, match="no text column"):
        load_corpus(tmp_path / "n.csv", cache_dir=None, strict=True)


def test_odd_files_in_folders_are_reported(tmp_path):
    import os

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "real.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "link.txt").symlink_to(corpus / "real.txt")
    (corpus / "broken.txt").symlink_to(corpus / "nowhere.txt")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "u16.txt").write_bytes((ARTICLE + "二").encode("utf-16-le"))
    df, warned = _load(corpus)
    assert sorted(df.doc_id) == ["real", "u16"]
    for name, problem in [("link.txt", "a link to real.txt"), ("broken.txt", "broken link"), ("pipe.txt", "FIFO")]:
        assert any(name in m and problem in m for m in warned), (name, warned)
    assert not any("duplicate" in m for m in warned)


def _damaged(text: str, encoding: str) -> list[tuple[str, bytes, str, str]]:
    """``text`` in ``encoding`` with a stray byte between two characters, and cut inside its last character: (what,
    the bytes, the text they must read as, the problem that must be reported)."""
    head, tail = text[:100], text[100:]
    label = {"utf-8": "UTF-8", "gb18030": "GB18030", "big5": "Big5"}[encoding]
    stray = head.encode(encoding) + b"\xff" + tail.encode(encoding)
    cut = "中".encode(encoding)
    cut_off = text.encode(encoding) + cut[: len(cut) - 1]
    return [
        ("stray", stray, head + "\ufffd" + tail, f"1 byte(s) not valid {label} at byte {len(head.encode(encoding))}"),
        (
            "cut",
            cut_off,
            text + "\ufffd",
            f"{len(cut) - 1} byte(s) not valid {label} at byte {len(text.encode(encoding))}",
        ),
    ]


def test_a_file_with_a_few_undecodable_bytes_is_read_whole_and_reported():
    # a stray byte, or a file cut inside its last character, loses nothing but those bytes (each run becomes U+FFFD,
    # and is reported); without a list to report into, decode_bytes keeps its old contract (undecodable)
    from directives.convert import to_traditional
    from directives.reading import decode_bytes
    from directives.synthetic import make_articles

    texts = make_articles(12, seed=3).text.tolist()
    cases = [(t, enc) for t in texts for enc in ("utf-8", "gb18030")]
    # in traditional characters for Big5, leaving out the few it has no code for
    cases += [(to_traditional(t).encode("big5", "ignore").decode("big5"), "big5") for t in texts]
    for text, encoding in cases:
        for what, data, want, problem in _damaged(text, encoding):
            said: list[str] = []
            assert decode_bytes(data, said) == (want, encoding), (what, encoding)
            assert said == [problem + ", each run read as U+FFFD"], (what, encoding)
            with pytest.raises(ValueError):
                decode_bytes(data)
    # behind a UTF-8 byte-order mark, offsets count the mark; a file that is mostly damage is not read with
    # replacements, with or without the mark: it stays undecodable
    said = []
    assert decode_bytes(b"\xef\xbb\xbf" + texts[0].encode() + b"\xff", said) == (texts[0] + "\ufffd", "utf-8-sig")
    assert said == [f"1 byte(s) not valid UTF-8 at byte {3 + len(texts[0].encode())}, each run read as U+FFFD"]
    utf16 = texts[0].encode("utf-16")  # (with its mark)
    said = []
    assert decode_bytes(utf16 + b"\x00", said) == (texts[0] + "\ufffd", "utf-16")  # cut inside a code unit
    assert said == [f"1 byte(s) not valid UTF-16 at byte {len(utf16)}, each run read as U+FFFD"]
    for mark in (b"", b"\xef\xbb\xbf"):
        with pytest.raises(ValueError):
            decode_bytes(mark + bytes(range(0x80, 0x100)) * 20, [])


def test_a_corpus_with_damaged_bytes_loads_every_article_and_names_each_file(tmp_path):
    from directives import CorpusError
    from directives.synthetic import make_articles

    corpus = tmp_path / "c"
    corpus.mkdir()
    texts = make_articles(3, seed=5).text.tolist()
    wanted = {}
    for i, (text, encoding) in enumerate(zip(texts, ["utf-8", "gb18030", "gb18030"], strict=True)):
        what, data, want, problem = _damaged(text, encoding)[i % 2]
        (corpus / f"{i}_{what}.txt").write_bytes(data)
        wanted[f"{i}_{what}"] = (want, problem)
    (corpus / "clean.txt").write_text(ARTICLE, encoding="utf-8")
    df, warned = _load(corpus, kinds=None)
    assert sorted(df.doc_id) == sorted([*wanted, "clean"])
    raw = dict(zip(df.doc_id, df.text_raw, strict=True))
    for doc_id, (want, problem) in wanted.items():
        assert raw[doc_id] == want
        assert any(f"{doc_id}.txt: {problem}" in m for m in warned), (doc_id, warned)
    assert "\ufffd" in df.set_index("doc_id").loc["0_stray", "text"]  # kept, never guessed at
    with pytest.raises(CorpusError, match=re.escape("0_stray.txt: 1 byte(s) not valid UTF-8")):
        load_corpus(corpus, cache_dir=None, strict=True)


def test_metadata_in_any_encoding_subfolders_and_strict_dates(tmp_path):
    corpus = tmp_path / "c"
    (corpus / "sub").mkdir(parents=True)
    for name, extra in [("a.txt", ""), ("b.txt", "二"), ("sub/c.txt", "三")]:
        (corpus / name).write_text(ARTICLE + extra, encoding="utf-8")
    meta = "file,region,date\na.txt,甲县,3/4/2022\na.txt,乙县,2022-01-01\nb.txt,丙县,2022\n"
    (corpus / "metadata.csv").write_bytes(meta.encode("gb18030"))
    (corpus / "sub" / "metadata.csv").write_text("file,region\nc.txt,丁县\n", encoding="utf-8")
    df, warned = _load(corpus)
    got = df.set_index("doc_id").region.to_dict()
    assert got == {"a": "甲县", "b": "丙县", "c": "丁县"}  # GBK read; the first row of a is used; sub's own
    assert any("a second row for 'a.txt'" in m for m in warned)
    assert any("'3/4/2022'" in m and "malformed date" in m for m in warned)
    assert any("'2022'" in m and "malformed date" in m for m in warned)


# --------------------------------------------------------------------------- idempotent, exact records
@pytest.mark.parametrize(
    "given",
    ["&lt;b&gt;正文內容", "&amp;lt;正文", "正文內容。(記者 王某)(記者 王某)", "正文[責編:張三]壓實責任。\n第二段。"],
)
def test_cleaning_the_cleaned_text_changes_nothing(given):
    from directives.clean import clean_article

    once = clean_article(given).text
    assert clean_article(once).text == once


def test_a_footer_record_holds_exactly_what_was_cut():
    from directives.clean import clean_article

    parts = clean_article("正文[責編:張三]壓實責任。\n第二段。")
    assert [(c.rule, c.before) for c in parts.changes if c.step == "furniture"] == [("footer", "[責編:張三]")]
    assert parts.text == "正文壓實責任。\n第二段。"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = [
    *[
        "壓實",
        "責任",
        "疫情",
        "防控",
        "(shí)",
        "(zé)",
        "?",
        "？",
        "”",
        "“",
        "。",
        "，",
        "：",
        " ",
        "\u3000\u3000",
        "\n",
    ],
    *["責編:某人", "來源:某報", "[責編:張三]", "(記者 王某)", "2022年3月19日", "&amp;", "&lt;", "<b>", "$"],
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_cleaning_never_raises_never_invents_and_records_what_it_removed(raw):
    from directives.clean import clean_article

    parts = clean_article(raw)
    kept = collections.Counter(HAN.findall(parts.text))
    made = collections.Counter()
    removed = 0
    for c in parts.changes:
        removed += len(HAN.findall(c.before)) - len(HAN.findall(c.after))
        if c.step == "gbk_damage":
            made.update(HAN.findall(c.after))
    assert not (kept - collections.Counter(HAN.findall(raw)) - made)  # a new Han character comes from the bytes
    assert len(HAN.findall(raw)) == sum(kept.values()) + removed  # every Han character kept or in a record


def test_cleaning_takes_linear_time_on_dense_damage():
    import time

    damaged = "當前疫情防控形勢嚴峻，各級要全面壓實?崭鄯揽刎(zé)任，永州日?qǐng)?bào)報道。\n"
    clean_text(damaged)  # dictionary and tables loaded
    start = time.perf_counter()
    out = clean_text(damaged * 3000)  # 6,000 repairs in 141,000 characters
    assert time.perf_counter() - start < 20  # about 0.5 s here: a generous bound that only a blow-up breaks
    assert out.count("壓實空港防控責任") == 3000 and "?" not in out
    start = time.perf_counter()
    clean_text("中?中?" * 1000)  # took 15 s when every '?' was a realignment to score
    assert time.perf_counter() - start < 5


def test_every_figure_stays_under_one_megabyte(tmp_path):
    import matplotlib.pyplot as plt
    import numpy as np
    from directives.plotting import MAX_PNG_BYTES, save_figure

    fig, ax = plt.subplots(figsize=(16, 16))
    ax.imshow(np.random.default_rng(0).random((2000, 2000)), interpolation="nearest")
    ax.set_title("noise: the worst case for PNG")
    path = save_figure(fig, "noise", tmp_path)
    plt.close(fig)
    assert 100_000 < path.stat().st_size <= MAX_PNG_BYTES
