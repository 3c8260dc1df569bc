"""Per-catalog work on every core: an order-preserving map over a process pool, serial when small."""

from __future__ import annotations

import os
from typing import Callable, Iterable, TypeVar

from workflow.errors import LocumError

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 24          # below this, starting processes costs more than it saves


def workers() -> int:
    """Processes to use: ``LOCUM_WORKERS`` if set (1 = serial), else every core."""
    try:
        return max(1, int(os.environ["LOCUM_WORKERS"]))
    except (KeyError, ValueError):
        return os.cpu_count() or 1


def _guarded(function: Callable[[T], R], item: T) -> R | LocumError:
    try:
        return function(item)
    except LocumError as exc:       # a user's bad file: report it with the others, not as a crash
        return exc


class _Call:
    """A picklable ``_guarded(function, item)``."""

    def __init__(self, function):
        self.function = function

    def __call__(self, item):
        return _guarded(self.function, item)


def map_ordered(function: Callable[[T], R], items: Iterable[T],
                progress: Callable[[int, int], None] | None = None) -> list[R | LocumError]:
    """``[function(item) …]`` in input order, so output bytes do not depend on the number of processes.

    A :class:`LocumError` raised for an item is returned in its place.
    ``progress(done, total)`` is called as results come in.

    >>> map_ordered(abs, [-1, 2, -3])
    [1, 2, 3]
    """
    items = list(items)
    count = workers()
    results: list[R | LocumError] = []
    if count <= 1 or len(items) < MIN_ITEMS:
        for item in items:
            results.append(_guarded(function, item))
            if progress:
                progress(len(results), len(items))
        return results
    from concurrent.futures import ProcessPoolExecutor  # 10 ms to import: only when a pool pays

    with ProcessPoolExecutor(max_workers=count) as pool:
        for result in pool.map(_Call(function), items, chunksize=max(1, len(items) // (count * 8))):
            results.append(result)
            if progress:
                progress(len(results), len(items))
    return results
