"""Measure what loading infers from the text against truth: the policy corpus's truth columns and the
hand labels of a seeded sample of People's Daily articles (``tests/data/peoples_daily_labels.csv``).

``python -m directives.evaluate`` (or ``make evaluate``) prints the tables; the tests assert the targets.

>>> sorted(score_places(pd.DataFrame({"level": ["central"], "region": ["中央"], "province": [None]}),
...                     pd.DataFrame({"level": ["central"], "region": ["中央"]})))
['level', 'region']
"""

from __future__ import annotations

import re
import sys
import tarfile
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .corpus import load_corpus
from .patterns import HAN_CHAR
from .places import ABROAD_REGION, CENTRAL_REGION

SHARED_CORPORA = paths.PROJECT_ROOT.parent / "shared" / "corpora"
POLICIES = SHARED_CORPORA / "policies_central_shandong.csv.xz"
PEOPLES_DAILY = SHARED_CORPORA / "peoples_daily_2019_10.tar.xz"
LABELS = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels.csv"  # labelled while the rules were written
HELD_OUT = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels_heldout.csv"  # labelled afterwards
# labelled independently of the code, by someone who never read it, after the rules of the fourth session were written
THIRD = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels_third.csv"
# the held-out sample labelled a second time, by someone who saw neither the first labels nor the code
SECOND_OPINION = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels_heldout_second.csv"
# the third sample labelled a second time, blind
THIRD_SECOND_OPINION = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels_third_second.csv"
# a fourth sample, labelled blind by two labellers at once, after the rules of the sixth session were written
FOURTH = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels_fourth.csv"
FOURTH_SECOND_OPINION = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels_fourth_second.csv"
# a fifth sample, labelled blind by two labellers at once, after the rules of the seventh session were written
FIFTH = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels_fifth.csv"
FIFTH_SECOND_OPINION = paths.PROJECT_ROOT / "tests" / "data" / "peoples_daily_labels_fifth_second.csv"

# the samples labelled twice, blind: (name, first labelling, second labelling)
PAIRS = (
    ("held-out sample", HELD_OUT, SECOND_OPINION),
    ("third sample", THIRD, THIRD_SECOND_OPINION),
    ("fourth sample", FOURTH, FOURTH_SECOND_OPINION),
    ("fifth sample (blind)", FIFTH, FIFTH_SECOND_OPINION),
)


def unpack_peoples_daily(into: str | Path, every: int = 1) -> Path:
    """Unpack the People's Daily corpus into a folder (it is never unpacked into the repository); with ``every``
    above 1, only every ``every``-th of its files in path order (a smaller real corpus for tests)."""
    with tarfile.open(PEOPLES_DAILY) as tar:
        tar.extractall(into, filter="data")
    folder = next(p for p in Path(into).iterdir() if p.is_dir())
    for i, path in enumerate(sorted(folder.rglob("*.txt"))):
        if i % every:
            path.unlink()
    return folder


def peoples_daily_sentences(min_chars: int = 20, max_chars: int = 120) -> list[str]:
    """The sentences (ending in 。！？) of the People's Daily corpus, read from its archive without unpacking it,
    of ``min_chars`` to ``max_chars`` characters: real text for the tests and benchmarks that plant copies.

    >>> PEOPLES_DAILY.is_file() and len(peoples_daily_sentences()) > 10_000 or not PEOPLES_DAILY.is_file()
    True
    """
    sentences = []
    with tarfile.open(PEOPLES_DAILY) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt"):
                text = tar.extractfile(member).read().decode("utf-8")
                sentences += [s.strip() for s in _SENTENCE_END.split(text) if min_chars <= len(s.strip()) <= max_chars]
    return sentences


_SENTENCE_END = re.compile(r"(?<=[。！？])")


def reencoded_copy(folder: str | Path, into: str | Path, encoding: str, convert=None) -> Path:
    """A copy of every ``.txt`` file under ``folder`` (read as UTF-8), written under ``into`` at the same
    relative path in ``encoding``; ``convert`` (str -> str) is applied to the text first. Characters the
    encoding has no code for are written as numeric character references (``&#160;``), as web pages in
    Big5 write them (cleaning decodes them back).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "a").mkdir()
    ...     _ = (Path(tmp) / "a" / "x.txt").write_text("为人民\u00a0服务", encoding="utf-8")
    ...     out = reencoded_copy(Path(tmp) / "a", Path(tmp) / "b", "big5", traditional)
    ...     (out / "x.txt").read_bytes().decode("big5")
    '為人民&#160;服務'
    """
    folder, into = Path(folder), Path(into)
    for p in sorted(folder.rglob("*.txt")):
        text = p.read_bytes().decode("utf-8")  # (line endings as they are)
        q = into / p.relative_to(folder)
        q.parent.mkdir(parents=True, exist_ok=True)
        q.write_bytes((convert(text) if convert else text).encode(encoding, "xmlcharrefreplace"))
    return into


def traditional(text: str) -> str:
    """Simplified text in traditional characters of the Taiwan standard (OpenCC ``s2tw``), the forms Big5
    was made for (OpenCC's plain ``s2t`` writes 爲, 衆, 裏, which Big5 does not have).

    >>> traditional("为人民服务，群众里")
    '為人民服務，群眾裡'
    """
    return _s2tw().convert(text)


@lru_cache(maxsize=1)
def _s2tw():
    import opencc

    return opencc.OpenCC("s2tw")


def traditional_copies(folder: str | Path, into: str | Path) -> tuple[Path, Path]:
    """People's Daily (or any UTF-8 corpus in simplified characters) in traditional characters, twice: as
    UTF-8 and as Big5, holding exactly the same characters (those Big5 lacks, such as U+00A0 and about 70 rare
    characters, are numeric character references in both). Returns the two folders.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "x.txt").write_bytes("为人民\\u00a0服务\\r\\n".encode("utf-8"))
    ...     utf8, big5 = traditional_copies(tmp, Path(tmp) / "out")
    ...     (utf8 / "x.txt").read_bytes().decode("utf-8") == (big5 / "x.txt").read_bytes().decode("big5")
    True
    """
    utf8 = Path(into) / "traditional_utf8"
    for p in sorted(Path(folder).rglob("*.txt")):  # the UTF-8 copy is the Big5 text itself
        text = traditional(p.read_bytes().decode("utf-8")).encode("big5", "xmlcharrefreplace").decode("big5")
        q = utf8 / p.relative_to(folder)
        q.parent.mkdir(parents=True, exist_ok=True)
        q.write_text(text, encoding="utf-8", newline="")
    return utf8, reencoded_copy(utf8, Path(into) / "traditional_big5", "big5")


def _right(got: pd.DataFrame, truth: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row by row: is the level right, is the region right (the inferred region or its province)."""
    level = got["level"].fillna("none").to_numpy() == truth["level"].fillna("none").to_numpy()
    want = truth["region"].fillna("").to_numpy()
    region = (got["region"].fillna("").to_numpy() == want) | (
        (got["province"].fillna("").to_numpy() == want) & (want != "")
    )
    return level, region


def score_places(got: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Share of rows whose ``level`` and ``region`` match the truth's, row by row. A truth region
    matches the inferred region or its province (a prefecture of 山东省 is right for 山东省)."""
    level, region = _right(got, truth)
    return {"level": float(level.mean()), "region": float(region.mean())}


def read_labels(path: Path) -> pd.DataFrame:
    """Hand labels (``file,date,level,province,prefecture,county,note``) with a ``region`` column: the most
    specific place labelled, or 中央 / 国外 for central and abroad.

    >>> read_labels(HELD_OUT).columns[-1], len(read_labels(HELD_OUT))
    ('region', 100)
    """
    labels = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    pseudo = {"central": CENTRAL_REGION, "abroad": ABROAD_REGION}
    labels["region"] = [r.county or r.prefecture or r.province or pseudo.get(r.level, "") for r in labels.itertuples()]
    return labels


def _agreement(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per file (``a``'s index): do two labellings agree on level, on region (a region agrees with the other's
    province, as :func:`score_places` scores the code)."""
    b = b.loc[a.index]
    region = (
        (a.region == b.region)
        | ((a.province == b.region) & (b.region != ""))
        | ((b.province == a.region) & (a.region != ""))
    )
    return a.level == b.level, region


def labeller_agreement(first: Path = HELD_OUT, second: Path = SECOND_OPINION) -> dict[str, float]:
    """How often two labellers of the same files agree on level and on region: the ceiling any place reader can be
    measured against.

    >>> labeller_agreement()["files"]
    100
    """
    level, region = _agreement(read_labels(first).set_index("file"), read_labels(second).set_index("file"))
    return {"level": float(level.mean()), "region": float(region.mean()), "files": len(level)}


def score_where_labellers_agree(
    folder: Path, first: Path = HELD_OUT, second: Path = SECOND_OPINION, cache_dir: Path | None = None
) -> dict[str, float]:
    """The code's score on the files two labellers labelled alike (level and region): the measure that does not
    count the files where careful readers differ (a biography against the place of work, a round-up…).

    >>> s = score_where_labellers_agree(unpack_peoples_daily(tempfile.mkdtemp()))  # doctest: +SKIP
    >>> s["files"] <= 100  # doctest: +SKIP
    True
    """
    level, region = _agreement(read_labels(first).set_index("file"), read_labels(second).set_index("file"))
    _scores, m, _df = evaluate_peoples_daily(folder, cache_dir=cache_dir, labels=first)
    m = m[m["file"].map(level & region).to_numpy()]
    truth = pd.DataFrame(
        {"level": m["level_truth"].replace({"": None}), "region": m["region_truth"].replace({"": None})}
    )
    right = np.logical_and(*_right(m[["level", "region", "province"]], truth))
    return {"both": float(right.mean()), "right": int(right.sum()), "files": len(m)}


def score_by_basis(folder: Path, labels: tuple[Path, ...] = (), cache_dir: Path | None = None) -> pd.DataFrame:
    """How often level and region are right, by the evidence that decided them (``region_basis``), over the
    hand-labelled samples ``labels`` (by default every sample's first labelling): a researcher can keep the
    articles whose place rests on the surer evidence (a dateline, a title) when it matters.

    >>> t = score_by_basis(unpack_peoples_daily(tempfile.mkdtemp()))  # doctest: +SKIP
    >>> list(t.columns)  # doctest: +SKIP
    ['articles', 'right', 'share']
    """
    frames = []
    for path in labels or (LABELS, HELD_OUT, THIRD, FOURTH, FIFTH):
        _scores, m, _df = evaluate_peoples_daily(folder, cache_dir=cache_dir, labels=path)
        truth = pd.DataFrame(
            {"level": m["level_truth"].replace({"": None}), "region": m["region_truth"].replace({"": None})}
        )
        right = np.logical_and(*_right(m[["level", "region", "province"]], truth))
        frames.append(pd.DataFrame({"basis": m["region_basis"].fillna("(none)").to_numpy(), "right": right}))
    both = pd.concat(frames, ignore_index=True)
    out = both.groupby("basis").right.agg(articles="size", right="sum")
    out["share"] = out["right"] / out["articles"]
    return out.sort_values("articles", ascending=False)


def evaluate_policies(cache_dir: Path | None = None) -> tuple[dict, pd.DataFrame]:
    """Level (central or local) and region (中央 or the province) against the policy corpus's truth
    columns. The truth's ``province`` level covers every Shandong document, including those of its cities,
    so level is scored as central against local."""
    truth = pd.read_csv(POLICIES, dtype=str, usecols=["doc_id", "truth_level", "truth_region"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = load_corpus(POLICIES, cache_dir=cache_dir, kinds=None)
    m = df.merge(truth, on="doc_id")
    got = pd.DataFrame({
        "level": m["level"].map(lambda v: v if v in ("central", None) or pd.isna(v) else "local"),
        "region": m["region"], "province": m["province"],
    })  # fmt: skip
    want = pd.DataFrame({"level": m["truth_level"].map(lambda v: "central" if v == "central" else "local"),
                         "region": m["truth_region"]})  # fmt: skip
    scores = score_places(got, want) | {"documents": len(m), "exact level": float((m.level == m.truth_level).mean())}
    return scores, m


def evaluate_peoples_daily(
    folder: Path, cache_dir: Path | None = None, labels: Path = LABELS
) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Place, level and date against hand labels (``labels``); how many articles got a place or a central
    voice and by which basis, where dates came from, and how much of each article's Han text was kept."""
    problems: list[tuple[str, str]] = []
    df = load_corpus(folder, cache_dir=cache_dir, kinds=None, problems=problems)
    # a file skipped as a duplicate is judged by the copy that was kept
    kept_as = {}
    for where, problem in problems:
        if m := re.match(r"duplicate of (.+), skipped$", problem):
            kept_as[where] = m.group(1)
    labels = read_labels(labels)
    labels["kept_as"] = labels["file"].map(lambda f: kept_as.get(f, f))
    labels["level"] = labels["level"].replace({"none": ""})
    m = labels.merge(df, left_on="kept_as", right_on="source_file", how="left", suffixes=("_truth", ""))
    got = m[["level", "region", "province"]]
    truth = pd.DataFrame(
        {"level": m["level_truth"].replace({"": None}), "region": m["region_truth"].replace({"": None})}
    )
    scores = score_places(got, truth)
    dated = m[m["date_truth"] != ""]
    scores["date"] = float((dated["date"].dt.strftime("%Y-%m-%d") == dated["date_truth"]).mean())
    scores["labelled"] = len(m)
    kept = (df.title.fillna("") + df.subtitle.fillna("") + df.text).map(lambda t: len(HAN_CHAR.findall(t)))
    raw = df.text_raw.map(lambda t: len(HAN_CHAR.findall(t))).clip(lower=1)
    df = df.assign(kept_share=kept / raw)
    df.attrs["folder"] = folder
    return scores, m, df


def main() -> int:
    if not POLICIES.is_file():
        print(f"{SHARED_CORPORA} not found: nothing to evaluate")
        return 1
    scores, _ = evaluate_policies()
    print(f"Policy documents ({scores['documents']}): level right {scores['level']:.1%}, region right "
          f"{scores['region']:.1%} (exact level, where the truth calls Shandong's city documents province: "
          f"{scores['exact level']:.1%})")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = unpack_peoples_daily(tmp)
        for name, labels in (
            ("labelled while the rules were written", LABELS),
            ("held out, labelled after the first rules; rules tuned on it since", HELD_OUT),
            ("the held-out files, second labeller", SECOND_OPINION),
            ("third sample, blind until the sixth session, then tuned on", THIRD),
            ("the third sample's files, second labeller", THIRD_SECOND_OPINION),
            ("fourth sample, blind until the eighth session, then tuned on", FOURTH),
            ("the fourth sample's files, second labeller", FOURTH_SECOND_OPINION),
            ("fifth sample, blind: never tuned on", FIFTH),
            ("the fifth sample's files, second labeller", FIFTH_SECOND_OPINION),
        ):
            scores, _, df = evaluate_peoples_daily(folder, cache_dir=Path(tmp) / "cache", labels=labels)
            right = f"level {scores['level']:.1%}, region {scores['region']:.1%}, date {scores['date']:.1%}"
            print(f"People's Daily, {scores['labelled']} hand-labelled articles ({name}): right {right}")
        for name, first, second in PAIRS:
            agree = labeller_agreement(first, second)
            agreed = score_where_labellers_agree(folder, first, second, cache_dir=Path(tmp) / "cache")
            print(f"{name}: two labellers agree on level for {agree['level']:.1%}, on region for "
                  f"{agree['region']:.1%}; where they agree on both ({agreed['files']} files), the code is right on "
                  f"{agreed['right']} ({agreed['both']:.1%})")  # fmt: skip
        by_basis = score_by_basis(folder, cache_dir=Path(tmp) / "cache")
        print("Right by the evidence that decided (the five samples' first labellings):")
        for basis, r in by_basis.iterrows():
            print(f"  {basis}: {r['right']} of {r['articles']} ({r['share']:.0%})")
    print(f"People's Daily, all {len(df):,} items by kind:", df.kind.value_counts().to_dict())
    art = df[df.kind == "article"]
    print("  articles by level:", art.level.fillna("(none)").value_counts().to_dict())
    print("  articles by region basis:", art.region_basis.fillna("(none)").value_counts().to_dict())
    print("  articles by voice:", art.voice.fillna("(none)").value_counts().to_dict())
    print("  dates by basis:", df.date_basis.fillna("(none)").value_counts().to_dict())
    conflicts = sum(c["rule"] == "date_conflict" for chs in df.changes for c in chs)
    print(f"  date conflicts recorded: {conflicts}")
    print(f"  articles keeping at least half their Han characters: {(art.kept_share >= 0.5).mean():.1%}; "
          f"at least 90%: {(art.kept_share >= 0.9).mean():.1%}; lowest {art.kept_share.min():.1%}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
