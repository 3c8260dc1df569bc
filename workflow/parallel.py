"""Per-catalog work on every core: an order-preserving map over a process pool, serial when small."""

from __future__ import annotations

import marshal
import os
import signal
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


class Forked:
    """``function(*args)`` computed in a forked child while this process goes on; :meth:`result` waits for it.

    For short work that is mostly waiting on system calls, such as walking thousands of folders: a fork
    costs about a millisecond where starting a pool costs tens, and threads lose more to handing the GIL
    back and forth than they gain. The result comes back marshalled, so it must be plain data (dicts,
    tuples, strings, numbers). When forking is not safe or not wanted (other threads are running,
    ``LOCUM_WORKERS=1``, no ``os.fork``) or the child fails in any way, :meth:`result` computes it here
    instead: the answer is the same either way, and an error is raised as this process would raise it.

    Use it in a ``with`` block: leaving it without the result (an error here) stops and reaps the child.

    >>> with Forked(sorted, "cab") as child:
    ...     child.result()
    ['a', 'b', 'c']
    """

    def __init__(self, function: Callable[..., R], *args):
        self.function, self.args = function, args
        self.pid = self.fd = None
        if workers() <= 1 or not hasattr(os, "fork") or _threads() > 1:
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:                                # the child: compute, send, and leave without cleaning up
            code = 1
            try:
                os.close(read)
                data = marshal.dumps(function(*args))
                view = memoryview(data)
                while view:
                    view = view[os.write(write, view):]
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.fd = pid, read

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc) -> None:
        if self.pid is not None:                    # not waited for: it is not wanted any more
            os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def result(self) -> R:
        if self.pid is None:
            return self.function(*self.args)
        chunks = []
        try:
            while chunk := os.read(self.fd, 1 << 20):
                chunks.append(chunk)
        finally:
            status = self._reap()
        if status != 0:                             # it failed (or was killed): do it here, errors and all
            return self.function(*self.args)
        return marshal.loads(b"".join(chunks))

    def _reap(self) -> int:
        os.close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return status


def _threads() -> int:
    import threading

    return threading.active_count()
