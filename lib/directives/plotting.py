"""Figures and tables: one CJK font from a pinned package (Noto Sans CJK SC, shipped by mplfonts), one
helper that saves every figure (:func:`save_figure`) and one that writes every table a notebook shows as CSV
(:func:`save_table`).

>>> font_path().name
'NotoSansCJKsc-Regular.otf'
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager

from . import paths
from .units import MAX_LABELLED
from .units import document_labels as doc_labels  # the name the notebooks know

FONT_FILE = "NotoSansCJKsc-Regular.otf"
DPI = 150


@lru_cache(maxsize=1)
def font_path() -> Path:
    """Path of Noto Sans CJK SC inside the installed ``mplfonts`` package (never a system font).

    >>> font_path().is_file()
    True
    """
    import mplfonts

    path = Path(mplfonts.__file__).resolve().parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the CJK font is missing; reinstall mplfonts from requirements.txt")
    return path


@lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register the CJK font with matplotlib and make it the default; returns the family name.

    >>> use_cjk_font()
    'Noto Sans CJK SC'
    """
    font_manager.fontManager.addfont(str(font_path()))
    name = font_manager.FontProperties(fname=str(font_path())).get_name()
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["figure.dpi"] = 100
    plt.rcParams["savefig.dpi"] = DPI
    plt.rcParams["svg.hashsalt"] = "directives"
    plt.rcParams["text.parse_math"] = False  # text from articles is data: a $ is a dollar sign, never mathematics
    return name


MAX_PNG_BYTES = 1_000_000  # every figure stays under 1 MB, whatever the corpus's size
MIN_DPI = 40  # below this resolution a figure is made smaller by fewer colours, then fewer pixels


def shrink_png(data: bytes, max_bytes: int) -> bytes:
    """``data`` (a PNG) itself when it fits in ``max_bytes``, else re-encoded to fit: first with a palette
    of 256 colours (charts and word clouds have few), then with fewer pixels until it fits.

    >>> import io; from PIL import Image
    >>> noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (400, 400, 3), dtype=np.uint8))
    >>> buf = io.BytesIO(); noise.save(buf, format="PNG"); len(buf.getvalue()) > 400_000
    True
    >>> len(shrink_png(buf.getvalue(), 100_000)) <= 100_000
    True
    """
    import io

    from PIL import Image

    if len(data) <= max_bytes:
        return data
    img = Image.open(io.BytesIO(data)).convert("RGB")
    scale = 1.0
    for _ in range(20):
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        small = img if scale == 1.0 else img.resize(size, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        small.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buf, "PNG", optimize=True)
        if buf.tell() <= max_bytes:
            return buf.getvalue()
        scale *= min(0.9, (max_bytes / buf.tell()) ** 0.5 * 0.95)
    raise ValueError(f"could not fit a {img.width}×{img.height} image in {max_bytes:,} bytes")


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


def save_figure(fig: plt.Figure, name: str, folder: str | Path | None = None) -> Path:
    """Save ``fig`` as ``<folder>/<name>.png`` (default folder: ``paths.FIGURES_DIR``); every figure
    must have a title; a figure that would pass ``MAX_PNG_BYTES`` is saved at a lower resolution, then with
    fewer colours or pixels (:func:`shrink_png`), so none does. In a notebook the saved file is what is shown
    (the figure is closed), so a report holds the same image as the figures folder. Returns the path.

    >>> fig, ax = plt.subplots(); _ = ax.set_title("示例")
    >>> import tempfile; p = save_figure(fig, "example", tempfile.mkdtemp()); p.suffix
    '.png'
    """
    has_title = bool(fig._suptitle and fig._suptitle.get_text()) or any(ax.get_title() for ax in fig.axes)
    if not has_title:
        raise ValueError(f"figure {name!r} has no title: give it ax.set_title(...) or fig.suptitle(...)")
    folder = Path(folder) if folder is not None else paths.FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    dpi = DPI
    while True:  # a figure of a large corpus is drawn at a lower resolution until it fits under the bound
        fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None}, facecolor="white")
        size = path.stat().st_size
        if size <= MAX_PNG_BYTES or dpi <= MIN_DPI:
            break
        dpi = max(MIN_DPI, int(dpi * (MAX_PNG_BYTES / size) ** 0.5 * 0.9))
    if _in_notebook():  # shown at the size matplotlib's inline view gives it, whatever the resolution
        from PIL import Image

        with Image.open(path) as img:
            width = round(img.width * plt.rcParams["figure.dpi"] / dpi)
    if size > MAX_PNG_BYTES:
        path.write_bytes(shrink_png(path.read_bytes(), MAX_PNG_BYTES))
    if _in_notebook():
        _show_saved(fig, path, width)
    return path


def _show_saved(fig: plt.Figure, path: Path, width: int) -> None:
    """Show the saved PNG in the notebook and close the figure, so the inline view does not embed a
    second, larger rendering of it."""
    from IPython.display import Image, display

    plt.close(fig)
    display(Image(filename=str(path), width=max(1, width)))


_TABLE_NAME = re.compile(r"\d\d_\w+")


def save_table(
    table: pd.DataFrame | pd.Series, name: str, folder: str | Path | None = None, rows: int | None = None
) -> pd.DataFrame:
    """Write ``table`` whole as ``<folder>/<name>.csv`` (default folder: ``paths.TABLES_DIR``; UTF-8 with a
    byte-order mark, so spreadsheets read the Chinese) and return what a notebook shows: the table, or its
    first ``rows`` rows with a line saying how many there are and where the rest is. ``name`` starts with
    the notebook's number, as figures do (``02_top_terms``). The index is written when it carries
    information (not a plain 0, 1, 2 … range).

    >>> import tempfile; folder = Path(tempfile.mkdtemp()) / "tables"
    >>> shown = save_table(pd.DataFrame({"term": ["责任", "防控", "压实"]}), "02_terms", folder, rows=2)
    The first 2 of 3 rows; every row in tables/02_terms.csv
    >>> len(shown), pd.read_csv(folder / "02_terms.csv").term.tolist()
    (2, ['责任', '防控', '压实'])
    """
    if not _TABLE_NAME.fullmatch(name):
        raise ValueError(f"table name {name!r}: start it with the notebook's number, as in '02_top_terms'")
    frame = table.to_frame(table.name if table.name is not None else "value") if isinstance(table, pd.Series) else table
    folder = Path(folder) if folder is not None else paths.TABLES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    plain_index = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    frame.to_csv(folder / f"{name}.csv", index=not plain_index, encoding="utf-8-sig")
    if rows is not None and len(frame) > rows:
        print(f"The first {rows:,} of {len(frame):,} rows; every row in {folder.name}/{name}.csv")
        return frame.head(rows)
    return frame


def plot_cleaning_changes(df: pd.DataFrame, report: pd.DataFrame) -> plt.Figure:
    """What cleaning changed, by step: one stacked bar per article for a small corpus, the
    distribution over articles for a large one.

    >>> from directives import load_corpus, cleaning_report
    >>> df = load_corpus(); fig = plot_cleaning_changes(df, cleaning_report(df)); fig.axes[0].get_title() != ""
    True
    """
    use_cjk_font()
    counts = report.groupby(["doc_id", "step"]).size().unstack(fill_value=0)
    counts = counts.reindex(df["doc_id"], fill_value=0)
    if counts.empty or counts.to_numpy().sum() == 0:  # a corpus that needed no cleaning at all
        fig, ax = plt.subplots(figsize=(9, 2.5))
        ax.text(0.5, 0.5, f"Cleaning changed nothing in the {len(df):,} articles.", ha="center", va="center")
        ax.axis("off")
        ax.set_title("What cleaning changed in each article")
        return fig
    if len(df) <= MAX_LABELLED:
        counts.index = doc_labels(df)
        fig, ax = plt.subplots(figsize=(9, 1.2 + 0.45 * len(df)))
        counts.plot.barh(stacked=True, ax=ax, width=0.7, colormap="tab10")
        ax.invert_yaxis()
        ax.set_xlabel("changes made by cleaning")
        ax.set_ylabel("")
        ax.legend(title="step", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        ax.set_title("What cleaning changed in each article")
    else:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
        counts.sum().sort_values().plot.barh(ax=ax1, color="tab:blue")
        ax1.set_title(f"Changes by step ({len(df):,} articles)")
        ax1.set_xlabel("changes")
        counts.sum(axis=1).plot.hist(ax=ax2, bins=30, color="tab:gray")
        ax2.set_title("Changes per article")
        ax2.set_xlabel("changes in one article")
        fig.suptitle("What cleaning changed")
    _tight_under_suptitle(fig)
    return fig


def _grid(n: int, cols: int = 3, w: float = 4.2, h: float = 3.0):
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def plot_top_terms(counts: pd.DataFrame, top: int = 25, title: str = "Most frequent terms") -> plt.Figure:
    """Horizontal bar chart of the ``top`` terms of a :func:`directives.analysis.term_counts` table.

    >>> fig = plot_top_terms(pd.DataFrame({"term": ["责任", "防控"], "count": [3, 2]}), title="示例")
    >>> fig.axes[0].get_title()
    '示例'
    """
    use_cjk_font()
    data = counts.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.8 + 0.28 * len(data)))
    ax.barh(data["term"], data["count"], color="tab:red")
    ax.set_xlabel("count")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_terms_by_unit(by_unit: pd.DataFrame, labels: dict, top: int = 10, title: str = "") -> plt.Figure:
    """Small multiples: the ``top`` terms of each unit (article or region), one panel each.

    >>> by_unit = pd.DataFrame({"doc_id": ["a", "a", "b"], "term": ["压实", "责任", "防控"], "count": [3, 2, 4]})
    >>> fig = plot_terms_by_unit(by_unit, {"a": "永州", "b": "宁夏"}, top=2)
    >>> [ax.get_title() for ax in fig.axes if ax.get_title()], fig._suptitle.get_text()
    (['永州', '宁夏'], 'Top 2 terms of each unit')
    >>> plt.close(fig)
    """
    use_cjk_font()
    units = list(labels)
    fig, axes = _grid(len(units))
    for ax, unit in zip(axes, units, strict=True):
        data = by_unit[by_unit["doc_id"] == unit].head(top).iloc[::-1]
        ax.barh(data["term"], data["count"], color="tab:red")
        ax.set_title(labels[unit], fontsize=10)
        ax.tick_params(labelsize=8)
    fig.suptitle(title or f"Top {top} terms of each unit")
    _tight_under_suptitle(fig)
    return fig


def _tight_under_suptitle(fig: plt.Figure, h_pad: float | None = None) -> None:
    """``tight_layout`` leaving room for the figure's title (plain ``tight_layout`` ignores a suptitle, and
    the top row of small multiples ran into it); ``h_pad`` (in font sizes) between rows."""
    height = fig.get_figheight()
    if fig._suptitle is not None:  # a fixed distance from the top in inches, at any height of figure
        fig._suptitle.set_y(1 - 0.08 / height)
    fig.tight_layout(rect=(0, 0, 1, 1 - min(0.3, 0.45 / height)), h_pad=h_pad)


def plot_keyness(keys: pd.DataFrame, labels: dict, top: int = 8, title: str = "") -> plt.Figure:
    """Small multiples of signed G²: each unit's most over-used (red) and under-used (blue) terms.

    >>> keys = pd.DataFrame({"doc_id": ["a", "a"], "term": ["压实", "防控"], "g2": [5.2, -3.1]})
    >>> fig = plot_keyness(keys, {"a": "永州"}); [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['防控', '压实']
    >>> plt.close(fig)
    """
    use_cjk_font()
    units = list(labels)
    fig, axes = _grid(len(units))
    for ax, unit in zip(axes, units, strict=True):
        part = keys[keys["doc_id"] == unit]
        # ties (terms of equal counts) in the order of their terms: an unstable sort of the bare scores ordered
        # them by the processor's sorting code, so the figure differed from one machine to another
        order = part.assign(_g2=part["g2"].round(9)).sort_values(["_g2", "term"], ascending=[True, False]).index
        part = part.loc[order]
        data = pd.concat([part.head(top // 2), part.tail(top)]).drop_duplicates("term")
        data = data[data["g2"] != 0]
        ax.barh(data["term"], data["g2"], color=["tab:red" if v > 0 else "tab:blue" for v in data["g2"]])
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(labels[unit], fontsize=10)
        ax.tick_params(labelsize=8)
        ax.set_xlabel("signed G²", fontsize=8)
    fig.suptitle(title or "Keyness of each unit against the rest (log-likelihood G²)")
    _tight_under_suptitle(fig)
    return fig


def plot_dispersion(positions: pd.DataFrame, labels: dict, terms: list[str], title: str = "") -> plt.Figure:
    """Dispersion (x-ray) plot: where in each text each term occurs, one row per unit, a panel per term.

    >>> positions = pd.DataFrame({"doc_id": ["a", "b"], "term": ["压实", "压实"], "position": [0.1, 0.8]})
    >>> fig = plot_dispersion(positions, {"a": "永州", "b": "宁夏"}, ["压实"]); fig.axes[0].get_title()
    '压实'
    >>> plt.close(fig)
    """
    use_cjk_font()
    units = list(labels)
    fig, axes = plt.subplots(1, len(terms), figsize=(2.6 * len(terms) + 2, 0.9 + 0.32 * len(units)),
                             sharey=True, squeeze=False)  # fmt: skip
    for ax, term in zip(axes[0], terms, strict=True):
        part = positions[positions["term"] == term]
        ys = [units.index(d) for d in part["doc_id"]]
        ax.scatter(part["position"], ys, marker="|", s=200, color="tab:red", linewidths=1.5)
        ax.set_xlim(0, 1)
        ax.set_ylim(len(units) - 0.5, -0.5)
        ax.set_title(term, fontsize=11)
        ax.set_xticks([0, 0.5, 1], ["start", "", "end"], fontsize=8)
        ax.set_yticks(range(len(units)), [labels[u] for u in units], fontsize=8)
        ax.grid(axis="y", color="0.9")
    fig.suptitle(title or "Where key slogans occur in each text")
    _tight_under_suptitle(fig)
    return fig


ANNOTATE_MAX = 15  # write values in heatmap cells up to this many documents


def plot_matrix(
    data: pd.DataFrame,
    title: str,
    value_label: str,
    row_labels: dict | None = None,
    col_labels: dict | None = None,
    vmax: float | None = None,
    fmt: str = "{:.2f}",
    cmap: str = "viridis",
    annotations: pd.DataFrame | None = None,
) -> plt.Figure:
    """Heatmap of any labelled matrix (rows × columns), values written in the cells when it is small (or
    the cells of ``annotations``, a frame of the same shape: counts beside the rates they colour), in dark
    text on light cells and light text on dark ones.

    >>> fig = plot_matrix(pd.DataFrame([[1, 2], [3, 4]], index=["甲", "乙"], columns=["a", "b"]), "示例", "count")
    >>> fig.axes[0].get_title()
    '示例'
    """
    use_cjk_font()
    if data.empty:  # nothing found in this corpus: say so instead of failing
        fig, ax = plt.subplots(figsize=(8, 2.5))
        ax.text(0.5, 0.5, "Nothing to show: none found in this corpus.", ha="center", va="center")
        ax.axis("off")
        ax.set_title(title)
        return fig
    row_labels, col_labels = row_labels or {}, col_labels or {}
    values = data.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    fig, ax = plt.subplots(figsize=(min(3 + 0.75 * n_cols, 16), min(2 + 0.5 * n_rows, 16)))
    im = ax.imshow(values, cmap=cmap, vmin=0, vmax=vmax if vmax is not None else max(values.max(), 1e-9), aspect="auto")
    if n_cols <= MAX_LABELLED:
        ax.set_xticks(range(n_cols), [col_labels.get(c, c) for c in data.columns], rotation=45, ha="right", fontsize=8)
    else:
        ax.set_xticks([])
    if n_rows <= MAX_LABELLED:
        ax.set_yticks(range(n_rows), [row_labels.get(r, r) for r in data.index], fontsize=8)
    else:
        ax.set_yticks([])
    if n_rows <= ANNOTATE_MAX * 2 and n_cols <= ANNOTATE_MAX:
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                r, g, b, _ = im.cmap(im.norm(v))  # dark text on a light cell, light on a dark one, any colormap
                shown = v if annotations is None else annotations.iat[i, j]
                text = (fmt.format(shown) if annotations is None else str(shown)) if shown else "·"
                ax.text(j, i, text, ha="center", va="center", fontsize=7,
                        color="black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white")  # fmt: skip
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=value_label)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_similarity_heatmap(sims: pd.DataFrame, labels: dict, title: str) -> plt.Figure:
    """Heatmap of a similarity matrix in clustered order; values written in the cells for small corpora.

    >>> sims = pd.DataFrame([[1.0, 0.2], [0.2, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> fig = plot_similarity_heatmap(sims, {"a": "永州", "b": "宁夏"}, "Similarity"); fig.axes[0].get_title()
    'Similarity'
    >>> plt.close(fig)
    """
    from .tfidf import clustered_order

    order = clustered_order(sims)
    return plot_matrix(sims.loc[order, order], title, "cosine similarity", labels, labels, vmax=1.0)


def plot_dendrogram(sims: pd.DataFrame, labels: dict, title: str) -> plt.Figure:
    """Average-linkage dendrogram on 1 - similarity (the last 40 merges for a large corpus).

    >>> sims = pd.DataFrame(np.eye(3) * 0.7 + 0.3, index=list("abc"), columns=list("abc"))
    >>> fig = plot_dendrogram(sims, {"a": "永州", "b": "宁夏", "c": "天津"}, "Clusters"); fig.axes[0].get_title()
    'Clusters'
    >>> plt.close(fig)
    """
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform

    use_cjk_font()
    dist = np.clip(squareform(1 - sims.to_numpy(), checks=False), 0, None)
    Z = linkage(dist, "average")
    n = len(sims)
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.35 * min(n, MAX_LABELLED)))
    if n <= MAX_LABELLED:
        dendrogram(Z, labels=[labels.get(d, d) for d in sims.index], orientation="right", ax=ax,
                   color_threshold=0, above_threshold_color="tab:gray")  # fmt: skip
    else:
        dendrogram(Z, truncate_mode="lastp", p=MAX_LABELLED, orientation="right", ax=ax)
    ax.set_xlabel("1 - cosine similarity (average linkage)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_document_map(
    xy: np.ndarray, clusters: np.ndarray, names: dict[int, str], title: str, labels: list[str] | None = None
) -> plt.Figure:
    """2-D map of the documents (``xy``: one row of two coordinates each, e.g. the first two principal
    components of their latent space, :attr:`DocumentClusters.map_`), coloured by ``clusters``, each
    cluster named (``names``: its top terms) at its centre; ``labels`` name the points of a small corpus.
    A large corpus is drawn as small translucent points, rasterised, so the file stays small.

    >>> xy = np.array([[0.0, 0.0], [0.1, 0.0], [1.0, 1.0]])
    >>> fig = plot_document_map(xy, np.array([0, 0, 1]), {0: "防控", 1: "经济"}, "Map", ["永州", "宁夏", "天津"])
    >>> fig.axes[0].get_title(), len(fig.axes[0].texts)
    ('Map', 3)
    >>> plt.close(fig)
    """
    use_cjk_font()
    n = len(xy)
    fig, ax = plt.subplots(figsize=(9, 7))
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    small = n <= MAX_LABELLED
    size, alpha = (60, 0.9) if small else (max(1.0, min(16.0, 20000 / max(n, 1))), 0.35 if n > 5000 else 0.6)
    for c in sorted(names):
        pts = xy[clusters == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, alpha=alpha, color=cmap(c % cmap.N), linewidths=0,
                   rasterized=not small, label=f"{c}: {names[c]} ({len(pts):,})")  # fmt: skip
    if small and labels is not None:
        for (x, y), lab in zip(xy, labels, strict=True):
            ax.annotate(lab, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8, color="0.3")
    if not small:  # a small corpus names its points; the legend names the clusters
        for c in sorted(names):
            pts = xy[clusters == c]
            if len(pts):
                cx, cy = np.median(pts, axis=0)
                box = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": cmap(c % cmap.N), "alpha": 0.85}
                ax.annotate(f"{c}: {names[c]}", (cx, cy), fontsize=9, ha="center", bbox=box)
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), title="cluster: top terms (articles)",
              markerscale=1 if small else 3)  # fmt: skip
    ax.set_title(title)
    ax.margins(0.12)
    fig.tight_layout()
    return fig


def plot_clusters(summary: pd.DataFrame, units: pd.DataFrame, title: str, top_units: int = 6) -> plt.Figure:
    """Clusters of documents side by side: how many articles each holds (bars, labelled with its top terms)
    and which units its articles come from (a stacked bar of shares: the ``top_units`` largest units of the
    corpus, the rest as other). ``summary`` and ``units`` are :meth:`DocumentClusters.summary` and
    :meth:`DocumentClusters.units_table`.

    >>> s = pd.DataFrame({"cluster": [0, 1], "articles": [3, 2], "terms": ["防控、核酸", "经济、投资"]})
    >>> u = pd.DataFrame({"articles": [3, 2], "中央": [0.6, 0.5], "天津市": [0.4, 0.5]})
    >>> fig = plot_clusters(s, u, "Clusters"); fig.axes[0].get_title()
    'Clusters'
    >>> plt.close(fig)
    """
    use_cjk_font()
    k = len(summary)
    shares = units.drop(columns="articles")
    if shares.shape[1] > top_units:
        keep = [c for c in shares.columns if c != "(other)"][:top_units]
        shares = shares[keep].assign(**{"(other)": 1 - shares[keep].sum(axis=1)})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 1.6 + 0.5 * k), sharey=True,
                                   gridspec_kw={"width_ratios": [1.1, 1]})  # fmt: skip
    y = np.arange(k)
    ax1.barh(y, summary["articles"], color="tab:blue")
    for yy, n, terms in zip(y, summary["articles"], summary["terms"], strict=True):
        ax1.annotate(f" {n:,}  {terms}", (0, yy), va="center", fontsize=9, xytext=(2, 0), textcoords="offset points",
                     bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})  # fmt: skip
    ax1.set_yticks(y, [f"cluster {c}" for c in summary["cluster"]])
    ax1.invert_yaxis()
    ax1.set_xlabel("articles")
    ax1.set_title(title)
    left = np.zeros(k)
    cmap = plt.get_cmap("tab20")
    for i, col in enumerate(shares.columns):
        vals = shares[col].to_numpy(dtype=float)
        color = "0.8" if col == "(other)" else cmap(i % cmap.N)
        ax2.barh(y, vals, left=left, color=color, label=str(col))
        left += vals
    ax2.set_xlim(0, 1)
    ax2.set_xlabel("share of the cluster's articles")
    ax2.set_title("Where each cluster's articles come from", fontsize=10)
    ax2.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- timelines
LEVEL_MARKERS = {"province": "s", "prefecture": "o", "county": "^"}


def plot_article_timeline(timeline: pd.DataFrame, events: pd.DataFrame, title: str) -> plt.Figure:
    """Articles on a date axis (marker by level, hollow when the date is inferred), labelled with region,
    date and short title, above a context track of national events.

    >>> from directives import load_corpus
    >>> from directives.timeline import article_timeline, load_events
    >>> fig = plot_article_timeline(article_timeline(load_corpus()), load_events(), "Articles and events")
    >>> fig.axes[0].get_title()
    'Articles and events'
    >>> plt.close(fig)
    """
    import matplotlib.dates as mdates

    use_cjk_font()
    n = len(timeline)
    fig, (ax, axe) = plt.subplots(2, 1, figsize=(11, 2.5 + 0.45 * n + 0.3 * len(events)), sharex=True,
                                  gridspec_kw={"height_ratios": [max(n, 2), max(len(events), 1)]})  # fmt: skip
    lo = min(timeline["date"].min(), events["date"].min()) if len(events) else timeline["date"].min()
    hi = max(timeline["date"].max(), events["date"].max()) if len(events) else timeline["date"].max()
    pad = max((hi - lo) * 0.04, pd.Timedelta(days=5))
    split = lo + (hi - lo) * 0.55  # labels right of a mark before this date, left of it after

    def _place(date):
        return ((8, -3), "left") if date <= split else ((-8, -3), "right")

    for i, row in enumerate(timeline.itertuples()):
        marker = LEVEL_MARKERS.get(row.level, "D")
        face = "white" if row.inferred else "tab:red"
        ax.scatter(row.date, i, marker=marker, s=80, facecolors=face, edgecolors="tab:red", linewidths=1.5, zorder=3)
        offset, ha = _place(row.date)
        ax.annotate(f"{row.label}  {row.short_title}", (row.date, i), xytext=offset, textcoords="offset points",
                    fontsize=8, ha=ha)  # fmt: skip
    ax.set_ylim(n - 0.5, -0.8)
    ax.set_yticks([])
    ax.set_title(title)
    handles = [plt.Line2D([], [], marker=m, ls="", color="tab:red", label=lvl) for lvl, m in LEVEL_MARKERS.items()]
    handles += [
        plt.Line2D([], [], marker="o", ls="", color="tab:red", label="date stated"),
        plt.Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor="tab:red",
                   label="date inferred\n(see metadata note)"),
    ]  # fmt: skip
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title="level / date basis")
    for i, ev in enumerate(events.itertuples()):
        axe.axvline(ev.date, color="0.6", lw=0.8)
        offset, ha = _place(ev.date)
        axe.annotate(f"{ev.date:%Y-%m-%d} {ev.event}", (ev.date, i), xytext=offset, textcoords="offset points",
                     fontsize=8, color="0.25", ha=ha)  # fmt: skip
        ax.axvline(ev.date, color="0.85", lw=0.8, zorder=0)
    axe.set_ylim(len(events) - 0.5, -0.8)
    axe.set_yticks([])
    axe.set_title(
        "National context" if len(events) else "National context: no events given for these dates", fontsize=10
    )
    axe.set_xlim(lo - pad, hi + pad)
    axe.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    fig.tight_layout()
    return fig


def plot_phrase_presence(rates: pd.DataFrame, labels: dict, title: str) -> plt.Figure:
    """Heatmap: articles in date order (rows) × phrases (columns), colour = per 10,000 characters,
    the count written in each cell (through :func:`plot_matrix`, so the text stays readable on any cell).

    >>> from directives import load_corpus
    >>> from directives.timeline import phrase_rates
    >>> df = load_corpus()
    >>> fig = plot_phrase_presence(phrase_rates(df, ["压实", "责任"]), {}, "Phrases"); fig.axes[0].get_title()
    'Phrases'
    >>> plt.close(fig)
    """
    from .timeline import PER_CHARS

    order = rates.drop_duplicates("doc_id").sort_values("date", na_position="last")["doc_id"].tolist()
    per = rates.pivot_table(index="doc_id", columns="phrase", values="per_10k", sort=False).loc[order]
    cnt = rates.pivot_table(index="doc_id", columns="phrase", values="count", sort=False).loc[order]
    return plot_matrix(per, title, f"per {PER_CHARS:,} characters", row_labels=labels, cmap="Reds",
                       annotations=cnt.astype(int))  # fmt: skip


def plot_counts_by_period(
    counts: pd.DataFrame, phrase_rates: pd.DataFrame | None, title: str, events: pd.DataFrame | None = None
) -> plt.Figure:
    """Charts for a large corpus: articles per period as bars (a period without articles is an empty bar),
    and, when ``phrase_rates`` is given, each phrase per 10,000 characters (a period without articles is a
    gap in the line, never a zero); ``events`` are drawn as dated lines across both.

    >>> from directives import load_corpus
    >>> from directives.timeline import counts_by_period, phrase_rates_by_period
    >>> df = load_corpus()
    >>> fig = plot_counts_by_period(counts_by_period(df), phrase_rates_by_period(df, ["压实"]), "By month")
    >>> fig.axes[0].get_title()
    'By month'
    >>> plt.close(fig)
    """
    from .timeline import PER_CHARS

    use_cjk_font()
    panels = 2 if phrase_rates is not None else 1
    fig, axes = plt.subplots(panels, 1, figsize=(11, 3.5 * panels + 0.5), sharex=True, squeeze=False)
    ax1 = axes[0, 0]
    periods = pd.to_datetime(counts["period"])
    step = periods.diff().median() if len(periods) > 1 else pd.Timedelta(days=7)
    width = (step if pd.notna(step) else pd.Timedelta(days=7)) * 0.8
    ax1.bar(periods, counts["articles"], width=width, color="tab:gray")
    ax1.set_ylabel("articles")
    ax1.set_title(title)
    if phrase_rates is not None:
        ax2 = axes[1, 0]
        for phrase, part in phrase_rates.groupby("phrase", sort=False):
            ax2.plot(part["period"], part["per_10k"], label=phrase, marker=".")
        ax2.set_ylabel(f"per {PER_CHARS:,} characters")
        ax2.legend(fontsize=8, ncol=4)
        ax2.set_title("Key phrases over time (gaps: periods without articles)", fontsize=10)
    if events is not None and len(events):
        top = ax1.get_ylim()[1]
        for ev in events.itertuples():
            for ax in axes[:, 0]:
                ax.axvline(ev.date, color="tab:red", lw=0.8, alpha=0.6)
            ax1.annotate(f"{ev.date:%Y-%m-%d} {ev.event}", (ev.date, top), xytext=(3, -10), textcoords="offset points",
                         fontsize=7, rotation=90, va="top", color="tab:red")  # fmt: skip
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- word clouds
def plot_cloud(weights: dict[str, float], title: str) -> plt.Figure:
    """One large word cloud with a title.

    >>> fig = plot_cloud({"压实责任": 3.0, "疫情防控": 1.0}, "压实责任"); fig.axes[0].get_title()
    '压实责任'
    >>> plt.close(fig)
    """
    from .clouds import cloud_image

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
    from .clouds import cloud_images

    use_cjk_font()
    units = list(labels)
    images = cloud_images([per_unit.get(unit, {}) for unit in units], 640, 400)
    cols = max(1, min(cols, len(units)))
    rows = math.ceil(len(units) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, unit, image in zip(axes.flat, units, images, strict=False):
        weights = per_unit.get(unit, {})
        ax.imshow(np.asarray(image), interpolation="bilinear")
        ax.set_title(labels[unit] if weights else f"{labels[unit]} (no terms left)", fontsize=11)
    fig.suptitle(title, fontsize=14)
    _tight_under_suptitle(fig, h_pad=2.5)  # clouds fill their panels: the titles of a row need room above
    return fig


# --------------------------------------------------------------------------- topics, dictionaries, networks
def plot_topics(topics: pd.DataFrame, summary: pd.DataFrame, title: str, top: int = 8) -> plt.Figure:
    """Small multiples: the ``top`` terms of each topic by weight, each panel titled with the topic's label
    and the articles whose largest topic it is. ``topics`` and ``summary`` are a
    :class:`~directives.topics.TopicModel`'s ``topics_`` and ``summary()``.

    >>> t = pd.DataFrame({"topic": [0, 0, 1], "rank": [1, 2, 1], "term": ["疫情", "防控", "经济"],
    ...                   "weight": [0.5, 0.3, 0.6]})
    >>> s = pd.DataFrame({"label": ["疫情、防控", "经济"], "articles": [2, 1]})
    >>> fig = plot_topics(t, s, "Topics"); fig._suptitle.get_text()
    'Topics'
    >>> plt.close(fig)
    """
    use_cjk_font()
    k = len(summary)
    fig, axes = _grid(k, cols=4, w=3.4, h=0.6 + 0.24 * top)
    cmap = plt.get_cmap("tab20")
    for t, ax in enumerate(axes):
        data = topics[(topics["topic"] == t) & (topics["rank"] <= top)].iloc[::-1]
        ax.barh(data["term"], data["weight"], color=cmap(t % cmap.N))
        ax.set_title(f"{t}: {summary['label'].iloc[t]} ({int(summary['articles'].iloc[t]):,})", fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(title)
    _tight_under_suptitle(fig)
    return fig


def plot_topics_over_time(prevalence: pd.DataFrame, labels: list[str], title: str) -> plt.Figure:
    """Small multiples: each topic's mean share per period (a line with markers; periods without articles are
    gaps) inside its bootstrap interval. ``prevalence`` is :func:`~directives.topics.topic_prevalence` with
    periods as units.

    >>> p = pd.DataFrame({"unit": pd.to_datetime(["2019-10-01", "2019-11-01"] * 1), "topic": [0, 0],
    ...                   "articles": [3, 4], "share": [0.4, 0.6], "low": [0.2, 0.5], "high": [0.6, 0.7]})
    >>> fig = plot_topics_over_time(p, ["经济"], "Over time"); fig._suptitle.get_text()
    'Over time'
    >>> plt.close(fig)
    """
    use_cjk_font()
    k = len(labels)
    fig, axes = _grid(k, cols=4, w=3.4, h=2.3)
    cmap = plt.get_cmap("tab20")
    for t, ax in enumerate(axes):
        part = prevalence[prevalence["topic"] == t].sort_values("unit")
        x = pd.to_datetime(part["unit"])
        if len(x) > 2:  # a gap in the periods (none of their articles) is a gap in the line, never bridged
            step = x.diff().median()
            gap = (x.diff() > step * 1.5).to_numpy()
            if gap.any():
                blanks = part[gap].assign(share=np.nan, low=np.nan, high=np.nan)
                blanks["unit"] = (x[gap] - step / 2).to_numpy()
                part = pd.concat([part, blanks]).sort_values("unit")
                x = pd.to_datetime(part["unit"])
        ax.fill_between(x, part["low"], part["high"], color=cmap(t % cmap.N), alpha=0.25, linewidth=0)
        ax.plot(x, part["share"], marker="o", markersize=3, color=cmap(t % cmap.N))
        ax.set_title(f"{t}: {labels[t]}", fontsize=9)
        ax.set_ylim(0, max(0.05, float(part["high"].max()) * 1.1) if len(part) else 1)
        ax.tick_params(labelsize=7)
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_ha("right")
    fig.suptitle(title)
    _tight_under_suptitle(fig)
    return fig


def plot_term_network(nodes: pd.DataFrame, edges: pd.DataFrame, title: str, seed: int = 0) -> plt.Figure:
    """The co-occurrence network of :func:`~directives.coding.term_network`: node size by the sentences a
    term is in, edge width and darkness by the Dice coefficient, laid out by networkx's spring layout
    (seeded, so the figure is the same every run), labels in the CJK font. Terms without an edge are left out.

    >>> nodes = pd.DataFrame({"term": ["压实", "责任", "防控"], "sentences": [3, 4, 2]})
    >>> edges = pd.DataFrame({"a": ["压实", "防控"], "b": ["责任", "责任"], "count": [3, 1], "dice": [0.86, 0.33]})
    >>> fig = plot_term_network(nodes, edges, "Network"); fig.axes[0].get_title()
    'Network'
    >>> plt.close(fig)
    """
    import networkx as nx

    use_cjk_font()
    fig, ax = plt.subplots(figsize=(10, 8))
    ax.set_title(title)
    ax.axis("off")
    if edges.empty:
        ax.text(0.5, 0.5, "No pair of these terms shares enough sentences.", ha="center", va="center")
        return fig
    graph = nx.Graph()
    for row in edges.itertuples():
        graph.add_edge(row.a, row.b, weight=float(row.dice))
    pos = nx.spring_layout(graph, seed=seed, weight="weight", k=1.8 / max(graph.number_of_nodes(), 1) ** 0.5)
    size = nodes.set_index("term")["sentences"].reindex(list(graph.nodes)).fillna(1).to_numpy(dtype=float)
    size = 200 + 1800 * size / max(size.max(), 1)
    weights = np.array([graph[a][b]["weight"] for a, b in graph.edges])
    scaled = weights / max(weights.max(), 1e-9)
    nx.draw_networkx_edges(
        graph, pos, ax=ax, width=0.5 + 4 * scaled, edge_color=plt.get_cmap("Greys")(0.3 + 0.6 * scaled)
    )
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=size, node_color="#f4c7a1", edgecolors="#b5651d")
    family = plt.rcParams["font.sans-serif"][0]
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=11, font_family=family)
    ax.margins(0.08)
    fig.tight_layout()
    return fig
