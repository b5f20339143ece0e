from __future__ import annotations

import pytest
from directives import load_corpus, paths


@pytest.fixture(scope="session")
def seeds_df():
    return load_corpus(paths.SEEDS_DIR)


@pytest.fixture(scope="session")
def by_prefix(seeds_df):
    """Rows of the seeds by the three-digit prefix of their file name."""
    return {d[:3]: row for d, row in zip(seeds_df.doc_id, seeds_df.to_dict("records"), strict=True)}
