"""Content-hash stamps under ``.cache/``: a stage skips work whose inputs are byte-for-byte unchanged.

A stamp maps a unit of work (``extract:<slug>``, ``update:es/<slug>``) to the
digest of everything that unit reads and writes, recorded after the work.
Deleting ``.cache/`` only costs time: every stage then redoes and re-checks
everything.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from workflow import __version__
from workflow.fileio import write_atomic

STAMPS = Path(".cache") / "stamps.json"


def digest(*parts: bytes | str | None) -> str:
    """SHA-256 over the parts (files' bytes, names); None (a missing file) is distinct from empty.

    >>> digest(b"a", None) == digest(b"a", b"")
    False
    """
    h = hashlib.sha256(__version__.encode())
    for part in parts:
        if part is None:
            h.update(b"\x01missing")
        else:
            data = part.encode("utf-8") if isinstance(part, str) else part
            h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class Stamps:
    """The stamp file of one project; ``save`` writes it atomically when something changed."""

    def __init__(self, root: Path):
        self.path = root / STAMPS
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.data, dict):
                self.data = {}
        except (OSError, ValueError):
            self.data = {}
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

    def save(self) -> None:
        if self.changed:
            write_atomic(self.path, json.dumps(self.data, ensure_ascii=False, sort_keys=True) + "\n")
            self.changed = False
