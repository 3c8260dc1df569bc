"""Atomic, change-aware file writing: the only way Locum puts bytes on disk; and what it knows of files."""

from __future__ import annotations

import gc
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

Signature = tuple[int, int, int, int]       # size, mtime_ns, ctime_ns, inode

_KNOWN: dict[str, Signature] | None = None  # see known_signatures()


@contextmanager
def known_signatures(signatures: dict[str, Signature]):
    """Within this block, :func:`signature` answers from ``signatures`` (absolute paths) without a ``stat``.

    ``publish`` walks the project once at its start; its stages then ask
    about the same files tens of thousands of times. Every write through
    :func:`write_atomic` forgets the file it wrote, so a stage sees what an
    earlier one wrote. A file someone else changes meanwhile looks as it did
    at the start: as if the change came just after the stage looked, which
    the next run then sees (the walk is fresh each time).
    """
    global _KNOWN
    previous, _KNOWN = _KNOWN, signatures
    try:
        yield
    finally:
        _KNOWN = previous


def long_lived(value):
    """Return ``value`` after taking every object alive now out of the cyclic collector's scans.

    Bookkeeping loaded at the start of a command (hundreds of thousands of
    dicts and lists, no cycles) lives until it ends; each full collection
    walked all of it again. Freed by reference counting as ever; only cyclic
    garbage that exists at this moment would stay.
    """
    gc.freeze()
    return value


def signature(path: Path | str) -> Signature | None:
    """(size, mtime_ns, ctime_ns, inode) of a file, or None if there is none; see :func:`known_signatures`."""
    name = os.fspath(path)
    if _KNOWN is not None:
        known = _KNOWN.get(name)
        if known is not None:
            return known
    return stat_signature(name)


def stat_signature(path: Path | str) -> Signature | None:
    """:func:`signature` from the file system itself, now."""
    try:
        return of_stat(os.stat(path))
    except FileNotFoundError:
        return None


def of_stat(st: os.stat_result) -> Signature:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def write_atomic(path: Path, data: bytes | str) -> bool:
    """Write ``data`` to ``path`` through a temp file and ``os.replace``.

    Returns False (and touches nothing) when the file already holds exactly
    these bytes, so re-running a stage on unchanged input changes no mtime.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        if _KNOWN is not None:
            _KNOWN.pop(str(path), None)
            _KNOWN.pop(os.path.abspath(path), None)
    return True
