"""directives: load, clean and analyse Chinese government directives as text.

The verbs most analyses start from are here; each takes a DataFrame straight from :func:`load_corpus`
(segmenting it first when it has no tokens).

>>> from directives import load_corpus, similarity, term_counts
>>> df = load_corpus()
>>> len(df) == len(list((paths.SEEDS_DIR).glob("*.txt")))
True
>>> similarity(df).shape, "疫情" in term_counts(df).term.head(10).tolist()
((5, 5), True)
"""

from . import paths
from .analysis import collocations, keyness, kwic, term_counts
from .cache import CacheWarning
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
from .places import infer_place
from .reuse import find_formulas, shared_passages
from .tfidf import TfidfModel, distinctive_terms, nearest_neighbours, shared_terms, similarity
from .tokens import add_tokens, tokenize

__all__ = [
    "CacheWarning",
    "CorpusError",
    "CorpusWarning",
    "TfidfModel",
    "add_tokens",
    "clean_article",
    "clean_text",
    "cleaning_report",
    "collocations",
    "corpus_summary",
    "distinctive_terms",
    "find_formulas",
    "infer_place",
    "keyness",
    "kwic",
    "load_corpus",
    "nearest_neighbours",
    "paths",
    "read_text_file",
    "select_kinds",
    "shared_passages",
    "shared_terms",
    "similarity",
    "term_counts",
    "to_simplified",
    "tokenize",
]
