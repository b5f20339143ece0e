"""Word clouds: font from the pinned package, deterministic, not blank, different per article, robust."""

from __future__ import annotations

import numpy as np
import pandas as pd
from directives import clouds
from directives.analysis import analysis_units
from directives.plotting import font_path, save_figure
from directives.tokens import add_tokens


def test_font_resolves_inside_mplfonts():
    p = font_path()
    assert p.is_file() and "mplfonts" in p.parts and p.name == "NotoSansCJKsc-Regular.otf"


def test_clouds_are_deterministic_not_blank_and_differ(seeds_df):
    units = analysis_units(add_tokens(seeds_df, cache_dir=None))
    weights = clouds.count_weights(units)
    a, b = list(weights)[:2]
    img_a1 = np.asarray(clouds.cloud_image(weights[a]))
    img_a2 = np.asarray(clouds.cloud_image(weights[a]))
    img_b = np.asarray(clouds.cloud_image(weights[b]))
    assert np.array_equal(img_a1, img_a2)
    assert img_a1.std() > 10
    assert not np.array_equal(img_a1, img_b)
    tfidf = clouds.tfidf_weights(units)
    assert not np.array_equal(np.asarray(clouds.cloud_image(tfidf[a])), img_a1)


def test_grid_survives_an_article_with_no_tokens(tmp_path):
    df = pd.DataFrame({"doc_id": ["a", "b"], "text_simplified": ["压实四方责任，外防输入。", "的了和。"]})
    units = analysis_units(add_tokens(df, cache_dir=None))
    assert units.tokens.tolist()[1] == ""
    labels = dict(zip(units.doc_id, units.label, strict=True))
    fig = clouds.plot_cloud_grid(clouds.count_weights(units), labels, "测试")
    path = save_figure(fig, "grid", tmp_path)
    assert path.stat().st_size > 5_000
    assert "b (no terms left)" in [ax.get_title() for ax in fig.axes]


def test_clouds_drawn_with_fonts_loaded_once_equal_wordclouds_own_loading(seeds_df, monkeypatch):
    """wordcloud loads the font again for every word at every size; the clouds drawn with each font loaded once
    (``clouds._FONTS``) are the same pixels as with PIL's own loading, for several clouds in one process (the
    loaded fonts reused across them)."""
    from directives.analysis import term_counts
    from PIL import ImageFont

    counts = term_counts(seeds_df, by_doc=True)
    weights = [dict(zip(g.term, g["count"], strict=True)) for _d, g in counts.groupby("doc_id")]
    weights.append({t: w * 7.5 for t, w in weights[0].items()})  # other sizes of the same words
    drawn = [np.asarray(clouds.cloud_image(w, 320, 200)) for w in weights]

    class OwnLoading:
        truetype = staticmethod(ImageFont.truetype)
        TransposedFont = ImageFont.TransposedFont

    monkeypatch.setattr(clouds, "_FONTS", OwnLoading())
    reference = [np.asarray(clouds.cloud_image(w, 320, 200)) for w in weights]
    assert len(drawn) == 6 and all(np.array_equal(a, b) for a, b in zip(drawn, reference, strict=True))
    assert all((a < 250).any() for a in drawn)  # words were drawn
