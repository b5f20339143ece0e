"""Word clouds from term counts (never wordcloud's own English tokenizer), in the project's CJK font,
deterministic (fixed random_state).

>>> img = cloud_image({"压实": 3, "责任": 2})
>>> img.size
(800, 500)
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from PIL import Image

from .plotting import font_path, use_cjk_font

SEED = 0
WIDTH, HEIGHT = 800, 500


def cloud_image(weights: dict[str, float], width: int = WIDTH, height: int = HEIGHT, seed: int = SEED) -> Image.Image:
    """A word cloud of ``weights`` (term -> count or weight) as a PIL image; a blank one when empty.

    >>> cloud_image({}).getextrema()
    ((255, 255), (255, 255), (255, 255))
    """
    from wordcloud import WordCloud

    weights = {t: float(w) for t, w in weights.items() if w > 0}
    if not weights:
        return Image.new("RGB", (width, height), "white")
    wc = WordCloud(font_path=str(font_path()), width=width, height=height, background_color="white",
                   random_state=seed, prefer_horizontal=0.95, colormap="Dark2", max_words=150)  # fmt: skip
    return wc.generate_from_frequencies(weights).to_image()


def tfidf_weights(units: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per unit, each term's TF-IDF weight (sublinear tf), so a cloud shows what is distinctive. Terms come
    in the order of their first use in the unit: the cloud ranks them by weight, and among equal weights
    (common in short texts) the earlier term wins a place and a size.

    >>> units = pd.DataFrame({"doc_id": ["a", "b"], "tokens": ["责任 压实 压实", "压实 防控"]})
    >>> {term: round(float(w), 2) for term, w in tfidf_weights(units)["a"].items()}
    {'责任': 0.64, '压实': 0.77}
    """
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
    """
    from .analysis import term_counts

    counts = term_counts(units[["doc_id", "tokens"]], by_doc=True)
    found: dict[str, dict[str, int]] = {d: {} for d in units["doc_id"]}
    for doc, term, count in zip(counts["doc_id"], counts["term"], counts["count"], strict=True):
        found[doc][term] = int(count)
    return {d: _by_first_use(found[d], toks) for d, toks in zip(units["doc_id"], units["tokens"], strict=True)}


def _by_first_use(weights: dict, tokens) -> dict:
    """``weights`` in the order of each term's first use in ``tokens``: the cloud ranks terms by weight,
    and among equal weights the earlier term wins a place and a size."""
    from .tokens import token_list

    return {t: weights[t] for t in dict.fromkeys(token_list(tokens)) if t in weights}


def plot_cloud(weights: dict[str, float], title: str) -> plt.Figure:
    """One large word cloud with a title.

    >>> fig = plot_cloud({"压实责任": 3.0, "疫情防控": 1.0}, "压实责任"); fig.axes[0].get_title()
    '压实责任'
    >>> plt.close(fig)
    """
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(10, 6.4))
    ax.imshow(np.asarray(cloud_image(weights, 1200, 760)), interpolation="bilinear")
    ax.axis("off")
    ax.set_title(title)
    return fig


def plot_cloud_grid(per_unit: dict[str, dict[str, float]], labels: dict, title: str, cols: int = 3) -> plt.Figure:
    """A grid of word clouds, one per unit, each titled with its label; an empty unit shows a note.

    >>> fig = plot_cloud_grid({"a": {"压实": 2.0}, "b": {}}, {"a": "永州", "b": "宁夏"}, "Clouds")
    >>> [ax.get_title() for ax in fig.axes]
    ['永州', '宁夏 (no terms left)']
    >>> plt.close(fig)
    """
    use_cjk_font()
    units = list(labels)
    cols = max(1, min(cols, len(units)))
    rows = math.ceil(len(units) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, unit in zip(axes.flat, units, strict=False):
        weights = per_unit.get(unit, {})
        ax.imshow(np.asarray(cloud_image(weights, 640, 400)), interpolation="bilinear")
        ax.set_title(labels[unit] if weights else f"{labels[unit]} (no terms left)", fontsize=11)
    fig.suptitle(title, fontsize=14)
    fig.tight_layout()
    return fig
