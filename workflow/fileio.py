"""Atomic, change-aware file writing: the only way Locum puts bytes on disk; and what it knows of files."""

from __future__ import annotations

import ctypes
import errno
import gc
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from workflow.errors import ConflictError

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
    _DIGESTS.clear()
    try:
        yield
    finally:
        _KNOWN = previous
        _DIGESTS.clear()


_DIGESTS: dict[str, tuple[Signature, str]] = {}     # see remember_digest()


def remember_digest(name: str, signature: Signature, value: str) -> None:
    """Within :func:`known_signatures`, remember ``value`` as the content digest of the file it knows as ``signature``.

    The five stages of a publish ask the content digest of the same file up to
    five times (``workflow.stamps.FileDigests``); :func:`remembered_digest`
    answers again without comparing signatures. The memo holds only while the
    file keeps the very signature object the walk gave it: a write forgets it
    (:func:`signature` then gives another), and the memo ends with the block.
    """
    if _KNOWN is not None and _KNOWN.get(name) is signature:
        _DIGESTS[name] = (signature, value)


def remembered_digest(name: str, signature: Signature) -> str | None:
    """The digest :func:`remember_digest` kept for the file ``name`` known as this very ``signature``, if any."""
    seen = _DIGESTS.get(name)
    return seen[1] if seen is not None and seen[0] is signature else None


def long_lived(value):
    """Return ``value`` after taking every object alive now out of the cyclic collector's scans.

    Bookkeeping loaded at the start of a command (hundreds of thousands of
    dicts and lists, no cycles) lives until it ends; each full collection
    walked all of it again. Freed by reference counting as ever; only cyclic
    garbage that exists at this moment would stay.
    """
    gc.freeze()
    return value


_WROTE: dict[str, Signature | None] = {}     # absolute path -> signature right after this process wrote it
_OWN: dict[str, Signature] = {}     # absolute path -> its signature when it still held the very file we wrote


def wrote(path: Path | str) -> Signature | None:
    """The ``stat`` signature the file had right after this process last wrote it (None: never wrote it).

    A file that no longer has it was replaced by someone else after that write.
    """
    return _WROTE.get(os.path.abspath(path))


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


SETTLE_NS = 200_000_000     # see _settle
ANY = object()       # write_atomic(expect=ANY): whatever the file holds now may be replaced


def content_digest(data: bytes | None) -> str | None:
    """The digest compare-and-swap compares: SHA-256 of a file's bytes, None for no file.

    >>> content_digest(None), content_digest(b"")[:12]
    (None, 'e3b0c44298fc')
    """
    return None if data is None else hashlib.sha256(data).hexdigest()


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


TEMP_MARK = ".locum-"        # in the name of every temp file write_atomic makes


def is_leftover(name: str) -> bool:
    """Whether a file name is one of :func:`write_atomic`'s temp files (left by a crash if seen under the lock).

    >>> is_leftover(".x.po.locum-k3j2_a9q.tmp"), is_leftover("x.po"), is_leftover(".x.po.swp")
    (True, False, False)
    """
    return name.startswith(".") and name.endswith(".tmp") and TEMP_MARK in name


def write_atomic(path: Path, data: bytes | str, expect=ANY, shown: str | None = None, durable: bool = True) -> bool:
    """Write ``data`` to ``path`` through a temp file and ``os.replace``.

    Returns False (and touches nothing) when the file already holds exactly
    these bytes, so re-running a stage on unchanged input changes no mtime.

    ``expect`` makes the write a compare-and-swap: the :func:`content_digest`
    of the bytes the caller read (None: there was no file). If the file on
    disk is no longer those bytes (a translator saved it meanwhile), it is
    left alone and :class:`ConflictError` names it (``shown``, else ``path``).
    The file is compared again right before the rename, after the slow part.

    The temp file reaches the disk (``fsync``) before the rename, so that a
    power cut leaves the old file or the new one. ``durable=False`` skips that
    for files made from others and checked by digest where they are used
    (compiled catalogs, their audit sidecars, catalog templates): one lost to a
    power cut is made again, and an fsync per file, serially in the parent,
    was half of a cold compile's time on a busy disk (profiled at 300
    articles). A killed process still leaves one or the other.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = Path(path)
    before = stat_signature(path)       # taken before the read: a save after it is seen again below
    current = _current(path)
    if expect is not ANY:
        _compare(path, current, expect, shown)
    if current == data:
        return False
    with _temp_for(path) as (fd, tmp):
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        _place(tmp, path, current is not None, expect, shown, before)
    return True


def write_atomic_parts(path: Path, parts: Iterable[bytes]) -> bool:
    """:func:`write_atomic` (no compare-and-swap) of a file made a part at a time, never whole in memory.

    For megabytes of bookkeeping (the build's manifest): the parts go to the
    temp file as they come, and that file is compared with the one in place
    a block at a time; when they hold the same bytes the temp file goes and
    nothing is touched (False). Joined first, the parts cost the file's size
    in memory twice over (a string, then its bytes), at the end of a publish.
    """
    path = Path(path)
    with _temp_for(path) as (fd, tmp):
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
            handle.flush()
            if _same_bytes(tmp, path):
                os.unlink(tmp)
                return False
            os.fsync(handle.fileno())
        _place(tmp, path, path.exists())
    return True


@contextmanager
def _temp_for(path: Path):
    """A temp file beside ``path`` (its descriptor and name), removed if the block fails; either way a
    publish's known signature of ``path`` is forgotten (see :func:`known_signatures`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp", dir=path.parent)
    try:
        yield fd, tmp
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        if _KNOWN is not None:
            _KNOWN.pop(str(path), None)
            _KNOWN.pop(os.path.abspath(path), None)


def _place(tmp: str, path: Path, replaces: bool, expect=ANY, shown: str | None = None,
           before: Signature | None = None) -> None:
    """Put the written ``tmp`` at ``path`` with the mode of the file it ``replaces`` (0644 for a new one): by
    compare-and-swap when ``expect`` is given (``before``: the signature taken before the read), else by
    a rename; and remember the signature it has there."""
    os.chmod(tmp, path.stat().st_mode & 0o777 if replaces else 0o644)
    made = os.stat(tmp)
    if expect is not ANY:
        _settle(path)
        if stat_signature(path) != before:
            _compare(path, _current(path), expect, shown)
        _swap_in(Path(tmp), path, expect, shown)
    else:
        os.replace(tmp, path)
    _remember(path, made)


def _same_bytes(first: str, second: Path, block: int = 1 << 20) -> bool:
    """Whether two files hold the same bytes (False if the second is missing), a block at a time."""
    try:
        with open(first, "rb") as one, open(second, "rb") as other:
            if os.fstat(one.fileno()).st_size != os.fstat(other.fileno()).st_size:
                return False
            while True:
                a, b = one.read(block), other.read(block)
                if a != b:
                    return False
                if not a:
                    return True
    except FileNotFoundError:
        return False


def _remember(path: Path, made: os.stat_result) -> None:
    """Record the signature ``path`` has now that our file is in place, and whether it is still our file.

    A rename keeps a file's size, mtime and inode; if they are still those
    of the temp file we wrote, nobody wrote into it between the swap and
    this ``stat`` (see :func:`_settle`).
    """
    name = os.path.abspath(path)
    now = stat_signature(path)
    _WROTE[name] = now
    if now is not None and (now[0], now[1], now[3]) == (made.st_size, made.st_mtime_ns, made.st_ino):
        _OWN[name] = now
    else:
        _OWN.pop(name, None)


def _swap_in(tmp: Path, path: Path, expect: str | None, shown: str | None) -> None:
    """Put ``tmp`` at ``path`` only if ``path`` still holds what ``expect`` says, with no gap for a save.

    A check followed by a rename leaves a moment in which an editor's save
    can land and then be replaced. Instead: a new file is linked in (which
    fails if one appeared); an existing one trades places with ``tmp`` in one
    ``renameat2(RENAME_EXCHANGE)``, and the file that came out is compared:
    if someone saved it meanwhile, the two trade back and :class:`ConflictError`
    says so. Where the system cannot exchange, a plain rename after the check.
    """
    if expect is None:
        try:
            os.link(tmp, path)
        except FileExistsError:
            _compare(path, _current(path), expect, shown)      # raises: it appeared
            raise
        tmp.unlink()
        return
    if not exchange(tmp, path):
        os.replace(tmp, path)
        return
    if content_digest(_current(tmp)) != expect:                 # a save landed after the check: give it back
        exchange(tmp, path)
        tmp.unlink()
        raise _conflict("was changed", path, shown)
    tmp.unlink()


_RENAMEAT2: list = []       # the C function, once looked up (None where there is none)
AT_FDCWD, RENAME_EXCHANGE = -100, 2


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False, touching nothing, where the system cannot."""
    if not _RENAMEAT2:
        function = None
        if sys.platform.startswith("linux"):
            try:
                function = ctypes.CDLL(None, use_errno=True).renameat2
                function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                function.restype = ctypes.c_int
            except (OSError, AttributeError):       # a libc before glibc 2.28, or not glibc
                function = None
        _RENAMEAT2.append(function)
    function = _RENAMEAT2[0]
    if function is None:
        return False
    if function(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):    # kernel or file system lacks it
        return False
    raise OSError(code, os.strerror(code), os.fspath(second))


def _settle(path: Path) -> None:
    """Wait until ``path`` was last modified at least :data:`SETTLE_NS` ago.

    An editor that saves in place (truncate, then write) may pause between
    two writes; a file modified a moment ago may still be in the middle of
    such a save, and replacing it would send the rest of that save into a
    file nobody sees. The wait ends when the file is that old, so one batch
    of writes waits once, not once per file.

    A file that is still exactly the one this process last put there (same
    size, times and inode as right after that write) is no editor's save in
    progress, however young: it is not waited for. The review server writes
    one catalog several times a second; waiting 0.2 s after each of its own
    writes capped it at five approvals a second.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if of_stat(st) == _OWN.get(os.path.abspath(path)):
        return
    modified = st.st_mtime_ns
    young = modified + SETTLE_NS - time.time_ns()
    if young > 0:
        time.sleep(young / 1e9)


def _compare(path: Path, current: bytes | None, expect: str | None, shown: str | None) -> None:
    if content_digest(current) == expect:
        return
    what = "was removed" if current is None else ("appeared" if expect is None else "was changed")
    raise _conflict(what, path, shown)


def _conflict(what: str, path: Path, shown: str | None) -> ConflictError:
    return ConflictError(f"{what} by someone else while Locum worked on it, so Locum did not overwrite it; "
                         "run the command again to take that edit in", path=shown or str(path))
