"""Figures whose content must not depend on the order of their input or on the machine."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from directives.analysis import keyness
from directives.plotting import plot_keyness


def _terms(fig) -> list[list[str]]:
    return [[t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes if ax.get_title()]


def test_keyness_bars_of_tied_terms_in_a_fixed_order_whatever_the_rows_order():
    # In document a, 乙 丙 丁 戊 are each used twice and never elsewhere: the same G², tied; so are 己 庚.
    toy = pd.DataFrame(
        {"doc_id": ["a", "b"], "tokens": [["甲"] + ["乙", "丙", "丁", "戊"] * 2, ["甲"] * 6 + ["己", "庚"] * 2]}
    )
    keys = keyness(toy, min_count=1)
    assert keys[keys.doc_id == "a"].g2.round(9).value_counts().max() == 4  # the tie the figure must order
    seen = []
    for seed in range(4):
        shuffled = keys.sample(frac=1, random_state=seed)
        fig = plot_keyness(shuffled, {"a": "A", "b": "B"}, top=4)
        seen.append(_terms(fig))
        plt.close(fig)
    assert all(s == seen[0] for s in seen)
    # bottom to top: the most under-used first; tied terms by their code points, the first one highest
    assert seen[0] == [["甲", "庚", "戊", "乙", "丙", "丁"], ["戊", "乙", "丁", "庚", "己", "甲"]]
