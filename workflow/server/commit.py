"""Group commit: the review actions that arrive while one batch is being written are done together in the next.

Every action on a catalog reads it, parses it, and writes it whole, under
the project lock, by compare-and-swap. One after another, twenty reviewers
approving at once waited for nineteen such reads and writes (seconds). Here
a request queues its job, then waits for its turn; whoever gets the turn
takes every job queued for the same key (the same catalog file) and runs
them as one batch, and each waiting request gets its own result. A job
queued after a batch began waits for the next one, never longer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Hashable


@dataclass
class _Slot:
    job: Any
    result: Any = None
    error: BaseException | None = None
    done: bool = False


class GroupCommit:
    """Batches of jobs per key, one batch at a time in this process (see the module docstring)."""

    def __init__(self) -> None:
        # One condition for the queues and the turn: a waiting thread wakes when its job is done or the turn
        # is free (no polling), and a thread whose job is done returns without waiting for a turn it no
        # longer needs (a plain lock let the next batches' leaders overtake it again and again).
        self._changed = threading.Condition()
        self._busy = False
        self._queued: dict[Hashable, list[_Slot]] = {}

    def submit(self, key: Hashable, job: Any, run: Callable[[list], list]) -> Any:
        """``job``'s result, from ``run(jobs)`` (one result per job, in order) over the batch it joined.

        ``run`` is called by whichever waiting thread gets the turn, for every
        job queued under ``key``; what it raises is raised to each of them.
        """
        slot, batch = _Slot(job), None
        with self._changed:
            self._queued.setdefault(key, []).append(slot)
            while not slot.done and self._busy:
                self._changed.wait()
            if not slot.done:
                self._busy = True
                batch = self._queued.pop(key)
        if batch is not None:        # this thread's turn: its job and every other queued under the key
            try:
                _run(batch, run)
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result


def _run(batch: list[_Slot], run: Callable[[list], list]) -> None:
    try:
        results = run([slot.job for slot in batch])
        if len(results) != len(batch):
            raise RuntimeError(f"a batch of {len(batch)} jobs gave {len(results)} results")
        for slot, result in zip(batch, results):
            slot.result = result
    except BaseException as exc:
        for slot in batch:
            slot.error = exc
    finally:
        for slot in batch:
            slot.done = True
