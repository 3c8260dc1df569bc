"""Content-hash stamps under ``.cache/``: a stage skips work whose inputs are byte-for-byte unchanged.

A stamp maps a unit of work (``extract:<slug>``, ``update:es/<slug>``) to the
digest of everything that unit reads and writes, recorded after the work.
Deleting ``.cache/`` only costs time: every stage then redoes and re-checks
everything.

Reading and hashing every catalog to learn that nothing changed would cost
most of a no-op run, so :class:`FileDigests` remembers each file's content
digest together with its ``stat`` signature (size, mtime, ctime, inode), the
way git's index does, and hashes a file again only when the signature moved.

Both files are ``marshal`` data (format 2, which has no back-references, so
equal data gives equal bytes), not JSON: a one-entry publish of the
1,000-article bench spent 100 ms reading and writing their 6 MB as JSON,
35 ms as this. A file that does not read back as a dict reads as empty.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from workflow import __version__, fileio
from workflow.errors import ConflictError, ErrorList, LocumError
from workflow.fileio import write_atomic

STAMPS = Path(".cache") / "stamps.marshal"
DIGESTS = Path(".cache") / "digests.marshal"
FORMAT = 2      # marshal's: values only, no references (see the module docstring)
RACY_NS = 100_000_000       # a file changed this close to being hashed may change again unseen


def digest(*parts: bytes | str | None) -> str:
    """SHA-256 over the parts (files' bytes, names); None (a missing file) is distinct from empty.

    Each part goes in with its length, so no two lists of parts hash alike.

    >>> digest(b"a", None) == digest(b"a", b""), digest("ab", "c") == digest("a", "bc")
    (False, False)
    """
    chunks = [_SALT]        # hashed at once: an update per part took a third longer, for 18,000 stamps a publish
    append = chunks.append
    for part in parts:
        if part is None:
            append(b"\0N")
        else:
            data = part.encode("utf-8") if isinstance(part, str) else part
            append(b"\0%d:" % len(data))
            append(data)
    return hashlib.sha256(b"".join(chunks)).hexdigest()


_SALT = f"locum {__version__} stamps 3".encode()   # 3: the invisible, formats and html checks


def file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


_LOADED: dict[Path, tuple[tuple, dict]] = {}     # bookkeeping file -> (stat signature, data) this process holds


def encoded(data: dict) -> bytes:
    """The bytes of a bookkeeping file holding ``data``, its keys sorted (nested values as they are).

    >>> decoded(encoded({"b": [1, "x", None], "a": {"c": True}}))
    {'a': {'c': True}, 'b': [1, 'x', None]}
    """
    return marshal.dumps(dict(sorted(data.items())), FORMAT)


def decoded(data: bytes) -> dict:
    """What :func:`encoded` made, or {} for anything else (damaged, cut off, of another Python, not a dict).

    >>> decoded(encoded({"a": 1})[:-1]), decoded(b"garbage"), decoded(marshal.dumps([1], FORMAT)), decoded(b"")
    ({}, {}, {}, {})
    """
    try:
        value = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def _load(path: Path) -> dict:
    """The bookkeeping in ``path`` ({} if missing or broken); one read per process while the file is unchanged.

    The stages of one ``publish`` share the bookkeeping this way instead of
    reading megabytes each.
    """
    signature = fileio.stat_signature(path)
    known = _LOADED.get(path)
    if known is not None and known[0] == signature:
        return known[1]
    try:
        data = decoded(path.read_bytes())
    except OSError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    _LOADED[path] = (signature, data)
    return fileio.long_lived(data)


_PENDING: dict[Path, tuple[dict, Callable[[], bytes]]] | None = None   # see one_save()


@contextmanager
def one_save():
    """Within this block, bookkeeping files reach the disk once, when it ends (also on an error).

    The stages of one ``publish`` each update the same megabytes of stamps;
    writing them after every stage cost more than the stages' own work when
    little changed. A stamp only ever records work already done, so writing
    it later, or losing it to a crash, costs time and nothing else; so on
    bad input (a :class:`LocumError` other than a conflict) none is written.
    """
    global _PENDING
    if _PENDING is not None:
        yield
        return
    _PENDING = {}
    keep = True
    try:
        yield
    except LocumError as exc:       # bad input: exit 2 with nothing written, bookkeeping included
        keep = isinstance(exc, ConflictError) or (isinstance(exc, ErrorList)
                                                   and all(isinstance(e, ConflictError) for e in exc.errors))
        raise
    finally:
        pending, _PENDING = _PENDING, None
        for path, (data, text) in pending.items():
            if keep:
                _store(path, data, text)
            else:
                _LOADED.pop(path, None)     # this process's copy holds what was not written


def _store(path: Path, data: dict, text: Callable[[], bytes]) -> None:
    if _PENDING is not None:
        _PENDING[path] = (data, text)
        _LOADED[path] = (fileio.stat_signature(path), data)       # later stages of this process see this very data
        return
    write_atomic(path, text(), durable=False)       # bookkeeping: one lost to a power cut costs time, no more
    _LOADED[path] = (fileio.stat_signature(path), data)


class FileDigests:
    """Content digests of a project's files, cached by ``stat`` signature in ``.cache/digests.marshal``.

    A signature is trusted only when the file was last modified well before it
    was hashed (:data:`RACY_NS`): a write in the same clock tick as the hash
    could leave size and times unchanged, so such a file is hashed again next
    time. Paths are stored relative to the project root (absolute when outside it).
    """

    def __init__(self, root: Path):
        self.root = root
        self.prefix = f"{root}{os.sep}"
        self.path = root / DIGESTS
        self.data = _load(self.path)
        if self.data.get("version") != __version__ or not isinstance(self.data.get("files", {}), dict):
            self.data = {}
        self.files: dict = self.data.setdefault("files", {})
        self.data["version"] = __version__
        self.changed = False

    def of(self, path: Path | str) -> str:
        """The SHA-256 of ``path``'s bytes, or ``"missing"``."""
        name = os.fspath(path)
        signature = fileio.signature(name)
        if signature is None:
            return "missing"
        value = fileio.remembered_digest(name, signature)       # an earlier stage of this publish asked
        if value is not None:
            return value
        key = name[len(self.prefix):] if name.startswith(self.prefix) else name
        known = self.files.get(key)
        if (isinstance(known, list) and len(known) == 5 and known[0] == signature[0] and known[1] == signature[1]
                and known[2] == signature[2] and known[3] == signature[3]):
            fileio.remember_digest(name, signature, known[4])
            return known[4]
        now = time.time_ns()
        try:
            value = hashlib.sha256(Path(name).read_bytes()).hexdigest()
        except FileNotFoundError:
            return "missing"
        if now - max(signature[1], signature[2]) > RACY_NS:
            self.files[key] = [*signature, value]
            self.changed = True
            fileio.remember_digest(name, signature, value)
        elif key in self.files:
            del self.files[key]
            self.changed = True
        return value

    def learn(self, path: Path | str, signature: tuple | None, value: str) -> None:
        """Remember that the file had ``value`` as its digest when it had ``signature`` (a write of our own)."""
        name = os.fspath(path)
        if signature is None or time.time_ns() - max(signature[1], signature[2]) <= RACY_NS:
            return
        key = name[len(self.prefix):] if name.startswith(self.prefix) else name
        if self.files.get(key) != [*signature, value]:
            self.files[key] = [*signature, value]
            self.changed = True

    def save(self) -> None:
        if self.changed:
            data = self.data
            _store(self.path, data, lambda: encoded({**data, "files": dict(sorted(data["files"].items()))}))
            self.changed = False


class Stamps:
    """The stamp file of one project; ``save`` writes it atomically when something changed.

    ``file(path)`` is the content digest of a file through the project's
    :class:`FileDigests`, for building a unit's digest without reading the file.
    """

    def __init__(self, root: Path):
        self.files = FileDigests(root)
        self.path = root / STAMPS
        self.data = _load(self.path)
        self.changed = False

    def fresh(self, unit: str, value: str) -> bool:
        return self.data.get(unit, {}).get("digest") == value if isinstance(self.data.get(unit), dict) else False

    def payload(self, unit: str):
        entry = self.data.get(unit)
        return entry.get("payload") if isinstance(entry, dict) else None

    def record(self, unit: str, value: str, payload=None) -> None:
        entry = {"digest": value} if payload is None else {"digest": value, "payload": payload}
        if self.data.get(unit) != entry:
            self.data[unit] = entry
            self.changed = True

    def file(self, path: Path) -> str:
        return self.files.of(path)

    def save(self) -> None:
        self.files.save()
        if self.changed:
            data = self.data
            _store(self.path, data, lambda: encoded(data))
            self.changed = False
