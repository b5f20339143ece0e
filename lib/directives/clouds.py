"""Word clouds from term counts (never wordcloud's own English tokenizer), in the project's CJK font,
deterministic (fixed random_state).

>>> img = cloud_image({"压实": 3, "责任": 2})
>>> img.size
(800, 500)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from PIL import Image

from .plotting import font_path

SEED = 0
WIDTH, HEIGHT = 800, 500


def cloud_image(weights: dict[str, float], width: int = WIDTH, height: int = HEIGHT, seed: int = SEED) -> Image.Image:
    """A word cloud of ``weights`` (term -> count or weight) as a PIL image; a blank one when empty.

    >>> cloud_image({}).getextrema()
    ((255, 255), (255, 255), (255, 255))
    """
    import wordcloud.wordcloud as wcm
    from wordcloud import WordCloud

    weights = {t: float(w) for t, w in weights.items() if w > 0}
    if not weights:
        return Image.new("RGB", (width, height), "white")
    wc = WordCloud(font_path=str(font_path()), width=width, height=height, background_color="white",
                   random_state=seed, prefer_horizontal=0.95, colormap="Dark2", max_words=150)  # fmt: skip
    fonts, wcm.ImageFont = wcm.ImageFont, _FONTS  # wordcloud's own calls of truetype() get the loaded fonts
    try:
        return wc.generate_from_frequencies(weights).to_image()
    finally:
        wcm.ImageFont = fonts


class _LoadedFonts:
    """What wordcloud uses of ``PIL.ImageFont``, with the fonts of the last few sizes kept loaded: wordcloud loads
    the font again for every word it tries at every size (634 loads for one cloud, a third of its time with the
    large CJK font), mostly at the size it just used. A loaded font is only read when drawing, so the clouds are the
    same. Twelve of People's Daily's clouds: 8.7 s of CPU, 5.4 s with the last 8 sizes kept, 4.5 s with every size
    kept, but each kept size holds about 1 MB of FreeType's and maps pages of the 16 MB font file: every size kept
    took a kernel drawing clouds from 0.6 GB to 2.5 GB."""

    TransposedFont = staticmethod(lambda *args, **kwargs: _image_font().TransposedFont(*args, **kwargs))

    @staticmethod
    @lru_cache(maxsize=8)
    def truetype(path: str, size: int):
        return _image_font().truetype(path, size)


def _image_font():
    from PIL import ImageFont

    return ImageFont


_FONTS = _LoadedFonts()


def _cloud_args(args: tuple) -> Image.Image:
    return cloud_image(*args)


def cloud_images(weights: list[dict[str, float]], width: int = WIDTH, height: int = HEIGHT) -> list[Image.Image]:
    """:func:`cloud_image` of each of ``weights``, in order, on all cores when there are several clouds to
    draw (one takes about a second: 40 regions' clouds take 40 s on one core).

    >>> [img.size for img in cloud_images([{"压实": 3}, {}], 200, 100)]
    [(200, 100), (200, 100)]
    """
    import os

    from ._parallel import ordered_map

    processes = min(os.cpu_count() or 1, len(weights)) if len(weights) >= 4 else 1
    return list(ordered_map(_cloud_args, [(w, width, height) for w in weights], processes))


def tfidf_weights(units: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per unit, each term's TF-IDF weight (sublinear tf), so a cloud shows what is distinctive. Terms come
    in the order of their first use in the unit: the cloud ranks them by weight, and among equal weights
    (common in short texts) the earlier term wins a place and a size.

    >>> units = pd.DataFrame({"doc_id": ["a", "b"], "tokens": ["责任 压实 压实", "压实 防控"]})
    >>> {term: round(float(w), 2) for term, w in tfidf_weights(units)["a"].items()}
    {'责任': 0.64, '压实': 0.77}

    ``units`` may also be each unit's counts (doc_id, term, count: :meth:`directives.scale.Corpus.unit_counts`,
    exact for a corpus of any size): the same weights, the terms by weight (ties by term).

    >>> from directives.analysis import term_counts
    >>> by_counts = tfidf_weights(term_counts(units, by_doc=True))["a"]
    >>> {term: round(float(w), 2) for term, w in by_counts.items()}
    {'压实': 0.77, '责任': 0.64}
    """
    from .analysis import _is_counts

    if _is_counts(units):
        return _tfidf_of_counts(units)
    from .tfidf import tfidf_vectors

    X, vocab = tfidf_vectors(units)
    pairs = enumerate(zip(units["doc_id"], units["tokens"], strict=True))
    return {unit: _by_first_use(dict(zip(vocab[X[i].indices].tolist(), X[i].data, strict=True)), tokens)
            for i, (unit, tokens) in pairs}  # fmt: skip


def count_weights(units: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per unit, each term's count, terms in the order of their first use in the unit.

    >>> units = pd.DataFrame({"doc_id": ["a"], "tokens": ["压实 责任 压实"]})
    >>> {term: int(n) for term, n in count_weights(units)["a"].items()}
    {'压实': 2, '责任': 1}
    >>> from directives.analysis import term_counts
    >>> count_weights(term_counts(units, by_doc=True))  # from counts already made: by count
    {'a': {'压实': 2, '责任': 1}}
    """
    from .analysis import _is_counts, term_counts

    if _is_counts(units):  # counts already made: terms by count (ties by term)
        ordered = units.sort_values(["doc_id", "count", "term"], ascending=[True, False, True], kind="stable")
        return {
            d: dict(zip(g["term"], g["count"].astype(int), strict=True))
            for d, g in ordered.groupby("doc_id", sort=False)
        }
    counts = term_counts(units[["doc_id", "tokens"]], by_doc=True)
    found: dict[str, dict[str, int]] = {d: {} for d in units["doc_id"]}
    for doc, term, count in zip(counts["doc_id"], counts["term"], counts["count"], strict=True):
        found[doc][term] = int(count)
    return {d: _by_first_use(found[d], toks) for d, toks in zip(units["doc_id"], units["tokens"], strict=True)}


def _tfidf_of_counts(counts: pd.DataFrame) -> dict[str, dict[str, float]]:
    """:func:`tfidf_weights` from each unit's counts: the matrix ``TfidfModel().fit`` makes of the units' pooled
    tokens (sublinear tf, smoothed idf, L2-normalised rows), terms by weight (ties by term)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    from .counting import tfidf_in_place

    units, row = np.unique(counts["doc_id"].astype(str).to_numpy(), return_inverse=True)
    vocab, col = np.unique(counts["term"].astype(str).to_numpy(), return_inverse=True)
    X = sparse.csr_matrix((counts["count"].to_numpy(np.float32), (row, col)), shape=(len(units), len(vocab)))
    X.sort_indices()
    tfidf_in_place(X, TfidfTransformer(sublinear_tf=True).fit(X).idf_)
    out = {}
    for i, unit in enumerate(units):
        part = X[i]
        order = np.lexsort((vocab[part.indices], -part.data))
        out[str(unit)] = dict(zip(vocab[part.indices][order].tolist(), part.data[order], strict=True))
    return out


def _by_first_use(weights: dict, tokens) -> dict:
    """``weights`` in the order of each term's first use in ``tokens``: the cloud ranks terms by weight,
    and among equal weights the earlier term wins a place and a size."""
    from .tokens import token_list

    return {t: weights[t] for t in dict.fromkeys(token_list(tokens)) if t in weights}


# the plots of clouds live with the other plots; imported here for the notebooks that know them here
from .plotting import plot_cloud, plot_cloud_grid  # noqa: E402, F401
