"""Loading the seeds and other corpora: exact dates, metadata, cleaning invariants, bad input."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from directives import CorpusError, CorpusWarning, cleaning_report, load_corpus, paths
from directives.corpus import COLUMNS
from directives.reading import decode_bytes

SEED_SHA256 = {
    "000_9b152c44817feb0a.txt": "a8569a7799dc6afb9cd20753c3e8f6555ccdb4ea8492114022532e7cdb25e865",
    "001_10733f735bc7c72a.txt": "2d8e997721b0bfd5691e4e17ea493c0b31c750598a6fd7e05c3275e3e196a2d3",
    "002_24643090ae82cad5.txt": "b27ff29ce2989e6c5431eb153aff033b3d030afe9ba98ede865ea5231641ca44",
    "003_5a56653a2a1d9ee2.txt": "e1d3148a604e551f8ade7adfd270e68a82337f64a51f576113deb6067cf959e7",
    "004_9ddc55b4482e89e6.txt": "7a5c449251659d61b11f00352bcb266f5ec6ec415ac910e1b43c1ccf70a2bd95",
}
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_seeds_are_byte_identical_copies():
    for name, digest in SEED_SHA256.items():
        assert hashlib.sha256((paths.SEEDS_DIR / name).read_bytes()).hexdigest() == digest
    shared = paths.PROJECT_ROOT.parent / "shared" / "seeds"
    if shared.is_dir():
        for p in shared.glob("*.txt"):
            assert (paths.SEEDS_DIR / p.name).read_bytes() == p.read_bytes()


def test_columns_and_one_row_per_file(seeds_df):
    assert list(seeds_df.columns) == COLUMNS
    assert len(seeds_df) == len(list(paths.SEEDS_DIR.glob("*.txt")))
    assert seeds_df.doc_id.is_unique


def test_exact_dates_and_their_basis(by_prefix):
    expected = {
        "000": ("2022-03-19 12:17:56", "stated"),
        "001": ("2021-10-22 21:33:52", "stated"),
        "002": ("2021-08-13 09:38:43", "stated"),
        "003": ("2021-06-05 00:00:00", "inferred"),
        "004": ("2022-03-18 00:00:00", "inferred"),
    }
    for k, (date, basis) in expected.items():
        assert by_prefix[k]["date"] == pd.Timestamp(date)
        assert by_prefix[k]["date_basis"] == basis


def test_metadata_and_parsed_fields(by_prefix):
    assert (by_prefix["000"]["region"], by_prefix["000"]["level"]) == ("永州市", "prefecture")
    assert (by_prefix["002"]["region"], by_prefix["002"]["level"]) == ("桃源县", "county")
    assert by_prefix["002"]["title"] == "桃源县召开第19次新冠肺炎疫情防控工作会议"
    assert by_prefix["000"]["title"] == "全面壓實責任 筑牢防疫之堤"
    assert by_prefix["001"]["title"] == "寧夏:做到“四個迅速”壓實“五個責任”,堅決阻斷疫情擴散"
    assert by_prefix["004"]["author"] == "魏彧 于春灃"
    assert by_prefix["001"]["author"] == "王建宏 張文攀"
    assert by_prefix["000"]["author"] == "瀟湘平"


def test_repaired_strings_are_in_the_text(by_prefix):
    assert "壓實空港防控責任" in by_prefix["004"]["text"]
    assert "河東區" in by_prefix["004"]["text"]
    assert "冷鏈食品等“物”的全覆蓋檢測" in by_prefix["003"]["text"]
    assert "安全。縣委副書記" in by_prefix["002"]["text"]
    assert "調度。縣新冠" in by_prefix["002"]["text"]
    assert "管嚴重點" in by_prefix["002"]["text"] and "“日報告”" in by_prefix["002"]["text"]
    assert by_prefix["004"]["text_simplified"].count("压实空港防控责任") == 1


def test_cleaned_seeds_hold_no_pinyin_damage_or_furniture(seeds_df):
    for text in seeds_df.text:
        assert not re.search(r"\([a-zàáǎèéěìíǐòóǒùúǔǜ]+\)", text)
        assert "?" not in text and "〓" not in text and "\ufffd" not in text
        for furniture in (
            "責編",
            "來源:",
            "相關閱讀",
            "精彩推薦",
            "下載APP",
            "東安融媒",
            "瀏覽量",
            "2023-03-03",
            "本報訊",
        ):
            assert furniture not in text


def test_every_han_character_is_kept_or_accounted_for(seeds_df):
    for row in seeds_df.to_dict("records"):
        removed = sum(len(HAN.findall(c["before"])) - len(HAN.findall(c["after"])) for c in row["changes"])
        assert len(HAN.findall(row["text_raw"])) == len(HAN.findall(row["text"])) + removed


def test_raw_text_is_exactly_the_file(seeds_df):
    for row in seeds_df.to_dict("records"):
        assert row["text_raw"] == (paths.SEEDS_DIR / row["source_file"]).read_bytes().decode("utf-8")


def test_cleaning_report_rows(seeds_df):
    report = cleaning_report(seeds_df)
    assert list(report.columns) == ["doc_id", "step", "rule", "before", "after", "offset", "note"]
    gbk = report[report.step == "gbk_damage"]
    found = sorted(zip(gbk.doc_id.str[:3], gbk.rule, gbk.before, gbk.after, strict=True))
    assert found == [
        ("000", "misaligned_pair", "?qǐng)?bào)", "報"),  # 來源:永州日報 in the header
        ("000", "misaligned_pair", "?qǐng)?bào)", "報"),  # and in the footer
        ("001", "shifted_run", "?qū)崟r", "實時"),  # 全球實時 in the link list (r is 時's second byte)
        ("002", "known_repair", "??h", "。縣"),
        ("002", "known_repair", "??h", "。縣"),
        ("002", "misaligned_pair", "?chē)?yán)", "嚴"),
        ("002", "misaligned_pair", "?qǐng)?bào)", "報"),
        ("003", "shifted_run", "?zhǔn)称返取拔铩钡娜采w", "食品等“物”的全覆蓋"),
        ("004", "misaligned_pair", "?xùn)|", "東"),
        ("004", "shifted_run", "?崭鄯揽刎(zé)", "空港防控責"),
    ]


# --------------------------------------------------------------------------- other corpora
ARTICLE = "標題一\n2021-05-01 10:00:00 來源:某某日報\n壓實(shí)責任，疫情防控。\n責編:某人\n"


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16"])
def test_encodings_are_detected(tmp_path, encoding):
    body = "各級黨委政府要緊急行動起來，切實壓緊壓實責任，抓細抓實各項疫情防控工作。" * 3
    _write(tmp_path, "a.txt", ("標題\r\n\u3000\u3000" + body).encode(encoding))
    df = load_corpus(tmp_path, kinds=None)
    assert df.text.iloc[0] == body


def test_date_from_filename_and_missing_date(tmp_path):
    _write(tmp_path, "20200131-02-06.txt", "疫情防控工作會議召開。")
    _write(tmp_path, "nodate.txt", "另一篇文章，壓實責任。")
    df = load_corpus(tmp_path, kinds=None).set_index("doc_id")
    assert df.loc["20200131-02-06", "date"] == pd.Timestamp("2020-01-31")
    assert df.loc["20200131-02-06", "date_basis"] == "filename"
    assert pd.isna(df.loc["nodate", "date"]) and pd.isna(df.loc["nodate", "date_basis"])


def test_bad_files_warn_by_name_and_the_load_goes_on(tmp_path):
    _write(tmp_path, "good.txt", ARTICLE)
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path, "binary.txt", bytes(range(256)) * 4)
    _write(tmp_path, "furniture.txt", "責編:某人\n下載APP\n")
    _write(tmp_path, "sub/dup.txt", ARTICLE.replace("標題一", "標題二"))
    meta = "file,region,date\ngood.txt,某市,not-a-date\nmissing.txt,某縣,2021-01-01\nsub/dup.txt,a,b,c\n"
    _write(tmp_path, "metadata.csv", meta)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_corpus(tmp_path, kinds=None)
    messages = [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]
    assert df.doc_id.tolist() == ["good"]
    assert df.region.tolist() == ["某市"]
    expected = {
        "empty.txt": "empty file",
        "binary.txt": "binary",
        "furniture.txt": "nothing left after cleaning",
        "dup.txt": "duplicate of good.txt",
        "missing.txt": "no such file",
        "not-a-date": "malformed date",
        "row 4": "4 fields, expected 3",
    }
    for name, problem in expected.items():
        assert any(name in m and problem in m for m in messages), (name, messages)


def test_strict_mode_raises(tmp_path):
    _write(tmp_path, "good.txt", ARTICLE)
    _write(tmp_path, "empty.txt", b"  \n")
    with pytest.raises(CorpusError, match=r"empty\.txt: empty file"):
        load_corpus(tmp_path, strict=True, kinds=None)


def test_undecodable_bytes_are_reported():
    with pytest.raises(ValueError, match=r"binary|undecodable"):
        decode_bytes(b"\x81\x00\xff\xfe\x00" * 50)


def test_files_are_never_written(tmp_path):
    p = _write(tmp_path, "a.txt", ARTICLE)
    before = (p.read_bytes(), p.stat().st_mtime_ns)
    load_corpus(tmp_path, kinds=None)
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before


def test_csv_jsonl_parquet_give_the_same_frame(tmp_path):
    rows = [
        {"doc_id": "a", "text": ARTICLE, "region": "甲市", "date": "2021-05-01"},
        {"doc_id": "b", "text": "乙縣召開會議，壓實責任。", "region": "乙縣", "date": ""},
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "c.csv", index=False)
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    pd.DataFrame(rows).to_parquet(tmp_path / "c.parquet")
    frames = [
        load_corpus(tmp_path / f"c.{ext}", kinds=None).drop(columns="source_file")
        for ext in ("csv", "jsonl", "parquet")
    ]
    for f in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], f)
    a = frames[0].set_index("doc_id").loc["a"]
    assert (a.text, a.region, a.date, a.date_basis) == (
        "壓實責任，疫情防控。",
        "甲市",
        pd.Timestamp("2021-05-01"),
        "metadata",
    )


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="no such folder or file"):
        load_corpus(tmp_path / "nope", kinds=None)


def test_cache_hit_gives_the_same_frame_and_the_same_warnings(tmp_path):
    corpus, cache = tmp_path / "c", tmp_path / "cache"
    _write(corpus, "good.txt", ARTICLE)
    _write(corpus, "empty.txt", b"")
    with pytest.warns(CorpusWarning, match="empty.txt: empty file"):
        first = load_corpus(corpus, cache_dir=cache, kinds=None)
    assert len(list(cache.glob("corpus-*.parquet"))) == 1
    with pytest.warns(CorpusWarning, match="empty.txt: empty file"):
        second = load_corpus(corpus, cache_dir=cache, kinds=None)
    pd.testing.assert_frame_equal(first, second)
    with pytest.raises(CorpusError, match="empty file"):
        load_corpus(corpus, cache_dir=cache, strict=True, kinds=None)
    _write(corpus, "good.txt", ARTICLE.replace("某某日報", "另一日報"))  # a changed file is a cache miss
    with pytest.warns(CorpusWarning, match="empty file"):
        assert load_corpus(corpus, cache_dir=cache, kinds=None).outlet.iloc[0] == "另一日報"


def test_parallel_load_equals_serial(tmp_path, monkeypatch):
    from directives import corpus as C

    for p in paths.SEEDS_DIR.glob("*"):
        (tmp_path / p.name).write_bytes(p.read_bytes())
    serial = load_corpus(tmp_path, cache_dir=None, processes=1, kinds=None)
    monkeypatch.setattr(C, "PARALLEL_MIN_CHARS", 0)
    pd.testing.assert_frame_equal(load_corpus(tmp_path, cache_dir=None, processes=2, kinds=None), serial)


def test_many_files_and_one_parquet_give_the_same_frame(tmp_path):
    from directives.synthetic import make_articles, write_as_files

    articles = make_articles(30, seed=3)
    write_as_files(articles, tmp_path / "files")
    articles.to_parquet(tmp_path / "one.parquet")
    from_files = load_corpus(tmp_path / "files", cache_dir=None, kinds=None).drop(columns="source_file")
    from_parquet = load_corpus(tmp_path / "one.parquet", cache_dir=None, kinds=None).drop(columns="source_file")
    pd.testing.assert_frame_equal(from_files, from_parquet)
    assert len(from_files) == 30 and from_files.date.notna().all()


def test_subfolders_links_and_unreadable_folders(tmp_path, monkeypatch):
    import os

    from directives import corpus as C

    corpus = tmp_path / "c"
    _write(corpus / "2021", "a.txt", ARTICLE)
    _write(corpus / "2022" / "03", "b.txt", ARTICLE.replace("疫情防控", "聯防聯控"))
    (corpus / "2022" / "up").symlink_to(corpus, target_is_directory=True)  # a link back up: no loop
    _write(corpus / "locked", "c.txt", ARTICLE.replace("疫情防控", "群防群控"))
    real_scandir = os.scandir

    def scandir(path):  # as for a folder without read permission (chmod does not stop root)
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(C.os, "scandir", scandir)
    with pytest.warns(CorpusWarning, match=r"locked: folder not readable \(Permission denied\), skipped"):
        df = load_corpus(corpus, cache_dir=None, kinds=None)
    assert sorted(df.source_file) == ["2021/a.txt", "2022/03/b.txt"]
    monkeypatch.setattr(C.os, "scandir", real_scandir)
    assert sorted(load_corpus(corpus, cache_dir=None, kinds=None).source_file) == [
        "2021/a.txt",
        "2022/03/b.txt",
        "locked/c.txt",
    ]


def test_loading_imports_only_what_loading_needs():
    # the package's verbs are imported when first used: a cold load (and a spawned worker) never pays for SciPy,
    # scikit-learn, matplotlib, jieba or the analyses; every name in __all__ still resolves
    import subprocess
    import sys

    code = (
        "import sys, directives\n"
        "from directives import load_corpus\n"
        "heavy = ['scipy', 'sklearn', 'matplotlib', 'jieba', 'rjieba', 'pypinyin', 'directives.tfidf',"
        " 'directives.analysis', 'directives.reuse', 'directives.tokens']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print(all(getattr(directives, n) is not None for n in directives.__all__))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["[]", "True"]


_PREPARED: list[int] = []


def _prepared_here(_item) -> int:
    return len(_PREPARED)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="workers are forked only where fork is used")
def test_forked_workers_inherit_what_prepare_built_once():
    from directives._parallel import ordered_map

    _PREPARED.clear()
    assert list(ordered_map(_prepared_here, range(6), processes=2)) == [0] * 6  # nothing prepared, nothing seen
    seen = list(ordered_map(_prepared_here, range(6), processes=2, prepare=lambda: _PREPARED.append(1)))
    assert seen == [1] * 6 and _PREPARED == [1]  # built once, in this process, and every worker has it
    assert list(ordered_map(_prepared_here, range(3), processes=1, prepare=lambda: _PREPARED.append(1))) == [1] * 3


def test_parallel_load_of_real_text_equals_serial(tmp_path, monkeypatch):
    """Workers forked after the parent built the gazetteer and the segmenter give the frame one process gives,
    on 300 real articles (every seventh file of People's Daily)."""
    from directives import corpus as C
    from directives import evaluate

    if not evaluate.PEOPLES_DAILY.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    folder = evaluate.unpack_peoples_daily(tmp_path / "pd", every=7)
    serial = load_corpus(folder, cache_dir=None, processes=1, kinds=None, problems=[])
    monkeypatch.setattr(C, "PARALLEL_MIN_CHARS", 0)
    parallel = load_corpus(folder, cache_dir=None, processes=2, kinds=None, problems=[])
    assert len(serial) > 250 and serial.region.notna().sum() > 100
    pd.testing.assert_frame_equal(parallel, serial)
