"""A catalog's parse kept by the SHA-256 of its bytes, so that each stage of one publish need not parse it again.

A cold publish parsed every catalog three times (update, check, compile)
and every template three times (update, the page findings, the catalog
templates). polib's parser and the strict scan before it cost about 6.4 ms
a catalog of the 300-article bench (CPU time, 400 catalogs); loading the
entries kept here, 1.7 ms.

Parsing is a function of the bytes: the same bytes give the same entries,
with the same line numbers. So a parse is kept under the SHA-256 of the
bytes it came from, in a folder named by the code that parses (this
module, :mod:`workflow.catalogs`, :mod:`workflow.postrict`,
:mod:`workflow.pogrammar` and polib, hashed), and only once every check of
:func:`workflow.catalogs.parse_catalog` passed. A file that changes has
new bytes and so another key: nothing kept can be stale. What is kept is
JSON (no code is loaded from the cache), every field of every entry as
polib set it, and whatever does not read back as exactly that shape is
parsed again.

Only ``publish`` keeps parses (:func:`kept_parses`); its worker processes
inherit the setting. At the end of each publish the folder is pruned to the
parses it made or loaded (:func:`prune`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zlib
from contextlib import contextmanager
from pathlib import Path

import polib

from workflow.fileio import write_atomic

#: Every attribute polib's parser sets on an entry (a parse with any other is not kept).
ENTRY_FIELDS = ("msgid", "msgstr", "msgid_plural", "msgstr_plural", "msgctxt", "obsolete", "encoding", "comment",
                "tcomment", "occurrences", "flags", "previous_msgctxt", "previous_msgid", "previous_msgid_plural",
                "linenum")
_FIELD_SET = frozenset(ENTRY_FIELDS)
_FILE_FIELDS = frozenset(("check_for_duplicates", "encoding", "fpath", "header", "metadata", "metadata_is_fuzzy",
                          "wrapwidth"))
FOLDER = "parsed"                  # under .cache/
_FOLDER: Path | None = None        # see kept_parses()


def _code_digest() -> str:
    """Digest of the code a parse depends on: a change to any of it puts parses in a new folder."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for path in (here / "catalogs.py", here / "pogrammar.py", here / "postrict.py", Path(polib.__file__),
                 Path(__file__)):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@contextmanager
def kept_parses(cache: Path):
    """Within this block, parses are kept in and loaded from a folder under ``cache`` (``.cache/``)."""
    global _FOLDER
    previous, _FOLDER = _FOLDER, cache / FOLDER / _code_digest()
    try:
        yield _FOLDER
    finally:
        _FOLDER = previous


def load(digest: str) -> polib.POFile | None:
    """The parse kept for bytes of this SHA-256 (hex), or None (none kept, or not as :func:`keep` writes)."""
    if _FOLDER is None:
        return None
    path = _FOLDER / digest
    try:
        po = from_json(json.loads(zlib.decompress(path.read_bytes())))
        os.utime(path)          # read by this publish: kept by prune()
        return po
    except (OSError, ValueError, TypeError, KeyError, IndexError, zlib.error):
        return None


def keep(digest: str, po: polib.POFile) -> None:
    """Keep ``po``, parsed from bytes of this SHA-256, for the stages after this one (best effort)."""
    if _FOLDER is None:
        return
    state = to_json(po)
    if state is None:
        return
    data = zlib.compress(json.dumps(state, ensure_ascii=False).encode("utf-8"), 1)
    try:        # whole or not at all, whoever writes the same parse at once; made again if lost
        write_atomic(_FOLDER / digest, data, durable=False)
    except OSError:
        pass


def to_json(po: polib.POFile) -> list | None:
    """A parse as JSON-able lists, or None when it holds anything polib's parser does not set."""
    if set(vars(po)) != _FILE_FIELDS or po.fpath is not None:
        return None
    entries = []
    for entry in po:
        if type(entry) is not polib.POEntry or set(vars(entry)) != _FIELD_SET:
            return None
        row = [getattr(entry, name) for name in ENTRY_FIELDS]
        row[3] = sorted(entry.msgstr_plural.items())
        entries.append(row)
    return [po.encoding, po.wrapwidth, po.check_for_duplicates, po.header, list(po.metadata.items()),
            po.metadata_is_fuzzy, entries]


def from_json(state: list) -> polib.POFile:
    """The parse :func:`to_json` gave (a ValueError, TypeError… for anything else)."""
    encoding, wrapwidth, duplicates, header, metadata, fuzzy, entries = state
    po = polib.POFile(wrapwidth=wrapwidth, encoding=encoding)
    po.check_for_duplicates = False
    po.header, po.metadata, po.metadata_is_fuzzy = header, dict(metadata), fuzzy
    made = []
    new = polib.POEntry.__new__
    for row in entries:
        if len(row) != len(ENTRY_FIELDS):
            raise ValueError("not a kept entry")
        entry = new(polib.POEntry)
        fields = dict(zip(ENTRY_FIELDS, row))
        fields["msgstr_plural"] = {int(index): text for index, text in row[3]}
        fields["occurrences"] = [(str(path), str(line)) for path, line in fields["occurrences"]]
        entry.__dict__.update(fields)
        made.append(entry)
    list.extend(po, made)
    po.check_for_duplicates = duplicates
    return po


def prune(since_ns: int) -> None:
    """Remove the parses neither made nor loaded since ``since_ns`` (the start of the publish), those of
    other code, and every temp file (the publish's own writes are done; others are a killed one's): what is
    left is what this publish read."""
    if _FOLDER is None:
        return
    try:
        folders = [entry.path for entry in os.scandir(_FOLDER.parent) if entry.path != str(_FOLDER)]
        kept = list(os.scandir(_FOLDER)) if _FOLDER.is_dir() else []
    except OSError:
        return
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    for entry in kept:
        try:
            if entry.name.endswith(".tmp") or entry.stat(follow_symlinks=False).st_mtime_ns < since_ns:
                os.unlink(entry.path)
        except OSError:
            continue


def active() -> bool:
    """Whether parses are kept now (within :func:`kept_parses`)."""
    return _FOLDER is not None
