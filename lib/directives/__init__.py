"""directives: load, clean and analyse Chinese government directives as text.

>>> from directives import load_corpus, cleaning_report
>>> df = load_corpus()
>>> len(df) == len(list((paths.SEEDS_DIR).glob("*.txt")))
True
"""

from . import paths
from .clean import clean_article, clean_text
from .convert import to_simplified
from .corpus import (
    CorpusError,
    CorpusWarning,
    cleaning_report,
    corpus_summary,
    load_corpus,
    read_text_file,
    select_kinds,
)

__all__ = [
    "CorpusError",
    "CorpusWarning",
    "clean_article",
    "clean_text",
    "cleaning_report",
    "corpus_summary",
    "load_corpus",
    "paths",
    "read_text_file",
    "select_kinds",
    "to_simplified",
]
