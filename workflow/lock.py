"""The project lock: one Locum command that writes runs at a time; a second waits, then gives up clearly.

The lock is an ``flock`` on ``.cache/lock``, so the kernel releases it when
its holder ends in any way (kill -9 included): a crash never leaves a stale
lock behind. The holder writes its PID and command line into the file, so a
waiting command can say who it waits for. Translators' editors do not take
this lock; what protects their saves is the compare-and-swap of
:func:`workflow.fileio.write_atomic`.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from workflow.errors import LockError

LOCK = Path(".cache") / "lock"
DEFAULT_WAIT = 30.0             # seconds; LOCUM_LOCK_WAIT or --wait change it


def wait_seconds(value: float | None = None) -> float:
    """How long to wait for the lock: ``value``, else ``$LOCUM_LOCK_WAIT``, else 30 s.

    >>> wait_seconds(2.5)
    2.5
    """
    if value is not None:
        return max(0.0, value)
    raw = os.environ.get("LOCUM_LOCK_WAIT")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            raise LockError(f"LOCUM_LOCK_WAIT must be a number of seconds, not {raw!r}") from None
    return DEFAULT_WAIT


def holder(root: Path) -> str:
    """Who holds (or last held) the lock, as its holder wrote it: ``PID 123 (locum publish)``."""
    try:
        text = (root / LOCK).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "an unknown process"
    pid, _, command = text.partition(" ")
    return f"PID {pid} ({command})" if pid.isdigit() else "an unknown process"


@contextmanager
def project_lock(root: Path, command: str, wait: float | None = None,
                 notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the project's write lock for the block; wait up to ``wait`` seconds for it.

    ``notify`` hears once that the command is waiting. Raises
    :class:`LockError` naming the holder when the time runs out.
    """
    limit = wait_seconds(wait)
    path = root / LOCK
    deadline = time.monotonic() + limit
    told = False
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise LockError(f"another Locum command holds the project lock: {holder(root)}; waited "
                                f"{limit:g} s (set --wait or LOCUM_LOCK_WAIT to wait longer)",
                                path=LOCK.as_posix()) from None
            if notify and not told:
                notify(f"waiting for the project lock held by {holder(root)} …")
                told = True
            time.sleep(0.05)
            continue
        try:            # the file may have been removed (make clean) between open and flock: lock the one there
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {command}\n".encode("utf-8", "replace"), 0)
        yield
    finally:
        try:
            os.ftruncate(fd, 0)     # nobody holds it now; the file stays, empty, for the next holder
        finally:
            os.close(fd)        # releases the flock
