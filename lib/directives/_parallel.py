"""Work spread over processes, results in order, with a bounded number of tasks in flight (so that the
inputs of a large corpus are made as they are needed, not all at once)."""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor


def ordered_map(
    fn: Callable, items: Iterable, processes: int, window: int | None = None, prepare: Callable | None = None
) -> Iterator:
    """``map(fn, items)`` over ``processes`` worker processes, in order, at most ``window`` items in flight.

    ``prepare`` builds what every worker needs (a gazetteer, a segmenter): where workers are forked (Linux) it
    runs once in this process before they start, so each inherits the result instead of building its own;
    where they are spawned it runs once in each worker as it starts. It is not called for one process (``fn``
    builds what it needs as it goes).

    >>> list(ordered_map(abs, [-1, 2, -3], processes=1))
    [1, 2, 3]
    """
    if processes < 2:
        yield from map(fn, items)
        return
    window = window or processes * 4
    context = multiprocessing.get_context()
    forked = context.get_start_method() == "fork"
    if prepare is not None and forked:
        prepare()
    # a forked worker freezes what it inherited (gc.freeze): its collections then skip those objects (the gazetteer,
    # the segmenter's tables, the parent's own), which would otherwise be traversed again and again, and their
    # pages stay shared with the parent
    initializer = gc.freeze if forked else prepare
    with ProcessPoolExecutor(processes, mp_context=context, initializer=initializer) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def release_memory() -> None:
    """Give freed memory back to the system: Arrow's pool and, on glibc, the C allocator's heap (where
    the buffers unpickled from workers live; glibc keeps freed heap memory unless asked, as Dask's
    workers also do with ``malloc_trim``). Called between the steps that copy a large column.

    >>> release_memory()
    """
    import ctypes
    import sys

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl, …): nothing to trim
            pass
