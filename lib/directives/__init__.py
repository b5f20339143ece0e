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

from importlib import import_module

from . import paths

# Each verb is imported from its module when first used (PEP 562), so ``from directives import load_corpus``
# loads what loading needs and not SciPy (TF-IDF), the analyses or shared passages: a cold load (and every
# worker started by ``spawn``) pays only for what it runs.
_HOMES = {
    "collocations": "analysis", "keyness": "analysis", "kwic": "analysis", "term_counts": "analysis",
    "CacheWarning": "cache", "clean_article": "clean", "clean_text": "clean", "to_simplified": "convert",
    "CorpusError": "corpus", "CorpusWarning": "corpus", "cleaning_report": "corpus", "corpus_summary": "corpus",
    "load_corpus": "corpus", "read_text_file": "corpus", "select_kinds": "corpus", "infer_place": "places",
    "find_formulas": "reuse", "shared_passages": "reuse", "TfidfModel": "tfidf", "distinctive_terms": "tfidf",
    "nearest_neighbours": "tfidf", "shared_terms": "tfidf", "similarity": "tfidf", "add_tokens": "tokens",
    "tokenize": "tokens",
}  # fmt: skip


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'directives' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


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
