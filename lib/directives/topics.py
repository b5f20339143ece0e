"""What a corpus is about: topic models (NMF on TF-IDF, or LDA on counts) fitted once on the segmented words,
a way to choose their number (coherence on the corpus and stability across seeds), and each topic's
prevalence by unit (region, level) and over time with a bootstrap interval beside the article counts.

The words are the corpus's own ``tokens`` (jieba with the genre's stop words removed), counted by Arrow
(:func:`~directives.counting.token_counts`); terms in fewer than ``min_df`` documents or in more than
``max_df`` of them are left out (on a corpus of fewer than ``SMALL_CORPUS`` documents, none is), and at most
``max_terms`` of the most widespread are kept. Topics are numbered by their prevalence in the corpus, the
largest first, and labelled by their top terms until the user names them.

>>> import pandas as pd
>>> toy = pd.DataFrame({"doc_id": list("abcdef"), "tokens": ["疫情 防控 核酸", "疫情 防控 隔离", "疫情 核酸 隔离",
...                     "经济 增长 投资", "经济 投资 消费", "经济 增长 消费"]})
>>> model = TopicModel(k=2, seed=0).fit(toy)
>>> [terms.split("、")[0] for terms in model.labels_], model.dominant_.tolist()
(['疫情', '经济'], [0, 0, 0, 1, 1, 1])
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from .counting import token_counts
from .tokens import ensure_tokens

METHODS = ("nmf", "lda")
SMALL_CORPUS = 20  # below this many documents every term is kept (min_df 1, max_df 1.0)
MAX_TERMS = 5000
TOP_TERMS = 10
CHOOSE_SAMPLE = 1500  # choose_k fits on a random sample of at most this many documents
BOOTSTRAP = 200
LDA_RESTARTS = 3  # LDA up to LDA_BATCH_MAX documents: fitted from this many seeds (seed, seed + 1 …), best bound kept
LDA_BATCH_MAX = 5_000  # LDA: batch variational Bayes up to this many documents, one online start (mini-batches) above
STABLE_SHARE = 0.85  # choose_k: candidates at least this share as stable as the most stable one …
COHERENCE_MARGIN = 0.02  # … and, of those, the smallest k whose NPMI is within this of the best


def _vocabulary(X: sparse.csr_matrix, min_df: int, max_df: float, max_terms: int) -> np.ndarray:
    """Columns kept: in at least ``min_df`` and at most ``max_df`` (a share) of the documents, the
    ``max_terms`` most widespread (ties by column), in column order."""
    n = X.shape[0]
    df = np.bincount(X.indices, minlength=X.shape[1])
    if n < SMALL_CORPUS:
        min_df, max_df = 1, 1.0
    ok = np.flatnonzero((df >= min_df) & (df <= max(max_df * n, 1)))
    if len(ok) > max_terms:
        ok = np.sort(ok[np.lexsort((ok, -df[ok]))[:max_terms]])
    return ok


def _weights(counts: sparse.csr_matrix, method: str) -> sparse.csr_matrix:
    """What the factorisation sees: sublinear TF-IDF with L2 rows for NMF, the counts for LDA."""
    if method == "lda":
        return counts
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32)


def _factorise(V: sparse.csr_matrix, k: int, method: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Document × topic and topic × term weights of ``V`` (scikit-learn's warnings of slow convergence and
    rounding silenced: the result is what is judged, by coherence and stability)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _factorise_quietly(V, k, method, seed)


def _factorise_quietly(V: sparse.csr_matrix, k: int, method: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if method == "nmf":
        from sklearn.decomposition import NMF

        nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400, tol=1e-4)
        W = nmf.fit_transform(V)
        return W, nmf.components_
    from sklearn.decomposition import LatentDirichletAllocation

    batch = V.shape[0] <= LDA_BATCH_MAX  # every document in each pass when it is affordable, else mini-batches
    best = None
    for start in range(
        seed, seed + (LDA_RESTARTS if batch else 1)
    ):  # LDA finds local optima: the best of a few starts is kept
        lda = LatentDirichletAllocation(
            n_components=k, learning_method="batch" if batch else "online", random_state=start, batch_size=2048,
            max_iter=20 if batch else 10, n_jobs=1,
        )  # fmt: skip
        W = lda.fit_transform(V)
        bound = lda.score(V)  # the variational bound of the log-likelihood
        if best is None or bound > best[0]:
            best = (bound, W, lda.components_)
    return best[1], best[2]


def _prevalence(shares: np.ndarray) -> np.ndarray:
    """Each topic's mean share over the documents that have one (in float64).

    >>> _prevalence(np.array([[0.5, 0.5], [np.nan, np.nan], [1.0, 0.0]], dtype=np.float32)).tolist()
    [0.75, 0.25]
    """
    return np.nanmean(shares.astype(np.float64), axis=0) if np.isfinite(shares).any() else np.zeros(shares.shape[1])


def _rounded(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to ``TIE_DECIMALS``, so that what differs only in float32's last bits (two topics or terms
    tied in exact arithmetic, which a processor's vector width breaks one way or the other) ranks as a tie, broken
    by position, the same on every machine.

    >>> _rounded(np.array([0.25000003, 0.24999997], dtype=np.float32)).tolist()
    [0.25, 0.25]
    """
    return np.round(values.astype(np.float64), TIE_DECIMALS)


TIE_DECIMALS = 6


def _shares(W: np.ndarray) -> np.ndarray:
    """Rows of ``W`` as shares summing to 1; a document without a kept term gets NaN (it has no topic)."""
    total = W.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, W / np.where(total > 0, total, 1), np.nan)


class TopicModel:
    """A topic model fitted once on a corpus, in scikit-learn's manner.

    ``method="nmf"`` factorises the sublinear TF-IDF of the words (non-negative matrix factorisation, NNDSVD
    start, deterministic), ``method="lda"`` fits latent Dirichlet allocation on the counts (variational Bayes,
    batch and the best bound of ``LDA_RESTARTS`` seeded starts up to ``LDA_BATCH_MAX`` documents, one online
    start above).
    After :meth:`fit`: ``doc_ids_``, ``vocabulary_``, ``counts_`` (the kept counts), ``components_`` (topic ×
    term weights, each row summing to 1), ``doc_topics_`` (each document's topic shares, rows summing to 1;
    NaN for a document with none of the kept terms), ``dominant_`` (each document's largest topic, -1 for
    none), ``topics_`` (top terms), ``labels_`` (top terms joined, or the names given to :meth:`label`).
    Topics are numbered by their mean share, the most prevalent first.

    >>> toy = pd.DataFrame({"doc_id": list("abcd"), "tokens": ["疫情 防控", "疫情 核酸", "经济 投资", "经济 消费"]})
    >>> m = TopicModel(k=2).fit(toy)
    >>> m.doc_topics_.shape, m.topics_.query("rank == 1").term.tolist()
    ((4, 2), ['疫情', '经济'])
    """

    def __init__(
        self,
        k: int = 10,
        method: str = "nmf",
        seed: int = 0,
        min_df: int = 2,
        max_df: float = 0.5,
        max_terms: int = MAX_TERMS,
        top: int = TOP_TERMS,
    ):
        if method not in METHODS:
            raise ValueError(f"method must be 'nmf' or 'lda', not {method!r}")
        if k < 1:
            raise ValueError(f"k must be at least 1, not {k}")
        self.k, self.method, self.seed = int(k), method, int(seed)
        self.min_df, self.max_df, self.max_terms, self.top = min_df, max_df, max_terms, top

    def _prepare(self, df: pd.DataFrame) -> sparse.csr_matrix:
        df = ensure_tokens(df)
        counts, vocab = token_counts(df["tokens"])
        keep = _vocabulary(counts, self.min_df, self.max_df, self.max_terms)
        self.doc_ids_ = df["doc_id"].to_numpy() if "doc_id" in df.columns else np.arange(len(df))
        self.titles_ = df["title"].fillna("").astype(str).to_numpy() if "title" in df.columns else None
        self.vocabulary_ = vocab[keep]
        self.counts_ = sparse.csr_matrix(counts[:, keep])
        return self.counts_

    def fit(self, df: pd.DataFrame) -> TopicModel:
        """Fit on the documents of ``df`` (its ``tokens``, segmenting ``text_simplified`` first when there are
        none; ``doc_id`` and ``title`` name the documents)."""
        counts = self._prepare(df)
        k = max(1, min(self.k, counts.shape[0], counts.shape[1]))
        W, H = _factorise(_weights(counts, self.method), k, self.method, self.seed)
        W = np.where(np.asarray(counts.sum(axis=1)).ravel()[:, None] > 0, W, 0.0)  # LDA gives empty rows a prior
        order = np.lexsort((np.arange(k), -_rounded(_prevalence(_shares(W)))))  # the most prevalent topic first
        W, H = W[:, order], H[order]
        self.k_ = k
        self.components_ = H / np.maximum(H.sum(axis=1, keepdims=True), 1e-12)
        self.doc_topics_ = _shares(W)
        has = ~np.isnan(self.doc_topics_).any(axis=1)
        self.dominant_ = np.where(has, np.argmax(np.nan_to_num(self.doc_topics_), axis=1), -1)
        self._names = None
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise RuntimeError("this TopicModel is not fitted yet: call fit(df) first")

    def top_term_ids(self, top: int | None = None) -> np.ndarray:
        """Column numbers of each topic's ``top`` terms, heaviest first (weights equal to ``TIE_DECIMALS`` decimals are
        ties, broken by term)."""
        self._check_fitted()
        top = min(top or self.top, len(self.vocabulary_))
        cols = np.arange(self.components_.shape[1])
        return np.array([np.lexsort((cols, -_rounded(row)))[:top] for row in self.components_])

    @property
    def topics_(self) -> pd.DataFrame:
        """Each topic's top terms. Columns: topic, rank (1 = heaviest), term, weight (its share of the topic)."""
        ids = self.top_term_ids()
        rows = [(t, r + 1, self.vocabulary_[c], float(self.components_[t, c]))
                for t, cols in enumerate(ids) for r, c in enumerate(cols) if self.components_[t, c] > 0]  # fmt: skip
        return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])

    @property
    def labels_(self) -> list[str]:
        """One label per topic: the names given to :meth:`label`, else its four top terms joined by 、."""
        self._check_fitted()
        if self._names is not None:
            return list(self._names)
        ids = self.top_term_ids(4)
        return ["、".join(self.vocabulary_[c[self.components_[t, c] > 0]]) for t, c in enumerate(ids)]

    def label(self, names: list[str] | dict[int, str]) -> TopicModel:
        """Name the topics (a list in topic order, or a dict topic → name for some of them); returns the model.

        >>> toy = pd.DataFrame({"tokens": ["疫情 防控", "疫情 核酸", "经济 投资", "经济 消费"]})
        >>> TopicModel(k=2).fit(toy).label({1: "economy"}).labels_
        ['疫情、核酸、防控', 'economy']
        """
        current = self.labels_
        if isinstance(names, dict):
            current = [str(names.get(t, lab)) for t, lab in enumerate(current)]
        else:
            if len(names) != self.k_:
                raise ValueError(f"{len(names)} names for {self.k_} topics")
            current = [str(n) for n in names]
        self._names = current
        return self

    def representative(self, n: int = 3) -> pd.DataFrame:
        """The ``n`` documents with the largest share of each topic among those with at least as many kept
        words as the median document (a caption of three words, all of one topic, has a share of 1 and says
        little about it; ties by position). Columns: topic, rank, doc_id, title, share, words."""
        self._check_fitted()
        shares = np.nan_to_num(self.doc_topics_, nan=0.0)
        words = np.asarray(self.counts_.sum(axis=1)).ravel()
        long_enough = words >= np.median(words[words > 0]) if (words > 0).any() else words > 0
        held = np.where(long_enough[:, None], shares, 0.0)
        rows = []
        for t in range(self.k_):
            order = np.lexsort((np.arange(len(held)), -held[:, t]))[:n]
            for r, i in enumerate(order):
                if held[i, t] <= 0:
                    break
                title = self.titles_[i] if self.titles_ is not None else ""
                rows.append((t, r + 1, self.doc_ids_[i], " ".join(title.split()), float(shares[i, t]), int(words[i])))
        return pd.DataFrame(rows, columns=["topic", "rank", "doc_id", "title", "share", "words"])

    def summary(self, titles: int = 2) -> pd.DataFrame:
        """One row per topic: label, terms (top terms), articles (whose largest topic it is), share (mean
        share over the documents that have terms), examples (titles of its most representative documents).
        Indexed by topic."""
        self._check_fitted()
        rep = self.representative(titles)
        ids = self.top_term_ids()
        examples = rep.groupby("topic").title.apply(lambda t: " | ".join(x for x in t if x))
        out = pd.DataFrame({
            "label": self.labels_,
            "terms": ["、".join(self.vocabulary_[c[self.components_[t, c] > 0]]) for t, c in enumerate(ids)],
            "articles": np.bincount(self.dominant_[self.dominant_ >= 0], minlength=self.k_),
            "share": np.nanmean(self.doc_topics_, axis=0) if len(self.doc_topics_) else np.zeros(self.k_),
        })  # fmt: skip
        out["examples"] = examples.reindex(range(self.k_)).fillna("").to_numpy()
        return out.rename_axis("topic")


# --------------------------------------------------------------------------- choosing k
def npmi_coherence(counts: sparse.csr_matrix, term_ids: np.ndarray) -> np.ndarray:
    """Mean normalised pointwise mutual information of each topic's top terms, over the documents of
    ``counts`` (a term pair never in one document scores -1, always together +1).

    >>> X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]]))
    >>> npmi_coherence(X, np.array([[0, 1], [0, 2]])).round(2).tolist()
    [1.0, -1.0]
    """
    B = sparse.csr_matrix((counts > 0).astype(np.float64))
    n = max(B.shape[0], 1)
    out = []
    for ids in term_ids:
        sub = B[:, ids]
        joint = (sub.T @ sub).toarray() / n
        p = np.diag(joint).copy()
        iu = np.triu_indices(len(ids), k=1)
        pij, pi, pj = joint[iu], p[iu[0]], p[iu[1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            npmi = np.where(
                pij <= 0, -1.0, np.where(pij >= 1, 1.0, np.log(pij / (pi * pj)) / -np.log(np.where(pij < 1, pij, 0.5)))
            )
        out.append(float(npmi.mean()) if len(npmi) else 0.0)
    return np.array(out)


def _match_topics(a: np.ndarray, b: np.ndarray) -> float:
    """Mean Jaccard overlap of the top terms of two sets of topics, matched one to one (Hungarian)."""
    from scipy.optimize import linear_sum_assignment

    sets_a, sets_b = [set(x) for x in a], [set(x) for x in b]
    sim = np.array([[len(x & y) / max(len(x | y), 1) for y in sets_b] for x in sets_a])
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean())


def choose_k(
    df: pd.DataFrame,
    ks=(4, 6, 8, 10, 12, 15, 20),
    method: str = "nmf",
    seeds=(0, 1, 2),
    sample: int = CHOOSE_SAMPLE,
    top: int = TOP_TERMS,
) -> pd.DataFrame:
    """Candidate numbers of topics compared on a random sample of at most ``sample`` documents: for each
    ``k``, the model is fitted once per seed on a different 80% of the sample; ``coherence`` is the mean NPMI
    of the top terms over the whole sample (do a topic's words occur in the same documents?) and
    ``stability`` the mean Jaccard overlap of top terms between the fits of different seeds, topics matched
    one to one (does the topic survive other data and another start?). ``chosen`` marks, among the ``k`` at
    least ``STABLE_SHARE`` times as stable as the most stable, the smallest whose coherence is within
    ``COHERENCE_MARGIN`` of the best of them; ``k`` above half the documents is not tried. Columns: k,
    coherence, stability, chosen.

    >>> toy = pd.DataFrame({"tokens": ["疫情 防控 核酸"] * 5 + ["经济 投资 消费"] * 5})
    >>> choose_k(toy, ks=(2, 3), seeds=(0, 1)).query("chosen").k.tolist()
    [2]
    """
    model = TopicModel(k=2, method=method, top=top)
    counts = model._prepare(df)
    n = counts.shape[0]
    rng = np.random.default_rng(0)
    rows_all = np.sort(rng.choice(n, size=min(n, sample), replace=False))
    counts = counts[rows_all]
    ks = [k for k in ks if 2 <= k <= max(2, n // 2)] or [min(2, n)]
    results = []
    for k in ks:
        tops, coherence = [], []
        for seed in seeds:
            sub = counts[np.random.default_rng(seed).random(len(rows_all)) < 0.8] if len(seeds) > 1 else counts
            _, H = _factorise(_weights(sub, method), min(k, *sub.shape), method, seed)
            cols = np.arange(H.shape[1])
            ids = np.array([np.lexsort((cols, -row))[:top] for row in H])
            tops.append(ids)
            coherence.append(npmi_coherence(counts, ids).mean())
        pairs = [(i, j) for i in range(len(tops)) for j in range(i + 1, len(tops))]
        stability = float(np.mean([_match_topics(tops[i], tops[j]) for i, j in pairs])) if pairs else np.nan
        results.append((k, float(np.mean(coherence)), stability))
    out = pd.DataFrame(results, columns=["k", "coherence", "stability"])
    stability = out.stability.fillna(1)
    stable = out[stability >= STABLE_SHARE * stability.max()]
    best = stable[stable.coherence >= stable.coherence.max() - COHERENCE_MARGIN].k.min()
    out["chosen"] = out.k == best
    return out


# --------------------------------------------------------------------------- prevalence
def periods_of(df: pd.DataFrame, freq: str = "MS") -> pd.Series:
    """Each dated document's period (the first day of its month for ``MS``, the Monday of its week for
    ``W-MON``, of its quarter for ``QS``, of its year for ``YS``), indexed by doc_id; undated ones are NaT.

    >>> toy = pd.DataFrame({"doc_id": ["a", "b"], "date": pd.to_datetime(["2019-10-17", None])})
    >>> periods_of(toy).tolist()
    [Timestamp('2019-10-01 00:00:00'), NaT]
    """
    dates = pd.to_datetime(df["date"])
    if freq.startswith("W"):
        start = dates.dt.normalize() - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    else:
        start = dates.dt.to_period({"MS": "M", "QS": "Q", "YS": "Y"}[freq]).dt.start_time
    return pd.Series(start.to_numpy(), index=df["doc_id"].to_numpy(), name="period")


PERIODS = ("W-MON", "MS", "QS", "YS")


def prevalence_period(df: pd.DataFrame, min_articles: int = 5) -> str:
    """The period for prevalence over time: :func:`~directives.timeline.choose_period`'s (weeks or months),
    made coarser (quarters, then years) until the median period with articles holds at least ``min_articles``
    dated articles, so that a share over time is a share of several articles.

    >>> dates = pd.to_datetime(["2013-01-05", "2013-06-01", "2013-11-02", "2014-03-01", "2014-07-01", "2014-12-01"])
    >>> prevalence_period(pd.DataFrame({"doc_id": range(6), "date": dates}), min_articles=3)
    'YS'
    """
    from .timeline import choose_period

    freq = choose_period(df)
    for candidate in PERIODS[PERIODS.index(freq) :]:
        freq = candidate
        if periods_of(df, freq).value_counts().median() >= min_articles:
            break
    return freq


def topic_prevalence(
    model: TopicModel, of: pd.Series, n_boot: int = BOOTSTRAP, seed: int = 0, level: float = 0.9
) -> pd.DataFrame:
    """Each topic's prevalence in each unit: ``of`` maps doc_id → unit (a region, a level, a period; missing
    values are left out). Columns: unit, topic, articles (the unit's documents with terms), dominant (those
    whose largest topic it is), share (the mean topic share of the unit's documents), low and high (a
    ``level`` bootstrap interval over the unit's documents, ``n_boot`` resamples). Units in the order
    they first appear in ``of`` (sorted when they are periods).

    >>> toy = pd.DataFrame({"doc_id": list("abcd"), "tokens": ["疫情 防控", "疫情 核酸", "经济 投资", "经济 消费"]})
    >>> m = TopicModel(k=2).fit(toy)
    >>> prev = topic_prevalence(m, pd.Series(["甲", "甲", "乙", "乙"], index=list("abcd")))
    >>> prev.query("topic == 0")[["unit", "articles", "dominant", "share"]].values.tolist()
    [['甲', 2, 2, 1.0], ['乙', 2, 0, 0.0]]
    """
    model._check_fitted()
    unit = of.reindex(model.doc_ids_).to_numpy()
    shares = model.doc_topics_
    ok = pd.notna(unit) & ~np.isnan(shares).any(axis=1)
    units = pd.unique(unit[ok])
    if len(units) and isinstance(units[0], pd.Timestamp | np.datetime64):
        units = np.sort(units)
    rng = np.random.default_rng(seed)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    for u in units:
        idx = np.flatnonzero(ok & (unit == u))
        s = shares[idx]
        mean = s.mean(axis=0)
        boots = []
        for start in range(0, n_boot, 25):  # 25 resamples at a time: memory stays small for large units
            draw = rng.integers(0, len(idx), size=(min(25, n_boot - start), len(idx)))
            boots.append(s[draw].mean(axis=1))
        boots = np.vstack(boots) if boots else mean[None]
        low, high = np.quantile(boots, lo_q, axis=0), np.quantile(boots, hi_q, axis=0)
        dominant = np.bincount(model.dominant_[idx], minlength=model.k_)
        for t in range(model.k_):
            rows.append((u, t, len(idx), int(dominant[t]), float(mean[t]), float(low[t]), float(high[t])))
    return pd.DataFrame(rows, columns=["unit", "topic", "articles", "dominant", "share", "low", "high"])
