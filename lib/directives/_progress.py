"""Progress bars for long steps: shown when a person is watching, quiet in CI logs and for small jobs."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

MIN_ITEMS = 500


def _quiet(total: int | None) -> bool:
    return bool(os.environ.get("CI") or os.environ.get("DIRECTIVES_QUIET") or (total is not None and total < MIN_ITEMS))


def progress(iterable: Iterable, *, total: int | None = None, desc: str = "") -> Iterable | Iterator:
    """Wrap ``iterable`` in a tqdm bar unless ``CI`` or ``DIRECTIVES_QUIET`` is set or the job is small.

    >>> list(progress(range(3), total=3))
    [0, 1, 2]
    """
    if _quiet(total):
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, mininterval=1.0)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(*, total: int | None, desc: str = ""):
    """A bar to ``update(n)`` by hand (for work that comes back in chunks), or a silent stand-in.

    >>> bar = progress_bar(total=3); bar.update(3); bar.close()
    """
    if _quiet(total):
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, mininterval=1.0)
