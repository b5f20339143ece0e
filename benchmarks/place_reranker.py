"""Would a model learned from the hand labels read place and level better than the rules of ``places.py``?

An accuracy experiment (not a speed benchmark): for every hand-labelled People's Daily article, every answer the
text allows is a candidate (central, abroad, none, and every division it names, with the province and prefecture
above each), described by the evidence the rules already compute (dateline, title, subtitle, first sentence, lead,
counts in the body, share of the places named, national words, central organs, commentary columns, foreign
countries, how the text speaks of itself, length). Three learners rank the candidates and the best one is the
answer:

- a conditional logit (softmax over one article's candidates, L2-penalised), with and without the rules' own
  answer among the features;
- gradient-boosted trees over the candidates (scikit-learn), with and without the rules' answer.

Each labelled sample is scored by a model trained on the other samples (leave one sample out), beside the rules'
score on it. With ``--test LABELS`` the models are trained on every sample and scored on that file (a blind sample).

    python benchmarks/place_reranker.py [--test tests/data/peoples_daily_labels_fifth.csv]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from directives import evaluate as E
from directives import places as P
from directives.clean import clean_article
from directives.convert import to_simplified
from directives.corpus import _simplified_fields, load_corpus
from scipy.optimize import minimize

_LEADERS = re.compile("习近平|李克强|栗战书|汪洋|王沪宁|赵乐际|韩正|王岐山")
_PROFILE = re.compile("院士|教授|烈士|楷模|英雄|同志逝世|一生|出生")
_RULE_FEATURES = ("c_rule", "a_rule", "n_rule", "d_rule", "d_rule_under")


def _key(d: P.Division) -> tuple:
    return (d.level, d.name, d.province)


def _under(d: P.Division, x: P.Division) -> bool:
    """Whether ``x`` is ``d`` or lies inside it."""
    if d.level == "province":
        return x.province == d.name
    if d.level == "prefecture":
        return x.province == d.province and x.chain()["prefecture"] == d.name
    return _key(x) == _key(d)


def _ancestors(d: P.Division) -> list[P.Division]:
    out = []
    if d.level != "province" and (p := P._province(d.province)) is not None:
        out.append(p)
    if d.level == "county" and d.prefecture:
        out += [x for x in P.gazetteer().lookup(d.prefecture) if x.level == "prefecture" and x.province == d.province][
            :1
        ]
    return out


def _rule_inside(d: P.Division, rule: dict) -> bool:
    if rule.get("province") != d.province:
        return False
    return d.level == "province" or rule.get(d.level) == d.name


def candidates(title: str, text: str, fields: dict, year: int | None, rule: dict) -> list[tuple[tuple, dict]]:
    """Every answer the text allows, as ``((kind, division), features)``; ``rule`` is what infer_place said."""
    text = P._without_signature(text)
    lead = text[: P._LEAD_CHARS]
    first = P._FIRST_SENTENCE.match(text).group(0) if text else ""
    everywhere = P._mentions(text, bare_counties=True, year=year)
    in_title, in_lead = P._title_places(title), P._mentions(lead, bare_counties=True, year=year)
    in_first, in_subtitle = P._mentions(first), P._mentions(fields.get("subtitle") or "")
    kind, dated, _agency = P._dateline_place(fields.get("dateline", ""))
    pool: dict[tuple, P.Division] = {}
    for d in everywhere + in_title + in_lead + in_subtitle + ([dated] if dated is not None else []):
        for x in [d, *_ancestors(d)]:
            pool.setdefault(_key(x), x)
    n = max(len(everywhere), 1)
    provinces = Counter(d.province for d in everywhere)
    self_level = P._self_reference(text)
    national = math.log1p(len(P._NATIONAL.findall(text))) / 3
    column = P._TITLE_COLUMN.search(title)
    commentary = bool(P._COMMENTARY_COLUMN.search(title) or (column and P._COMMENTATOR.search(column.group(1))))
    countries = len(P._countries().findall(text))
    n_han = len(re.findall("[\u4e00-\u9fff]", text))
    profile = bool(_PROFILE.search(title + lead))
    best_all, best_lead, best_title = (P._most_specific(x) for x in (everywhere, in_lead, in_title))
    rl, rr = rule.get("level"), rule.get("region")
    common = {"log_len": math.log1p(n_han) / 8, "log_mentions": math.log1p(len(everywhere)) / 4}
    prose = P._mentions(P._PHOTO_CAPTION.sub("", text)) if P._PHOTO_CAPTION.search(text) else everywhere
    out = [
        (("central", None), {
            "is_central": 1, "c_rule": rl == "central", "c_national": national,
            "c_organs": math.log1p(len(P._CENTRAL_ORG_ANYWHERE.findall(text))) / 3,
            "c_organ_opening": bool(P._CENTRAL_ORG_ANYWHERE.search(P._CITATION.sub("", text[: P._OPENING_CHARS]))),
            "c_commentary": commentary, "c_commentator": bool(P._COMMENTATOR.search(f"{title}\n{lead}\n{text[-200:]}")),
            "c_dateline": kind == "central", "c_self": self_level == "central",
            "c_leader_title": bool(_LEADERS.search(title)), "c_leader_lead": bool(_LEADERS.search(lead)),
            "c_provinces": min(len(provinces), 8) / 8, "c_profile": profile, "c_no_place": not everywhere,
        }),
        (("abroad", None), {
            "is_abroad": 1, "a_rule": rl == "abroad", "a_dateline": kind == "abroad",
            "a_countries": math.log1p(countries) / 3, "a_more": countries > 2 * text.count("中国"),
            "a_no_place": not everywhere,
        }),
        (("none", None), {
            "is_none": 1, "n_rule": rl is None, "n_short": n_han < 300, "n_no_place": not everywhere,
            "n_length": math.log1p(n_han) / 8,
        }),
    ]  # fmt: skip
    for key, d in pool.items():
        exact = sum(_key(x) == key for x in everywhere)
        inside = sum(_under(d, x) for x in everywhere)
        first_at = next((i for i, x in enumerate(everywhere) if _under(d, x)), None)
        out.append((("div", d), {
            "is_div": 1, f"lv_{d.level}": 1, "d_rule": rr == d.name and rl == d.level,
            "d_rule_under": rl in ("province", "prefecture", "county") and _rule_inside(d, rule),
            "d_dateline": dated is not None and _key(dated) == key,
            "d_dateline_under": dated is not None and _under(d, dated),
            "d_dateline_above": dated is not None and _under(dated, d) and _key(dated) != key,
            "d_title": any(_key(x) == key for x in in_title), "d_title_under": any(_under(d, x) for x in in_title),
            "d_title_best": best_title is not None and _key(best_title) == key,
            "d_subtitle": any(_under(d, x) for x in in_subtitle),
            "d_first": any(_key(x) == key for x in in_first), "d_first_under": any(_under(d, x) for x in in_first),
            "d_lead": math.log1p(sum(_key(x) == key for x in in_lead)) / 2,
            "d_lead_under": math.log1p(sum(_under(d, x) for x in in_lead)) / 2,
            "d_lead_best": best_lead is not None and _key(best_lead) == key,
            "d_best": best_all is not None and _key(best_all) == key,
            "d_exact": math.log1p(exact) / 3, "d_inside": math.log1p(inside) / 3, "d_share": inside / n,
            "d_exact_share": exact / n, "d_first_at": 1 - (first_at / n if first_at is not None else 1),
            "d_province_share": provinces[d.province] / n, "d_full_name": d.name in text,
            "d_capital": P._is_capital(d), "d_self": self_level == d.level, "d_self_central": self_level == "central",
            "d_national": national, "d_commentary": commentary, "d_profile": profile, "d_beijing": d.province == "北京市",
            "d_caption_only": not any(_under(d, x) for x in prose),
        }))  # fmt: skip
    for _c, f in out:
        f.update(common)
    return out


def _answer(c: tuple) -> tuple:
    kind, d = c
    return {"central": ("central", "中央", None), "abroad": ("abroad", "国外", None), "none": (None, None, None)}.get(
        kind
    ) or (d.level, d.name, d.province)


def _is_right(c: tuple, level: str, region: str) -> bool:
    lv, rg, pv = _answer(c)
    level, region = level or None, region or None
    return lv == level and (rg == region or (pv == region and region is not None))


def candidate_table(folder: Path, samples: dict[str, Path]) -> pd.DataFrame:
    """One row per (labelled article, candidate): ``sample``, ``art``, ``y`` (the labels' answer), ``rule_ok`` and
    the features."""
    problems: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = load_corpus(folder, cache_dir=folder.parent / "cache", kinds=None, problems=problems)
    kept_as = {w: m.group(1) for w, p in problems if (m := re.match(r"duplicate of (.+), skipped$", p))}
    by_file = df.set_index("source_file")
    rows = []
    for name, path in samples.items():
        labels = E.read_labels(path)
        for r in labels.itertuples():
            a = by_file.loc[kept_as.get(r.file, r.file)]
            truth_level = "" if r.level == "none" else r.level
            got = pd.DataFrame({"level": [a.level], "region": [a.region], "province": [a.province]})
            want = pd.DataFrame({"level": [truth_level or None], "region": [r.region or None]})
            rule_ok = bool(np.logical_and(*E._right(got, want))[0])
            f = clean_article(a.text_raw).fields
            rule = {k: (v if isinstance(v, str) else None) for k, v in a[P.PLACE_COLUMNS].items()}
            rule |= {k: (a[k] if isinstance(a[k], str) else None) for k in ("province", "prefecture", "county")}
            year = None if pd.isna(a.date) else a.date.year
            title = to_simplified(f.get("title") or "")
            for c, feats in candidates(title, a.text_simplified, _simplified_fields(f), year, rule):
                rows.append({"sample": name, "art": f"{name}/{r.file}", "y": _is_right(c, truth_level, r.region),
                             "rule_ok": rule_ok, **{k: float(v) for k, v in feats.items()}})  # fmt: skip
    return pd.DataFrame(rows).fillna(0.0)


def _fit_logit(table: pd.DataFrame, features: list[str], l2: float) -> np.ndarray:
    """A conditional logit: the softmax over each article's candidates, trained on the articles whose right answer
    is among them."""
    table = table[table.groupby("art").y.transform("any")]
    a, y = table[features].to_numpy(float), table.y.to_numpy(bool)
    _, group = np.unique(table.art.to_numpy(), return_inverse=True)
    groups = group.max() + 1

    def loss(w):
        s = a @ w
        top = np.full(groups, -np.inf)
        np.maximum.at(top, group, s)
        e = np.exp(s - top[group])
        z, zy = np.zeros(groups), np.zeros(groups)
        np.add.at(z, group, e)
        np.add.at(zy, group, np.where(y, e, 0))
        value = -(np.log(zy) - np.log(z)).sum() + l2 * w @ w
        grad = -(a.T @ (np.where(y, e, 0) / zy[group] - e / z[group])) + 2 * l2 * w
        return value, grad

    return minimize(loss, np.zeros(a.shape[1]), jac=True, method="L-BFGS-B").x


def _picked(test: pd.DataFrame, scores: np.ndarray) -> float:
    t = test.assign(score=scores)
    return float(t.loc[t.groupby("art").score.idxmax()].y.mean())


def _learners(features: list[str]):
    from sklearn.ensemble import HistGradientBoostingClassifier

    def logit(train, test):
        return _picked(test, test[features].to_numpy(float) @ _fit_logit(train, features, 1.0))

    def trees(train, test):
        clf = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_depth=3, random_state=0)
        clf.fit(train[features], train.y)
        return _picked(test, clf.predict_proba(test[features])[:, 1])

    return logit, trees


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--test", type=Path, help="a labelled sample to score models trained on every other sample")
    args = ap.parse_args()
    samples = {"first": E.LABELS, "held-out": E.HELD_OUT, "third": E.THIRD, "fourth": E.FOURTH}
    if args.test:
        samples["test"] = args.test
    with tempfile.TemporaryDirectory() as tmp:
        table = candidate_table(E.unpack_peoples_daily(tmp), samples)
    features = [c for c in table.columns if c not in ("sample", "art", "y", "rule_ok")]
    evidence = [c for c in features if c not in _RULE_FEATURES]
    ceiling = table.groupby("art").y.any().mean()
    print(f"{table.art.nunique()} labelled articles, {len(table):,} candidates; the labels' answer is a candidate "
          f"for {ceiling:.1%}\n")  # fmt: skip
    rows = []
    held = [s for s in samples if s != "test"]
    for name in [*held, "test"] if args.test else held:
        train = table[(table["sample"] != name) & (table["sample"] != "test")]
        test = table[table["sample"] == name]
        row = {"scored on": name, "rules": test.groupby("art").rule_ok.first().mean()}
        for label, feats in (("with the rules' answer", features), ("evidence only", evidence)):
            logit, trees = _learners(feats)
            row[f"logit, {label}"] = logit(train, test)
            row[f"trees, {label}"] = trees(train, test)
        rows.append(row)
    out = pd.DataFrame(rows).set_index("scored on")
    cols = list(out.columns)
    print("| scored on | " + " | ".join(cols) + " |\n|---|" + "---:|" * len(cols))
    for name, r in out.iterrows():
        print(f"| {name} | " + " | ".join(f"{r[c]:.0%}" for c in cols) + " |")
    print("\nmean of the leave-one-sample-out rows:", out.loc[held].mean().map(lambda v: f"{v:.1%}").to_dict())
    return 0


if __name__ == "__main__":
    sys.exit(main())
