from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Every cache write of the test session (the library's, and the notebooks' kernels, which inherit the
# environment) goes to a temporary folder: the checkout's .cache is never written by the tests.
_SESSION_CACHE = tempfile.mkdtemp(prefix="directives-test-cache-")
os.environ["DIRECTIVES_CACHE"] = _SESSION_CACHE

from directives import load_corpus, paths  # noqa: E402  (after the environment is set)

_CHECKOUT_CACHE = paths.PROJECT_ROOT / ".cache"


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


_BEFORE = _entries(_CHECKOUT_CACHE)


def pytest_sessionfinish(session, exitstatus):
    new = _entries(_CHECKOUT_CACHE) - _BEFORE
    if new:
        print(f"\nthe tests wrote into the checkout's .cache: {sorted(new)[:5]}")
        session.exitstatus = 1


@pytest.fixture(scope="session")
def seeds_df():
    return load_corpus(paths.SEEDS_DIR)


@pytest.fixture(scope="session")
def by_prefix(seeds_df):
    """Rows of the seeds by the three-digit prefix of their file name."""
    return {d[:3]: row for d, row in zip(seeds_df.doc_id, seeds_df.to_dict("records"), strict=True)}


@pytest.fixture(scope="session")
def peoples_daily_tokens(tmp_path_factory):
    """People's Daily, October 2019 (../shared/corpora), unpacked to a temporary folder, loaded and segmented."""
    import warnings

    from directives import evaluate
    from directives.tokens import add_tokens

    if not evaluate.PEOPLES_DAILY.is_file():
        pytest.skip("../shared/corpora is not beside the clone")
    folder = evaluate.unpack_peoples_daily(tmp_path_factory.mktemp("pd_tokens"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return add_tokens(load_corpus(folder))
